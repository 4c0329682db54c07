/**
 * Asking a person: the one way every layer reaches a user (passwords, passphrases, keyboard-interactive
 * answers, host-key and agent confirmations). The CLI answers on the terminal or through SSH_ASKPASS; a
 * library caller answers with its own callbacks, told what is being asked by `purpose`.
 */

/** What a question is for, so that an answer can come from the right place. */
export type PromptPurpose =
  | { kind: 'password' }
  | { kind: 'new-password'; step: 'old' | 'new' | 'retype' }
  | { kind: 'keyboard-interactive'; name: string; instruction: string; prompts: ReadonlyArray<{ prompt: string; echo: boolean }>; index: number }
  | { kind: 'passphrase'; path: string }
  | { kind: 'security-key-pin'; path: string }
  /** Whether to trust a host key that known_hosts does not vouch for (`known: false`), or a changed IP. */
  | { kind: 'host-key'; host: string; keyType: string; fingerprint: string }
  | { kind: 'update-host-keys' }
  | { kind: 'add-key-to-agent'; path: string }
  /** ControlMaster ask: may a connection-sharing client use the connection? */
  | { kind: 'mux-confirm' };

export interface PromptOptions {
  /** Show what is typed (keyboard-interactive prompts the server marks as echo, yes/no questions). */
  echo: boolean;
  /** Return undefined on end of file (or when nobody can be asked) instead of ''. */
  allowEof?: boolean;
  /** Only a confirmation dialog (SSH_ASKPASS) may answer; `hint` says which kind. */
  askpassOnly?: { hint: string };
  /** The prompt carries the server's words, to be made safe before a terminal shows them (ssh's asmprintf). */
  serverText?: boolean;
  purpose: PromptPurpose;
}

/**
 * Asks `prompt` (the exact text OpenSSH shows). Like OpenSSH's read_passphrase, it answers '' when
 * nobody can be asked, and undefined (end of file) only when `allowEof` is set.
 */
export interface Prompter {
  ask(prompt: string, options: PromptOptions): Promise<string | undefined>;
  /**
   * Shows the server's words before its prompts (keyboard-interactive name and instruction, a password
   * change request's text): ssh 10.3+ prints them on stderr. Without it they are logged at INFO.
   */
  show?(text: string): void;
}

/** Nobody to ask: every question gets the empty answer, every confirmation "no". */
export const noPrompter: Prompter = {
  ask: async (_prompt, options) => (options.allowEof ? undefined : ''),
};
