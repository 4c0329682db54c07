/**
 * The mux client's side of proxy mode (PROTOCOL.mux §9, MUX_C_PROXY): after MUX_S_PROXY the control
 * socket carries unencrypted, unpadded SSH packets (`uint32 length, byte 0, payload`), and the master
 * relays the connection-protocol messages to the server. A Connection runs over this exactly as over
 * the real transport: no key exchange, no authentication, no crypto; the master did all that.
 */
import type { Socket } from 'node:net';
import { TsshError, protocolError } from '../errors.js';
import type { Logger } from '../log.js';
import { msgName } from '../wire/messages.js';
import type { PacketHandler, PacketTransport } from '../transport/contract.js';
import type { ConnectionFacts } from '../transport/connection-facts.js';

/** A packet larger than any channel message OpenSSH sends (its packet limit is 256 KiB). */
const MAX_PACKET = 256 * 1024 + 64;
/** Output bytes queued in the socket before producers are asked to wait. */
const HIGH_WATER = 1024 * 1024;

export class MuxProxyTransport implements PacketTransport {
  private handler: PacketHandler | undefined;
  private pending: Buffer[] = [];
  private input: Buffer = Buffer.alloc(0);
  private finished = false;
  /** Packets received, standing in for sequence numbers in messages about them. */
  private received = 0;
  private resolveClosed!: (err: TsshError | undefined) => void;
  readonly closed: Promise<TsshError | undefined>;
  /** No session of its own: the master holds the keys, so agent binding and host-bound auth do not apply. */
  readonly sessionId = Buffer.alloc(0);
  readonly serverSigAlgs = undefined;
  readonly hostBoundPublicKey = false;
  readonly sessionBinding = undefined;
  readonly roundTripMs = 0;
  /** The master negotiated the algorithms; a proxy client does not know them. */
  readonly negotiated = undefined;

  constructor(
    private readonly socket: Socket,
    private readonly log: Logger,
    /** Bytes that arrived together with MUX_S_PROXY. */
    initial: Buffer,
  ) {
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    // A master that dies with data unread resets the socket instead of closing it: to the client that
    // is the same end, in ssh's words (its mux client says this whether its read saw EOF or an error).
    socket.on('error', (err: NodeJS.ErrnoException) =>
      this.finish(new TsshError('CONNECTION_CLOSED', err.code === 'ECONNRESET' || err.code === 'EPIPE' ? 'Control master terminated unexpectedly' : `Control master connection: ${err.message}`)),
    );
    socket.on('close', () => this.finish(new TsshError('CONNECTION_CLOSED', 'Control master terminated unexpectedly')));
    if (initial.length > 0) queueMicrotask(() => this.onData(initial));
  }

  get isClosed(): boolean {
    return this.finished;
  }

  get congested(): boolean {
    return this.socket.writableLength > HIGH_WATER;
  }

  whenDrained(callback: () => void): void {
    if (!this.congested) return callback();
    this.socket.once('drain', callback);
  }

  setHandler(handler: PacketHandler): void {
    this.handler = handler;
    const early = this.pending;
    this.pending = [];
    for (const payload of early) this.deliver(payload);
  }

  send(payload: Buffer): void {
    if (this.finished) return;
    const header = Buffer.allocUnsafe(5);
    header.writeUInt32BE(payload.length + 1, 0);
    header[4] = 0; // padding length
    this.socket.write(Buffer.concat([header, payload]));
  }

  sendInPlace(length: number, write: (packet: Buffer, offset: number) => void): void {
    if (this.finished) return;
    const packet = Buffer.allocUnsafe(5 + length);
    packet.writeUInt32BE(length + 1, 0);
    packet[4] = 0;
    write(packet, 5);
    this.socket.write(packet);
  }

  /** The master relays only connection messages; anything else from it is logged and ignored. */
  reportUnexpected(type: number, seq: number): void {
    this.log.debug1(`mux proxy: unexpected ${msgName(type)} (packet ${seq}) ignored`);
  }

  /** Keystroke chaff (ObscureKeystrokeTiming) is the master's to send: its packets are the encrypted ones. */
  sendChaff(): boolean {
    return false;
  }

  get rekeying(): boolean {
    return false;
  }

  /** ~I over a shared connection: the master knows the algorithms; here only what this socket carried. */
  connectionFacts(): ConnectionFacts {
    return { tcp: undefined, negotiated: undefined, blockSize: { in: 8, out: 8 }, received: { packets: this.received, bytes: 0, totalBytes: 0 }, sent: { packets: 0, bytes: 0, totalBytes: 0 }, rekeyLimit: undefined, lastKeyExchangeAt: Date.now() };
  }

  /** ~R: the keys belong to the master, which rekeys by its own limits. */
  startRekey(): void {
    this.log.info('rekeying is not available through a shared connection');
  }

  fail(err: TsshError): void {
    this.finish(err);
  }

  disconnect(): void {
    this.finish(undefined);
  }

  private onData(chunk: Buffer): void {
    this.input = this.input.length === 0 ? chunk : Buffer.concat([this.input, chunk]);
    try {
      while (this.input.length >= 4 && !this.finished) {
        const length = this.input.readUInt32BE(0);
        if (length < 2 || length > MAX_PACKET) throw protocolError(`mux proxy: bad packet length ${length}`);
        if (this.input.length < 4 + length) break;
        const padding = this.input[4]!;
        if (padding > length - 2) throw protocolError('mux proxy: bad padding');
        const payload = this.input.subarray(5, 4 + length - padding);
        this.input = this.input.subarray(4 + length);
        if (this.handler) this.deliver(payload);
        else this.pending.push(payload);
      }
    } catch (err) {
      this.finish(err instanceof TsshError ? err : protocolError(String(err)));
    }
  }

  private deliver(payload: Buffer): void {
    if (this.finished) return;
    try {
      const seq = this.received++;
      if (this.handler!(payload, seq) === false) this.reportUnexpected(payload[0]!, seq);
    } catch (err) {
      this.finish(err instanceof TsshError ? err : protocolError(String(err)));
    }
  }

  private finish(err: TsshError | undefined): void {
    if (this.finished) return;
    this.finished = true;
    this.socket.destroy();
    this.resolveClosed(err);
  }
}
