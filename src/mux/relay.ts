/**
 * The master's side of proxy mode for one client (what OpenSSH's channel_proxy_downstream and
 * channel_proxy_upstream do): the client's connection-protocol messages go to the server and the
 * server's answers come back, with channel ids translated so that every client may number its channels
 * from 0. The server's own ids are already unique, so messages addressed to them pass unchanged, but
 * only for channels this client opened: a client cannot reach another client's channels.
 */
import { TsshError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ChannelOpenRequest, Connection } from '../connection/connection.js';
import { MSG, msgName } from '../wire/messages.js';
import { SshReader } from '../wire/reader.js';
import { message } from '../wire/writer.js';

interface RelayedChannel {
  /** The id the master reserved on the real connection. */
  localId: number;
  /** The client's own id for it. */
  clientId: number;
  /** The server's id, once known. */
  serverId: number | undefined;
  closeSent: boolean;
  closeReceived: boolean;
}

/** A remote forward the client asked for, so the server's opens for it reach this client. */
export interface RelayedListen {
  host: string;
  port: number;
}

export class ProxyRelay {
  private readonly byLocal = new Map<number, RelayedChannel>();
  private readonly byServer = new Map<number, RelayedChannel>();
  readonly listens: RelayedListen[] = [];
  /** Server opens handed to the client and not answered yet (server channel ids). */
  private readonly delegated = new Set<number>();
  private ended = false;

  constructor(
    private readonly connection: Connection,
    private readonly toClient: (payload: Buffer) => void,
    private readonly log: Logger,
    private readonly label: string,
  ) {}

  /** Channels still open through this client. */
  get channelCount(): number {
    return this.byLocal.size;
  }

  /** A message from the client. Throws for what a sharing client may not send. */
  fromClient(payload: Buffer): void {
    if (this.ended) return;
    const type = payload[0]!;
    switch (type) {
      case MSG.CHANNEL_OPEN:
        return this.clientOpens(payload);
      case MSG.CHANNEL_OPEN_CONFIRMATION:
        return this.clientConfirms(payload);
      case MSG.GLOBAL_REQUEST:
        return this.clientGlobalRequest(payload);
      case MSG.CHANNEL_OPEN_FAILURE:
      case MSG.CHANNEL_WINDOW_ADJUST:
      case MSG.CHANNEL_DATA:
      case MSG.CHANNEL_EXTENDED_DATA:
      case MSG.CHANNEL_EOF:
      case MSG.CHANNEL_CLOSE:
      case MSG.CHANNEL_REQUEST:
      case MSG.CHANNEL_SUCCESS:
      case MSG.CHANNEL_FAILURE:
        return this.clientChannelMessage(payload);
      case MSG.IGNORE:
        return;
      default:
        throw new TsshError('PROTOCOL', `${this.label}: ${msgName(type)} is not allowed from a mux client`);
    }
  }

  /** The server opens a channel for one of this client's remote forwards: the client answers it. */
  serverOpens(type: string, request: ChannelOpenRequest): void {
    const open = request.delegate();
    this.delegated.add(open.senderId);
    const w = message(MSG.CHANNEL_OPEN).string(type).uint32(open.senderId).uint32(open.window).uint32(open.maxPacket).raw(open.fields);
    this.toClient(w.finish());
  }

  /** The client went away: close what it left open, and stop its remote forwards. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    for (const channel of this.byLocal.values()) {
      if (channel.serverId !== undefined && !channel.closeSent) {
        channel.closeSent = true;
        this.connection.relayToServer(message(MSG.CHANNEL_CLOSE).uint32(channel.serverId).finish());
      }
      // A channel whose open is still unanswered is closed when the answer comes (fromServer).
      if (channel.closeReceived) this.forget(channel);
    }
    for (const serverId of this.delegated) {
      this.connection.relayToServer(message(MSG.CHANNEL_OPEN_FAILURE).uint32(serverId).uint32(2).string('mux client gone').string('').finish());
    }
    this.delegated.clear();
    for (const listen of this.listens.splice(0)) {
      void this.connection.globalRequest('cancel-tcpip-forward', true, (w) => w.string(listen.host).uint32(listen.port)).catch(() => {});
    }
  }

  private clientOpens(payload: Buffer): void {
    const r = new SshReader(payload, 'mux CHANNEL_OPEN');
    r.byte();
    const type = r.text();
    const clientId = r.uint32();
    const rest = r.rest();
    const channel = this.track(clientId, undefined);
    this.log.debug3(`${this.label}: channel ${channel.localId}: down->up open ${type} (client channel ${clientId})`);
    this.connection.relayToServer(message(MSG.CHANNEL_OPEN).string(type).uint32(channel.localId).raw(rest).finish());
  }

  private clientConfirms(payload: Buffer): void {
    const r = new SshReader(payload, 'mux CHANNEL_OPEN_CONFIRMATION');
    r.byte();
    const serverId = r.uint32();
    const clientId = r.uint32();
    const rest = r.rest();
    if (!this.delegated.delete(serverId)) throw new TsshError('PROTOCOL', `${this.label}: open confirmation for channel ${serverId}, which was not offered to this client`);
    const channel = this.track(clientId, serverId);
    this.connection.relayToServer(message(MSG.CHANNEL_OPEN_CONFIRMATION).uint32(serverId).uint32(channel.localId).raw(rest).finish());
  }

  private clientChannelMessage(payload: Buffer): void {
    const serverId = payload.readUInt32BE(1);
    const channel = this.byServer.get(serverId);
    // OPEN_FAILURE answers a server open we delegated: its channel was never tracked.
    if (payload[0] === MSG.CHANNEL_OPEN_FAILURE && this.delegated.delete(serverId)) return this.connection.relayToServer(payload);
    if (channel === undefined) {
      throw new TsshError('PROTOCOL', `${this.label}: ${msgName(payload[0]!)} for channel ${serverId}, which is not this client's`);
    }
    if (channel !== undefined && payload[0] === MSG.CHANNEL_CLOSE) {
      channel.closeSent = true;
      if (channel.closeReceived) this.forget(channel);
    }
    this.connection.relayToServer(payload);
  }

  private clientGlobalRequest(payload: Buffer): void {
    const r = new SshReader(payload, 'mux GLOBAL_REQUEST');
    r.byte();
    const name = r.text();
    const wantReply = r.boolean();
    const body = r.rest();
    let listen: RelayedListen | undefined;
    if (name === 'tcpip-forward' || name === 'cancel-tcpip-forward') {
      const fields = new SshReader(body, name);
      listen = { host: fields.text(), port: fields.uint32() };
    }
    const reply = this.connection.globalRequest(name, wantReply, (w) => w.raw(body));
    void reply.then(({ ok, data }) => {
      if (listen !== undefined && ok) this.noteListen(name, listen, data);
      if (wantReply && !this.ended) this.toClient(ok ? message(MSG.REQUEST_SUCCESS).raw(data).finish() : message(MSG.REQUEST_FAILURE).finish());
    }, () => {});
  }

  private noteListen(name: string, listen: RelayedListen, data: Buffer): void {
    if (name === 'cancel-tcpip-forward') {
      const index = this.listens.findIndex((l) => l.port === listen.port);
      if (index >= 0) this.listens.splice(index, 1);
      return;
    }
    // Port 0: the server said which port it chose.
    const port = listen.port === 0 && data.length >= 4 ? data.readUInt32BE(0) : listen.port;
    this.listens.push({ host: listen.host, port });
  }

  private track(clientId: number, serverId: number | undefined): RelayedChannel {
    const channel: RelayedChannel = { localId: 0, clientId, serverId, closeSent: false, closeReceived: false };
    channel.localId = this.connection.reserveRelay((payload) => this.fromServer(channel, payload), `${this.label} channel ${clientId}`);
    this.byLocal.set(channel.localId, channel);
    if (serverId !== undefined) this.byServer.set(serverId, channel);
    return channel;
  }

  private forget(channel: RelayedChannel): void {
    this.connection.releaseRelay(channel.localId);
    this.byLocal.delete(channel.localId);
    if (channel.serverId !== undefined) this.byServer.delete(channel.serverId);
  }

  /** A server message for one of this client's channels: back to the client under its own id. */
  private fromServer(channel: RelayedChannel, payload: Buffer): void {
    const type = payload[0]!;
    if (type === MSG.CHANNEL_OPEN_CONFIRMATION && payload.length >= 9 && channel.serverId === undefined) {
      channel.serverId = payload.readUInt32BE(5);
      this.byServer.set(channel.serverId, channel);
      if (this.ended) {
        channel.closeSent = true;
        this.connection.relayToServer(message(MSG.CHANNEL_CLOSE).uint32(channel.serverId).finish());
        return;
      }
    }
    if (!this.ended) {
      const translated = Buffer.from(payload);
      translated.writeUInt32BE(channel.clientId, 1);
      this.toClient(translated);
    }
    if (type === MSG.CHANNEL_OPEN_FAILURE) this.forget(channel);
    else if (type === MSG.CHANNEL_CLOSE) {
      channel.closeReceived = true;
      if (channel.closeSent || this.ended) this.forget(channel);
    }
  }
}
