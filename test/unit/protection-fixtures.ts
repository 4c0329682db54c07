/** Shared helpers for the packet-protection tests: algorithm combinations, deterministic keys, packets. */
import { createHash } from 'node:crypto';
import { SUPPORTED_CIPHER_NAMES, SUPPORTED_MAC_NAMES } from '../../src/crypto/names.js';
import { cipherInfo, macInfo } from '../../src/crypto/protection.js';
import type { DirectionKeys } from '../../src/crypto/cipher/types.js';

export interface Combination {
  cipher: string;
  mac: string | undefined;
  label: string;
}

/** Every negotiable cipher × MAC, legacy ones included (AEAD ciphers without a MAC), plus 'none' with and without a MAC. */
export function allCombinations(): Combination[] {
  const combos: Combination[] = [];
  for (const cipher of [...SUPPORTED_CIPHER_NAMES, 'none']) {
    const macs: (string | undefined)[] = cipherInfo(cipher)!.aead ? [undefined] : [...SUPPORTED_MAC_NAMES];
    if (cipher === 'none') macs.unshift(undefined);
    for (const mac of macs) combos.push({ cipher, mac, label: mac ? `${cipher} + ${mac}` : cipher });
  }
  return combos;
}

/** Deterministic pseudo-random bytes (SHA-256 in counter mode over a label). */
export function bytes(length: number, label: string): Buffer {
  const out = Buffer.alloc(length);
  for (let block = 0; block * 32 < length; block++) {
    createHash('sha256').update(`${label}/${block}`).digest().copy(out, block * 32);
  }
  return out;
}

export function keysFor(cipher: string, mac: string | undefined, label = 'keys'): DirectionKeys {
  const info = cipherInfo(cipher)!;
  return {
    key: bytes(info.keyLength, `${label}/key`),
    iv: bytes(info.ivLength, `${label}/iv`),
    macKey: bytes(mac ? macInfo(mac)!.keyLength : 0, `${label}/mac`),
  };
}

/**
 * An RFC 4253 §6 packet around `payload`, padded (at least 4 bytes) so that the encrypted part, which
 * excludes the first `aadLength` bytes, is a multiple of `blockSize`.
 */
export function buildPacket(payload: Buffer, blockSize: number, aadLength: number, label = 'padding'): Buffer {
  let padding = blockSize - ((4 + 1 + payload.length + 4 - aadLength) % blockSize) + 4;
  if (padding >= blockSize + 4) padding -= blockSize;
  const packet = Buffer.alloc(4 + 1 + payload.length + padding);
  packet.writeUInt32BE(packet.length - 4, 0);
  packet[4] = padding;
  payload.copy(packet, 5);
  bytes(padding, label).copy(packet, 5 + payload.length);
  return packet;
}
