/**
 * The I/O of a terminal session: typed bytes go through the escape filter to the channel, channel
 * output goes to stdout/stderr, resizes become window-change requests, and the escapes act (~? ~#
 * ~B ~R ~V ~v ~^Z ~& ~C here; ~. through the owner's `disconnect`).
 */
import type { Readable, Writable } from 'node:stream';
import type { Session, SessionExit } from '../connection/session.js';
import type { LogLevel } from '../log.js';
import type { CliLogger } from './log.js';
import { EscapeFilter, escapeCharText, escapeHelp, type EscapeCommand } from './escape.js';
import { COMMAND_LINE_PROMPT, LineEditor, runCommandLine } from './escape-commandline.js';
import type { ForwardingControl } from '../connect/forwarding-control.js';
import type { LocalTerminal } from './terminal.js';
import { forward } from './exec-io.js';
import { LOG_LEVEL_NAMES } from '../profile/dump.js';
import { KeystrokeClock } from './keystroke-timing.js';
import { connectionInfoMessage } from '../connect/connection-info.js';
import type { ConnectionFacts } from '../transport/connection-facts.js';
import { hostname } from 'node:os';

const LEVELS: readonly LogLevel[] = ['QUIET', 'FATAL', 'ERROR', 'INFO', 'VERBOSE', 'DEBUG1', 'DEBUG2', 'DEBUG3'];
/** ~B asks for a one-second BREAK, as ssh does. */
const BREAK_MS = 1000;
/** What ~& sends in place of end-of-file, as ssh does: a ^D for the remote shell. */
const FAKE_EOF = Buffer.from([4]);

export interface TerminalSessionContext {
  session: Session;
  terminal: LocalTerminal;
  /** undefined with -n: the remote side gets end-of-file at once. */
  stdin: Readable | undefined;
  stdout: Writable;
  stderr: Writable;
  escapeChar: number | 'none';
  commandLineEnabled: boolean;
  /** -E given: ~v and ~V say so instead of changing the level. */
  logToFile: boolean;
  log: CliLogger;
  forwarding: ForwardingControl | undefined;
  /** ~R */
  rekey(): void;
  /** ~. */
  disconnect(): void;
  /** ObscureKeystrokeTiming: the keystroke clock in ms (0: send each key at once). */
  keystrokeIntervalMs: number;
  /** Sends one chaff packet (SSH2_MSG_PING); false when the server cannot take it. */
  chaff(): boolean;
  /** A key re-exchange is running. */
  rekeying(): boolean;
  /** ~I */
  connectionFacts(): ConnectionFacts;
}

export class TerminalSession {
  /** Resolves once the channel closed and everything received was written out. */
  readonly done: Promise<SessionExit>;
  /** ~& was used: ssh's parent process would have exited 0 at that point. */
  backgrounded = false;
  private readonly filter: EscapeFilter | undefined;
  private editor: LineEditor | undefined;
  private readonly queue: Buffer[] = [];
  private pumping = false;
  private stdinDetached = false;
  private readonly stopResize: () => void;
  private readonly keystrokes: KeystrokeClock;

  constructor(private readonly ctx: TerminalSessionContext) {
    const channel = ctx.session.channel;
    this.keystrokes = new KeystrokeClock(ctx.keystrokeIntervalMs, { write: (data) => this.write(data), chaff: ctx.chaff, paused: ctx.rekeying }, ctx.log);
    this.filter = ctx.escapeChar === 'none' ? undefined : new EscapeFilter(ctx.escapeChar);
    this.stopResize = ctx.terminal.onResize((size) => ctx.session.windowChange(size));
    if (ctx.stdin) {
      ctx.stdin.on('data', (chunk: Buffer) => this.onInput(chunk));
      ctx.stdin.on('end', () => this.queueEnd());
      ctx.stdin.on('error', (err) => {
        ctx.log.debug1(`stdin: ${err.message}`);
        this.queueEnd();
      });
    } else {
      channel.end();
    }
    const onBroken = (ok: boolean): void => {
      if (!ok) channel.destroy();
    };
    const stdoutDone = forward(channel, ctx.stdout).then((ok) => (onBroken(ok), ok));
    const stderrDone = forward(channel.stderr, ctx.stderr).then((ok) => (onBroken(ok), ok));
    this.done = ctx.session.exit.then(async (exit) => {
      this.stop();
      await Promise.all([stdoutDone, stderrDone]);
      return exit;
    });
    this.done.catch(() => this.stop());
  }

  /** Stops reading the terminal and watching its size. Idempotent. */
  stop(): void {
    this.keystrokes.stop('no active channels');
    this.stopResize();
    this.detachStdin();
  }

  private detachStdin(): void {
    if (this.stdinDetached || !this.ctx.stdin) return;
    this.stdinDetached = true;
    this.ctx.stdin.removeAllListeners('data');
    this.ctx.stdin.pause();
    this.ctx.stdin.destroy();
  }

  private onInput(chunk: Buffer): void {
    this.queue.push(chunk);
    void this.pump();
  }

  private queueEnd(): void {
    this.queue.push(Buffer.alloc(0)); // marks end-of-file once everything before it is handled
    void this.pump();
  }

  /** Handles queued input strictly in order; a ~C line may wait for the forwarding code. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0 && !this.stdinDetached) {
        const chunk = this.queue.shift()!;
        if (chunk.length === 0) {
          this.keystrokes.stop();
          this.ctx.session.channel.end();
          continue;
        }
        await this.handle(chunk);
      }
    } catch (err) {
      this.ctx.log.error(`escape: ${(err as Error).message}`);
    } finally {
      this.pumping = false;
    }
  }

  private async handle(input: Buffer): Promise<void> {
    let pending: Buffer | undefined = input;
    while (pending !== undefined && pending.length > 0 && !this.stdinDetached) {
      const chunk: Buffer = pending;
      pending = undefined;
      if (this.editor) {
        pending = await this.editCommandLine(chunk);
      } else if (!this.filter) {
        this.send(chunk);
      } else {
        for (const event of this.filter.filter(chunk)) {
          if (event.kind === 'data') this.send(event.data);
          else {
            this.keystrokes.stop(); // what was typed before the escape goes first
            pending = this.command(event.command, event.rest);
          }
        }
      }
    }
  }

  /** Typed bytes, on the keystroke clock (ObscureKeystrokeTiming). */
  private send(data: Buffer): void {
    this.keystrokes.send(data);
  }

  private write(data: Buffer): void {
    const channel = this.ctx.session.channel;
    if (!channel.write(data) && this.ctx.stdin && !this.stdinDetached) {
      // Backpressure: stop reading the terminal until the channel's window opens again.
      this.ctx.stdin.pause();
      channel.once('drain', () => {
        if (!this.stdinDetached) this.ctx.stdin?.resume();
      });
    }
  }

  /** Runs one escape; returns input left to handle when the command took over the rest of the chunk. */
  private command(command: EscapeCommand, rest: Buffer | undefined): Buffer | undefined {
    const e = escapeCharText(this.ctx.escapeChar as number);
    switch (command) {
      case 'disconnect':
        this.stop();
        this.ctx.disconnect();
        return undefined;
      case 'help':
        this.message(escapeHelp(this.ctx.escapeChar as number, this.ctx.commandLineEnabled));
        return undefined;
      case 'list':
        this.message(`${e}#\r\n${this.openConnections()}`);
        return undefined;
      case 'info':
        this.message(`${e}I\r\n${connectionInfoMessage(this.ctx.connectionFacts(), hostname(), process.pid)}`);
        return undefined;
      case 'break':
        this.message(`${e}B\r\n`);
        this.ctx.session.sendBreak(BREAK_MS);
        return undefined;
      case 'rekey':
        this.ctx.rekey();
        return undefined;
      case 'quieter':
      case 'louder':
        this.changeLogLevel(e, command === 'louder' ? 'v' : 'V');
        return undefined;
      case 'suspend':
        this.suspend(e);
        return undefined;
      case 'background':
        this.background(e);
        return undefined;
      case 'commandline':
        if (!this.ctx.commandLineEnabled) {
          this.message('commandline disabled\r\n');
          return rest;
        }
        this.editor = new LineEditor();
        this.message(COMMAND_LINE_PROMPT);
        return rest;
    }
  }

  private message(text: string): void {
    this.ctx.stderr.write(Buffer.from(text, 'latin1'));
  }

  /** `~#`: the session channel as OpenSSH describes it, then any forwarded connections. */
  private openConnections(): string {
    const channel = this.ctx.session.channel;
    const istate = channel.writableEnded ? 3 : 0;
    const ostate = channel.readableEnded ? 3 : 0;
    // OpenSSH 10.x's channel_format_status layout; the session channel of a terminal session is a
    // remote-tty (RT) interactive (I) one.
    const status = `t4 [session] r${channel.remoteId} nm0 i${istate}/${channel.writableLength} o${ostate}/${channel.readableLength} e[write]/${channel.stderr.readableLength} fd 0/1/2 sock -1 cc -1 nc0 io 0x01/0x00 RTI`;
    const lines = [`  #${channel.localId} client-session (${status})`, ...(this.ctx.forwarding?.listConnections() ?? [])];
    return `The following connections are open:\r\n${lines.map((line) => `${line}\r\n`).join('')}`;
  }

  private changeLogLevel(e: string, key: 'v' | 'V'): void {
    const log = this.ctx.log;
    if (this.ctx.logToFile) {
      this.message(`${e}${key} [Logging to syslog]\r\n`);
      return;
    }
    const index = LEVELS.indexOf(log.level);
    if (key === 'V' && index > 0) log.level = LEVELS[index - 1]!;
    if (key === 'v' && index < LEVELS.length - 1) log.level = LEVELS[index + 1]!;
    this.message(`${e}${key} [LogLevel ${LOG_LEVEL_NAMES[log.level]}]\r\n`);
  }

  /** `~^Z`: the terminal as it was, stop until `fg`, then raw again and the (maybe new) size. */
  private suspend(e: string): void {
    this.message(`${e}^Z [suspend ssh]\r\n`);
    const terminal = this.ctx.terminal;
    const wasRaw = terminal.isRaw;
    terminal.restore();
    process.kill(process.pid, 'SIGTSTP'); // stops right here; returns when continued
    if (wasRaw) terminal.enterRaw();
    this.ctx.session.windowChange(terminal.size());
  }

  /**
   * `~&`: ssh forks, its parent exits 0 and the child keeps serving forwarded connections with a fake
   * end-of-file on stdin. Node cannot fork, so tssh does all of that but stays in the foreground.
   */
  private background(e: string): void {
    this.ctx.terminal.restore();
    this.ctx.forwarding?.stopListening();
    this.message(`${e}& [backgrounded]\n`);
    this.backgrounded = true;
    this.detachStdin();
    this.ctx.session.channel.end(FAKE_EOF); // then end-of-file, as ssh stops reading input here
  }

  /** Feeds the `ssh>` line editor; runs the line when complete and returns what was typed after it. */
  private async editCommandLine(chunk: Buffer): Promise<Buffer | undefined> {
    const result = this.editor!.feed(chunk);
    if (result.echo !== '') this.message(result.echo);
    if (result.line === undefined) return undefined;
    this.editor = undefined;
    if (result.line !== null) await runCommandLine(result.line, this.ctx.forwarding, this.ctx.log);
    return result.rest;
  }
}
