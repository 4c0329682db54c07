/**
 * Length-preserving ciphers that the non-AEAD constructions combine with a MAC: AES-CTR (RFC 4344), the
 * legacy CBC ciphers (RFC 4253 §6.3) and the identity transform of the initial unencrypted state. All are
 * streams: each call continues where the last one stopped (CBC chains across packets, as SSH requires),
 * so one direction keeps a single instance for the life of its keys.
 */
import { createCipheriv, createDecipheriv, type Cipher, type Decipher } from 'node:crypto';
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

/** OpenSSL names of the CBC ciphers OpenSSH still offers when asked (`Ciphers +aes128-cbc`). */
const CBC_ALGORITHMS: Readonly<Record<string, { openssl: string; blockSize: number }>> = {
  'aes128-cbc': { openssl: 'aes-128-cbc', blockSize: 16 },
  'aes192-cbc': { openssl: 'aes-192-cbc', blockSize: 16 },
  'aes256-cbc': { openssl: 'aes-256-cbc', blockSize: 16 },
  '3des-cbc': { openssl: 'des-ede3-cbc', blockSize: 8 },
};

/**
 * A CBC cipher for one direction. Unlike CTR, encryption and decryption differ, hence `decrypt`. Data
 * always comes in whole blocks (the codec pads packets to the block size), so OpenSSL padding is off.
 */
export function cbc(name: string, key: Buffer, iv: Buffer, decrypt: boolean): StreamCipher {
  const alg = CBC_ALGORITHMS[name];
  if (alg === undefined) throw new TsshError('INTERNAL', `${name} is not a CBC cipher`);
  let context: Cipher | Decipher;
  try {
    context = (decrypt ? createDecipheriv : createCipheriv)(alg.openssl, key, iv).setAutoPadding(false);
  } catch (err) {
    throw new TsshError('INTERNAL', `${name}: ${(err as Error).message}`);
  }
  return { blockSize: alg.blockSize, update: (data) => context.update(data) };
}

/** The 'none' cipher: bytes pass unchanged (copied, so callers may reuse their buffers). */
export function identityStream(): StreamCipher {
  return { blockSize: 8, update: (data) => Buffer.from(data) };
}
