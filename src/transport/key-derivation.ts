import { createHash } from 'node:crypto';
import type { HashName } from '../crypto/kex/types.js';
import type { DirectionKeys } from '../crypto/cipher/types.js';

/**
 * RFC 4253 §7.2: key material is HASH(K || H || letter || session_id), extended by
 * HASH(K || H || K1 || K2 ...) until long enough. K is already wire-encoded (mpint or string).
 */
export function deriveKey(hash: HashName, sharedSecret: Buffer, exchangeHash: Buffer, letter: string, sessionId: Buffer, length: number): Buffer {
  if (length === 0) return Buffer.alloc(0);
  const first = createHash(hash).update(sharedSecret).update(exchangeHash).update(letter, 'latin1').update(sessionId).digest();
  const parts = [first];
  let have = first.length;
  while (have < length) {
    const h = createHash(hash).update(sharedSecret).update(exchangeHash);
    for (const part of parts) h.update(part);
    const next = h.digest();
    parts.push(next);
    have += next.length;
  }
  return Buffer.concat(parts).subarray(0, length);
}

export interface KeyLengths {
  ivLength: number;
  keyLength: number;
  macKeyLength: number;
}

/** Keys for both directions: letters A/C/E for client→server, B/D/F for server→client. */
export function deriveDirectionKeys(
  hash: HashName,
  sharedSecret: Buffer,
  exchangeHash: Buffer,
  sessionId: Buffer,
  clientToServer: KeyLengths,
  serverToClient: KeyLengths,
): { clientToServer: DirectionKeys; serverToClient: DirectionKeys } {
  const d = (letter: string, n: number): Buffer => deriveKey(hash, sharedSecret, exchangeHash, letter, sessionId, n);
  return {
    clientToServer: { iv: d('A', clientToServer.ivLength), key: d('C', clientToServer.keyLength), macKey: d('E', clientToServer.macKeyLength) },
    serverToClient: { iv: d('B', serverToClient.ivLength), key: d('D', serverToClient.keyLength), macKey: d('F', serverToClient.macKeyLength) },
  };
}
