import { ChannelOpenError, TsshError, protocolError } from '../errors.js';
import type { Logger } from '../log.js';
import { MSG, msgName } from '../wire/messages.js';
import { SshReader } from '../wire/reader.js';
import { message, type SshWriter } from '../wire/writer.js';
import type { PacketTransport } from '../transport/contract.js';
import type { Inbox } from '../auth/inbox.js';
import { ConnectionFatal, SSH_ERR } from '../transport/fatal.js';
import { Channel, type ChannelLink } from './channel.js';
import { ChannelTimeouts, type ChannelTimeoutEntry } from './channel-timeouts.js';
import type { Timeline } from '../timeline.js';

/** OpenSSH's session channel defaults (CHAN_SES_WINDOW_DEFAULT, CHAN_SES_PACKET_DEFAULT). */
export const DEFAULT_WINDOW = 2 * 1024 * 1024;
export const DEFAULT_MAX_PACKET = 32 * 1024;
/** Open channels at once; a runaway caller or peer cannot grow the table without bound. */
const MAX_CHANNELS = 10_000;

/** The names OpenSSH's client gives channels the server opens, as ChannelTimeout matches them. */
const CLIENT_CHANNEL_TYPES: Readonly<Record<string, string>> = {
  x11: 'x11-connection',
  'auth-agent@openssh.com': 'agent-connection',
};

/** RFC 4254 §5.1 channel open failure reason codes, as OpenSSH names them in messages. */
const OPEN_FAILURE_REASONS: Record<number, string> = {
  1: 'administratively prohibited',
  2: 'connect failed',
  3: 'unknown channel type',
  4: 'resource shortage',
};

/**
 * Handles a global request from the server (RFC 4254 §4): `data` is what follows want-reply. Returns
 * whether it succeeded; any further exchange (hostkeys-prove-00@openssh.com) goes through `link`.
 */
export type GlobalRequestHandler = (
  name: string,
  data: Buffer,
  link: { sessionId: Buffer; globalRequest: Connection['globalRequest'] },
) => boolean;

/** RFC 4254 §5.1 reasons a channel open is refused with. */
export const OpenFailure = { ADMINISTRATIVELY_PROHIBITED: 1, CONNECT_FAILED: 2, UNKNOWN_CHANNEL_TYPE: 3, RESOURCE_SHORTAGE: 4 } as const;

/** A channel the server asks to open (RFC 4254 §5.1), as a ChannelOpenHandler sees it. */
export interface ChannelOpenRequest {
  readonly type: string;
  /** The type-specific fields; valid only during the handler call. */
  readonly reader: SshReader;
  /** The same fields, unread (for a handler that only looks before passing the request on). */
  readonly fields: Buffer;
  /** Confirms the open; throws if the connection has ended meanwhile. */
  accept(): Channel;
  reject(reason: number, description: string): void;
  /**
   * Leaves the answer to someone else: a connection-sharing client answers with its own
   * CHANNEL_OPEN_CONFIRMATION or FAILURE, which the mux master relays. Returns the open as received.
   */
  delegate(): { senderId: number; window: number; maxPacket: number; fields: Buffer };
}

export type ChannelOpenHandler = (request: ChannelOpenRequest) => void;

interface PendingOpen {
  /** The channel type asked for (ChannelTimeout looks it up once the open is confirmed). */
  type: string;
  resolve(channel: Channel): void;
  reject(err: TsshError): void;
  window: number;
  maxPacket: number;
  /** When CHANNEL_OPEN went out: its confirmation measures the round trip. */
  sentAt: number;
}

/**
 * The connection protocol (RFC 4254): the channel table, channel opens, global requests and the
 * dispatch of channel messages. Channel behaviour itself lives in Channel.
 */
export class Connection implements ChannelLink {
  private readonly channels = new Map<number, Channel>();
  private readonly opening = new Map<number, PendingOpen>();
  private readonly openHandlers = new Map<string, ChannelOpenHandler>();
  /** Channel ids that belong to connection-sharing clients: their messages go, raw, to the relay. */
  private readonly relays = new Map<number, { deliver: (payload: Buffer) => void; description: string }>();
  private openInterceptor: ((request: ChannelOpenRequest) => boolean) | undefined;
  private readonly globalReplies: Array<(reply: { ok: boolean; data: Buffer }) => void> = [];
  private nextId = 0;
  private ended: TsshError | undefined;
  /** The link's round trip (ms), see noteRoundTrip; 0 until measured. */
  private roundTripMs = 0;
  /** ChannelTimeout; none until setChannelTimeouts. */
  private timeouts: ChannelTimeouts | undefined;
  /** --timing: sessions opened on this connection record their phases here. */
  timeline: Timeline | undefined;

  /** The connection is over: every open fails (a --reconnect gap, before the next connection is attached). */
  get hasEnded(): boolean {
    return this.ended !== undefined;
  }

  constructor(
    private readonly transport: PacketTransport,
    private readonly log: Logger,
    leftover: Inbox,
    private readonly onServerGlobalRequest?: GlobalRequestHandler,
  ) {
    // Messages that arrived right after USERAUTH_SUCCESS are handled first, in order.
    const early = leftover.drain();
    transport.setHandler((payload) => this.dispatch(payload), () => this.awaitingReply());
    for (const { payload, seq } of early) {
      if (this.dispatch(payload) === false) transport.reportUnexpected(payload[0]!, seq);
    }
    void transport.closed.then((err) => this.shutdown(err ?? new TsshError('CONNECTION_CLOSED', 'connection closed')));
  }

  /** ChannelTimeout entries for the channels opened and accepted from now on. */
  setChannelTimeouts(entries: readonly ChannelTimeoutEntry[]): void {
    this.timeouts?.stop();
    this.timeouts = entries.length > 0 ? new ChannelTimeouts(entries, this.log) : undefined;
  }

  /** The ChannelTimeout seconds for channels of `type` (0: none), as ssh's debug lines show them. */
  inactivityTimeoutFor(type: string): number {
    return this.timeouts?.secondsFor(type) ?? 0;
  }

  /** Puts a new channel under ChannelTimeout, by the type name OpenSSH's client gives such channels. */
  private watchInactivity(channel: Channel, wireType: string): void {
    if (this.timeouts === undefined) return;
    const unwatch = this.timeouts.watch(channel, CLIENT_CHANNEL_TYPES[wireType] ?? wireType);
    channel.once('channel-close', unwatch);
  }

  /** A channel open or a want-reply request is unanswered (asked per chunk read: no allocation). */
  private awaitingReply(): boolean {
    if (this.opening.size > 0 || this.globalReplies.length > 0) return true;
    for (const channel of this.channels.values()) if (channel.awaitingReply) return true;
    return false;
  }

  // ---- ChannelLink ----
  send(payload: Buffer): void {
    this.transport.send(payload);
  }
  sendInPlace(length: number, write: (packet: Buffer, offset: number) => void): void {
    this.transport.sendInPlace(length, write);
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
      this.opening.set(id, { type, resolve, reject, window, maxPacket, sentAt: performance.now() });
      this.transport.send(w.finish());
    });
  }

  /**
   * The link's round trip: the smallest sample seen (the transport's SERVICE_REQUEST round trip, channel
   * opens), since a server may do work before answering; `sample` 0 adds none. Returns the estimate.
   */
  private noteRoundTrip(sample: number): number {
    for (const t of [sample, this.transport.roundTripMs]) {
      if (t > 0 && (this.roundTripMs === 0 || t < this.roundTripMs)) this.roundTripMs = t;
    }
    return this.roundTripMs;
  }

  /**
   * Reserves a channel id for a connection-sharing client (see src/mux/relay.ts): every channel message
   * the server addresses to it is handed to `deliver` as it came, instead of to a local Channel.
   */
  reserveRelay(deliver: (payload: Buffer) => void, description: string): number {
    const id = this.allocateId();
    this.relays.set(id, { deliver, description });
    return id;
  }

  /** The reserved channels, one `  #id description` line each (`-O channels` and ~# list them, as ssh's do). */
  describeRelays(): string[] {
    return [...this.relays].map(([id, relay]) => `  #${id} ${relay.description}`);
  }

  releaseRelay(id: number): void {
    this.relays.delete(id);
  }

  /** A payload from a connection-sharing client, relayed to the server as it is (ids already translated). */
  relayToServer(payload: Buffer): void {
    if (this.ended) return;
    this.transport.send(payload);
  }

  get relayCount(): number {
    return this.relays.size;
  }

  /**
   * Sees every server open before its handler: a connection-sharing master takes (delegates) the ones
   * for its clients' remote forwards and returns true; false leaves the open to the handler.
   */
  interceptChannelOpens(interceptor: ((request: ChannelOpenRequest) => boolean) | undefined): void {
    this.openInterceptor = interceptor;
  }

  private allocateId(): number {
    while (this.channels.has(this.nextId) || this.opening.has(this.nextId) || this.relays.has(this.nextId)) this.nextId = (this.nextId + 1) >>> 0;
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
    const type = payload[0]!;
    // Channel messages (91-100) for a sharing client's channel go to it untouched.
    if (this.relays.size > 0 && type >= MSG.CHANNEL_OPEN_CONFIRMATION && type <= MSG.CHANNEL_FAILURE && payload.length >= 5) {
      const relay = this.relays.get(payload.readUInt32BE(1));
      if (relay !== undefined) return (relay.deliver(payload), true);
    }
    const r = new SshReader(payload, msgName(type));
    r.byte();
    switch (type) {
      case MSG.CHANNEL_DATA:
        return this.withChannel(r, 'data', (ch) => ch.onData(r.string(), false));
      case MSG.CHANNEL_EXTENDED_DATA:
        return this.withChannel(r, 'extended data', (ch) => {
          const code = r.uint32();
          const data = r.string();
          if (code === 1) ch.onData(data, true);
          else this.log.debug1(`channel ${ch.localId}: ignoring extended data type ${code}`);
        });
      case MSG.CHANNEL_WINDOW_ADJUST:
        return this.withChannel(r, (id) => this.log.info(`Received window adjust for non-open channel ${id}.`), (ch) => ch.onWindowAdjust(r.uint32()));
      case MSG.CHANNEL_EOF:
        return this.withChannel(r, 'ieof', (ch) => ch.onEof());
      case MSG.CHANNEL_CLOSE:
        return this.withChannel(r, 'oclose', (ch) => ch.onClose());
      case MSG.CHANNEL_REQUEST:
        return this.withChannel(r, (id) => this.log.error(`client_input_channel_req: channel ${id}: unknown channel`), (ch) => this.onChannelRequest(ch, r));
      case MSG.CHANNEL_SUCCESS:
      case MSG.CHANNEL_FAILURE:
        return this.withChannel(r, (id) => this.log.info(`channel_input_status_confirm: ${id}: unknown`), (ch) => ch.onRequestReply(type === MSG.CHANNEL_SUCCESS));
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
      default:
        // OpenSSH's packet layer refuses type 0 and the local-extension range outright.
        if (type === 0 || type >= 192) throw new ConnectionFatal('PROTOCOL', SSH_ERR.PROTOCOL_ERROR);
        return false;
    }
  }

  /**
   * Runs `action` on the channel a message names. A message for a channel that does not exist ends
   * the connection when it carries data or state (`missing` names it as OpenSSH does: "data packet
   * referred to nonexistent channel 42"); for replies and adjustments OpenSSH only logs, via `missing`.
   */
  private withChannel(r: SshReader, missing: string | ((id: number) => void), action: (channel: Channel) => void): true {
    const id = r.uint32();
    const channel = this.channels.get(id);
    if (channel) {
      action(channel);
    } else if (this.opening.has(id) && (missing === 'data' || missing === 'extended data')) {
      // Data for a channel not yet confirmed is dropped, as ssh drops data for any channel not open.
    } else if (typeof missing === 'function') {
      this.log.info(this.badChannelId(id));
      missing(id);
    } else {
      throw new ConnectionFatal('PROTOCOL', `${missing} packet referred to nonexistent channel ${id}`, [this.badChannelId(id)], 'disconnecting');
    }
    return true;
  }

  /** OpenSSH's lookup failure line: ids inside its channel table (grown ten at a time) are a freed slot. */
  private badChannelId(id: number): string {
    const tableSize = Math.max(10, Math.ceil(this.nextId / 10) * 10);
    return `channel_by_id: ${id}: bad id${id < tableSize ? ': channel free' : ''}`;
  }

  /** An open reply for a channel we are not opening, in OpenSSH's words. */
  private notOpening(id: number, what: string): ConnectionFatal {
    if (this.channels.has(id)) return new ConnectionFatal('PROTOCOL', `Received ${what} for non-opening channel ${id}.`, [], 'disconnecting');
    return new ConnectionFatal('PROTOCOL', `${what} packet referred to nonexistent channel ${id}`, [this.badChannelId(id)], 'disconnecting');
  }

  private onOpenConfirmation(r: SshReader): true {
    const localId = r.uint32();
    const pending = this.opening.get(localId);
    if (!pending) throw this.notOpening(localId, 'open confirmation');
    // Every field is read before the open stops pending: a malformed reply fails the connection, whose
    // shutdown then rejects this open too instead of leaving its promise unsettled for ever.
    const remoteId = r.uint32();
    const remoteWindow = r.uint32();
    const remoteMaxPacket = r.uint32();
    if (remoteMaxPacket === 0) throw protocolError(`channel ${localId}: zero maximum packet size`);
    this.opening.delete(localId);
    this.noteRoundTrip(performance.now() - pending.sentAt);
    const channel = new Channel(this, { localId, remoteId, remoteWindow, remoteMaxPacket, localWindow: pending.window, localMaxPacket: pending.maxPacket, roundTripMs: this.roundTripMs });
    this.channels.set(localId, channel);
    this.watchInactivity(channel, pending.type);
    pending.resolve(channel);
    return true;
  }

  private onOpenFailure(r: SshReader): true {
    const localId = r.uint32();
    const pending = this.opening.get(localId);
    if (!pending) throw this.notOpening(localId, 'open failure');
    const code = r.uint32();
    const description = r.text();
    this.opening.delete(localId);
    const reason = OPEN_FAILURE_REASONS[code] ?? `unknown reason ${code}`;
    pending.reject(new ChannelOpenError(code, description, `channel ${localId}: open failed: ${reason}${description ? `: ${description}` : ''}`));
    return true;
  }

  /**
   * Routes the server's opens of `type` (forwarded-tcpip, forwarded-streamlocal@openssh.com,
   * auth-agent@openssh.com) to `handler`; opens of a type without a handler are refused.
   */
  handleChannelOpens(type: string, handler: ChannelOpenHandler | undefined): void {
    if (handler) this.openHandlers.set(type, handler);
    else this.openHandlers.delete(type);
  }

  /** A server-initiated open: the handler reads its fields now and answers (accept/reject) when it knows. */
  private onChannelOpen(r: SshReader): true {
    const type = r.text();
    const senderId = r.uint32();
    const window = r.uint32();
    const maxPacket = r.uint32();
    this.log.debug1(`client_input_channel_open: ctype ${type} rchan ${senderId} win ${window} max ${maxPacket}`);
    const refuse = (reason: number, description: string): void => {
      this.log.debug1(`failure ${type}`);
      this.transport.send(message(MSG.CHANNEL_OPEN_FAILURE).uint32(senderId).uint32(reason).string(description).string('').finish());
    };
    const handler = this.openHandlers.get(type);
    if (maxPacket === 0) return (refuse(1, 'open failed'), true);
    if (this.channels.size >= MAX_CHANNELS) return (refuse(4, 'too many channels'), true);
    let answered = false;
    const fields = Buffer.from(r.rest());
    const request: ChannelOpenRequest = {
      type,
      reader: new SshReader(fields, msgName(MSG.CHANNEL_OPEN)),
      fields,
      accept: () => {
        if (answered) throw new TsshError('INTERNAL', `${type}: channel open answered twice`);
        answered = true;
        if (this.ended) throw this.ended;
        const localId = this.allocateId();
        const channel = new Channel(this, { localId, remoteId: senderId, remoteWindow: window, remoteMaxPacket: maxPacket, localWindow: DEFAULT_WINDOW, localMaxPacket: DEFAULT_MAX_PACKET, roundTripMs: this.noteRoundTrip(0) });
        this.channels.set(localId, channel);
        this.watchInactivity(channel, type);
        this.log.debug1(`confirm ${type}`);
        this.transport.send(message(MSG.CHANNEL_OPEN_CONFIRMATION).uint32(senderId).uint32(localId).uint32(DEFAULT_WINDOW).uint32(DEFAULT_MAX_PACKET).finish());
        return channel;
      },
      reject: (reason, description) => {
        if (answered || this.ended) return;
        answered = true;
        refuse(reason, description);
      },
      delegate: () => {
        if (answered) throw new TsshError('INTERNAL', `${type}: channel open answered twice`);
        answered = true;
        return { senderId, window, maxPacket, fields };
      },
    };
    if (this.openInterceptor?.(request)) return true;
    if (!handler) return (refuse(1, 'open failed'), true);
    handler(request);
    return true;
  }

  private onGlobalRequest(r: SshReader): true {
    const name = r.text();
    const wantReply = r.boolean();
    this.log.debug1(`client_input_global_request: rtype ${name} want_reply ${wantReply ? 1 : 0}`);
    const link = { sessionId: this.transport.sessionId, globalRequest: this.globalRequest.bind(this) };
    const ok = this.onServerGlobalRequest?.(name, Buffer.from(r.rest()), link) ?? false;
    if (wantReply) this.transport.send(message(ok ? MSG.REQUEST_SUCCESS : MSG.REQUEST_FAILURE).finish());
    return true;
  }

  private onChannelRequest(channel: Channel, r: SshReader): void {
    const type = r.text();
    const wantReply = r.boolean();
    this.log.debug1(`client_input_channel_req: channel ${channel.localId} rtype ${type} reply ${wantReply ? 1 : 0}`);
    const handled = channel.handleRequest(type, r);
    if (wantReply) {
      // keepalive@openssh.com and anything unknown get FAILURE, which is the answer OpenSSH expects.
      this.transport.send(message(handled && type !== 'keepalive@openssh.com' ? MSG.CHANNEL_SUCCESS : MSG.CHANNEL_FAILURE).uint32(channel.remoteId).finish());
    }
  }

  private shutdown(err: TsshError): void {
    this.ended = err;
    this.timeouts?.stop();
    for (const pending of this.opening.values()) pending.reject(err);
    this.opening.clear();
    for (const channel of this.channels.values()) channel.abort(err);
    this.channels.clear();
    for (const reply of this.globalReplies.splice(0)) reply({ ok: false, data: Buffer.alloc(0) });
  }
}
