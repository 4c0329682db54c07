import { TsshError } from '../errors.js';

/** A message as it arrived: the payload and its sequence number (for "dispatch_protocol_error: ... seq N"). */
export interface Received {
  payload: Buffer;
  seq: number;
}

/**
 * Messages queued before the reader stops taking more. Authentication reads its replies one at a
 * time; while it is blocked elsewhere (a password prompt, the agent) nothing more is read from the
 * socket, as OpenSSH's client does by not reading at all, so a flooding server cannot grow memory.
 */
const MAX_QUEUED = 32;
const MAX_QUEUED_BYTES = 256 * 1024;

/**
 * Turns pushed messages into awaited ones for request/response flows like user authentication.
 * Messages are kept in order; a waiter is failed when the connection ends. `push` answers with a
 * promise when the queue is full: the transport reads nothing more until it settles.
 */
export class Inbox {
  private queue: Received[] = [];
  private queuedBytes = 0;
  private waiter: { resolve: (p: Buffer) => void; reject: (e: TsshError) => void } | undefined;
  private error: TsshError | undefined;
  private room: { promise: Promise<void>; resolve: () => void } | undefined;

  push(payload: Buffer, seq = 0): Promise<void> | undefined {
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w.resolve(payload);
      return undefined;
    }
    this.queue.push({ payload, seq });
    this.queuedBytes += payload.length;
    if (this.queue.length < MAX_QUEUED && this.queuedBytes < MAX_QUEUED_BYTES) return undefined;
    if (!this.room) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.room = { promise, resolve };
    }
    return this.room.promise;
  }

  fail(err: TsshError): void {
    this.error = err;
    this.waiter?.reject(err);
    this.waiter = undefined;
    this.makeRoom();
  }

  next(): Promise<Buffer> {
    const first = this.queue.shift();
    if (first) {
      this.queuedBytes -= first.payload.length;
      this.makeRoom();
      return Promise.resolve(first.payload);
    }
    if (this.error) return Promise.reject(this.error);
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  /** Whatever arrived but was not consumed, handed to the next layer. */
  drain(): Received[] {
    const rest = this.queue;
    this.queue = [];
    this.queuedBytes = 0;
    this.makeRoom();
    return rest;
  }

  private makeRoom(): void {
    if (!this.room || (!this.error && (this.queue.length >= MAX_QUEUED || this.queuedBytes >= MAX_QUEUED_BYTES))) return;
    const { resolve } = this.room;
    this.room = undefined;
    resolve();
  }
}
