import { TsshError, protocolError } from '../errors.js';
import type { Logger } from '../log.js';
import { MSG, msgName } from '../wire/messages.js';
import { SshReader } from '../wire/reader.js';
import { message, type SshWriter } from '../wire/writer.js';
import type { Transport } from '../transport/transport.js';
import type { Inbox } from '../auth/inbox.js';
import { sanitizeRemoteText } from '../transport/disconnect.js';
import { Channel, type ChannelLink } from './channel.js';

/** OpenSSH's session channel defaults (CHAN_SES_WINDOW_DEFAULT, CHAN_SES_PACKET_DEFAULT). */
export const DEFAULT_WINDOW = 2 * 1024 * 1024;
export const DEFAULT_MAX_PACKET = 32 * 1024;
/** Open channels at once; a runaway caller or peer cannot grow the table without bound. */
const MAX_CHANNELS = 10_000;

/** RFC 4254 §5.1 channel open failure reason codes, as OpenSSH names them in messages. */
const OPEN_FAILURE_REASONS: Record<number, string> = {
  1: 'administratively prohibited',
  2: 'connect failed',
  3: 'unknown channel type',
  4: 'resource shortage',
};

interface PendingOpen {
  resolve(channel: Channel): void;
  reject(err: TsshError): void;
  window: number;
  maxPacket: number;
}

/**
 * The connection protocol (RFC 4254): the channel table, channel opens, global requests and the
 * dispatch of channel messages. Channel behaviour itself lives in Channel.
 */
export class Connection implements ChannelLink {
  private readonly channels = new Map<number, Channel>();
  private readonly opening = new Map<number, PendingOpen>();
  private readonly globalReplies: Array<(reply: { ok: boolean; data: Buffer }) => void> = [];
  private nextId = 0;
  private ended: TsshError | undefined;

  constructor(private readonly transport: Transport, private readonly log: Logger, leftover: Inbox) {
    // Messages that arrived right after USERAUTH_SUCCESS are handled first, in order.
    const early = leftover.drain();
    transport.setHandler((payload) => this.dispatch(payload));
    for (const payload of early) {
      if (this.dispatch(payload) === false) transport.fail(protocolError(`unexpected ${msgName(payload[0]!)}`));
    }
    void transport.closed.then((err) => this.shutdown(err ?? new TsshError('CONNECTION_CLOSED', 'connection closed')));
  }

  // ---- ChannelLink ----
  send(payload: Buffer): void {
    this.transport.send(payload);
  }
  congested(): boolean {
    return this.transport.congested;
  }
  whenDrained(callback: () => void): void {
    this.transport.whenDrained(callback);
  }
  released(channel: Channel): void {
    this.channels.delete(channel.localId);
  }

  get channelCount(): number {
    return this.channels.size;
  }

  /** Opens a channel (RFC 4254 §5.1); `extra` writes the type-specific fields. */
  openChannel(type: string, extra: (w: SshWriter) => void = () => {}, window = DEFAULT_WINDOW, maxPacket = DEFAULT_MAX_PACKET): Promise<Channel> {
    if (this.ended) return Promise.reject(this.ended);
    if (this.channels.size + this.opening.size >= MAX_CHANNELS) return Promise.reject(new TsshError('CHANNEL', 'too many channels'));
    const id = this.allocateId();
    const w = message(MSG.CHANNEL_OPEN).string(type).uint32(id).uint32(window).uint32(maxPacket);
    extra(w);
    return new Promise((resolve, reject) => {
      this.opening.set(id, { resolve, reject, window, maxPacket });
      this.transport.send(w.finish());
    });
  }

  private allocateId(): number {
    while (this.channels.has(this.nextId) || this.opening.has(this.nextId)) this.nextId = (this.nextId + 1) >>> 0;
    const id = this.nextId;
    this.nextId = (this.nextId + 1) >>> 0;
    return id;
  }

  /** Sends a global request (RFC 4254 §4); with wantReply, resolves with the reply. */
  globalRequest(name: string, wantReply: boolean, body: (w: SshWriter) => void = () => {}): Promise<{ ok: boolean; data: Buffer }> {
    if (this.ended) return Promise.reject(this.ended);
    const w = message(MSG.GLOBAL_REQUEST).string(name).boolean(wantReply);
    body(w);
    this.transport.send(w.finish());
    if (!wantReply) return Promise.resolve({ ok: true, data: Buffer.alloc(0) });
    return new Promise((resolve) => this.globalReplies.push(resolve));
  }

  // ---- dispatch ----

  private dispatch(payload: Buffer): boolean {
    const r = new SshReader(payload, msgName(payload[0]!));
    const type = r.byte();
    switch (type) {
      case MSG.CHANNEL_DATA:
        return this.withChannel(r, (ch) => ch.onData(r.string(), false));
      case MSG.CHANNEL_EXTENDED_DATA:
        return this.withChannel(r, (ch) => {
          const code = r.uint32();
          const data = r.string();
          if (code === 1) ch.onData(data, true);
          else this.log.debug1(`channel ${ch.localId}: ignoring extended data type ${code}`);
        });
      case MSG.CHANNEL_WINDOW_ADJUST:
        return this.withChannel(r, (ch) => ch.onWindowAdjust(r.uint32()));
      case MSG.CHANNEL_EOF:
        return this.withChannel(r, (ch) => ch.onEof());
      case MSG.CHANNEL_CLOSE:
        return this.withChannel(r, (ch) => ch.onClose());
      case MSG.CHANNEL_REQUEST:
        return this.withChannel(r, (ch) => this.onChannelRequest(ch, r));
      case MSG.CHANNEL_SUCCESS:
      case MSG.CHANNEL_FAILURE:
        return this.withChannel(r, (ch) => ch.onRequestReply(type === MSG.CHANNEL_SUCCESS));
      case MSG.CHANNEL_OPEN_CONFIRMATION:
        return this.onOpenConfirmation(r);
      case MSG.CHANNEL_OPEN_FAILURE:
        return this.onOpenFailure(r);
      case MSG.CHANNEL_OPEN:
        return this.onChannelOpen(r);
      case MSG.GLOBAL_REQUEST:
        return this.onGlobalRequest(r);
      case MSG.REQUEST_SUCCESS:
      case MSG.REQUEST_FAILURE: {
        const reply = this.globalReplies.shift();
        if (!reply) throw protocolError(`unexpected ${msgName(type)}`);
        reply({ ok: type === MSG.REQUEST_SUCCESS, data: Buffer.from(r.rest()) });
        return true;
      }
      case MSG.USERAUTH_BANNER:
        return true; // a late banner is legal and harmless (RFC 4252 §5.4)
      default:
        return false;
    }
  }

  private withChannel(r: SshReader, action: (channel: Channel) => void): true {
    const id = r.uint32();
    const channel = this.channels.get(id);
    if (!channel) throw protocolError(`channel ${id}: unknown channel`);
    action(channel);
    return true;
  }

  private onOpenConfirmation(r: SshReader): true {
    const localId = r.uint32();
    const pending = this.opening.get(localId);
    if (!pending) throw protocolError(`channel ${localId}: unexpected open confirmation`);
    this.opening.delete(localId);
    const remoteId = r.uint32();
    const remoteWindow = r.uint32();
    const remoteMaxPacket = r.uint32();
    if (remoteMaxPacket === 0) throw protocolError(`channel ${localId}: zero maximum packet size`);
    const channel = new Channel(this, { localId, remoteId, remoteWindow, remoteMaxPacket, localWindow: pending.window, localMaxPacket: pending.maxPacket });
    this.channels.set(localId, channel);
    pending.resolve(channel);
    return true;
  }

  private onOpenFailure(r: SshReader): true {
    const localId = r.uint32();
    const pending = this.opening.get(localId);
    if (!pending) throw protocolError(`channel ${localId}: unexpected open failure`);
    this.opening.delete(localId);
    const code = r.uint32();
    const description = sanitizeRemoteText(r.text());
    const reason = OPEN_FAILURE_REASONS[code] ?? `unknown reason ${code}`;
    pending.reject(new TsshError('CHANNEL', `channel ${localId}: open failed: ${reason}${description ? `: ${description}` : ''}`));
    return true;
  }

  /** Server-initiated opens (forwarded-tcpip, auth-agent, x11) are refused until forwarding exists. */
  private onChannelOpen(r: SshReader): true {
    const type = r.text();
    const senderId = r.uint32();
    this.log.debug1(`client_input_channel_open: ctype ${type} rchan ${senderId}`);
    this.transport.send(message(MSG.CHANNEL_OPEN_FAILURE).uint32(senderId).uint32(1).string('open failed').string('').finish());
    return true;
  }

  private onGlobalRequest(r: SshReader): true {
    const name = r.text();
    const wantReply = r.boolean();
    this.log.debug1(`client_input_global_request: rtype ${name} want_reply ${wantReply ? 1 : 0}`);
    if (wantReply) this.transport.send(message(MSG.REQUEST_FAILURE).finish());
    return true;
  }

  private onChannelRequest(channel: Channel, r: SshReader): void {
    const type = r.text();
    const wantReply = r.boolean();
    const handled = channel.handleRequest(type, r);
    if (wantReply) {
      // keepalive@openssh.com and anything unknown get FAILURE, which is the answer OpenSSH expects.
      this.transport.send(message(handled && type !== 'keepalive@openssh.com' ? MSG.CHANNEL_SUCCESS : MSG.CHANNEL_FAILURE).uint32(channel.remoteId).finish());
    }
  }

  private shutdown(err: TsshError): void {
    this.ended = err;
    for (const pending of this.opening.values()) pending.reject(err);
    this.opening.clear();
    for (const channel of this.channels.values()) channel.abort(err);
    this.channels.clear();
    for (const reply of this.globalReplies.splice(0)) reply({ ok: false, data: Buffer.alloc(0) });
  }
}
