import { createECDH } from 'node:crypto';
import { ECDH_CURVES, ecdhSharedX } from './ecdh-nistp.js';
import { hybridKemMethod, type ClassicalDh } from './hybrid-kem.js';
import { mlkem768Kem } from './mlkem768x25519.js';
import type { SingleExchangeMethod } from './single-exchange.js';

const P256 = ECDH_CURVES['ecdh-sha2-nistp256']!;

/**
 * ECDH on NIST P-256 as the classical half of a hybrid: uncompressed 65-byte points on the wire, the
 * raw 32-byte x coordinate into the hash (OpenSSH kexmlkem768ecdh.c). `privateKey` fixes the key for
 * known-answer tests.
 */
export function p256Dh(name: string, privateKey?: Buffer): ClassicalDh {
  return {
    label: 'P-256',
    publicBytes: 1 + 2 * P256.fieldBytes,
    keyPair() {
      const ecdh = createECDH(P256.nodeCurve);
      if (privateKey === undefined) ecdh.generateKeys();
      else ecdh.setPrivateKey(privateKey);
      return { publicKey: ecdh.getPublicKey(), shared: (peer) => ecdhSharedX(name, P256, ecdh, peer) };
    },
  };
}

/** mlkem768nistp256-sha256 (OpenSSH 10.5; compiled in but not in the default KexAlgorithms). */
export function mlkem768nistp256Method(name: string): SingleExchangeMethod {
  return hybridKemMethod(name, 'sha256', mlkem768Kem(), p256Dh(name));
}
