import { createRequire } from 'node:module';
import type { ml_kem768 as MlKem768 } from '@noble/post-quantum/ml-kem.js';
import { hybridKemMethod, type Kem } from './hybrid-kem.js';
import type { SingleExchangeMethod } from './single-exchange.js';

/** Sizes from FIPS 203 (ML-KEM-768). */
export const MLKEM768_PUBLIC_BYTES = 1184;
export const MLKEM768_CIPHERTEXT_BYTES = 1088;

/**
 * node:crypto has no ML-KEM, so it comes from @noble/post-quantum, loaded on first use: connections
 * that negotiate another method never pay for the import. It is synchronous because KexClient.start()
 * is; Node >= 20.19 (the package's own minimum) can require() an ES module.
 */
export function loadMlKem768(): typeof MlKem768 {
  const require = createRequire(import.meta.url);
  return (require('@noble/post-quantum/ml-kem.js') as { ml_kem768: typeof MlKem768 }).ml_kem768;
}

/** mlkem768x25519-sha256 (draft-ietf-sshm-mlkem-hybrid-kex, OpenSSH 9.9+). */
export function mlkem768x25519Method(name: string): SingleExchangeMethod {
  return hybridKemMethod(name, 'sha256', mlkem768Kem());
}

/**
 * ML-KEM-768 (FIPS 203) as a hybrid's KEM. `seeds` fix the key pair (64-byte d || z) and the
 * encapsulation message (32 bytes) for known-answer tests; normally both are fresh.
 */
export function mlkem768Kem(seeds: { keygen?: Uint8Array; encapsulate?: Uint8Array } = {}): Kem {
  return {
    label: 'ML-KEM',
    publicBytes: MLKEM768_PUBLIC_BYTES,
    ciphertextBytes: MLKEM768_CIPHERTEXT_BYTES,
    keygen() {
      const kem = loadMlKem768();
      const { publicKey, secretKey } = kem.keygen(seeds.keygen);
      return {
        publicKey,
        decapsulate(ciphertext) {
          try {
            return kem.decapsulate(ciphertext, secretKey);
          } finally {
            secretKey.fill(0);
          }
        },
      };
    },
    encapsulate(publicKey) {
      // Encapsulation checks the key's coefficients are reduced (FIPS 203 §7.2 modulus check).
      const { cipherText, sharedSecret } = loadMlKem768().encapsulate(publicKey, seeds.encapsulate);
      return { ciphertext: cipherText, sharedSecret };
    },
  };
}
