import type { Logger } from '../log.js';
import type { Timeline } from '../timeline.js';
import type { Prompter } from '../prompt.js';
import type { AuthConversation, AuthResult } from './conversation.js';

/** How methods ask the user (see src/prompt.ts). */
export type AuthPrompter = Prompter;

/** Server text shown before prompts: the prompter's `show`, or the log as a fallback. */
export function showServerText(ctx: Pick<MethodContext, 'prompter' | 'log'>, text: string): void {
  if (text.length === 0) return;
  // ssh 10.3 means to add a newline only where there is none, but tests the terminating NUL: always one.
  if (ctx.prompter.show) ctx.prompter.show(`${text}\n`);
  else ctx.log.info(text);
}

export interface MethodContext {
  /** Remote user name. */
  user: string;
  /** Host name used in prompts ("user@host's password: "): HostKeyAlias or the host. */
  promptHost: string;
  conversation: AuthConversation;
  prompter: AuthPrompter;
  log: Logger;
  /** --timing: each attempt is recorded here. */
  timeline?: Timeline;
}

/** One authentication method ("publickey", "password", ...) with its own state across attempts. */
export interface AuthMethod {
  readonly name: string;
  /**
   * Sends this method's next request and returns how the server answered, or undefined when the method
   * has nothing (more) to try; it is then disabled for the rest of the connection. `methods` is the list
   * the server last said can continue.
   */
  attempt(methods: readonly string[]): Promise<AuthResult | undefined>;
  /** Called after a partial success: the method may be tried again from the start. */
  reset?(): void;
}
