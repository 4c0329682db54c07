import { createDiffieHellman, getDiffieHellman, randomBytes } from 'node:crypto';
import { protocolError } from '../../errors.js';
import type { SshReader } from '../../wire/reader.js';
import { SshWriter, unsignedToMpint } from '../../wire/writer.js';
import { kexError } from './exchange-hash.js';

/** A finite-field DH group: prime p and generator g as unsigned big-endian bytes. */
export interface DhGroup {
  readonly p: Buffer;
  readonly g: Buffer;
  readonly pValue: bigint;
  readonly bits: number;
}

/** RFC 3526 MODP groups by size, as node ships them (2048 = group14 ... 8192 = group18); generator 2. */
export const MODP_GROUPS = { 2048: 'modp14', 3072: 'modp15', 4096: 'modp16', 6144: 'modp17', 8192: 'modp18' } as const;
export type ModpBits = keyof typeof MODP_GROUPS;
/** The RFC 3526 groups, and RFC 2409's 1024-bit Oakley group 2 (diffie-hellman-group1-sha1 only). */
export type ModpName = (typeof MODP_GROUPS)[ModpBits] | 'modp2';
export const MODP_BITS: readonly ModpBits[] = [2048, 3072, 4096, 6144, 8192];
/**
 * The groups OpenSSL recognises, so node:crypto's DH skips its primality check for them. Not modp2: for
 * the 1024-bit group that check costs ~150 ms per key, BigInt arithmetic ~7 ms.
 */
const NAMED_GROUPS: readonly (readonly [ModpName, number])[] = MODP_BITS.map((bits) => [MODP_GROUPS[bits], bits] as const);

/**
 * RFC 2409 §6.2's prime, written out: node has it as 'modp2', but builds that group with a primality
 * check costing ~90 ms each time (OpenSSL does not recognise the 1024-bit group).
 */
const OAKLEY_GROUP_2 = Buffer.from(
  'ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74' +
    '020bbea63b139b22514a08798e3404ddef9519b3cd3a431b302b0a6df25f1437' +
    '4fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b0bff5cb6f406b7ed' +
    'ee386bfb5a899fa5ae9f24117c4b1fe649286651ece65381ffffffffffffffff',
  'hex',
);

export function modpGroup(name: ModpName): DhGroup {
  return dhGroup(name === 'modp2' ? OAKLEY_GROUP_2 : getDiffieHellman(name).getPrime(), Buffer.from([2]));
}

export function dhGroup(p: Buffer, g: Buffer): DhGroup {
  const pValue = toBigInt(p);
  return { p: stripZeros(p), g: stripZeros(g), pValue, bits: pValue.toString(2).length };
}

/**
 * Private exponents of 1024 bits. OpenSSH uses twice the key bits the negotiated cipher and MAC need,
 * at most 2 * 512 (chacha20-poly1305, hmac-sha2-512), so this is never weaker than OpenSSH.
 */
const EXPONENT_BYTES = 128;

/** Whether OpenSSL's DH is fast for this group. */
function isNamedGroup(group: DhGroup): boolean {
  return NAMED_GROUPS.some(([name, bits]) => bits === group.bits && getDiffieHellman(name).getPrime().equals(group.p));
}

/** An ephemeral DH key; values are exchanged as mpint contents (canonical two's-complement bytes). */
export function dhEphemeral(group: DhGroup): { publicValue: Buffer; complete(peerValue: Buffer): Buffer } {
  // node:crypto runs OpenSSL's DH_check on any other prime: a full primality test that takes tens of
  // seconds for the 8192-bit groups DH-GEX servers send. Those groups use BigInt arithmetic instead
  // (~80 ms per exponentiation with a 1024-bit exponent).
  if (!isNamedGroup(group)) return bigintEphemeral(group);
  const dh = createDiffieHellman(group.p, group.g);
  const exponent = randomBytes(Math.min(EXPONENT_BYTES, Math.floor((group.bits - 1) / 8)));
  exponent[0]! |= 0x80;
  dh.setPrivateKey(exponent);
  exponent.fill(0);
  const publicValue = unsignedToMpint(dh.generateKeys());
  checkDhValue(publicValue, group, 'own');
  return {
    publicValue,
    complete(peerValue) {
      checkDhValue(peerValue, group, 'peer');
      let secret: Buffer;
      try {
        secret = dh.computeSecret(stripZeros(peerValue));
      } catch (err) {
        throw kexError('invalid peer public DH value', err);
      }
      const k = Buffer.from(new SshWriter(group.p.length + 8).mpintFromUnsigned(secret).finish());
      secret.fill(0);
      return k;
    },
  };
}

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  base %= modulus;
  while (exponent > 0n) {
    if (exponent & 1n) result = (result * base) % modulus;
    exponent >>= 1n;
    base = (base * base) % modulus;
  }
  return result;
}

function bigintEphemeral(group: DhGroup): { publicValue: Buffer; complete(peerValue: Buffer): Buffer } {
  const exponentBytes = randomBytes(Math.min(EXPONENT_BYTES, Math.floor((group.bits - 1) / 8)));
  exponentBytes[0]! |= 0x80;
  const x = toBigInt(exponentBytes);
  exponentBytes.fill(0);
  const publicValue = unsignedToMpint(toBuffer(modPow(toBigInt(group.g), x, group.pValue)));
  checkDhValue(publicValue, group, 'own');
  return {
    publicValue,
    complete(peerValue) {
      checkDhValue(peerValue, group, 'peer');
      const secret = modPow(toBigInt(peerValue), x, group.pValue);
      return Buffer.from(new SshWriter(group.p.length + 8).mpintFromUnsigned(toBuffer(secret)).finish());
    },
  };
}

function toBuffer(value: bigint): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  return Buffer.from(hex, 'hex');
}

/** Reads an mpint DH value and returns its canonical content (leading zeros dropped, sign byte kept). */
export function readDhValue(r: SshReader): Buffer {
  const raw = r.mpintBytes();
  if (raw.length > 0 && raw[0]! & 0x80) throw protocolError('negative DH value');
  return unsignedToMpint(raw);
}

/** OpenSSH's dh_pub_is_valid: 1 < y < p-1 and more than a few bits set (y = 2^k would leak x). */
function checkDhValue(value: Buffer, group: DhGroup, whose: string): void {
  const y = toBigInt(value);
  if (y <= 1n || y >= group.pValue - 1n) throw kexError(`invalid ${whose} public DH value: out of range`);
  let bitsSet = 0;
  for (const digit of y.toString(16)) {
    bitsSet += BITS_IN_HEX_DIGIT[parseInt(digit, 16)]!;
    if (bitsSet >= 4) return;
  }
  throw kexError(`invalid ${whose} public DH value (${bitsSet}/${group.bits})`);
}

const BITS_IN_HEX_DIGIT = [0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4];

/** The number of one bits in a DH value, which ssh -vv logs as `bits set: <count>/<group bits>`. */
export function bitsSet(value: Buffer): number {
  let count = 0;
  for (const byte of value) count += BITS_IN_HEX_DIGIT[byte >> 4]! + BITS_IN_HEX_DIGIT[byte & 15]!;
  return count;
}

export function toBigInt(bytes: Buffer): bigint {
  return bytes.length === 0 ? 0n : BigInt('0x' + bytes.toString('hex'));
}

function stripZeros(bytes: Buffer): Buffer {
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  return bytes.subarray(i);
}
