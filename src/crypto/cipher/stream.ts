/**
 * Length-preserving ciphers that the non-AEAD constructions combine with an HMAC: AES-CTR (RFC 4344) and the
 * identity transform of the initial unencrypted state. Both are streams: each call continues where the last
 * one stopped, so one direction keeps a single instance for the life of its keys.
 */
import { createCipheriv, type Cipher } from 'node:crypto';
import { TsshError } from '../../errors.js';

export interface StreamCipher {
  /** Padding granularity (RFC 4253 §6: the cipher block size, at least 8). */
  readonly blockSize: number;
  /** Encrypts or decrypts the next `data.length` bytes of the stream into a new buffer. */
  update(data: Uint8Array): Buffer;
}

/** AES in counter mode; the SSH IV is the initial 128-bit big-endian counter, exactly OpenSSL's CTR IV. */
export function aesCtr(key: Buffer, iv: Buffer): StreamCipher {
  const algorithm = `aes-${key.length * 8}-ctr`;
  if (![16, 24, 32].includes(key.length) || iv.length !== 16) {
    throw new TsshError('INTERNAL', `${algorithm}: bad key (${key.length}) or IV (${iv.length}) length`);
  }
  // Encryption and decryption are the same keystream XOR; one persistent context keeps the counter.
  const cipher: Cipher = createCipheriv(algorithm, key, iv);
  return { blockSize: 16, update: (data) => cipher.update(data) };
}

/** The 'none' cipher: bytes pass unchanged (copied, so callers may reuse their buffers). */
export function identityStream(): StreamCipher {
  return { blockSize: 8, update: (data) => Buffer.from(data) };
}
