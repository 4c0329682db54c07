import fs from 'node:fs';
import tty from 'node:tty';
import type { Logger } from '../log.js';
import { DEFAULT_ASKPASS, runAskpass } from './askpass.js';

/**
 * Asks a question on the controlling terminal (/dev/tty, like OpenSSH's read_passphrase), never on
 * stdin/stdout, which may be carrying the user's data. Returns undefined when there is no terminal.
 * Reading is synchronous: nothing else should happen while a person is being asked.
 */
export function askOnTerminal(prompt: string): string | undefined {
  let fd: number;
  try {
    fd = fs.openSync('/dev/tty', 'r+');
  } catch {
    return undefined;
  }
  try {
    fs.writeSync(fd, prompt);
    const bytes: number[] = [];
    const one = Buffer.alloc(1);
    for (;;) {
      let n: number;
      try {
        n = fs.readSync(fd, one, 0, 1, null);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EAGAIN') continue;
        return undefined;
      }
      if (n === 0) return bytes.length ? Buffer.from(bytes).toString('utf8') : undefined;
      if (one[0] === 0x0a) return Buffer.from(bytes).toString('utf8');
      if (bytes.length < 4096) bytes.push(one[0]!);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** How OpenSSH's read_passphrase may ask: SSH_ASKPASS, SSH_ASKPASS_REQUIRE and DISPLAY decide. */
export interface SecretPromptEnvironment {
  env: Record<string, string | undefined>;
  log: Logger;
}

export interface SecretPromptOptions {
  /** Show what is typed (keyboard-interactive prompts the server marks as echo). */
  echo: boolean;
  /** Return undefined on end of file (or when nobody can be asked) instead of ''. */
  allowEof?: boolean;
  /** Only SSH_ASKPASS may answer (yes/no confirmations such as AddKeysToAgent ask); `hint` goes to it. */
  askpassOnly?: { hint: string };
}

/**
 * Reads a passphrase, password or keyboard-interactive answer as OpenSSH's read_passphrase does: from
 * the controlling terminal with echo off, or from SSH_ASKPASS when DISPLAY is set and there is no
 * terminal, or always with SSH_ASKPASS_REQUIRE=force (prefer: when DISPLAY is set; never: not at all).
 * Answers '' when nobody can be asked (undefined with allowEof). Never logs what was typed.
 */
export async function readSecret(prompt: string, options: SecretPromptOptions, environment: SecretPromptEnvironment): Promise<string | undefined> {
  const { env, log } = environment;
  const failed = (): string | undefined => (options.allowEof ? undefined : '');
  let allowAskpass = (env.DISPLAY ?? '') !== '';
  let useAskpass = false;
  const require = env.SSH_ASKPASS_REQUIRE?.toLowerCase();
  if (require === 'force') {
    useAskpass = true;
    allowAskpass = true;
  } else if (require === 'prefer') {
    useAskpass = allowAskpass;
  } else if (require === 'never') {
    allowAskpass = false;
  }
  let terminal: number | undefined;
  if (useAskpass) {
    log.debug1('read_passphrase: requested to askpass');
  } else if (options.askpassOnly) {
    useAskpass = true;
  } else {
    try {
      terminal = fs.openSync('/dev/tty', 'r+');
    } catch (err) {
      log.debug1(`read_passphrase: can't open /dev/tty: ${ttyOpenError(err)}`);
      useAskpass = true;
    }
  }
  if (options.askpassOnly && !allowAskpass) return failed();
  if (useAskpass && allowAskpass) {
    if (terminal !== undefined) fs.closeSync(terminal);
    const program = env.SSH_ASKPASS !== undefined && env.SSH_ASKPASS !== '' ? env.SSH_ASKPASS : DEFAULT_ASKPASS;
    return (await runAskpass(program, prompt, env, options.askpassOnly?.hint)) ?? failed();
  }
  if (terminal === undefined) return failed();
  return (await readFromTerminal(terminal, prompt, options.echo)) ?? failed();
}

function ttyOpenError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENXIO') return 'No such device or address';
  if (code === 'ENOENT') return 'No such file or directory';
  if (code === 'EACCES') return 'Permission denied';
  return (err as Error).message;
}

const CTRL_C = 0x03;
const CTRL_D = 0x04;
const CTRL_U = 0x15;
const BACKSPACE = [0x08, 0x7f];

/**
 * One line from the terminal open on `fd` (which it closes), with the terminal in raw mode so echo is
 * ours to decide. Basic line editing works (backspace, ^U); ^C restores the terminal and interrupts
 * tssh as it would ssh; ^D on an empty line is end of file (undefined). The terminal is restored on
 * every path: an answer, end of file, SIGINT/SIGTERM/SIGHUP (then re-raised), or the process exiting.
 */
function readFromTerminal(fd: number, prompt: string, echo: boolean): Promise<string | undefined> {
  let input: tty.ReadStream;
  try {
    input = new tty.ReadStream(fd);
    input.setRawMode(true);
  } catch {
    fs.closeSync(fd);
    return Promise.resolve(undefined);
  }
  const write = (text: string | Buffer): void => {
    try {
      if (typeof text === 'string') fs.writeSync(fd, text);
      else fs.writeSync(fd, text);
    } catch {
      // the terminal went away; the read below ends too
    }
  };
  write(`\r${prompt}`);
  return new Promise((resolve) => {
    let typed: number[] = [];
    let done = false;
    const restore = (): void => {
      try {
        input.setRawMode(false);
      } catch {
        // already closed
      }
    };
    // A signal while the prompt is open first puts the terminal back, then takes its usual course.
    const onSignal = (signal: NodeJS.Signals): void => finish(undefined, signal);
    const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
    process.once('exit', restore);
    for (const signal of signals) process.on(signal, onSignal);
    const finish = (answer: string | undefined, signal?: NodeJS.Signals): void => {
      if (done) return;
      done = true;
      restore();
      process.removeListener('exit', restore);
      for (const s of signals) process.removeListener(s, onSignal);
      write('\n');
      input.destroy();
      const text = answer;
      typed.fill(0);
      typed = [];
      if (signal) process.kill(process.pid, signal);
      resolve(text);
    };
    input.on('data', (chunk: Buffer) => {
      for (const byte of chunk) {
        if (done) break;
        if (byte === 0x0d || byte === 0x0a) finish(Buffer.from(typed).toString('utf8'));
        else if (byte === CTRL_C) finish(undefined, 'SIGINT');
        else if (byte === CTRL_D) {
          if (typed.length === 0) finish(undefined);
        } else if (BACKSPACE.includes(byte)) {
          // Drop one UTF-8 character: continuation bytes, then its lead byte.
          while (typed.length > 0 && (typed[typed.length - 1]! & 0xc0) === 0x80) typed.pop();
          typed.pop();
          if (echo) write('\b \b');
        } else if (byte === CTRL_U) {
          if (echo) write('\b \b'.repeat(typed.length));
          typed = [];
        } else if (byte >= 0x20 && typed.length < 1023) {
          typed.push(byte);
          if (echo) write(Buffer.from([byte]));
        }
      }
      chunk.fill(0);
    });
    input.on('end', () => finish(undefined));
    input.on('error', () => finish(undefined));
  });
}
