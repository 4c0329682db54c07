import { TsshError } from '../errors.js';
import type { Logger } from '../log.js';
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

/**
 * A "session" channel: environment, exec/shell/subsystem, and the exit status. exit-status may arrive
 * before the last data, so `exit` resolves only when the channel closes.
 */
export class Session {
  private status: number | undefined;
  private signal: SessionExit['signal'];
  /** Resolves when the channel is closed, with how the remote command ended. */
  readonly exit: Promise<SessionExit>;

  private constructor(readonly channel: Channel, private readonly log: Logger) {
    channel.requestHandler = (type, r) => this.onRequest(type, r);
    this.exit = new Promise((resolve, reject) => {
      channel.once('channel-close', (err?: TsshError) => {
        if (err) reject(err);
        else resolve({ status: this.status, signal: this.signal });
      });
    });
    this.exit.catch(() => {});
  }

  static async open(connection: Connection, log: Logger): Promise<Session> {
    const channel = await connection.openChannel('session');
    log.debug1(`channel ${channel.localId}: new session`);
    return new Session(channel, log);
  }

  /** Environment variable (RFC 4254 §6.4); servers ignore what AcceptEnv does not allow, like OpenSSH sends it. */
  setEnv(name: string, value: string): void {
    this.log.debug1(`channel ${this.channel.localId}: setting env ${name} = "${value}"`);
    void this.channel.request('env', false, (w) => w.string(name).string(value));
  }

  async exec(command: string): Promise<void> {
    this.log.debug1(`Sending command: ${command}`);
    const ok = await this.channel.request('exec', true, (w) => w.string(command));
    if (!ok) throw new TsshError('CHANNEL', `exec request failed on channel ${this.channel.localId}`);
  }

  async shell(): Promise<void> {
    const ok = await this.channel.request('shell', true);
    if (!ok) throw new TsshError('CHANNEL', `shell request failed on channel ${this.channel.localId}`);
  }

  async subsystem(name: string): Promise<void> {
    const ok = await this.channel.request('subsystem', true, (w) => w.string(name));
    if (!ok) throw new TsshError('CHANNEL', `subsystem request failed on channel ${this.channel.localId}`);
  }

  private onRequest(type: string, r: SshReader): boolean {
    switch (type) {
      case 'exit-status':
        this.status = r.uint32();
        this.log.debug1(`client_input_channel_req: channel ${this.channel.localId} rtype exit-status reply 0`);
        return true;
      case 'exit-signal': {
        const name = r.text();
        const coreDumped = r.boolean();
        const message = r.text();
        this.signal = { name, coreDumped, message };
        this.log.debug1(`client_input_channel_req: channel ${this.channel.localId} rtype exit-signal ${name}`);
        return true;
      }
      case 'eow@openssh.com':
        return true;
      default:
        return false;
    }
  }
}
