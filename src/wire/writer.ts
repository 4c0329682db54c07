import { encodeText } from './text.js';

/**
 * Growable writer for SSH messages (RFC 4251 §5 data types). `finish()` returns the bytes written.
 */
export class SshWriter {
  private buf: Buffer;
  private offset = 0;

  constructor(initialSize = 256) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  private ensure(n: number): void {
    if (this.offset + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.offset + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.offset);
    this.buf = next;
  }

  byte(v: number): this {
    this.ensure(1);
    this.buf[this.offset++] = v & 0xff;
    return this;
  }

  boolean(v: boolean): this {
    return this.byte(v ? 1 : 0);
  }

  uint32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.offset);
    this.offset += 4;
    return this;
  }

  uint64(v: bigint): this {
    this.ensure(8);
    this.buf.writeBigUInt64BE(v, this.offset);
    this.offset += 8;
    return this;
  }

  raw(bytes: Uint8Array): this {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.offset);
    this.offset += bytes.length;
    return this;
  }

  /** A length-prefixed string; a JS string is written as UTF-8 (with text.ts's escaped bytes restored). */
  string(v: Uint8Array | string): this {
    const bytes = typeof v === 'string' ? encodeText(v) : v;
    this.uint32(bytes.length);
    return this.raw(bytes);
  }

  nameList(names: readonly string[]): this {
    return this.string(names.join(','));
  }

  /** An mpint from a non-negative bigint, minimal two's-complement encoding. */
  mpint(v: bigint): this {
    return this.string(mpintBytes(v));
  }

  /** An mpint from unsigned big-endian magnitude bytes (leading zeros stripped, sign byte added). */
  mpintFromUnsigned(bytes: Uint8Array): this {
    return this.string(unsignedToMpint(bytes));
  }

  finish(): Buffer {
    return this.buf.subarray(0, this.offset);
  }
}

export function mpintBytes(v: bigint): Buffer {
  if (v < 0n) throw new RangeError('negative mpint');
  if (v === 0n) return Buffer.alloc(0);
  let hex = v.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  return unsignedToMpint(Buffer.from(hex, 'hex'));
}

export function unsignedToMpint(bytes: Uint8Array): Buffer {
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  const magnitude = Buffer.from(bytes.buffer, bytes.byteOffset + i, bytes.length - i);
  if (magnitude.length === 0) return Buffer.alloc(0);
  if (magnitude[0]! & 0x80) return Buffer.concat([Buffer.from([0]), magnitude]);
  return Buffer.from(magnitude);
}

/** Convenience: build a message starting with its type byte. */
export function message(type: number): SshWriter {
  return new SshWriter().byte(type);
}
