import { TsshError } from '../errors.js';
import type { Logger } from '../log.js';
import { timed, type Timeline } from '../timeline.js';
import type { SshReader } from '../wire/reader.js';
import type { Channel } from './channel.js';
import type { Connection } from './connection.js';

/** How the remote side ended (RFC 4254 §6.10). */
export interface SessionExit {
  /** exit-status, when the server sent one. */
  status: number | undefined;
  /** exit-signal, when the command was killed by a signal. */
  signal: { name: string; coreDumped: boolean; message: string } | undefined;
}

/** A terminal's size in characters and pixels (0 when unknown). */
export interface WindowSize {
  columns: number;
  rows: number;
  widthPixels: number;
  heightPixels: number;
}

/** What a pty-req asks for: TERM, the window size and the encoded terminal modes (see terminal-modes.ts). */
export interface PtyRequest {
  term: string;
  size: WindowSize;
  modes: Buffer;
}

/**
 * A "session" channel: environment, exec/shell/subsystem, and the exit status. exit-status may arrive
 * before the last data, so `exit` resolves only when the channel closes.
 */
export class Session {
  private status: number | undefined;
  private signal: SessionExit['signal'];
  /** Resolves when the channel is closed, with how the remote command ended. */
  readonly exit: Promise<SessionExit>;

  private constructor(readonly channel: Channel, private readonly log: Logger, private readonly timeline?: Timeline) {
    channel.requestHandler = (type, r) => this.onRequest(type, r);
    if (timeline) {
      channel.onFirstData = (extended) => timeline.mark('first-byte', { stream: extended ? 'stderr' : 'stdout' });
      channel.once('channel-close', () => timeline.mark('close'));
    }
    this.exit = new Promise((resolve, reject) => {
      channel.once('channel-close', (err?: TsshError) => {
        if (err) reject(err);
        else resolve({ status: this.status, signal: this.signal });
      });
    });
    this.exit.catch(() => {});
  }

  /** `window` overrides the channel window and packet size (OpenSSH halves both for terminal sessions). */
  static async open(connection: Connection, log: Logger, window?: { size: number; maxPacket: number }): Promise<Session> {
    const open = (): Promise<Channel> => (window ? connection.openChannel('session', () => {}, window.size, window.maxPacket) : connection.openChannel('session'));
    const channel = await timed(connection.timeline, 'channel-open', { type: 'session' }, open);
    log.debug1(`channel ${channel.localId}: new session [client-session] (inactive timeout: ${connection.inactivityTimeoutFor('session')})`);
    return new Session(channel, log, connection.timeline);
  }

  /**
   * Asks for a pseudo-terminal (RFC 4254 §6.2). The request goes out at once and the promise resolves
   * with the server's answer, so it can be pipelined with the shell or exec request that follows.
   */
  requestPty(pty: PtyRequest): Promise<boolean> {
    const { columns, rows, widthPixels, heightPixels } = pty.size;
    this.log.debug2(`channel ${this.channel.localId}: request pty-req confirm 1`);
    return this.channel.request('pty-req', true, (w) => w.string(pty.term).uint32(columns).uint32(rows).uint32(widthPixels).uint32(heightPixels).string(pty.modes));
  }

  /** The local terminal was resized (RFC 4254 §6.7). */
  windowChange(size: WindowSize): void {
    this.log.debug2(`channel ${this.channel.localId}: request window-change confirm 0`);
    void this.channel.request('window-change', false, (w) => w.uint32(size.columns).uint32(size.rows).uint32(size.widthPixels).uint32(size.heightPixels));
  }

  /** Delivers a signal (without the SIG prefix, e.g. 'INT') to the remote process (RFC 4254 §6.9). */
  sendSignal(name: string): void {
    void this.channel.request('signal', false, (w) => w.string(name));
  }

  /** Sends a BREAK of `milliseconds` (RFC 4335), as ssh's ~B does with 1000. */
  sendBreak(milliseconds: number): void {
    void this.channel.request('break', false, (w) => w.uint32(milliseconds));
  }

  /**
   * X11 forwarding for this session's programs (RFC 4254 §6.3.1): any number of connections, each
   * authenticated with `cookieHex` (ssh sends a fake one and checks it on every connection).
   */
  requestX11(proto: string, cookieHex: string, screen: number): Promise<boolean> {
    this.log.debug1('Requesting X11 forwarding with authentication spoofing.');
    return this.channel.request('x11-req', true, (w) => w.boolean(false).string(proto).string(cookieHex).uint32(screen));
  }

  /** Asks the server to offer our agent to this session's programs (auth-agent-req@openssh.com, no reply). */
  requestAgentForwarding(): void {
    this.log.debug1('Requesting authentication agent forwarding.');
    void this.channel.request('auth-agent-req@openssh.com', false);
  }

  /** Environment variable (RFC 4254 §6.4); servers ignore what AcceptEnv does not allow, like OpenSSH sends it. */
  setEnv(name: string, value: string): void {
    this.log.debug1(`channel ${this.channel.localId}: setting env ${name} = "${value}"`);
    void this.channel.request('env', false, (w) => w.string(name).string(value));
  }

  exec(command: string): Promise<void> {
    this.log.debug1(`Sending command: ${command}`);
    return this.start('exec', (w) => w.string(command));
  }

  shell(): Promise<void> {
    return this.start('shell');
  }

  subsystem(name: string): Promise<void> {
    return this.start('subsystem', (w) => w.string(name));
  }

  /**
   * The request that starts the remote side. A refusal is ssh's "<type> request failed"; when the
   * connection died meanwhile (a corrupted packet, say), its own error is the one to report.
   */
  private async start(type: 'exec' | 'shell' | 'subsystem', body?: Parameters<Channel['request']>[2]): Promise<void> {
    const span = this.timeline?.begin('request', { type });
    const accepted = await this.channel.request(type, true, body);
    span?.end({ accepted }, accepted ? 'ok' : 'failed');
    if (accepted) return;
    throw this.channel.abortedBy ?? new TsshError('CHANNEL', `${type} request failed on channel ${this.channel.localId}`);
  }

  private onRequest(type: string, r: SshReader): boolean {
    switch (type) {
      case 'exit-status':
        this.status = r.uint32();
        this.timeline?.mark('exit', { status: this.status });
        return true;
      case 'exit-signal': {
        const name = r.text();
        const coreDumped = r.boolean();
        const message = r.text();
        this.signal = { name, coreDumped, message };
        this.timeline?.mark('exit', { signal: name });
        return true;
      }
      case 'eow@openssh.com':
        return true;
      default:
        return false;
    }
  }
}
