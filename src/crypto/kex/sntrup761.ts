/**
 * Streamlined NTRU Prime sntrup761, the post-quantum half of sntrup761x25519-sha512 (OpenSSH's
 * default key exchange from 9.0 to 9.8). Written from the NTRU Prime specification (round 3): rings
 * R/q = Z_q[x]/(x^p - x - 1) and R/3, short secrets of weight w, rounded ciphertexts, the
 * variable-radix Encode/Decode and the SHA-512 based hashes, with implicit rejection on decapsulation.
 * node:crypto and the noble libraries have no NTRU Prime.
 *
 * Work on secrets (inversion, multiplication, the weight check, the ciphertext comparison) takes the
 * same number of steps whatever the data, with no early exits; JavaScript promises nothing more.
 */
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { P, Q, freeze3, freezeQ, modInverse, multiply, reciprocal } from './sntrup761-arithmetic.js';

const W = 286;
const Q12 = (Q - 1) / 2;
/** The number of rounded values: multiples of 3 in [-Q12, Q12]. */
const ROUNDED_RADIX = (Q + 2) / 3;

export const SNTRUP761_SMALL_BYTES = Math.ceil(P / 4); // 191
export const SNTRUP761_PUBLIC_BYTES = 1158;
const ROUNDED_BYTES = 1007;
const CONFIRM_BYTES = 32;
export const SNTRUP761_CIPHERTEXT_BYTES = ROUNDED_BYTES + CONFIRM_BYTES; // 1039
export const SNTRUP761_SHARED_BYTES = 32;

/** What the key-pair owner keeps to decapsulate. */
export interface Sntrup761SecretKey {
  /** f, short (weight W, coefficients in {-1, 0, 1}). */
  f: Int8Array;
  /** 1/g in R/3. */
  ginv: Int8Array;
  /** The public key, h = g/(3f) in R/q, and its encoding. */
  h: Int16Array;
  publicKey: Buffer;
  /** Random bytes that stand in for the plaintext when a ciphertext is rejected (implicit rejection). */
  rho: Buffer;
  /** Hash_prefix(4, publicKey). */
  cache: Buffer;
}

// ---- random elements ----

/** A short polynomial: exactly W coefficients ±1 at random places, the rest 0. */
function shortRandom(): Int8Array {
  const out = new Int8Array(P);
  const positions = Array.from({ length: P }, (_, i) => i);
  const signs = randomBytes(W);
  for (let i = 0; i < W; i++) {
    const j = i + randomInt(P - i);
    [positions[i], positions[j]] = [positions[j]!, positions[i]!];
    out[positions[i]!] = signs[i]! & 1 ? 1 : -1;
  }
  return out;
}

/** A small polynomial: coefficients uniform in {-1, 0, 1}. */
function smallRandom(): Int8Array {
  const out = new Int8Array(P);
  const bytes = randomBytes(4 * P);
  for (let i = 0; i < P; i++) out[i] = Math.floor(((bytes.readUInt32LE(4 * i) & 0x3fffffff) * 3) / 2 ** 30) - 1;
  return out;
}

// ---- encodings ----

/** The specification's Encode: values R[i] < M[i], packed into bytes with radices merged pairwise. */
function encode(values: number[], radices: number[]): number[] {
  if (radices.length === 0) return [];
  const out: number[] = [];
  if (radices.length === 1) {
    let [r, m] = [values[0]!, radices[0]!];
    while (m > 1) {
      out.push(r % 256);
      r = Math.floor(r / 256);
      m = Math.floor((m + 255) / 256);
    }
    return out;
  }
  const values2: number[] = [];
  const radices2: number[] = [];
  for (let i = 0; i + 1 < radices.length; i += 2) {
    let m = radices[i]! * radices[i + 1]!;
    let r = values[i]! + radices[i]! * values[i + 1]!;
    while (m >= 16384) {
      out.push(r % 256);
      r = Math.floor(r / 256);
      m = Math.floor((m + 255) / 256);
    }
    values2.push(r);
    radices2.push(m);
  }
  if (radices.length % 2 === 1) {
    values2.push(values[values.length - 1]!);
    radices2.push(radices[radices.length - 1]!);
  }
  return out.concat(encode(values2, radices2));
}

/** The inverse of encode; every result is reduced below its radix, whatever the bytes. */
function decode(bytes: Uint8Array, radices: number[]): number[] {
  if (radices.length === 0) return [];
  if (radices.length === 1) {
    let value = 0;
    for (let i = bytes.length - 1; i >= 0; i--) value = (value * 256 + bytes[i]!) % radices[0]!;
    return [value];
  }
  let k = 0;
  const bottom: Array<[number, number]> = [];
  const radices2: number[] = [];
  for (let i = 0; i + 1 < radices.length; i += 2) {
    let m = radices[i]! * radices[i + 1]!;
    let r = 0;
    let t = 1;
    while (m >= 16384) {
      r += bytes[k++]! * t;
      t *= 256;
      m = Math.floor((m + 255) / 256);
    }
    bottom.push([r, t]);
    radices2.push(m);
  }
  if (radices.length % 2 === 1) radices2.push(radices[radices.length - 1]!);
  const top = decode(bytes.subarray(k), radices2);
  const out: number[] = [];
  for (let i = 0; i + 1 < radices.length; i += 2) {
    const [r0, t] = bottom[i / 2]!;
    const r = r0 + t * top[i / 2]!;
    out.push(r % radices[i]!, Math.floor(r / radices[i]!) % radices[i + 1]!);
  }
  if (radices.length % 2 === 1) out.push(top[top.length - 1]!);
  return out;
}

const RQ_RADICES = new Array<number>(P).fill(Q);
const ROUNDED_RADICES = new Array<number>(P).fill(ROUNDED_RADIX);

function encodeRq(h: Int16Array): Buffer {
  return Buffer.from(encode(Array.from(h, (c) => c + Q12), RQ_RADICES));
}

function decodeRq(bytes: Uint8Array): Int16Array {
  return Int16Array.from(decode(bytes, RQ_RADICES), (c) => c - Q12);
}

function encodeRounded(c: Int16Array): Buffer {
  return Buffer.from(encode(Array.from(c, (x) => (x + Q12) / 3), ROUNDED_RADICES));
}

function decodeRounded(bytes: Uint8Array): Int16Array {
  return Int16Array.from(decode(bytes, ROUNDED_RADICES), (x) => x * 3 - Q12);
}

/** Four coefficients per byte, each as c+1 in two bits. */
function encodeSmall(f: Int8Array): Buffer {
  const out = Buffer.alloc(SNTRUP761_SMALL_BYTES);
  for (let i = 0; i < P; i++) out[i >> 2]! |= (f[i]! + 1) << (2 * (i & 3));
  return out;
}

// ---- hashes ----

/** The first 32 bytes of SHA-512(b || input...). */
function hashPrefix(b: number, ...input: Uint8Array[]): Buffer {
  const hash = createHash('sha512').update(Uint8Array.of(b));
  for (const part of input) hash.update(part);
  return hash.digest().subarray(0, 32);
}

// ---- the KEM ----

export function sntrup761Keygen(): Sntrup761SecretKey {
  let g: Int8Array;
  let ginv: Int16Array | undefined;
  do {
    g = smallRandom();
    ginv = reciprocal(g, 3, 1);
  } while (ginv === undefined);
  const f = shortRandom();
  const f3inv = reciprocal(f, Q, modInverse(3, Q))!; // a short f is always invertible mod q (q is inert)
  const h = new Int16Array(P);
  multiply(g, f3inv, Q, h);
  g.fill(0);
  f3inv.fill(0);
  const publicKey = encodeRq(h);
  return { f, ginv: Int8Array.from(ginv), h, publicKey, rho: randomBytes(SNTRUP761_SMALL_BYTES), cache: hashPrefix(4, publicKey) };
}

/** The ciphertext for the short r: Round(h·r), then a hash confirming r. */
function hide(r: Int8Array, h: Int16Array, cache: Buffer): { ciphertext: Buffer; rEncoded: Buffer } {
  const hr = new Int16Array(P);
  multiply(r, h, Q, hr);
  for (let i = 0; i < P; i++) hr[i] = hr[i]! - freeze3(hr[i]!);
  const rEncoded = encodeSmall(r);
  const confirm = hashPrefix(2, hashPrefix(3, rEncoded), cache);
  return { ciphertext: Buffer.concat([encodeRounded(hr), confirm]), rEncoded };
}

export function sntrup761Encapsulate(publicKey: Uint8Array): { ciphertext: Buffer; sharedSecret: Buffer } {
  if (publicKey.length !== SNTRUP761_PUBLIC_BYTES) throw new RangeError('sntrup761: bad public key length');
  const h = decodeRq(publicKey);
  const r = shortRandom();
  const { ciphertext, rEncoded } = hide(r, h, hashPrefix(4, publicKey));
  r.fill(0);
  return { ciphertext, sharedSecret: hashPrefix(1, hashPrefix(3, rEncoded), ciphertext) };
}

/**
 * The shared secret for a ciphertext. A ciphertext that does not re-encrypt to itself yields an
 * unrelated key derived from rho (implicit rejection), never an error.
 */
export function sntrup761Decapsulate(ciphertext: Uint8Array, key: Sntrup761SecretKey): Buffer {
  if (ciphertext.length !== SNTRUP761_CIPHERTEXT_BYTES) throw new RangeError('sntrup761: bad ciphertext length');
  const c = decodeRounded(ciphertext.subarray(0, ROUNDED_BYTES));
  const cf = new Int16Array(P);
  multiply(key.f, c, Q, cf);
  const e = Int8Array.from(cf, (x) => freeze3(freezeQ(3 * x)));
  const ev = new Int8Array(P);
  multiply(e, key.ginv, 3, ev);
  let weight = 0;
  for (let i = 0; i < P; i++) weight += ev[i]! & 1; // 1 for ±1, 0 for 0
  // Not of weight W: decrypt to the fixed short vector (1,...,1,0,...,0) instead, without branching.
  const wrong = weight === W ? 0 : 1;
  const r = Int8Array.from(ev, (x, i) => x + wrong * ((i < W ? 1 : 0) - x));
  const { ciphertext: again, rEncoded } = hide(r, key.h, key.cache);
  let differ = 0;
  for (let i = 0; i < SNTRUP761_CIPHERTEXT_BYTES; i++) differ |= again[i]! ^ ciphertext[i]!;
  const rejected = differ === 0 ? 0 : 1;
  const chosen = Buffer.alloc(SNTRUP761_SMALL_BYTES);
  for (let i = 0; i < SNTRUP761_SMALL_BYTES; i++) chosen[i] = rEncoded[i]! ^ (-rejected & (rEncoded[i]! ^ key.rho[i]!));
  const shared = hashPrefix(1 - rejected, hashPrefix(3, chosen), ciphertext);
  for (const secret of [cf, e, ev, r, rEncoded, chosen]) secret.fill(0);
  return shared;
}

/** Wipes a secret key once it has served its one exchange. */
export function sntrup761Wipe(key: Sntrup761SecretKey): void {
  key.f.fill(0);
  key.ginv.fill(0);
  key.rho.fill(0);
}
