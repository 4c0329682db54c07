import { hybridKemMethod } from './hybrid-kem.js';
import type { SingleExchangeMethod } from './single-exchange.js';
import {
  SNTRUP761_CIPHERTEXT_BYTES,
  SNTRUP761_PUBLIC_BYTES,
  sntrup761Decapsulate,
  sntrup761Encapsulate,
  sntrup761Keygen,
  sntrup761Wipe,
} from './sntrup761.js';

/**
 * sntrup761x25519-sha512 (OpenSSH 9.9+) and its older name sntrup761x25519-sha512@openssh.com (OpenSSH
 * 8.5-9.8, the default from 9.0): the hybrid exchange with Streamlined NTRU Prime and SHA-512.
 */
export function sntrup761x25519Method(name: string): SingleExchangeMethod {
  return hybridKemMethod(name, 'sha512', {
    label: 'sntrup761',
    publicBytes: SNTRUP761_PUBLIC_BYTES,
    ciphertextBytes: SNTRUP761_CIPHERTEXT_BYTES,
    keygen() {
      const key = sntrup761Keygen();
      return {
        publicKey: key.publicKey,
        decapsulate(ciphertext) {
          try {
            return sntrup761Decapsulate(ciphertext, key);
          } finally {
            sntrup761Wipe(key);
          }
        },
      };
    },
    encapsulate: sntrup761Encapsulate,
  });
}
