import { createPublicKey, diffieHellman, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { kexError } from './exchange-hash.js';

/** An X25519 key pair with the public half as the 32 raw bytes that go on the wire. */
export interface X25519KeyPair {
  publicKey: Buffer;
  privateKey: KeyObject;
}

export function x25519KeyPair(): X25519KeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  // node has no raw export for X25519; the JWK 'x' member is exactly the 32 raw bytes.
  return { publicKey: Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url'), privateKey };
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
