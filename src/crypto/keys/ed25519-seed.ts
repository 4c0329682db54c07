import { createPrivateKey, type KeyObject } from 'node:crypto';

/** PKCS#8 for an Ed25519 private key (RFC 8410): the 32-byte seed follows. */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * An Ed25519 KeyObject from its 32-byte seed. Also how tssh makes fresh Ed25519 keys (from random
 * bytes): unlike generateKeyPairSync, this leaves no key-generation job to share the key's lock (see
 * generateHostKeySigner).
 */
export function ed25519PrivateKeyFromSeed(seed: Buffer): KeyObject {
  return createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}
