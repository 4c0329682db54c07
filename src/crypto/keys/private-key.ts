import {
  constants,
  createECDH,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign as cryptoSign,
  type KeyObject,
} from 'node:crypto';
import { ECDSA_CURVES, RSA_SIGNATURE_HASHES, type EcdsaCurve } from './key-types.js';
import { keyError, parseSshPublicKey, publicBlobFromJwk, type SshPublicKey } from './public-key.js';
import { ecdsaP1363ToSsh, encodeSignatureBlob } from './signature.js';
import type { SshPrivateKey } from './types.js';
import { encodePrivateKeyFields } from './private-wire.js';
import { ed25519PrivateKeyFromSeed } from './ed25519-seed.js';

export type GeneratedKeyType = 'ssh-ed25519' | 'ecdsa-sha2-nistp256' | 'ecdsa-sha2-nistp384' | 'ecdsa-sha2-nistp521' | 'ssh-rsa';

export type { SshPrivateKey } from './types.js';

/** A private key held as a node KeyObject; signs for user auth and, in tests, as a server host key. */
export class NodePrivateKey implements SshPrivateKey {
  readonly type: string;
  readonly signatureAlgorithms: readonly string[];
  private readonly curve: EcdsaCurve | undefined;

  constructor(
    private readonly keyObject: KeyObject,
    readonly publicKey: SshPublicKey,
    readonly comment: string,
  ) {
    this.type = publicKey.type;
    this.signatureAlgorithms = publicKey.signatureAlgorithms;
    this.curve = ECDSA_CURVES.find((c) => c.type === this.type);
  }

  get publicBlob(): Buffer {
    return this.publicKey.blob;
  }

  /** The key in the wire form an ssh-agent accepts (ADD_IDENTITY), for AddKeysToAgent. */
  agentFields(): Buffer {
    return encodePrivateKeyFields(this.keyObject);
  }

  sign(algorithm: string, data: Buffer): Buffer {
    if (!this.signatureAlgorithms.includes(algorithm)) {
      throw keyError(`${this.type} key cannot sign with ${algorithm}`);
    }
    let signature: Buffer;
    if (this.type === 'ssh-ed25519') {
      signature = cryptoSign(null, data, this.keyObject);
    } else if (this.curve) {
      const p1363 = cryptoSign(this.curve.hash, data, { key: this.keyObject, dsaEncoding: 'ieee-p1363' });
      signature = ecdsaP1363ToSsh(p1363);
    } else {
      signature = cryptoSign(RSA_SIGNATURE_HASHES[algorithm]!, data, {
        key: this.keyObject,
        padding: constants.RSA_PKCS1_PADDING,
      });
    }
    return encodeSignatureBlob(algorithm, signature);
  }
}

/** Wraps a node private KeyObject (ed25519, P-256/384/521 or RSA) as an SSH private key. */
export function privateKeyFromKeyObject(keyObject: KeyObject, comment: string): NodePrivateKey {
  const kind = keyObject.asymmetricKeyType;
  if (kind !== 'ed25519' && kind !== 'ec' && kind !== 'rsa') {
    throw keyError(`unsupported key type ${String(kind)}`);
  }
  if (kind === 'ec') {
    const named = keyObject.asymmetricKeyDetails?.namedCurve;
    if (!ECDSA_CURVES.some((c) => c.nodeCurve === named)) throw keyError(`unsupported EC curve ${String(named)}`);
  }
  const blob = publicBlobFromJwk(createPublicKey(keyObject).export({ format: 'jwk' }));
  return new NodePrivateKey(keyObject, parseSshPublicKey(blob), comment);
}

/**
 * A fresh key pair (for tests and in-process servers). RSA keys are 2048 bits unless told otherwise.
 * Ed25519 and ECDSA keys are made without a key-generation job: Node 20's generated KeyObject shares a
 * lock with that job, and a garbage collection that frees the job while the key is in use (signing,
 * exporting) deadlocks the process (seen as test files hanging at 0% CPU, the main thread in
 * ~KeyGenJob waiting for the mutex it already holds). RSA needs the job: its key is re-imported from
 * its DER at once, so only that export runs under the shared lock.
 */
export function generateHostKeySigner(type: GeneratedKeyType, rsaBits = 2048): NodePrivateKey {
  return privateKeyFromKeyObject(freshPrivateKeyObject(type, rsaBits), '');
}

/** The KeyObject of a fresh key, made as generateHostKeySigner explains. */
export function freshPrivateKeyObject(type: GeneratedKeyType, rsaBits = 2048): KeyObject {
  if (type === 'ssh-ed25519') return ed25519PrivateKeyFromSeed(randomBytes(32));
  if (type === 'ssh-rsa') {
    const generated = generateKeyPairSync('rsa', { modulusLength: rsaBits, publicExponent: 65537 }).privateKey;
    return createPrivateKey({ key: generated.export({ format: 'der', type: 'pkcs8' }), format: 'der', type: 'pkcs8' });
  }
  const curve = ECDSA_CURVES.find((c) => c.type === type);
  if (!curve) throw keyError(`unsupported key type ${String(type)}`);
  return ecdsaPrivateKey(curve.nodeCurve, curve.jwkCurve, curve.fieldBytes);
}

/** A fresh ECDSA key from an ECDH key pair (its scalar and point), imported as a JWK. */
function ecdsaPrivateKey(nodeCurve: string, crv: string, fieldBytes: number): KeyObject {
  const ecdh = createECDH(nodeCurve);
  const point = ecdh.generateKeys(); // 04 || x || y
  const d = Buffer.alloc(fieldBytes);
  const scalar = ecdh.getPrivateKey();
  scalar.copy(d, fieldBytes - scalar.length);
  const b64 = (b: Buffer): string => b.toString('base64url');
  return createPrivateKey({ key: { kty: 'EC', crv, d: b64(d), x: b64(point.subarray(1, 1 + fieldBytes)), y: b64(point.subarray(1 + fieldBytes)) }, format: 'jwk' });
}
