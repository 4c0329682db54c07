import { hybridKemMethod, type Kem } from './hybrid-kem.js';
import { MLKEM768_CIPHERTEXT_BYTES, MLKEM768_PUBLIC_BYTES, mlkem768, type MlKem768 } from './mlkem768.js';
import type { SingleExchangeMethod } from './single-exchange.js';

export { MLKEM768_CIPHERTEXT_BYTES, MLKEM768_PUBLIC_BYTES } from './mlkem768.js';

/**
 * node:crypto has no ML-KEM: ./mlkem768.ts has it in WebAssembly, made on first use, so connections
 * that negotiate another method never pay for it. Synchronous, because KexClient.start() is.
 */
export function loadMlKem768(): MlKem768 {
  return mlkem768();
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
