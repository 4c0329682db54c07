import { createHash } from 'node:crypto';
import { SshWriter } from '../../wire/writer.js';
import { kexError } from './exchange-hash.js';
import type { SingleExchangeMethod } from './single-exchange.js';
import type { HashName } from './types.js';
import { x25519KeyPair, x25519SharedSecret } from './x25519.js';

/** The classical half of a hybrid: an ephemeral Diffie-Hellman whose raw shared secret enters the hash. */
export interface ClassicalDh {
  /** Its name in error messages. */
  label: string;
  publicBytes: number;
  /** A fresh key pair; `shared` checks the peer's value (throws a KEX error) and returns the raw secret. */
  keyPair(): { publicKey: Buffer; shared(peerPublic: Buffer): Buffer };
}

/** X25519 (RFC 7748), as mlkem768x25519-sha256 and sntrup761x25519-sha512 use it. */
export const X25519_DH: ClassicalDh = {
  label: 'X25519',
  publicBytes: 32,
  keyPair() {
    const { publicKey, privateKey } = x25519KeyPair();
    return { publicKey, shared: (peer) => x25519SharedSecret(privateKey, peer) };
  },
};

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
 * The hybrid post-quantum exchanges (mlkem768x25519-sha256, sntrup761x25519-sha512,
 * mlkem768nistp256-sha256): C_INIT = KEM public key || DH public value; S_REPLY = KEM ciphertext || DH
 * public value; K = HASH(KEM shared secret || raw DH shared secret), encoded as a string. Messages
 * 30/31 as for ECDH.
 */
export function hybridKemMethod(name: string, hash: HashName, kem: Kem, dh: ClassicalDh = X25519_DH): SingleExchangeMethod {
  return {
    name,
    hash,
    readValue: (r) => r.string(),
    clientEphemeral() {
      const kemKey = kem.keygen();
      const ecdh = dh.keyPair();
      return {
        publicValue: Buffer.concat([kemKey.publicKey, ecdh.publicKey]),
        complete(serverValue) {
          if (serverValue.length !== kem.ciphertextBytes + dh.publicBytes) {
            throw kexError(`${name}: invalid server reply length ${serverValue.length}`);
          }
          let kemShared: Uint8Array;
          try {
            kemShared = kemKey.decapsulate(serverValue.subarray(0, kem.ciphertextBytes));
          } catch (err) {
            throw kexError(`${name}: invalid ${kem.label} ciphertext`, err);
          }
          const ecdhShared = ecdh.shared(serverValue.subarray(kem.ciphertextBytes));
          return combine(hash, kemShared, ecdhShared);
        },
      };
    },
    serverRespond(clientValue) {
      if (clientValue.length !== kem.publicBytes + dh.publicBytes) {
        throw kexError(`${name}: invalid client init length ${clientValue.length}`);
      }
      let encapsulated: { ciphertext: Uint8Array; sharedSecret: Uint8Array };
      try {
        encapsulated = kem.encapsulate(clientValue.subarray(0, kem.publicBytes));
      } catch (err) {
        throw kexError(`${name}: invalid ${kem.label} public key`, err);
      }
      const ecdh = dh.keyPair();
      const ecdhShared = ecdh.shared(clientValue.subarray(kem.publicBytes));
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
