import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { ml_kem768 as MlKem768 } from '@noble/post-quantum/ml-kem.js';
import { SshWriter } from '../../wire/writer.js';
import { kexError } from './exchange-hash.js';
import type { SingleExchangeMethod } from './single-exchange.js';
import { x25519KeyPair, x25519SharedSecret } from './x25519.js';

/** Sizes from FIPS 203 (ML-KEM-768) and RFC 7748 (X25519). */
export const MLKEM768_PUBLIC_BYTES = 1184;
export const MLKEM768_CIPHERTEXT_BYTES = 1088;
const X25519_BYTES = 32;

/**
 * node:crypto has no ML-KEM, so it comes from @noble/post-quantum, loaded on first use: connections
 * that negotiate another method never pay for the import. It is synchronous because KexClient.start()
 * is; Node >= 20.19 (the package's own minimum) can require() an ES module.
 */
export function loadMlKem768(): typeof MlKem768 {
  const require = createRequire(import.meta.url);
  return (require('@noble/post-quantum/ml-kem.js') as { ml_kem768: typeof MlKem768 }).ml_kem768;
}

/**
 * mlkem768x25519-sha256 (draft-ietf-sshm-mlkem-hybrid-kex, OpenSSH 9.9+): C_INIT = ML-KEM public key
 * || X25519 public key; S_REPLY = ML-KEM ciphertext || X25519 public key; K = SHA-256(ML-KEM shared
 * secret || X25519 shared secret), encoded as a string. Messages 30/31 as for ECDH.
 */
export function mlkem768x25519Method(name: string): SingleExchangeMethod {
  return {
    name,
    hash: 'sha256',
    readValue: (r) => r.string(),
    clientEphemeral() {
      const kem = loadMlKem768();
      const { publicKey: kemPublic, secretKey: kemSecret } = kem.keygen();
      const ecdh = x25519KeyPair();
      return {
        publicValue: Buffer.concat([kemPublic, ecdh.publicKey]),
        complete(serverValue) {
          if (serverValue.length !== MLKEM768_CIPHERTEXT_BYTES + X25519_BYTES) {
            throw kexError(`${name}: invalid server reply length ${serverValue.length}`);
          }
          const ciphertext = serverValue.subarray(0, MLKEM768_CIPHERTEXT_BYTES);
          let kemSecretShared: Uint8Array;
          try {
            kemSecretShared = kem.decapsulate(ciphertext, kemSecret);
          } catch (err) {
            throw kexError(`${name}: invalid ML-KEM ciphertext`, err);
          } finally {
            kemSecret.fill(0);
          }
          const ecdhShared = x25519SharedSecret(ecdh.privateKey, serverValue.subarray(MLKEM768_CIPHERTEXT_BYTES));
          return combine(kemSecretShared, ecdhShared);
        },
      };
    },
    serverRespond(clientValue) {
      if (clientValue.length !== MLKEM768_PUBLIC_BYTES + X25519_BYTES) {
        throw kexError(`${name}: invalid client init length ${clientValue.length}`);
      }
      const kem = loadMlKem768();
      let encapsulated: { cipherText: Uint8Array; sharedSecret: Uint8Array };
      try {
        // Encapsulation checks the key's coefficients are reduced (FIPS 203 §7.2 modulus check).
        encapsulated = kem.encapsulate(clientValue.subarray(0, MLKEM768_PUBLIC_BYTES));
      } catch (err) {
        throw kexError(`${name}: invalid ML-KEM public key`, err);
      }
      const ecdh = x25519KeyPair();
      const ecdhShared = x25519SharedSecret(ecdh.privateKey, clientValue.subarray(MLKEM768_PUBLIC_BYTES));
      return {
        publicValue: Buffer.concat([encapsulated.cipherText, ecdh.publicKey]),
        sharedSecret: combine(encapsulated.sharedSecret, ecdhShared),
      };
    },
  };
}

function combine(kemShared: Uint8Array, ecdhShared: Buffer): Buffer {
  const digest = createHash('sha256').update(kemShared).update(ecdhShared).digest();
  kemShared.fill(0);
  ecdhShared.fill(0);
  const k = Buffer.from(new SshWriter(40).string(digest).finish());
  digest.fill(0);
  return k;
}
