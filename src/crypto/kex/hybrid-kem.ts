import { createHash } from 'node:crypto';
import { SshWriter } from '../../wire/writer.js';
import { kexError } from './exchange-hash.js';
import type { SingleExchangeMethod } from './single-exchange.js';
import type { HashName } from './types.js';
import { x25519KeyPair, x25519SharedSecret } from './x25519.js';

const X25519_BYTES = 32;

/** A post-quantum KEM as the hybrid exchange uses it. Decapsulation failures throw (ML-KEM) or reject implicitly (sntrup761). */
export interface Kem {
  /** Its name in error messages. */
  label: string;
  publicBytes: number;
  ciphertextBytes: number;
  /** A fresh key pair; `decapsulate` is called at most once, and wipes the secret. */
  keygen(): { publicKey: Uint8Array; decapsulate(ciphertext: Uint8Array): Uint8Array };
  encapsulate(publicKey: Uint8Array): { ciphertext: Uint8Array; sharedSecret: Uint8Array };
}

/**
 * The hybrid post-quantum exchanges (mlkem768x25519-sha256, sntrup761x25519-sha512): C_INIT = KEM
 * public key || X25519 public key; S_REPLY = KEM ciphertext || X25519 public key; K = HASH(KEM shared
 * secret || X25519 shared secret), encoded as a string. Messages 30/31 as for ECDH.
 */
export function hybridKemMethod(name: string, hash: HashName, kem: Kem): SingleExchangeMethod {
  return {
    name,
    hash,
    readValue: (r) => r.string(),
    clientEphemeral() {
      const kemKey = kem.keygen();
      const ecdh = x25519KeyPair();
      return {
        publicValue: Buffer.concat([kemKey.publicKey, ecdh.publicKey]),
        complete(serverValue) {
          if (serverValue.length !== kem.ciphertextBytes + X25519_BYTES) {
            throw kexError(`${name}: invalid server reply length ${serverValue.length}`);
          }
          let kemShared: Uint8Array;
          try {
            kemShared = kemKey.decapsulate(serverValue.subarray(0, kem.ciphertextBytes));
          } catch (err) {
            throw kexError(`${name}: invalid ${kem.label} ciphertext`, err);
          }
          const ecdhShared = x25519SharedSecret(ecdh.privateKey, serverValue.subarray(kem.ciphertextBytes));
          return combine(hash, kemShared, ecdhShared);
        },
      };
    },
    serverRespond(clientValue) {
      if (clientValue.length !== kem.publicBytes + X25519_BYTES) {
        throw kexError(`${name}: invalid client init length ${clientValue.length}`);
      }
      let encapsulated: { ciphertext: Uint8Array; sharedSecret: Uint8Array };
      try {
        encapsulated = kem.encapsulate(clientValue.subarray(0, kem.publicBytes));
      } catch (err) {
        throw kexError(`${name}: invalid ${kem.label} public key`, err);
      }
      const ecdh = x25519KeyPair();
      const ecdhShared = x25519SharedSecret(ecdh.privateKey, clientValue.subarray(kem.publicBytes));
      return {
        publicValue: Buffer.concat([encapsulated.ciphertext, ecdh.publicKey]),
        sharedSecret: combine(hash, encapsulated.sharedSecret, ecdhShared),
      };
    },
  };
}

function combine(hash: HashName, kemShared: Uint8Array, ecdhShared: Buffer): Buffer {
  const digest = createHash(hash).update(kemShared).update(ecdhShared).digest();
  kemShared.fill(0);
  ecdhShared.fill(0);
  const k = Buffer.from(new SshWriter(digest.length + 8).string(digest).finish());
  digest.fill(0);
  return k;
}
