/**
 * The byte and packet level of the hostile test server: one accepted socket, the client's
 * identification line, tssh's own packet codec in the server role, and hooks to misbehave on the
 * way out (tamper with bytes, trickle them, write raw garbage). A script drives it step by step:
 *
 *   await wire.sendIdent(); await wire.readIdent(); const p = await wire.receive(); wire.send(reply);
 *
 * Unlike src/transport/transport.ts it enforces no protocol order: a script can send any payload at
 * any point, which is the whole point of a hostile server.
 */
import type { Socket } from 'node:net';
import { IdentReader } from '../../../src/transport/ident.js';
import { PacketDecoder, PacketEncoder } from '../../../src/transport/packet-codec.js';
import { noneOpener, noneSealer } from '../../../src/crypto/protection.js';
import type { PacketOpener, PacketSealer } from '../../../src/crypto/cipher/types.js';
import { MSG } from '../../../src/wire/messages.js';

export const SERVER_IDENT = 'SSH-2.0-OpenSSH_9.2p1 hostile-test-server';

/** A received payload and the sequence number it arrived with. */
export interface Received {
  payload: Buffer;
  seq: number;
}

/** Rewrites bytes on their way to the client; `offset` is where `chunk` starts in the outgoing stream. */
export type OutputTamper = (chunk: Buffer, offset: number) => Buffer;

export class ConnectionClosed extends Error {
  constructor(reason: string) {
    super(`client connection closed: ${reason}`);
  }
}

export class ServerWire {
  readonly encoder = new PacketEncoder(noneSealer());
  readonly decoder = new PacketDecoder(noneOpener());
  /** The client's identification line once read (without CR LF). */
  clientIdent = '';
  /** The identification line this server sent. */
  serverIdent = SERVER_IDENT;
  /** Applied to every byte written after it is set (after encryption: what the network carries). */
  tamper: OutputTamper | undefined;
  /** Total bytes written to the socket so far. */
  bytesOut = 0;
  private identReader: IdentReader | undefined = new IdentReader(false);
  private identWaiter: ((ident: string) => void) | undefined;
  private readonly queue: Received[] = [];
  private waiter: { resolve: (r: Received) => void; reject: (e: Error) => void } | undefined;
  private closedReason: string | undefined;
  /** Decoding stops after NEWKEYS until the script installs the new incoming keys. */
  private heldAtNewKeys = false;
  private trickleMs: number | undefined;
  private resolveClosed!: () => void;
  /** Resolves when the connection is gone: what a script awaits to hang until the client gives up. */
  readonly closed = new Promise<void>((resolve) => (this.resolveClosed = resolve));
  private trickleQueue: Buffer[] = [];
  private trickleTimer: NodeJS.Timeout | undefined;

  constructor(readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.close(err.message));
    socket.on('close', () => this.close('socket closed'));
  }

  get isClosed(): boolean {
    return this.closedReason !== undefined;
  }

  // ---- output ----

  /** Sends every later write one byte per `ms` milliseconds (a slow-loris server). */
  trickle(ms: number): void {
    this.trickleMs = ms;
  }

  /** Writes bytes to the client as they are (through `tamper` and trickle). */
  writeRaw(bytes: Buffer | string): void {
    let chunk = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes;
    if (this.isClosed || chunk.length === 0) return;
    if (this.tamper) chunk = this.tamper(chunk, this.bytesOut);
    this.bytesOut += chunk.length;
    if (this.trickleMs === undefined) {
      this.socket.write(chunk);
      return;
    }
    this.trickleQueue.push(chunk);
    this.scheduleTrickle();
  }

  private scheduleTrickle(): void {
    if (this.trickleTimer || this.isClosed) return;
    this.trickleTimer = setTimeout(() => {
      this.trickleTimer = undefined;
      const head = this.trickleQueue[0];
      if (!head || this.isClosed) return;
      this.socket.write(head.subarray(0, 1));
      if (head.length > 1) this.trickleQueue[0] = head.subarray(1);
      else this.trickleQueue.shift();
      if (this.trickleQueue.length > 0) this.scheduleTrickle();
    }, this.trickleMs);
  }

  /** True once an identification line went out. */
  identSent = false;

  sendIdent(line = SERVER_IDENT): void {
    this.serverIdent = line;
    this.identSent = true;
    this.writeRaw(`${line}\r\n`);
  }

  /** Encodes one payload with the current keys and sequence number and writes it. */
  send(payload: Buffer): void {
    this.writeRaw(this.encoder.encode(payload));
  }

  /** True once the socket buffers more than `bytes` unsent bytes (the client is not reading). */
  backlogged(bytes = 1024 * 1024): boolean {
    return this.socket.writableLength > bytes;
  }

  private drainWaiters: Array<() => void> | undefined;

  /** Resolves when the socket's send buffer has drained (or the connection closed). */
  drained(): Promise<void> {
    if (!this.socket.writableNeedDrain || this.isClosed) return Promise.resolve();
    if (!this.drainWaiters) {
      const waiters: Array<() => void> = [];
      this.drainWaiters = waiters;
      const done = (): void => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        this.drainWaiters = undefined;
        for (const w of waiters) w();
      };
      this.socket.once('drain', done);
      this.socket.once('close', done);
    }
    const waiters = this.drainWaiters;
    return new Promise((resolve) => waiters.push(resolve));
  }

  // ---- input ----

  /** The client's identification line. */
  readIdent(): Promise<string> {
    if (this.clientIdent) return Promise.resolve(this.clientIdent);
    return new Promise((resolve, reject) => {
      this.identWaiter = resolve;
      this.socket.once('close', () => reject(new ConnectionClosed('before the identification line')));
    });
  }

  /** The next payload from the client; rejects with ConnectionClosed once it is gone. */
  receive(): Promise<Received> {
    const next = this.queue.shift();
    if (next) return Promise.resolve(next);
    if (this.closedReason !== undefined) return Promise.reject(new ConnectionClosed(this.closedReason));
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  /** The next payload that is not IGNORE or DEBUG; checks its type when `type` is given. */
  async expect(type?: number): Promise<Received> {
    for (;;) {
      const r = await this.receive();
      const t = r.payload[0];
      if (t === MSG.IGNORE || t === MSG.DEBUG) continue;
      if (t === MSG.DISCONNECT) throw new ConnectionClosed('the client sent DISCONNECT');
      if (type !== undefined && t !== type) throw new Error(`hostile server expected message ${type}, got ${t}`);
      return r;
    }
  }

  /** Installs the client's new keys after its NEWKEYS and resumes decoding. */
  setIncoming(opener: PacketOpener, resetSequence: boolean): void {
    if (resetSequence) this.decoder.resetSequence();
    this.decoder.setProtection(opener);
    this.heldAtNewKeys = false;
    this.pump();
  }

  setOutgoing(sealer: PacketSealer, resetSequence: boolean): void {
    if (resetSequence) this.encoder.resetSequence();
    this.encoder.setProtection(sealer);
  }

  private onData(chunk: Buffer): void {
    if (this.isClosed) return;
    try {
      if (this.identReader) {
        const ident = this.identReader.push(chunk);
        if (!ident) return;
        this.identReader = undefined;
        this.clientIdent = ident.version;
        this.identWaiter?.(ident.version);
        chunk = ident.rest;
      }
      this.decoder.push(chunk);
      this.pump();
    } catch (err) {
      this.close(`bad input from the client: ${(err as Error).message}`);
    }
  }

  private pump(): void {
    try {
      while (!this.heldAtNewKeys && !this.isClosed) {
        const payload = this.decoder.next();
        if (!payload) return;
        const received = { payload: Buffer.from(payload), seq: (this.decoder.sequence - 1) >>> 0 };
        if (payload[0] === MSG.NEWKEYS) this.heldAtNewKeys = true;
        if (this.waiter) {
          const w = this.waiter;
          this.waiter = undefined;
          w.resolve(received);
        } else {
          this.queue.push(received);
        }
      }
    } catch (err) {
      this.close(`bad packet from the client: ${(err as Error).message}`);
    }
  }

  // ---- ending ----

  /** Closes the TCP connection gracefully (FIN), after what was written. */
  end(): void {
    this.socket.end();
  }

  /** Drops the connection at once (RST when data is unread). */
  destroy(): void {
    this.socket.resetAndDestroy();
    this.close('destroyed by the script');
  }

  private close(reason: string): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    this.resolveClosed();
    clearTimeout(this.trickleTimer);
    if (!this.socket.destroyed) this.socket.destroy();
    const w = this.waiter;
    this.waiter = undefined;
    w?.reject(new ConnectionClosed(reason));
  }
}
