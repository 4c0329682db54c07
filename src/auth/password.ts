import { MSG } from '../wire/messages.js';
import { SshReader } from '../wire/reader.js';
import { message } from '../wire/writer.js';
import { SECRET_PADDING, finalReply, type AuthResult } from './conversation.js';
import { showServerText, type AuthMethod, type MethodContext } from './method.js';

/**
 * The "password" method (RFC 4252 §8) as OpenSSH's client runs it: `user@host's password: ` up to
 * NumberOfPasswordPrompts times, "Permission denied, please try again." between tries, and the server's
 * password-change request answered with old/new/retype prompts. Passwords are never logged.
 */
export class PasswordMethod implements AuthMethod {
  readonly name = 'password';
  private attempts = 0;

  constructor(
    private readonly ctx: MethodContext,
    private readonly maxAttempts: number,
  ) {}

  async attempt(methods: readonly string[]): Promise<AuthResult | undefined> {
    const { ctx } = this;
    if (this.attempts++ >= this.maxAttempts) return undefined;
    if (this.attempts !== 1) ctx.log.error('Permission denied, please try again.');
    const password = (await ctx.prompter.ask(`${ctx.user}@${ctx.promptHost}'s password: `, { echo: false, purpose: { kind: 'password' } })) ?? '';
    ctx.conversation.send(passwordRequest(ctx.user, password), SECRET_PADDING);
    for (;;) {
      const reply = await ctx.conversation.receive();
      if (reply[0] !== MSG.USERAUTH_60) return finalReply(reply);
      if (!(await this.changePassword(reply))) {
        // The user gave up: leave the server's request unanswered by this method and move on, as if it failed.
        this.attempts = this.maxAttempts;
        return { kind: 'failure', methods: [...methods], partial: false };
      }
    }
  }

  /** Answers SSH_MSG_USERAUTH_PASSWD_CHANGEREQ; false when the user ends the new-password prompt with EOF. */
  private async changePassword(payload: Buffer): Promise<boolean> {
    const { ctx } = this;
    ctx.log.debug2('input_userauth_passwd_changereq');
    const r = new SshReader(payload, 'USERAUTH_PASSWD_CHANGEREQ');
    r.byte();
    const info = r.text();
    r.string(); // language tag
    r.end();
    showServerText(ctx, info);
    const who = `${ctx.user.slice(0, 30)}@${ctx.promptHost.slice(0, 128)}`;
    const oldPassword = (await ctx.prompter.ask(`Enter ${who}'s old password: `, { echo: false, purpose: { kind: 'new-password', step: 'old' } })) ?? '';
    for (;;) {
      const newPassword = await ctx.prompter.ask(`Enter ${who}'s new password: `, { echo: false, allowEof: true, purpose: { kind: 'new-password', step: 'new' } });
      if (newPassword === undefined) return false;
      const retyped = (await ctx.prompter.ask(`Retype ${who}'s new password: `, { echo: false, purpose: { kind: 'new-password', step: 'retype' } })) ?? '';
      if (retyped === newPassword) {
        ctx.conversation.send(passwordChangeRequest(ctx.user, oldPassword, newPassword), SECRET_PADDING);
        return true;
      }
      ctx.log.info('Mismatch; try again, EOF to quit.');
    }
  }
}

export function passwordRequest(user: string, password: string): Buffer {
  return message(MSG.USERAUTH_REQUEST).string(user).string('ssh-connection').string('password').boolean(false).string(password).finish();
}

export function passwordChangeRequest(user: string, oldPassword: string, newPassword: string): Buffer {
  return message(MSG.USERAUTH_REQUEST)
    .string(user)
    .string('ssh-connection')
    .string('password')
    .boolean(true)
    .string(oldPassword)
    .string(newPassword)
    .finish();
}
