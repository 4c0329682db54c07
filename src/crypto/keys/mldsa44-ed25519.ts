/**
 * ssh-mldsa44-ed25519@openssh.com (draft-miller-sshm-mldsa44-ed25519-composite-sigs, OpenSSH 10.5): a
 * composite of ML-DSA-44 (FIPS 204) and Ed25519, after draft-ietf-lamps-pq-composite-sigs. Both halves
 * sign the same representative message
 *   M' = "CompositeAlgorithmSignatures2025" || "COMPSIG-MLDSA44-Ed25519-SHA512" || 0x00 || SHA512(M)
 * (the 0x00 is the length of an empty application context); ML-DSA signs it with the label as its
 * FIPS 204 context string, and a signature is valid only if both halves are.
 *   public key: string (ML-DSA-44 public key (1312) || Ed25519 public key (32))
 *   private key: string (ML-DSA seed xi (32) || Ed25519 seed (32)), expanded for each signature
 *   signature: string (ML-DSA-44 signature (2420) || Ed25519 signature (64))
 * node:crypto has no ML-DSA before Node 24, so it comes from @noble/post-quantum, loaded on first use.
 */
import { createHash, createPublicKey, randomBytes, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { createRequire } from 'node:module';
import type { ml_dsa44 as MlDsa44 } from '@noble/post-quantum/ml-dsa.js';
import { SshReader } from '../../wire/reader.js';
import { SshWriter } from '../../wire/writer.js';
import type { HostKeySigner } from '../kex/types.js';
import { encodeSignatureBlob, parseSignatureBlob } from './signature.js';
import { cryptoFalseOnThrow, ed25519KeyObject, keyError, SshPublicKey } from './ssh-public-key.js';
import type { PrivateKey } from './types.js';
import { ed25519PrivateKeyFromSeed } from './ed25519-seed.js';

export const MLDSA44_ED25519 = 'ssh-mldsa44-ed25519@openssh.com';

const MLDSA44_PUBLIC_BYTES = 1312;
const MLDSA44_SIGNATURE_BYTES = 2420;
const SEED_BYTES = 32;
export const MLDSA44_ED25519_PUBLIC_BYTES = MLDSA44_PUBLIC_BYTES + 32;
export const MLDSA44_ED25519_SECRET_BYTES = SEED_BYTES + SEED_BYTES;
export const MLDSA44_ED25519_SIGNATURE_BYTES = MLDSA44_SIGNATURE_BYTES + 64;

const PREFIX = Buffer.from('CompositeAlgorithmSignatures2025', 'latin1');
const LABEL = Buffer.from('COMPSIG-MLDSA44-Ed25519-SHA512', 'latin1');

function loadMlDsa44(): typeof MlDsa44 {
  const require = createRequire(import.meta.url);
  return (require('@noble/post-quantum/ml-dsa.js') as { ml_dsa44: typeof MlDsa44 }).ml_dsa44;
}

/** M' for an empty application context (OpenSSH always signs with none). */
export function compositeMessage(message: Buffer): Buffer {
  const digest = createHash('sha512').update(message).digest();
  return Buffer.concat([PREFIX, LABEL, Buffer.from([0]), digest]);
}

/** Parses the rest of a public blob after the type name. */
export function parseMlDsa44Ed25519(r: SshReader, blob: Buffer): SshPublicKey {
  const pk = r.string();
  r.end();
  if (pk.length !== MLDSA44_ED25519_PUBLIC_BYTES) throw keyError(`invalid ${MLDSA44_ED25519} public key: length ${pk.length}`);
  const mldsaPublic = Buffer.from(pk.subarray(0, MLDSA44_PUBLIC_BYTES));
  const ed25519 = ed25519KeyObject(MLDSA44_ED25519, pk.subarray(MLDSA44_PUBLIC_BYTES));
  return new SshPublicKey(MLDSA44_ED25519, blob, 256, [MLDSA44_ED25519], (alg, data, signatureBlob) => {
    const { algorithm, signature } = parseSignatureBlob(signatureBlob);
    if (algorithm !== alg || signature.length !== MLDSA44_ED25519_SIGNATURE_BYTES) return false;
    const m = compositeMessage(data);
    const edSignature = signature.subarray(MLDSA44_SIGNATURE_BYTES);
    return cryptoFalseOnThrow(
      () =>
        cryptoVerify(null, m, ed25519, edSignature) &&
        loadMlDsa44().verify(signature.subarray(0, MLDSA44_SIGNATURE_BYTES), m, mldsaPublic, { context: LABEL }),
    );
  });
}

function ed25519FromSeed(seed: Buffer): { privateKey: KeyObject; publicKey: Buffer } {
  const privateKey = ed25519PrivateKeyFromSeed(seed);
  const publicKey = Buffer.from(createPublicKey(privateKey).export({ format: 'jwk' }).x!, 'base64url');
  return { privateKey, publicKey };
}

/** The public key a pair of seeds gives (ML-DSA-44 KeyGen_internal(xi) || Ed25519 from its seed). */
export function mlDsa44Ed25519PublicKey(secret: Buffer): Buffer {
  const { publicKey } = loadMlDsa44().keygen(secret.subarray(0, SEED_BYTES));
  return Buffer.concat([publicKey, ed25519FromSeed(Buffer.from(secret.subarray(SEED_BYTES))).publicKey]);
}

/** A composite private key: the two 32-byte seeds, expanded when signing. */
export class MlDsa44Ed25519PrivateKey implements PrivateKey, HostKeySigner {
  readonly type = MLDSA44_ED25519;
  readonly signatureAlgorithms = [MLDSA44_ED25519];
  readonly publicKey: SshPublicKey;
  private readonly secret: Buffer;

  /** `secret` is ML-DSA seed || Ed25519 seed; `publicBlob`, when given, must be the key it yields. */
  constructor(secret: Buffer, readonly comment: string, publicKeyBytes?: Buffer) {
    if (secret.length !== MLDSA44_ED25519_SECRET_BYTES) throw keyError(`invalid ${MLDSA44_ED25519} private key`);
    this.secret = Buffer.from(secret);
    const derived = mlDsa44Ed25519PublicKey(this.secret);
    if (publicKeyBytes !== undefined && !derived.equals(publicKeyBytes)) throw keyError(`invalid ${MLDSA44_ED25519} private key (public part differs)`);
    const blob = Buffer.from(new SshWriter(derived.length + 48).string(MLDSA44_ED25519).string(derived).finish());
    this.publicKey = parseMlDsa44Ed25519(new SshReader(blob.subarray(4 + MLDSA44_ED25519.length)), blob);
  }

  get publicBlob(): Buffer {
    return this.publicKey.blob;
  }

  /** `random` is ML-DSA's 32-byte signing randomness (FIPS 204 hedged mode); fresh unless a test fixes it. */
  sign(algorithm: string, data: Buffer, random: Uint8Array = randomBytes(32)): Buffer {
    if (algorithm !== MLDSA44_ED25519) throw keyError(`${this.type} key cannot sign with ${algorithm}`);
    const m = compositeMessage(data);
    const mldsa = loadMlDsa44();
    const { secretKey } = mldsa.keygen(this.secret.subarray(0, SEED_BYTES));
    try {
      const mldsaSignature = mldsa.sign(m, secretKey, { context: LABEL, extraEntropy: random });
      const edSignature = cryptoSign(null, m, ed25519FromSeed(Buffer.from(this.secret.subarray(SEED_BYTES))).privateKey);
      return encodeSignatureBlob(algorithm, Buffer.concat([mldsaSignature, edSignature]));
    } finally {
      secretKey.fill(0);
    }
  }

  /** The key fields of a private key file or an agent ADD_IDENTITY (type, public key, seeds). */
  agentFields(): Buffer {
    const pk = this.publicKey.blob.subarray(4 + MLDSA44_ED25519.length + 4);
    return Buffer.from(new SshWriter(1500).string(MLDSA44_ED25519).string(pk).string(this.secret).finish());
  }
}

/** A fresh key (tests and in-process servers). */
export function generateMlDsa44Ed25519(comment = ''): MlDsa44Ed25519PrivateKey {
  return new MlDsa44Ed25519PrivateKey(randomBytes(MLDSA44_ED25519_SECRET_BYTES), comment);
}

/** Reads the key fields of a private section after the type name: string public key, string seeds. */
export function readMlDsa44Ed25519Private(r: SshReader): { secret: Buffer; publicKey: Buffer } {
  const publicKey = r.string();
  const secret = r.string();
  if (publicKey.length !== MLDSA44_ED25519_PUBLIC_BYTES || secret.length !== MLDSA44_ED25519_SECRET_BYTES) {
    throw keyError(`invalid ${MLDSA44_ED25519} private key`);
  }
  return { secret, publicKey };
}
