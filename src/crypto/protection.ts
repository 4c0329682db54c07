/**
 * Packet protection by wire name: builds the PacketSealer/PacketOpener pair for a negotiated cipher and
 * MAC (RFC 4253 §6, OpenSSH PROTOCOL) and describes each algorithm's key, IV, block and tag sizes.
 */
import { TsshError } from '../errors.js';
import { aesGcmOpener, aesGcmSealer } from './cipher/aes-gcm.js';
import { chachaPolyOpener, chachaPolySealer } from './cipher/chacha20-poly1305.js';
import { aesCtr, cbc, identityStream, type StreamCipher } from './cipher/stream.js';
import type { CipherInfo, DirectionKeys, MacInfo, PacketOpener, PacketSealer } from './cipher/types.js';
import { encryptAndMacOpener, encryptAndMacSealer } from './mac/encrypt-and-mac.js';
import { encryptThenMacOpener, encryptThenMacSealer } from './mac/encrypt-then-mac.js';
import { PacketHmac, hmacInfo } from './mac/hmac.js';
import type { PacketMac } from './mac/packet-mac.js';
import { PacketUmac, umacInfo } from './mac/umac.js';

interface CipherAlgorithm extends CipherInfo {
  /** AEAD ciphers build the whole construction; stream ciphers are combined with a MAC. */
  readonly aeadSealer?: (keys: DirectionKeys) => PacketSealer;
  readonly aeadOpener?: (keys: DirectionKeys) => PacketOpener;
  readonly stream?: (keys: DirectionKeys, decrypt: boolean) => StreamCipher;
  /** CBC: see PacketOpener.discardOnError. */
  readonly cbc?: boolean;
}

const ctr = (keys: DirectionKeys): StreamCipher => aesCtr(keys.key, keys.iv);

/** Legacy CBC ciphers (off by default, as in OpenSSH): RFC 4253 §6.3, IV = one block. */
const cbcCipher = (name: string, keyLength: number, blockSize: number): CipherAlgorithm => ({
  name,
  keyLength,
  ivLength: blockSize,
  blockSize,
  aead: false,
  cbc: true,
  stream: (keys, decrypt) => cbc(name, keys.key, keys.iv, decrypt),
});

const CIPHERS: ReadonlyMap<string, CipherAlgorithm> = new Map(
  (
    [
      { name: 'none', keyLength: 0, ivLength: 0, blockSize: 8, aead: false, stream: identityStream },
      { name: 'aes128-ctr', keyLength: 16, ivLength: 16, blockSize: 16, aead: false, stream: ctr },
      { name: 'aes192-ctr', keyLength: 24, ivLength: 16, blockSize: 16, aead: false, stream: ctr },
      { name: 'aes256-ctr', keyLength: 32, ivLength: 16, blockSize: 16, aead: false, stream: ctr },
      ...['aes128-gcm@openssh.com', 'aes256-gcm@openssh.com'].map((name) => ({
        name,
        keyLength: name.startsWith('aes128') ? 16 : 32,
        ivLength: 12,
        blockSize: 16,
        aead: true,
        aeadSealer: aesGcmSealer,
        aeadOpener: aesGcmOpener,
      })),
      {
        name: 'chacha20-poly1305@openssh.com',
        keyLength: 64,
        ivLength: 0,
        blockSize: 8,
        aead: true,
        aeadSealer: chachaPolySealer,
        aeadOpener: chachaPolyOpener,
      },
      cbcCipher('aes128-cbc', 16, 16),
      cbcCipher('aes192-cbc', 24, 16),
      cbcCipher('aes256-cbc', 32, 16),
      cbcCipher('3des-cbc', 24, 8),
    ] satisfies CipherAlgorithm[]
  ).map((alg) => [alg.name, alg]),
);

/** Describes a cipher by wire name (including 'none'), or undefined if tssh does not implement it. */
export function cipherInfo(name: string): CipherInfo | undefined {
  const alg = CIPHERS.get(name);
  return alg && { name: alg.name, keyLength: alg.keyLength, ivLength: alg.ivLength, blockSize: alg.blockSize, aead: alg.aead };
}

/**
 * OpenSSH's cipher_seclen: the key bytes that count as security when sizing a DH group. Two-key-strength
 * 3DES gives 14 (112 bits) from its 24-byte key; every other cipher its key length.
 */
export function cipherSecurityBytes(name: string): number {
  return name === '3des-cbc' ? 14 : (CIPHERS.get(name)?.keyLength ?? 0);
}

/** Describes a MAC by wire name, or undefined if tssh does not implement it. */
export function macInfo(name: string): MacInfo | undefined {
  return hmacInfo(name) ?? umacInfo(name);
}

function packetMac(name: string, key: Buffer): PacketMac {
  return umacInfo(name) ? new PacketUmac(name, key) : new PacketHmac(name, key);
}

interface Construction {
  cipher: CipherAlgorithm;
  mac: PacketMac | undefined;
}

function construction(cipherName: string, macName: string | undefined, keys: DirectionKeys): Construction {
  const cipher = CIPHERS.get(cipherName);
  if (!cipher) throw new TsshError('INTERNAL', `Unsupported cipher ${cipherName}`);
  checkLength(cipherName, 'key', keys.key, cipher.keyLength);
  checkLength(cipherName, 'IV', keys.iv, cipher.ivLength);
  if (cipher.aead || macName === undefined) {
    if (cipher.name !== 'none' && !cipher.aead) throw new TsshError('INTERNAL', `${cipherName} needs a MAC`);
    return { cipher, mac: undefined };
  }
  return { cipher, mac: packetMac(macName, keys.macKey) };
}

function checkLength(algorithm: string, what: string, value: Buffer, expected: number): void {
  // 'none' and chacha have no IV; ignore whatever the caller derived for them.
  if (expected === 0 && what === 'IV') return;
  if (value.length !== expected) {
    throw new TsshError('INTERNAL', `${algorithm} needs a ${expected}-byte ${what}, got ${value.length}`);
  }
}

/** The sending half. `mac` is ignored for AEAD ciphers; with cipher 'none' an undefined mac means no MAC. */
export function createSealer(cipher: string, mac: string | undefined, keys: DirectionKeys): PacketSealer {
  const built = construction(cipher, mac, keys);
  if (built.cipher.aeadSealer) return built.cipher.aeadSealer(keys);
  const stream = built.cipher.stream!(keys, false);
  if (built.mac?.info.etm) return encryptThenMacSealer(stream, built.mac);
  return encryptAndMacSealer(stream, built.mac);
}

/** The receiving half; same conventions as createSealer. */
export function createOpener(cipher: string, mac: string | undefined, keys: DirectionKeys): PacketOpener {
  const built = construction(cipher, mac, keys);
  if (built.cipher.aeadOpener) return built.cipher.aeadOpener(keys);
  const stream = built.cipher.stream!(keys, true);
  if (built.mac?.info.etm) return encryptThenMacOpener(stream, built.mac);
  // The length sits in the first cipher block; 'none' has no blocks, so 4 bytes suffice.
  const opener = encryptAndMacOpener(stream, built.mac, built.cipher.name === 'none' ? 4 : stream.blockSize);
  return built.cipher.cbc ? { ...opener, discardOnError: true } : opener;
}

/** The initial state before the first NEWKEYS: no encryption, no MAC, 8-byte padding granularity. */
export function noneSealer(): PacketSealer {
  return encryptAndMacSealer(identityStream(), undefined);
}

export function noneOpener(): PacketOpener {
  return encryptAndMacOpener(identityStream(), undefined, 4);
}
