/**
 * How the command asks and shows: every question on the controlling terminal or through SSH_ASKPASS
 * (tty-prompt.ts, as OpenSSH's read_passphrase), and USERAUTH_BANNER texts on stderr, as ssh does.
 */
import fs from 'node:fs';
import type { AuthUserInterface } from '../connect/auth-inputs.js';
import type { ResolveEnvironment } from '../profile/environment.js';
import type { CliLogger } from './log.js';
import { readSecret } from './tty-prompt.js';

const SHOWS_INFO = new Set(['INFO', 'VERBOSE', 'DEBUG1', 'DEBUG2', 'DEBUG3']);

export function terminalUserInterface(env: ResolveEnvironment, log: CliLogger): AuthUserInterface {
  const secrets = { env: env.env, log };
  return {
    prompter: { ask: (prompt, options) => readSecret(prompt, options, secrets) },
    // ssh prints banners as they are, on stderr (not the -E log), unless the log level is below INFO.
    onBanner: (text) => {
      if (!SHOWS_INFO.has(log.level)) return;
      try {
        fs.writeSync(2, text);
      } catch {
        // stderr closed
      }
    },
  };
}
