/**
 * How the command asks and shows: every question on the controlling terminal or through SSH_ASKPASS
 * (tty-prompt.ts, as OpenSSH's read_passphrase), and USERAUTH_BANNER texts on stderr, as ssh does.
 * The server's words (banners, keyboard-interactive texts and prompts) are made safe for the terminal
 * first, as ssh's fmprintf/asmprintf do (src/vis.ts).
 */
import fs from 'node:fs';
import type { AuthUserInterface } from '../connect/auth-inputs.js';
import type { ResolveEnvironment } from '../profile/environment.js';
import type { CliLogger } from './log.js';
import { readSecret } from './tty-prompt.js';
import { terminalCharset, visTerminal } from '../text/vis.js';

const SHOWS_INFO = new Set(['INFO', 'VERBOSE', 'DEBUG1', 'DEBUG2', 'DEBUG3']);

export function terminalUserInterface(env: ResolveEnvironment, log: CliLogger): AuthUserInterface {
  const secrets = { env: env.env, log };
  const charset = terminalCharset(env.env);
  return {
    prompter: {
      ask: (prompt, options) => readSecret(options.serverText ? visTerminal(prompt, charset) : prompt, options, secrets),
      show: (text) => writeStderr(visTerminal(text, charset)),
    },
    // ssh prints banners on stderr (not the -E log), unless the log level is below INFO.
    onBanner: (text) => {
      if (SHOWS_INFO.has(log.level)) writeStderr(visTerminal(text, charset));
    },
    notice: (text) => {
      if (process.stderr.isTTY) writeStderr(`${text}\r\n`);
    },
  };
}

function writeStderr(text: string): void {
  try {
    fs.writeSync(2, text);
  } catch {
    // stderr closed
  }
}
