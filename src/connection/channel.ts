import { Duplex, Readable } from 'node:stream';
import { TsshError, protocolError } from '../errors.js';
import { MSG } from '../wire/messages.js';
import { message } from '../wire/writer.js';
import type { SshReader } from '../wire/reader.js';
import { WindowTuner } from './window-tuner.js';

/** What a channel needs from the connection: send, congestion, and its own removal. */
export interface ChannelLink {
  send(payload: Buffer): void;
  /** Sends a `length`-byte payload that `write` puts straight into the outgoing packet (bulk data). */
  sendInPlace(length: number, write: (packet: Buffer, offset: number) => void): void;
  congested(): boolean;
  whenDrained(callback: () => void): void;
  released(channel: Channel): void;
}

export interface ChannelParams {
  localId: number;
  remoteId: number;
  /** Window the peer granted us (bytes we may send before WINDOW_ADJUST). */
  remoteWindow: number;
  remoteMaxPacket: number;
  /** Window we granted the peer at open. */
  localWindow: number;
  localMaxPacket: number;
  /** The connection's measured round trip (ms), for window auto-tuning; 0 or absent keeps the window fixed. */
  roundTripMs?: number;
}

/** The most consumed data a WINDOW_ADJUST waits for: half of OpenSSH's 2 MiB session window. */
const ADJUST_STEP = 1024 * 1024;

/** Bounds a peer's WINDOW_ADJUST arithmetic (RFC 4254 §5.2: the window is a uint32). */
const MAX_WINDOW = 0xffffffff;

/**
 * One SSH channel (RFC 4254 §5) as a Node Duplex: writes become CHANNEL_DATA within the peer's window,
 * reads come from CHANNEL_DATA; `stderr` carries extended data type 1. The local window is re-granted
 * only as the consumer drains what was received, so a slow reader bounds memory to one window.
 */
export class Channel extends Duplex {
  readonly localId: number;
  readonly remoteId: number;
  readonly stderr: Readable;
  private remoteWindow: number;
  private readonly remoteMaxPacket: number;
  /** The window we grant: starts at the open's, grows with the bandwidth-delay product (WindowTuner). */
  private windowSize: number;
  private readonly tuner: WindowTuner;
  /** Bytes the peer may still send us. */
  private localWindow: number;
  private eofReceived = false;
  private eofSent = false;
  private closeSent = false;
  private closeReceived = false;
  private pendingWrite: { data: Buffer; callback: (err?: Error | null) => void } | undefined;
  /** Channel requests we sent with want_reply, answered in order (RFC 4254 §5.4). */
  private readonly replies: Array<(ok: boolean) => void> = [];
  /** Closed on our side (ChannelTimeout); the peer's CLOSE is still to come. */
  private forcedClosed = false;
  /** performance.now() of the open and of the last data either way (ChannelTimeout). */
  lastActivity = performance.now();
  /** Called once, with the first data the peer sends (--timing's first byte of output). */
  onFirstData: ((extended: boolean) => void) | undefined;

  constructor(private readonly link: ChannelLink, params: ChannelParams) {
    super({ highWaterMark: 256 * 1024, allowHalfOpen: true });
    this.localId = params.localId;
    this.remoteId = params.remoteId;
    this.remoteWindow = params.remoteWindow;
    this.remoteMaxPacket = params.remoteMaxPacket;
    this.windowSize = params.localWindow;
    this.tuner = new WindowTuner(params.localWindow, params.roundTripMs ?? 0);
    this.localWindow = params.localWindow;
    this.stderr = new Readable({ highWaterMark: 64 * 1024, read: () => this.maybeAdjustWindow() });
  }

  get isClosed(): boolean {
    return this.closeReceived;
  }

  // ---- incoming (from the connection's dispatcher) ----

  onData(data: Buffer, extended: boolean): void {
    if (this.eofReceived || this.closeReceived) return; // RFC 4254: data after EOF is ignored
    if (data.length > this.localWindow) throw protocolError(`channel ${this.localId}: rcvd too much data ${data.length}, win ${this.localWindow}`);
    this.localWindow -= data.length;
    this.lastActivity = performance.now();
    if (this.onFirstData !== undefined) {
      this.onFirstData(extended);
      this.onFirstData = undefined;
    }
    if (extended) this.stderr.push(data);
    else this.push(data);
    this.windowSize = this.tuner.received(data.length, this.readableLength + this.stderr.readableLength);
    this.maybeAdjustWindow();
  }

  /**
   * Grants more window once half of it (at most ADJUST_STEP) is used and the data is no longer sitting
   * in our buffers: the peer can never have more than one window's worth of bytes in flight or queued
   * here. The cap matters for tuned windows: granting only every half window caps a transfer at half a
   * window per round trip (measured: 18 MB per 100 ms with a 32 MiB window).
   */
  private maybeAdjustWindow(): void {
    if (this.closeSent || this.closeReceived || this.eofReceived) return;
    const buffered = this.readableLength + this.stderr.readableLength;
    const grant = this.windowSize - this.localWindow - buffered;
    if (grant >= Math.min(this.windowSize / 2, ADJUST_STEP)) {
      this.localWindow += grant;
      this.link.send(message(MSG.CHANNEL_WINDOW_ADJUST).uint32(this.remoteId).uint32(grant).finish());
    }
  }

  onWindowAdjust(bytes: number): void {
    this.remoteWindow = Math.min(MAX_WINDOW, this.remoteWindow + bytes);
    this.flushPendingWrite();
  }

  onEof(): void {
    if (this.eofReceived) return;
    this.eofReceived = true;
    this.push(null);
    this.stderr.push(null);
  }

  onClose(): void {
    if (this.closeReceived) return;
    this.closeReceived = true;
    if (this.forcedClosed) {
      this.link.released(this); // the owner heard of the end already (forceClose)
      return;
    }
    this.onEof();
    this.sendClose();
    const pending = this.pendingWrite;
    this.pendingWrite = undefined;
    pending?.callback(); // the peer will never take it; writing to a closed channel is not the writer's error
    for (const reply of this.replies.splice(0)) reply(false);
    this.link.released(this);
    this.emit('channel-close');
  }

  /** Set by the channel's owner (e.g. a session) to take requests from the peer; false = not understood. */
  requestHandler: ((type: string, r: SshReader) => boolean) | undefined;

  handleRequest(type: string, r: SshReader): boolean {
    return this.requestHandler ? this.requestHandler(type, r) : false;
  }

  onRequestReply(ok: boolean): void {
    const reply = this.replies.shift();
    if (!reply) throw protocolError(`channel ${this.localId}: unexpected request reply`);
    reply(ok);
  }

  // ---- outgoing ----

  /** Sends a channel request; with wantReply, resolves with the peer's success/failure. */
  request(type: string, wantReply: boolean, body: (w: ReturnType<typeof message>) => void = () => {}): Promise<boolean> {
    if (this.closeSent || this.closeReceived) return Promise.resolve(false);
    const w = message(MSG.CHANNEL_REQUEST).uint32(this.remoteId).string(type).boolean(wantReply);
    body(w);
    this.link.send(w.finish());
    if (!wantReply) return Promise.resolve(true);
    return new Promise((resolve) => this.replies.push(resolve));
  }

  /** True while a CHANNEL_REQUEST with want-reply is unanswered. */
  get awaitingReply(): boolean {
    return this.replies.length > 0;
  }

  override _read(): void {
    this.maybeAdjustWindow();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    if (this.closeSent || this.closeReceived || this.eofSent) return callback();
    this.lastActivity = performance.now();
    this.pendingWrite = { data: chunk, callback };
    this.flushPendingWrite();
  }

  /** Sends as much of the pending write as the peer's window allows; completes it when all is sent. */
  private flushPendingWrite(): void {
    const pending = this.pendingWrite;
    if (!pending) return;
    let data = pending.data;
    while (data.length > 0 && this.remoteWindow > 0) {
      const n = Math.min(data.length, this.remoteWindow, this.remoteMaxPacket);
      this.sendData(data, n);
      this.remoteWindow -= n;
      data = data.subarray(n);
    }
    if (data.length > 0) {
      pending.data = data; // the rest waits for WINDOW_ADJUST
      return;
    }
    this.pendingWrite = undefined;
    // Transport backpressure: complete the write only once the socket can take more.
    if (this.link.congested()) this.link.whenDrained(() => pending.callback());
    else pending.callback();
  }

  /** CHANNEL_DATA with the first `n` bytes of `data`, written straight into the packet (one copy). */
  private sendData(data: Buffer, n: number): void {
    const remoteId = this.remoteId;
    this.link.sendInPlace(9 + n, (packet, offset) => {
      packet[offset] = MSG.CHANNEL_DATA;
      packet.writeUInt32BE(remoteId, offset + 1);
      packet.writeUInt32BE(n, offset + 5);
      data.copy(packet, offset + 9, 0, n);
    });
  }

  override _final(callback: (err?: Error | null) => void): void {
    this.sendEof();
    callback();
  }

  sendEof(): void {
    if (this.eofSent || this.closeSent || this.closeReceived) return;
    this.eofSent = true;
    this.link.send(message(MSG.CHANNEL_EOF).uint32(this.remoteId).finish());
  }

  sendClose(): void {
    if (this.closeSent) return;
    this.closeSent = true;
    this.link.send(message(MSG.CHANNEL_CLOSE).uint32(this.remoteId).finish());
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    if (!this.closeReceived) this.sendClose();
    this.stderr.destroy();
    callback(err);
  }

  /**
   * Ends the channel from our side at once (ssh's channel_force_close, for ChannelTimeout): EOF and
   * CLOSE go out, the owner sees the channel closed without an exit status, and what the peer still
   * sends is dropped until its CLOSE frees the channel number.
   */
  forceClose(): void {
    if (this.closeReceived || this.forcedClosed) return;
    this.forcedClosed = true;
    this.sendEof();
    this.sendClose();
    this.eofReceived = true;
    this.push(null);
    this.stderr.push(null);
    this.pendingWrite?.callback();
    this.pendingWrite = undefined;
    for (const reply of this.replies.splice(0)) reply(false);
    this.emit('channel-close');
  }

  /** Why the connection ended under this channel, once it has (see abort). */
  abortedBy: TsshError | undefined;

  /** Fails the channel because the connection ended. */
  abort(err: TsshError): void {
    if (this.closeReceived) return;
    this.abortedBy = err;
    this.closeReceived = true;
    this.closeSent = true;
    for (const reply of this.replies.splice(0)) reply(false);
    // The cause travels with 'channel-close'. Failing the write instead would emit 'error' on a stream
    // whose owner (stdin piped in, waiting for window) may have no listener: an uncaught exception.
    this.pendingWrite?.callback();
    this.pendingWrite = undefined;
    this.emit('channel-close', err);
  }
}

