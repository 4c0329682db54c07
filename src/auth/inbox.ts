import { TsshError } from '../errors.js';

/** A message as it arrived: the payload and its sequence number (for "dispatch_protocol_error: ... seq N"). */
export interface Received {
  payload: Buffer;
  seq: number;
}

/**
 * Turns pushed messages into awaited ones for request/response flows like user authentication.
 * Messages are kept in order; a waiter is failed when the connection ends.
 */
export class Inbox {
  private queue: Received[] = [];
  private waiter: { resolve: (p: Buffer) => void; reject: (e: TsshError) => void } | undefined;
  private error: TsshError | undefined;

  push(payload: Buffer, seq = 0): void {
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w.resolve(payload);
    } else {
      this.queue.push({ payload, seq });
    }
  }

  fail(err: TsshError): void {
    this.error = err;
    this.waiter?.reject(err);
    this.waiter = undefined;
  }

  next(): Promise<Buffer> {
    const first = this.queue.shift();
    if (first) return Promise.resolve(first.payload);
    if (this.error) return Promise.reject(this.error);
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  /** Whatever arrived but was not consumed, handed to the next layer. */
  drain(): Received[] {
    const rest = this.queue;
    this.queue = [];
    return rest;
  }
}
