import { Duplex } from 'node:stream';

/** A small deterministic PRNG (mulberry32) so a failing split pattern can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface PairOptions {
  /** Deliver each write in pieces cut at random points (seeded), to exercise every framing boundary. */
  splitSeed?: number;
  /** Lets a test see or alter bytes travelling server → client (e.g. flip a bit). */
  tamperToClient?: (chunk: Buffer, offset: number) => Buffer;
}

class Endpoint extends Duplex {
  peer!: Endpoint;
  constructor(private readonly deliver: (chunk: Buffer, peer: Endpoint) => void) {
    super({ allowHalfOpen: false });
  }
  override _read(): void {}
  override _write(chunk: Buffer, _enc: BufferEncoding, callback: (err?: Error | null) => void): void {
    this.deliver(chunk, this.peer);
    callback();
  }
  override _final(callback: () => void): void {
    setImmediate(() => this.peer.push(null));
    callback();
  }
  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    setImmediate(() => {
      if (!this.peer.destroyed) this.peer.push(null);
    });
    callback(err);
  }
}

/** Two connected in-memory Duplex streams: [client side, server side]. Delivery is asynchronous like a socket. */
export function memoryPair(options: PairOptions = {}): [Duplex, Duplex] {
  const random = options.splitSeed === undefined ? undefined : seededRandom(options.splitSeed);
  let toClientOffset = 0;
  const send = (chunk: Buffer, peer: Endpoint): void => {
    const pieces: Buffer[] = [];
    if (random) {
      let rest = Buffer.from(chunk);
      while (rest.length > 0) {
        const n = 1 + Math.floor(random() * Math.min(rest.length, 3000));
        pieces.push(rest.subarray(0, n));
        rest = rest.subarray(n);
      }
    } else {
      pieces.push(Buffer.from(chunk));
    }
    setImmediate(() => {
      for (const piece of pieces) if (!peer.destroyed) peer.push(piece);
    });
  };
  const client = new Endpoint(send);
  const server = new Endpoint((chunk, peer) => {
    let data: Buffer = Buffer.from(chunk);
    if (options.tamperToClient) data = options.tamperToClient(data, toClientOffset);
    toClientOffset += chunk.length;
    send(data, peer);
  });
  client.peer = server;
  server.peer = client;
  return [client, server];
}
