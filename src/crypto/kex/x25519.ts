import { createPrivateKey, createPublicKey, diffieHellman, randomBytes, type KeyObject } from 'node:crypto';
import { kexError } from './exchange-hash.js';

/** An X25519 key pair with the public half as the 32 raw bytes that go on the wire. */
export interface X25519KeyPair {
  publicKey: Buffer;
  privateKey: KeyObject;
}

/** PKCS#8 for an X25519 private key (RFC 8410): the 32 raw bytes follow. */
const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

/**
 * The private key is 32 random bytes imported as PKCS#8 (RFC 7748 clamps them when used), not
 * generateKeyPairSync: in Node 20 a generated key shares its lock with the key-generation job, and a
 * garbage collection that frees the job while the key is being exported deadlocks the process (seen
 * as a connection stuck at 0% CPU after the server's KEXINIT, the main thread in ~KeyGenJob).
 */
export function x25519KeyPair(): X25519KeyPair {
  const privateKey = createPrivateKey({ key: Buffer.concat([X25519_PKCS8_PREFIX, randomBytes(32)]), format: 'der', type: 'pkcs8' });
  // node has no raw export for X25519; the JWK 'x' member is exactly the 32 raw bytes.
  const publicKey = Buffer.from(createPublicKey(privateKey).export({ format: 'jwk' }).x!, 'base64url');
  return { publicKey, privateKey };
}

/** The raw 32-byte X25519 output (RFC 7748), refusing malformed keys and the all-zero result (RFC 8731 §3). */
export function x25519SharedSecret(privateKey: KeyObject, peerPublic: Buffer): Buffer {
  if (peerPublic.length !== 32) throw kexError(`invalid X25519 public key length ${peerPublic.length}`);
  let secret: Buffer;
  try {
    const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: peerPublic.toString('base64url') }, format: 'jwk' });
    secret = diffieHellman({ privateKey, publicKey });
  } catch (err) {
    // OpenSSL refuses to derive when the result is all zero (a low-order peer point).
    throw kexError('invalid X25519 public key (shared secret is zero)', err);
  }
  if (secret.length !== 32 || secret.every((b) => b === 0)) throw kexError('X25519 shared secret is zero');
  return secret;
}
