/**
 * The local terminal during an interactive session: its modes and size for the pty-req, OpenSSH's raw
 * mode while the session runs, and its exact previous settings restored on every way out: a normal
 * end, an error, a signal, `~.`, `~^Z`, or the process exiting with the terminal still raw.
 *
 * Node has no termios access, and its own raw mode keeps output processing (OPOST/ONLCR) on, which
 * would turn a full-screen program's bare line feeds into CR LF. So modes are read, set and restored
 * with stty(1) on the terminal that is stdin, exactly as ssh does it with tcsetattr.
 */
import { spawnSync } from 'node:child_process';
import type { WindowSize } from '../connection/session.js';
import { NO_TERMINAL_MODES, type TerminalModes } from '../connection/terminal-modes.js';
import { DEFAULT_TERMINAL_MODES, parseSttyAll, rawModeArguments } from './tty-modes.js';

const STTY_TIMEOUT_MS = 5000;

/** Runs stty on stdin's terminal; returns its output, or undefined if it failed. */
function stty(args: readonly string[]): string | undefined {
  try {
    const result = spawnSync('stty', args, { stdio: [0, 'pipe', 'pipe'], encoding: 'utf8', timeout: STTY_TIMEOUT_MS });
    return result.status === 0 ? result.stdout : undefined;
  } catch {
    return undefined;
  }
}

/** Terminals whose saved settings must be put back if the process exits while they are raw. */
const rawTerminals = new Set<LocalTerminal>();
let exitHookInstalled = false;

/** True while a terminal is raw: log lines then need CR LF (the logger's `crlf` callback). */
export function isTerminalRaw(): boolean {
  return rawTerminals.size > 0;
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const terminal of rawTerminals) terminal.restore();
  });
}

export class LocalTerminal {
  private saved: string | undefined;
  private raw = false;

  private constructor(private readonly isTerminal: boolean) {}

  /** The terminal on stdin; without one (-tt with a pipe) every operation is a harmless no-op. */
  static forStdin(): LocalTerminal {
    return new LocalTerminal(process.stdin.isTTY === true);
  }

  get present(): boolean {
    return this.isTerminal;
  }

  get isRaw(): boolean {
    return this.raw;
  }

  /** The modes to send in the pty-req: the terminal's own, or none (server defaults) without a terminal. */
  modes(): TerminalModes {
    if (!this.isTerminal) return NO_TERMINAL_MODES;
    const text = stty(['-a']);
    return (text !== undefined && parseSttyAll(text)) || DEFAULT_TERMINAL_MODES;
  }

  /** The window size; pixels are 0 because Node cannot read them (ws_xpixel/ws_ypixel). */
  size(): WindowSize {
    const none = { columns: 0, rows: 0, widthPixels: 0, heightPixels: 0 };
    if (!this.isTerminal) return none;
    for (const stream of [process.stdout, process.stderr]) {
      if (stream.isTTY) {
        const [columns, rows] = stream.getWindowSize();
        return { columns, rows, widthPixels: 0, heightPixels: 0 };
      }
    }
    const text = stty(['size']);
    const found = text === undefined ? null : /^(\d+) (\d+)/.exec(text);
    return found ? { columns: Number(found[2]), rows: Number(found[1]), widthPixels: 0, heightPixels: 0 } : none;
  }

  /** Saves the current settings (once) and switches to raw mode. */
  enterRaw(): void {
    if (!this.isTerminal || this.raw) return;
    this.saved ??= stty(['-g'])?.trim();
    if (this.saved === undefined) return; // cannot restore what we could not save: leave the terminal alone
    installExitHook();
    rawTerminals.add(this);
    this.raw = true;
    stty(rawModeArguments(process.platform));
  }

  /** Puts the saved settings back. Idempotent; safe from exit handlers (synchronous). */
  restore(): void {
    if (!this.raw) return;
    this.raw = false;
    rawTerminals.delete(this);
    if (this.saved !== undefined) stty([this.saved]);
  }

  /** Calls `listener` with the new size whenever the terminal is resized; returns the unsubscribe function. */
  onResize(listener: (size: WindowSize) => void): () => void {
    if (!this.isTerminal) return () => {};
    const handler = (): void => listener(this.size());
    process.on('SIGWINCH', handler);
    return () => process.off('SIGWINCH', handler);
  }
}
