import { MSG } from '../wire/messages.js';
import { SshReader } from '../wire/reader.js';
import { SshWriter, message } from '../wire/writer.js';
import { protocolError } from '../errors.js';
import { SECRET_PADDING, finalReply, type AuthResult } from './conversation.js';
import { showServerText, type AuthMethod, type MethodContext } from './method.js';

/** One SSH_MSG_USERAUTH_INFO_REQUEST (RFC 4256 §3.2). */
export interface InfoRequest {
  name: string;
  instruction: string;
  prompts: Array<{ prompt: string; echo: boolean }>;
}

/** More prompts than this in one request is not a real login dialogue. */
const MAX_PROMPTS = 100;

/**
 * "keyboard-interactive" (RFC 4256): the server's name and instruction are shown, each prompt is asked as
 * `(user@host) <prompt>` with or without echo as the server says, up to NumberOfPasswordPrompts rounds;
 * after a first round without any INFO_REQUEST the method is given up, as OpenSSH does.
 */
export class KeyboardInteractiveMethod implements AuthMethod {
  readonly name = 'keyboard-interactive';
  private attempts = 0;
  private infoRequestSeen = false;

  constructor(
    private readonly ctx: MethodContext,
    private readonly maxAttempts: number,
    private readonly devices: string,
  ) {}

  async attempt(): Promise<AuthResult | undefined> {
    const { ctx } = this;
    if (this.attempts++ >= this.maxAttempts) return undefined;
    if (this.attempts > 1 && !this.infoRequestSeen) {
      ctx.log.debug3('userauth_kbdint: disable: no info_req_seen');
      return undefined;
    }
    ctx.log.debug2('userauth_kbdint');
    ctx.conversation.send(
      message(MSG.USERAUTH_REQUEST).string(ctx.user).string('ssh-connection').string('keyboard-interactive').string('').string(this.devices).finish(),
    );
    for (;;) {
      const reply = await ctx.conversation.receive();
      if (reply[0] !== MSG.USERAUTH_60) return finalReply(reply);
      this.infoRequestSeen = true;
      await this.answer(parseInfoRequest(reply));
    }
  }

  private async answer(request: InfoRequest): Promise<void> {
    const { ctx } = this;
    ctx.log.debug2(`input_userauth_info_req: num_prompts ${request.prompts.length}`);
    showServerText(ctx, request.name);
    showServerText(ctx, request.instruction);
    const responses: string[] = [];
    for (const [index, { prompt, echo }] of request.prompts.entries()) {
      const shown = `(${ctx.user}@${ctx.promptHost}) ${prompt}`;
      const purpose = { kind: 'keyboard-interactive', name: request.name, instruction: request.instruction, prompts: request.prompts, index } as const;
      responses.push((await ctx.prompter.ask(shown, { echo, serverText: true, purpose })) ?? '');
    }
    ctx.conversation.send(infoResponse(responses), SECRET_PADDING);
  }
}

export function parseInfoRequest(payload: Buffer): InfoRequest {
  const r = new SshReader(payload, 'USERAUTH_INFO_REQUEST');
  r.byte();
  const name = r.text();
  const instruction = r.text();
  r.string(); // language tag
  const count = r.uint32();
  if (count > MAX_PROMPTS) throw protocolError(`USERAUTH_INFO_REQUEST: too many prompts (${count})`);
  const prompts: InfoRequest['prompts'] = [];
  for (let i = 0; i < count; i++) prompts.push({ prompt: r.text(), echo: r.boolean() });
  r.end();
  return { name, instruction, prompts };
}

export function infoResponse(responses: readonly string[]): Buffer {
  const w = new SshWriter(64).byte(MSG.USERAUTH_INFO_RESPONSE).uint32(responses.length);
  for (const response of responses) w.string(response);
  return Buffer.from(w.finish());
}
