import { createPublicKey, verify as cryptoVerify, type JsonWebKey, type KeyObject } from 'node:crypto';
import { TsshError } from '../../errors.js';
import type { EcdsaCurve } from './key-types.js';
import { ecdsaSshToP1363, parseSignatureBlob } from './signature.js';
import type { PublicKey } from './types.js';

/** Checks the raw signature bytes once the algorithm name has been matched against the key. */
export type SignatureCheck = (algorithm: string, data: Buffer, signature: Buffer) => boolean;

/**
 * Checks a whole signature blob for an algorithm the key supports. Throws (a TsshError or a wire
 * error) only for a blob that cannot be parsed; a wrong signature is `false`.
 */
export type BlobCheck = (algorithm: string, data: Buffer, signatureBlob: Buffer) => boolean;

/** A verifying public key: its wire blob, the signature algorithms it answers to, and how it checks them. */
export class SshPublicKey implements PublicKey {
  constructor(
    readonly type: string,
    readonly blob: Buffer,
    readonly bits: number,
    /** Signature algorithms this key verifies, e.g. ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']. */
    readonly signatureAlgorithms: readonly string[],
    private readonly check: BlobCheck,
  ) {}

  verify(algorithm: string, data: Buffer, signatureBlob: Buffer): boolean {
    if (!this.signatureAlgorithms.includes(algorithm)) return false;
    return this.check(algorithm, data, signatureBlob);
  }
}

/**
 * The RFC 4253 §6.6 blob (string algorithm || string signature), which must name exactly the
 * negotiated algorithm: an ssh-rsa (SHA-1) signature is no substitute for rsa-sha2-512 (RFC 8332 §3).
 */
export function plainSignature(check: SignatureCheck): BlobCheck {
  return (algorithm, data, signatureBlob) => {
    const { algorithm: named, signature } = parseSignatureBlob(signatureBlob);
    return named === algorithm && cryptoFalseOnThrow(() => check(algorithm, data, signature));
  };
}

/** Runs a crypto check that may throw on malformed key material or signatures: that is a failed check. */
export function cryptoFalseOnThrow(check: () => boolean): boolean {
  try {
    return check();
  } catch {
    return false;
  }
}

export function keyError(message: string, cause?: unknown): TsshError {
  return new TsshError('KEY', message, cause === undefined ? undefined : { cause });
}

export function importJwk(jwk: JsonWebKey): KeyObject {
  try {
    return createPublicKey({ key: jwk, format: 'jwk' });
  } catch (err) {
    throw keyError(`invalid ${String(jwk.kty === 'OKP' ? jwk.crv : jwk.kty)} public key`, err);
  }
}

/** A raw 32-byte Ed25519 public key as a node KeyObject. */
export function ed25519KeyObject(type: string, pk: Buffer): KeyObject {
  if (pk.length !== 32) throw keyError(`invalid ${type} public key: length ${pk.length}`);
  return importJwk({ kty: 'OKP', crv: 'Ed25519', x: pk.toString('base64url') });
}

/** An uncompressed EC point of `curve` as a node KeyObject (node checks that it lies on the curve). */
export function ecdsaKeyObject(type: string, curve: EcdsaCurve, curveName: string, point: Buffer): KeyObject {
  if (curveName !== curve.sshCurve) throw keyError(`${type} key names curve ${JSON.stringify(curveName)}`);
  const n = curve.fieldBytes;
  // Only the uncompressed form is allowed (RFC 5656 §3.1; OpenSSH rejects the others).
  if (point.length !== 1 + 2 * n || point[0] !== 0x04) throw keyError(`invalid ${type} public point`);
  return importJwk({
    kty: 'EC',
    crv: curve.jwkCurve,
    x: point.subarray(1, 1 + n).toString('base64url'),
    y: point.subarray(1 + n).toString('base64url'),
  });
}

/** An ECDSA signature in SSH form (mpint r, mpint s) over `data` with the curve's hash. */
export function verifyEcdsa(curve: EcdsaCurve, key: KeyObject, data: Buffer, signature: Buffer): boolean {
  const p1363 = ecdsaSshToP1363(signature, curve.fieldBytes);
  return p1363 !== undefined && cryptoVerify(curve.hash, data, { key, dsaEncoding: 'ieee-p1363' }, p1363);
}
