/**
 * Remote commands and shells for library callers: a session channel with its exec, shell or
 * subsystem request, stdio as Node streams, and how it ended.
 */
import type { Readable, Writable } from 'node:stream';
import { TsshError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Connection as ConnectionLayer } from '../connection/connection.js';
import { Session, type SessionExit } from '../connection/session.js';
import { encodeTerminalModes, NO_TERMINAL_MODES } from '../connection/terminal-modes.js';

/** How a remote command ended: its exit status, or the signal that killed it. */
export interface ExitInfo {
  /** The exit status; null when the command was killed by a signal (or the server sent none). */
  code: number | null;
  /** The signal's name without SIG ('TERM', 'KILL'), or null. */
  signal: string | null;
}

export interface ExecResult extends ExitInfo {
  stdout: Buffer;
  stderr: Buffer;
}

/** A pseudo-terminal for the remote side (RFC 4254 §6.2). */
export interface PtyOptions {
  /** TERM; default 'xterm-256color'. */
  term?: string;
  cols?: number;
  rows?: number;
}

export interface SpawnOptions {
  /** Environment variables to send (the server keeps only what its AcceptEnv allows). */
  env?: Record<string, string>;
  /** Ask for a pseudo-terminal (true: 80x24 xterm-256color). Default false. */
  pty?: boolean | PtyOptions;
}

export interface ExecOptions extends SpawnOptions {
  /** Written to the command's stdin, which is then closed. Default: stdin closed at once. */
  stdin?: string | Buffer;
}

/** A running remote command. */
export interface RemoteProcess {
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Settles when the channel closes: the exit status or signal; rejects if the connection fails. */
  readonly exit: Promise<ExitInfo>;
  /** Delivers a signal ('TERM', 'INT', ...) to the remote process; servers may ignore it. */
  kill(signal?: string): void;
  /** The terminal was resized (only meaningful with a pty). */
  resize(cols: number, rows: number): void;
}

/** Opens a session, sends env and a pty request, then starts `what`. Resolves once the server agreed. */
export async function startProcess(
  connection: ConnectionLayer,
  log: Logger,
  what: { kind: 'exec'; command: string } | { kind: 'shell' } | { kind: 'subsystem'; name: string },
  options: SpawnOptions,
): Promise<RemoteProcess> {
  const session = await Session.open(connection, log);
  try {
    for (const [name, value] of Object.entries(options.env ?? {})) session.setEnv(name, value);
    const pty = options.pty === true ? {} : options.pty === false || options.pty === undefined ? undefined : options.pty;
    const ptyGranted =
      pty === undefined
        ? undefined
        : session.requestPty({
            term: pty.term ?? 'xterm-256color',
            size: { columns: pty.cols ?? 80, rows: pty.rows ?? 24, widthPixels: 0, heightPixels: 0 },
            modes: encodeTerminalModes(NO_TERMINAL_MODES),
          });
    const started = what.kind === 'exec' ? session.exec(what.command) : what.kind === 'shell' ? session.shell() : session.subsystem(what.name);
    if (ptyGranted !== undefined && !(await ptyGranted)) {
      started.catch(() => {});
      throw new TsshError('CHANNEL', `PTY allocation request failed on channel ${session.channel.localId}`);
    }
    await started;
  } catch (err) {
    session.channel.destroy();
    throw err;
  }
  return processOf(session);
}

function processOf(session: Session): RemoteProcess {
  const channel = session.channel;
  return {
    stdin: channel,
    stdout: channel,
    stderr: channel.stderr,
    exit: session.exit.then(exitInfo),
    kill: (signal = 'TERM') => session.sendSignal(signal.replace(/^SIG/, '')),
    resize: (cols, rows) => session.windowChange({ columns: cols, rows, widthPixels: 0, heightPixels: 0 }),
  };
}

function exitInfo(exit: SessionExit): ExitInfo {
  if (exit.status !== undefined) return { code: exit.status, signal: null };
  return { code: null, signal: exit.signal?.name ?? null };
}

/** Runs a command to completion, collecting its output. */
export async function execute(connection: ConnectionLayer, log: Logger, command: string, options: ExecOptions): Promise<ExecResult> {
  const process = await startProcess(connection, log, { kind: 'exec', command }, options);
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  process.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  process.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  process.stdin.end(options.stdin);
  // The exit status may come before the last output: wait for both streams to end too.
  const [exit] = await Promise.all([process.exit, ended(process.stdout), ended(process.stderr)]);
  return { ...exit, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr) };
}

function ended(stream: Readable): Promise<void> {
  return new Promise((resolve) => {
    if (stream.readableEnded) return resolve();
    stream.once('end', resolve);
    stream.once('close', resolve);
  });
}
