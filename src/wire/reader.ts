import { protocolError } from '../errors.js';
import { decodeText } from './text.js';

/**
 * Bounds-checked reader over one SSH message (RFC 4251 §5 data types). Every read that would run past
 * the end throws a protocol error; `end()` asserts nothing is left over.
 */
export class SshReader {
  private offset = 0;
  constructor(private readonly buf: Buffer, private readonly what = 'message') {}

  get remaining(): number {
    return this.buf.length - this.offset;
  }

  private need(n: number): void {
    if (n < 0 || this.offset + n > this.buf.length) {
      throw protocolError(`${this.what}: truncated (needed ${n} bytes at offset ${this.offset}, have ${this.remaining})`);
    }
  }

  byte(): number {
    this.need(1);
    return this.buf[this.offset++]!;
  }

  boolean(): boolean {
    return this.byte() !== 0;
  }

  uint32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  uint64(): bigint {
    this.need(8);
    const v = this.buf.readBigUInt64BE(this.offset);
    this.offset += 8;
    return v;
  }

  /** Raw bytes of a fixed length (no length prefix). Returns a view, not a copy. */
  raw(n: number): Buffer {
    this.need(n);
    const v = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return v;
  }

  /** A length-prefixed string as bytes (a view into the message). */
  string(): Buffer {
    const len = this.uint32();
    return this.raw(len);
  }

  /** A length-prefixed string decoded as UTF-8, losslessly (bytes that are not UTF-8 kept: see text.ts). */
  text(): string {
    return decodeText(this.string());
  }

  /** A comma-separated name-list (RFC 4251 §5); names are ASCII, anything else kept as text() keeps it. */
  nameList(): string[] {
    const s = decodeText(this.string());
    return s.length === 0 ? [] : s.split(',');
  }

  /** An mpint as its raw two's-complement bytes (sign byte included, as on the wire). */
  mpintBytes(): Buffer {
    return this.string();
  }

  /** An mpint as a non-negative bigint; negative values are a protocol error in every use SSH makes. */
  mpint(): bigint {
    const b = this.string();
    if (b.length === 0) return 0n;
    if (b[0]! & 0x80) throw protocolError(`${this.what}: negative mpint`);
    return BigInt('0x' + b.toString('hex'));
  }

  /** The rest of the buffer (a view). */
  rest(): Buffer {
    return this.raw(this.remaining);
  }

  /** Asserts the message was consumed exactly. */
  end(): void {
    if (this.remaining !== 0) throw protocolError(`${this.what}: ${this.remaining} unexpected trailing bytes`);
  }
}
