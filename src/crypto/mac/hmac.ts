/**
 * The HMAC algorithms of RFC 4253 §6.4 / RFC 6668 and their OpenSSH encrypt-then-MAC variants. The MAC is
 * always computed over uint32 sequence_number || bytes; which bytes (plaintext or ciphertext) is decided
 * by the packet construction in ./encrypt-and-mac.ts and ./encrypt-then-mac.ts. The -96 forms send the
 * first 12 bytes of the digest; their key is still the digest's full length (RFC 2104, OpenSSH mac.c).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { DisconnectReason, TsshError } from '../../errors.js';
import type { MacInfo } from '../cipher/types.js';
import type { PacketMac } from './packet-mac.js';

interface HmacAlgorithm extends MacInfo {
  /** node:crypto digest name. */
  readonly hash: string;
}

function hmacAlgorithm(name: string, hash: string, length: number, etm: boolean, truncated = length): HmacAlgorithm {
  return Object.freeze({ name, hash, keyLength: length, macLength: truncated, etm });
}

const HMAC_ALGORITHMS: ReadonlyMap<string, HmacAlgorithm> = new Map(
  [
    hmacAlgorithm('hmac-sha2-256-etm@openssh.com', 'sha256', 32, true),
    hmacAlgorithm('hmac-sha2-512-etm@openssh.com', 'sha512', 64, true),
    hmacAlgorithm('hmac-sha1-etm@openssh.com', 'sha1', 20, true),
    hmacAlgorithm('hmac-sha2-256', 'sha256', 32, false),
    hmacAlgorithm('hmac-sha2-512', 'sha512', 64, false),
    hmacAlgorithm('hmac-sha1', 'sha1', 20, false),
    // Legacy, off by default (OpenSSH still knows them: `MACs +hmac-md5`).
    hmacAlgorithm('hmac-sha1-96', 'sha1', 20, false, 12),
    hmacAlgorithm('hmac-md5', 'md5', 16, false),
    hmacAlgorithm('hmac-md5-96', 'md5', 16, false, 12),
    hmacAlgorithm('hmac-sha1-96-etm@openssh.com', 'sha1', 20, true, 12),
    hmacAlgorithm('hmac-md5-etm@openssh.com', 'md5', 16, true),
    hmacAlgorithm('hmac-md5-96-etm@openssh.com', 'md5', 16, true, 12),
  ].map((alg) => [alg.name, alg]),
);

/** The public description of a MAC algorithm, or undefined if tssh does not implement it. */
export function hmacInfo(name: string): MacInfo | undefined {
  const alg = HMAC_ALGORITHMS.get(name);
  return alg && { name: alg.name, keyLength: alg.keyLength, macLength: alg.macLength, etm: alg.etm };
}

/** The error every failed packet authentication raises (OpenSSH: "Corrupted MAC on input."). */
export function corruptedMac(): TsshError {
  return new TsshError('MAC', 'Corrupted MAC on input.', { disconnectReason: DisconnectReason.MAC_ERROR });
}

/** Constant-time tag comparison; a length mismatch is simply a failure. */
export function tagsEqual(expected: Uint8Array, received: Uint8Array): boolean {
  return expected.length === received.length && timingSafeEqual(expected, received);
}

/** One direction's HMAC key: computes and checks MAC(key, uint32 seq || parts...). */
export class PacketHmac implements PacketMac {
  readonly info: MacInfo;
  private readonly hash: string;
  private readonly key: Buffer;
  private readonly seqBytes = Buffer.allocUnsafe(4);

  constructor(name: string, key: Buffer) {
    const alg = HMAC_ALGORITHMS.get(name);
    if (!alg) throw new TsshError('INTERNAL', `Unsupported MAC algorithm ${name}`);
    if (key.length !== alg.keyLength) {
      throw new TsshError('INTERNAL', `${name} needs a ${alg.keyLength}-byte key, got ${key.length}`);
    }
    this.info = hmacInfo(name)!;
    this.hash = alg.hash;
    this.key = Buffer.from(key);
  }

  get length(): number {
    return this.info.macLength;
  }

  /** HMAC over uint32 seq || a || b (b lets callers avoid joining a decrypted head and body). */
  compute(seq: number, a: Uint8Array, b?: Uint8Array): Buffer {
    this.seqBytes.writeUInt32BE(seq >>> 0, 0);
    const hmac = createHmac(this.hash, this.key).update(this.seqBytes).update(a);
    if (b !== undefined) hmac.update(b);
    const digest = hmac.digest();
    return digest.length === this.info.macLength ? digest : digest.subarray(0, this.info.macLength);
  }

  /** Throws "Corrupted MAC on input." unless `received` is the MAC of seq || a || b. */
  verify(seq: number, received: Uint8Array, a: Uint8Array, b?: Uint8Array): void {
    if (!tagsEqual(this.compute(seq, a, b), received)) throw corruptedMac();
  }
}
