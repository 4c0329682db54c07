/**
 * UHASH, the universal hash inside UMAC (RFC 4418 §5), in plain JavaScript: the reference the
 * WebAssembly version (./uhash-wasm.ts) is tested against, and the fallback where WebAssembly is off.
 *
 * Three layers per 32-bit output word ("stream"; UMAC-64 has two, UMAC-128 four): NH compresses each
 * 1024-byte chunk to 64 bits, a polynomial hash mod 2^64 - 59 folds the chunk results (skipped when the
 * message is one chunk or less; mod 2^128 - 159 past 2^14 chunks), and an inner product mod 2^36 - 5
 * reduces that to 32 bits. Message words are little-endian, key words big-endian (the RFC's
 * ENDIAN-SWAP of the message, which OpenSSH's umac.c matches).
 */

/** Bytes of message each NH key covers, and the NH key shift between streams. */
export const CHUNK_BYTES = 1024;
const STREAM_KEY_SHIFT = 16;
/** Chunk results POLY64 takes before the hash ramps up to POLY128 (2^17 bytes of L1 output). */
const POLY64_CHUNKS = 1 << 14;

const P36 = (1n << 36n) - 5n;
const MASK64 = 0x01ffffff01ffffffn;
const MASK128 = 0x01ffffff01ffffff01ffffff01ffffffn;

/** RFC 4418 §5.3.3's POLY parameters: prime p, words from maxWord up are escaped, offset = 2^bits - p. */
interface PolyField {
  prime: bigint;
  maxWord: bigint;
  offset: bigint;
}
const POLY64: PolyField = { prime: (1n << 64n) - 59n, maxWord: (1n << 64n) - (1n << 32n), offset: 59n };
const POLY128: PolyField = { prime: (1n << 128n) - 159n, maxWord: (1n << 128n) - (1n << 96n), offset: 159n };

export type UhashStreams = 2 | 4;

/** The subkeys UHASH needs, derived once per UMAC key (RFC 4418 §5.1). */
export interface UhashKeys {
  readonly streams: UhashStreams;
  /** L1: NH key words (1024 + 16 * (streams - 1) bytes of KDF output, read big-endian). */
  readonly nh: Uint32Array;
  /** L2: per stream, the 64-bit and 128-bit polynomial keys, masked to their domains. */
  readonly poly64: readonly bigint[];
  readonly poly128: readonly bigint[];
  /** L3: per stream, eight inner-product keys mod 2^36 - 5, and the 32-bit output mask. */
  readonly inner: readonly (readonly bigint[])[];
  readonly outer: Uint32Array;
}

/** UHASH of message || more: one 32-bit value per stream (the tag before the pad, as numbers). */
export type Uhash = (message: Uint8Array, more?: Uint8Array) => Uint32Array;

function readBig(bytes: Uint8Array, offset: number, length: number): bigint {
  let value = 0n;
  for (let i = 0; i < length; i++) value = (value << 8n) | BigInt(bytes[offset + i]!);
  return value;
}

/**
 * Splits the KDF output for indices 1-4 into UHASH's subkeys. `kdf(index, length)` is RFC 4418's
 * KDF(K, index, length) under the UMAC key.
 */
export function uhashKeys(kdf: (index: number, length: number) => Uint8Array, streams: UhashStreams): UhashKeys {
  const l1 = kdf(1, CHUNK_BYTES + STREAM_KEY_SHIFT * (streams - 1));
  const nh = new Uint32Array(l1.length / 4);
  for (let i = 0; i < nh.length; i++) nh[i] = Number(readBig(l1, 4 * i, 4));
  const l2 = kdf(2, 24 * streams);
  const l3 = kdf(3, 64 * streams);
  const l3b = kdf(4, 4 * streams);
  const perStream = Array.from({ length: streams }, (_, s) => s);
  return {
    streams,
    nh,
    poly64: perStream.map((s) => readBig(l2, 24 * s, 8) & MASK64),
    poly128: perStream.map((s) => readBig(l2, 24 * s + 8, 16) & MASK128),
    inner: perStream.map((s) => Array.from({ length: 8 }, (_, j) => readBig(l3, 64 * s + 8 * j, 8) % P36)),
    outer: Uint32Array.from(perStream, (s) => Number(readBig(l3b, 4 * s, 4))),
  };
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * NH over one zero-padded chunk for the stream whose key starts at word `keyOffset`, plus the chunk's
 * length in bits, mod 2^64. The 32x32-bit products are split into 16-bit halves so that every partial
 * sum stays exact in a double (a chunk has at most 128 products per stream).
 */
function nh(words: Uint32Array, wordCount: number, key: Uint32Array, keyOffset: number, bits: number): bigint {
  let lo = 0;
  let mid = 0;
  let hi = 0;
  for (let i = 0; i < wordCount; i += 8) {
    for (let j = 0; j < 4; j++) {
      const a = (words[i + j]! + key[keyOffset + i + j]!) >>> 0;
      const b = (words[i + j + 4]! + key[keyOffset + i + j + 4]!) >>> 0;
      const al = a & 0xffff;
      const ah = a >>> 16;
      const bl = b & 0xffff;
      const bh = b >>> 16;
      lo += al * bl;
      mid += al * bh + ah * bl;
      hi += ah * bh;
    }
  }
  // sum = hi * 2^32 + mid * 2^16 + lo + bits, taken mod 2^64 as two 32-bit halves.
  const low = lo + (mid % 65536) * 65536 + bits;
  const lowWord = low % 4294967296;
  const highWord = (hi + Math.floor(mid / 65536) + Math.floor(low / 4294967296)) % 4294967296;
  return (BigInt(highWord) << 32n) | BigInt(lowWord);
}

/** One POLY step: a word at or above maxWord goes in as the marker p - 1, then as word - offset. */
function polyStep(y: bigint, key: bigint, word: bigint, field: PolyField): bigint {
  const { prime, maxWord, offset } = field;
  if (word >= maxWord) {
    y = (key * y + (prime - 1n)) % prime;
    return (key * y + (word - offset)) % prime;
  }
  return (key * y + word) % prime;
}

/** L2 state of one stream: POLY64 over the chunk results, ramping to POLY128 after 2^14 of them. */
class PolyState {
  private y = 1n;
  private count = 0;
  private wide = false;
  private pending: bigint | undefined;

  constructor(
    private readonly key64: bigint,
    private readonly key128: bigint,
  ) {}

  add(chunk: bigint): void {
    if (!this.wide && this.count === POLY64_CHUNKS) {
      // M is longer than 2^17 bytes: POLY64 of its first 2^17 bytes becomes POLY128's first word.
      this.wide = true;
      this.y = polyStep(1n, this.key128, this.y, POLY128);
    }
    if (!this.wide) {
      this.y = polyStep(this.y, this.key64, chunk, POLY64);
      this.count++;
      return;
    }
    if (this.pending === undefined) {
      this.pending = chunk;
      return;
    }
    this.y = polyStep(this.y, this.key128, (this.pending << 64n) | chunk, POLY128);
    this.pending = undefined;
  }

  /** The 128-bit L2 result: 0 || POLY64, or POLY128 after the 0x80-and-zeros padding. */
  finish(): bigint {
    if (!this.wide) return this.y;
    const last = this.pending === undefined ? 0x80n << 120n : (this.pending << 64n) | (0x80n << 56n);
    return polyStep(this.y, this.key128, last, POLY128);
  }
}

/** L3 (RFC 4418 §5.4): inner product of the eight 16-bit words of `value` with the keys, mod 2^36 - 5. */
function innerProduct(value: bigint, keys: readonly bigint[], outer: number): number {
  let sum = 0n;
  for (let j = 0; j < 8; j++) sum += ((value >> BigInt(112 - 16 * j)) & 0xffffn) * keys[j]!;
  return (Number((sum % P36) & 0xffffffffn) ^ outer) >>> 0;
}

/** A JavaScript UHASH over fixed subkeys. */
export function jsUhash(keys: UhashKeys): Uhash {
  const chunk = new Uint8Array(CHUNK_BYTES);
  const words = new Uint32Array(chunk.buffer);
  const bytesView = new DataView(chunk.buffer);
  const streams = keys.streams;

  /** Copies bytes [start, start + length) of message || more into the chunk buffer, zero-padded to 32. */
  function load(message: Uint8Array, more: Uint8Array | undefined, start: number, length: number): number {
    const fromMessage = Math.max(0, Math.min(length, message.length - start));
    chunk.set(message.subarray(start, start + fromMessage), 0);
    if (fromMessage < length) chunk.set(more!.subarray(start + fromMessage - message.length, start + length - message.length), fromMessage);
    const padded = Math.max(32, Math.ceil(length / 32) * 32);
    chunk.fill(0, length, padded);
    const wordCount = padded / 4;
    if (!LITTLE_ENDIAN) for (let i = 0; i < wordCount; i++) words[i] = bytesView.getUint32(4 * i, true);
    return wordCount;
  }

  return (message, more) => {
    const total = message.length + (more?.length ?? 0);
    const out = new Uint32Array(streams);
    if (total <= CHUNK_BYTES) {
      const wordCount = load(message, more, 0, total);
      for (let s = 0; s < streams; s++) {
        out[s] = innerProduct(nh(words, wordCount, keys.nh, 4 * s, total * 8), keys.inner[s]!, keys.outer[s]!);
      }
      return out;
    }
    const states = Array.from({ length: streams }, (_, s) => new PolyState(keys.poly64[s]!, keys.poly128[s]!));
    for (let start = 0; start < total; start += CHUNK_BYTES) {
      const length = Math.min(CHUNK_BYTES, total - start);
      const wordCount = load(message, more, start, length);
      for (let s = 0; s < streams; s++) states[s]!.add(nh(words, wordCount, keys.nh, 4 * s, length * 8));
    }
    for (let s = 0; s < streams; s++) out[s] = innerProduct(states[s]!.finish(), keys.inner[s]!, keys.outer[s]!);
    return out;
  };
}
