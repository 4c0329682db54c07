/**
 * Just enough of the server side of user authentication (RFC 4252) and the connection protocol
 * (RFC 4254) for the hostile server to reach any phase: every userauth request succeeds, session
 * channels open, exec/shell/pty-req/env succeed, the client's rekeys are answered, and a channel can
 * send scripted output, with or without respecting the client's window.
 */
import type { HostKeySigner } from '../../../src/crypto/kex/types.js';
import { MSG } from '../../../src/wire/messages.js';
import { SshReader } from '../../../src/wire/reader.js';
import { message } from '../../../src/wire/writer.js';
import { serverKex, type KexState } from './kex.js';
import { ConnectionClosed, type Received, type ServerWire } from './wire.js';

/** The server's half of one session channel. */
export class ServerChannel {
  /** Bytes the client still lets us send. */
  clientWindow: number;
  /** What the client sent on the channel. */
  readonly received: Buffer[] = [];
  receivedBytes = 0;
  eofReceived = false;
  closeReceived = false;
  /** exec command, subsystem name, or '' for a shell; undefined until requested. */
  command: string | undefined;
  readonly requests: string[] = [];
  private windowWaiters: Array<() => void> = [];
  /** Echo mode: output still to be written back, in order. */
  echoing: Promise<void> = Promise.resolve();

  constructor(
    private readonly conn: ServerConnection,
    readonly serverId: number,
    readonly clientId: number,
    window: number,
    readonly clientMaxPacket: number,
  ) {
    this.clientWindow = window;
  }

  /** Sends data (stderr with `extended`); waits for window unless `ignoreWindow`, and for socket drain. */
  async write(data: Buffer, opts: { ignoreWindow?: boolean; extended?: boolean } = {}): Promise<void> {
    const wire = this.conn.wire;
    while (data.length > 0) {
      await this.conn.rekeyDone();
      const room = opts.ignoreWindow ? Infinity : this.clientWindow;
      if (room === 0) {
        await new Promise<void>((resolve) => this.windowWaiters.push(resolve));
        if (wire.isClosed) throw new ConnectionClosed('while waiting for window');
        continue;
      }
      const n = Math.min(data.length, this.clientMaxPacket, room);
      const chunk = data.subarray(0, n);
      const w = opts.extended ? message(MSG.CHANNEL_EXTENDED_DATA).uint32(this.clientId).uint32(1) : message(MSG.CHANNEL_DATA).uint32(this.clientId);
      wire.send(w.string(chunk).finish());
      this.clientWindow = Math.max(0, this.clientWindow - n);
      data = data.subarray(n);
      if (wire.backlogged()) await wire.drained();
      if (wire.isClosed) throw new ConnectionClosed('while sending channel data');
    }
  }

  exitStatus(status: number): void {
    this.conn.wire.send(message(MSG.CHANNEL_REQUEST).uint32(this.clientId).string('exit-status').boolean(false).uint32(status).finish());
  }

  eof(): void {
    this.conn.wire.send(message(MSG.CHANNEL_EOF).uint32(this.clientId).finish());
  }

  close(): void {
    this.conn.wire.send(message(MSG.CHANNEL_CLOSE).uint32(this.clientId).finish());
  }

  /** Output, exit status, EOF and CLOSE: a command that ran and ended. */
  async finish(stdout: Buffer | string, status = 0): Promise<void> {
    await this.write(Buffer.from(stdout));
    this.exitStatus(status);
    this.eof();
    this.close();
  }

  onWindowAdjust(bytes: number): void {
    this.clientWindow += bytes;
    for (const w of this.windowWaiters.splice(0)) w();
  }

  wakeWaiters(): void {
    for (const w of this.windowWaiters.splice(0)) w();
  }
}

export interface ConnectionOptions {
  /** Window and max packet the server grants the client for each session channel. */
  window?: number;
  maxPacket?: number;
  /** Every session runs `cat`: data comes back as sent, EOF ends it with exit status 0. */
  echo?: boolean;
}

/** The server connection after key exchange: authentication, channels, rekeys. */
export class ServerConnection {
  readonly channels = new Map<number, ServerChannel>();
  /** Client messages seen in the connected phase, by type (for assertions). */
  readonly counts = new Map<number, number>();
  private nextId = 0;
  private rekeying: Promise<unknown> | undefined;
  private looping = false;

  constructor(readonly wire: ServerWire, private readonly hostKey: HostKeySigner, readonly kex: KexState, private readonly options: ConnectionOptions = {}) {}

  /** Accepts the ssh-userauth service and the first USERAUTH_REQUEST, whatever its method. */
  async authenticate(): Promise<void> {
    await this.wire.expect(MSG.SERVICE_REQUEST);
    this.wire.send(message(MSG.SERVICE_ACCEPT).string('ssh-userauth').finish());
    await this.wire.expect(MSG.USERAUTH_REQUEST);
    this.wire.send(message(MSG.USERAUTH_SUCCESS).finish());
  }

  /** Serves client messages until a session channel has asked for exec, shell or subsystem. */
  async acceptSession(): Promise<ServerChannel> {
    for (;;) {
      await this.dispatch(await this.wire.expect());
      for (const channel of this.channels.values()) if (channel.command !== undefined) return channel;
    }
  }

  /** Keeps serving client messages in the background (window adjusts, data, rekeys) until it leaves. */
  serveInBackground(): void {
    if (this.looping) return;
    this.looping = true;
    void (async () => {
      try {
        for (;;) await this.dispatch(await this.wire.expect());
      } catch {
        // The client went away (or broke the protocol): nothing more to serve.
      } finally {
        for (const channel of this.channels.values()) channel.wakeWaiters();
      }
    })();
  }

  /** Resolves once no client-initiated key re-exchange is running. */
  async rekeyDone(): Promise<void> {
    while (this.rekeying) await this.rekeying;
  }

  async dispatch(received: Received): Promise<void> {
    const p = received.payload;
    const type = p[0]!;
    this.counts.set(type, (this.counts.get(type) ?? 0) + 1);
    const r = new SshReader(p);
    r.byte();
    switch (type) {
      case MSG.KEXINIT: {
        this.rekeying = serverKex(this.wire, this.hostKey, {}, { sessionId: this.kex.sessionId, strictKex: this.kex.strictKex, peerKexinit: received });
        try {
          await this.rekeying;
        } finally {
          this.rekeying = undefined;
        }
        return;
      }
      case MSG.GLOBAL_REQUEST: {
        r.text();
        if (r.boolean()) this.wire.send(message(MSG.REQUEST_FAILURE).finish());
        return;
      }
      case MSG.CHANNEL_OPEN:
        return this.onChannelOpen(r);
      case MSG.CHANNEL_REQUEST:
        return this.onChannelRequest(r);
      case MSG.CHANNEL_WINDOW_ADJUST: {
        const channel = this.channels.get(r.uint32());
        channel?.onWindowAdjust(r.uint32());
        return;
      }
      case MSG.CHANNEL_DATA: {
        const channel = this.channels.get(r.uint32());
        const data = Buffer.from(r.string());
        if (channel) {
          if (this.options.echo) channel.echoing = channel.echoing.then(() => channel.write(data)).catch(() => undefined);
          else channel.received.push(data);
          channel.receivedBytes += data.length;
          // Grant the client more window at once: a hostile server is never the bottleneck.
          this.wire.send(message(MSG.CHANNEL_WINDOW_ADJUST).uint32(channel.clientId).uint32(data.length).finish());
        }
        return;
      }
      case MSG.CHANNEL_EOF: {
        const channel = this.channels.get(r.uint32());
        if (channel) channel.eofReceived = true;
        if (channel && this.options.echo) channel.echoing = channel.echoing.then(() => channel.finish('')).catch(() => undefined);
        return;
      }
      case MSG.CHANNEL_CLOSE: {
        const channel = this.channels.get(r.uint32());
        if (channel) channel.closeReceived = true;
        return;
      }
      default:
        return;
    }
  }

  private onChannelOpen(r: SshReader): void {
    const type = r.text();
    const clientId = r.uint32();
    const window = r.uint32();
    const maxPacket = r.uint32();
    if (type !== 'session') {
      this.wire.send(message(MSG.CHANNEL_OPEN_FAILURE).uint32(clientId).uint32(1).string('hostile server: sessions only').string('').finish());
      return;
    }
    const serverId = this.nextId++;
    this.channels.set(serverId, new ServerChannel(this, serverId, clientId, window, maxPacket));
    const ourWindow = this.options.window ?? 2 * 1024 * 1024;
    const ourMax = this.options.maxPacket ?? 32 * 1024;
    this.wire.send(message(MSG.CHANNEL_OPEN_CONFIRMATION).uint32(clientId).uint32(serverId).uint32(ourWindow).uint32(ourMax).finish());
  }

  private onChannelRequest(r: SshReader): void {
    const channel = this.channels.get(r.uint32());
    const type = r.text();
    const wantReply = r.boolean();
    if (!channel) return;
    channel.requests.push(type);
    let ok = ['pty-req', 'env', 'exec', 'shell', 'subsystem', 'window-change'].includes(type);
    if (type === 'exec' || type === 'subsystem') channel.command = r.text();
    else if (type === 'shell') channel.command = '';
    else if (type === 'env') ok = true;
    if (wantReply) this.wire.send(message(ok ? MSG.CHANNEL_SUCCESS : MSG.CHANNEL_FAILURE).uint32(channel.clientId).finish());
  }
}
