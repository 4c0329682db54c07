/**
 * A local shell in a real pseudo-terminal (node-pty), for driving tssh the way a person does:
 *
 *   const shell = await PtyShell.start({ term: 'xterm-256color', columns: 100, rows: 30 });
 *   const before = await shell.sttySettings();
 *   shell.type(`${tsshCommandLine}\r`);
 *   await shell.waitFor('ALIVE-2', { after: mark });
 *   ...
 *   await shell.close();
 *
 * Every wait has a deadline and reports what the terminal showed; the shell and whatever it runs are
 * stopped by pid in close().
 */
import pty, { type IPty } from 'node-pty';
import { descendantPids, killTreeNow, stopTree } from './processes.js';
import { isolatedEnv, makeTempDir, waitFor } from './run.js';
import { readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

export interface PtyShellOptions {
  term?: string;
  columns?: number;
  rows?: number;
  /** Extra environment for the shell (and so for tssh). */
  env?: NodeJS.ProcessEnv;
}

/** The local shell's prompt: unlike any remote prompt, so local and remote are never confused. */
export const LOCAL_PROMPT = 'LOCAL-PROMPT> ';

/** Shell-quotes one word for the local bash. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export class PtyShell {
  private text = '';
  private exited = false;

  private constructor(private readonly terminal: IPty, private readonly home: string) {
    terminal.onData((data) => (this.text += data));
    terminal.onExit(() => (this.exited = true));
  }

  static async start(options: PtyShellOptions = {}): Promise<PtyShell> {
    const home = makeTempDir('tssh-pty-home-');
    // No bracketed-paste markers around prompts: the output stays easy to match.
    const inputrc = path.join(home, 'inputrc');
    writeFileSync(inputrc, 'set enable-bracketed-paste off\n');
    const env = isolatedEnv(home, { TERM: options.term ?? 'xterm-256color', PS1: LOCAL_PROMPT, HISTFILE: '/dev/null', INPUTRC: inputrc, ...options.env });
    delete env.PROMPT_COMMAND;
    const terminal = pty.spawn('/bin/bash', ['--norc', '--noprofile', '-i'], {
      name: options.term ?? 'xterm-256color',
      cols: options.columns ?? 100,
      rows: options.rows ?? 30,
      cwd: home,
      env: env as Record<string, string>,
    });
    const shell = new PtyShell(terminal, home);
    await shell.waitFor(LOCAL_PROMPT, { after: 0, what: 'the local shell prompt' });
    return shell;
  }

  /** Everything the terminal showed so far. */
  get output(): string {
    return this.text;
  }

  /** A position in the output, to wait for what comes after it. */
  mark(): number {
    return this.text.length;
  }

  /** Output since `mark`. */
  since(mark: number): string {
    return this.text.slice(mark);
  }

  type(data: string): void {
    this.terminal.write(data);
  }

  resize(columns: number, rows: number): void {
    this.terminal.resize(columns, rows);
  }

  /** Waits until the output after `after` contains `expected`; returns the output from `after` on. */
  async waitFor(expected: string | RegExp, options: { after: number; timeoutMs?: number; what?: string }): Promise<string> {
    const found = (): boolean => {
      const text = this.text.slice(options.after);
      return typeof expected === 'string' ? text.includes(expected) : expected.test(text);
    };
    try {
      await waitFor(found, options.timeoutMs ?? 30_000, options.what ?? String(expected), 20);
    } catch (err) {
      throw new Error(`${(err as Error).message}; the terminal showed:\n${JSON.stringify(this.text.slice(options.after))}`);
    }
    return this.text.slice(options.after);
  }

  /** Runs a local command line and waits for the local prompt after it; returns its output. */
  async runLocal(line: string): Promise<string> {
    const mark = this.mark();
    this.type(`${line}\r`);
    return this.waitFor(new RegExp(`${LOCAL_PROMPT}$`), { after: mark, what: `local command ${line}` });
  }

  /** The local terminal's settings (`stty -g`), read inside this terminal. */
  async sttySettings(): Promise<string> {
    const text = await this.runLocal('echo "STTY=<$(stty -g)>"');
    const found = /STTY=<([0-9a-f:]+)>/.exec(text);
    if (found === null) throw new Error(`no stty -g output in ${JSON.stringify(text)}`);
    return found[1]!;
  }

  /** pids of the processes the shell runs whose command line mentions `name` (e.g. the tssh launcher). */
  childrenRunning(name: string): number[] {
    return descendantPids(this.terminal.pid).filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes(name);
      } catch {
        return false;
      }
    });
  }

  /** `stty -a` of this terminal, read from outside (so it works while a program owns the terminal). */
  sttyFromOutside(): string {
    const device = readlinkSync(`/proc/${this.terminal.pid}/fd/0`);
    const result = spawnSync('stty', ['-F', device, '-a'], { encoding: 'utf8', timeout: 5000 });
    return result.stdout ?? '';
  }

  /** Waits until a program has put the terminal in raw mode (no canonical input, no echo). */
  async waitForRawMode(what = 'the terminal to be raw'): Promise<void> {
    const raw = (): boolean => {
      const words = this.sttyFromOutside().split(/\s+/);
      return words.includes('-icanon') && words.includes('-echo') && words.includes('-opost');
    };
    try {
      await waitFor(raw, 30_000, what, 20);
    } catch (err) {
      throw new Error(`${(err as Error).message}; the terminal showed:\n${JSON.stringify(this.text)}`);
    }
  }

  get pid(): number {
    return this.terminal.pid;
  }

  async close(): Promise<void> {
    if (!this.exited) await stopTree(this.terminal.pid, 1000).catch(() => killTreeNow(this.terminal.pid));
    try {
      this.terminal.kill();
    } catch {
      // already gone
    }
    rmSync(this.home, { recursive: true, force: true });
  }
}
