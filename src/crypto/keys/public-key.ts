import { constants, createPublicKey, verify as cryptoVerify, type JsonWebKey, type KeyObject } from 'node:crypto';
import { TsshError } from '../../errors.js';
import { SshReader } from '../../wire/reader.js';
import { SshWriter } from '../../wire/writer.js';
import {
  ECDSA_CURVES,
  RSA_MAX_BITS,
  RSA_MIN_BITS,
  RSA_SIGNATURE_HASHES,
  ecdsaCurveForType,
  type EcdsaCurve,
} from './key-types.js';
import { ecdsaSshToP1363, parseSignatureBlob } from './signature.js';
import type { PublicKey } from './types.js';

/** Checks the raw signature bytes once the algorithm name has been matched against the key. */
type SignatureCheck = (algorithm: string, data: Buffer, signature: Buffer) => boolean;

/** A public key backed by a node KeyObject, so verification during the handshake stays in OpenSSL. */
export class SshPublicKey implements PublicKey {
  constructor(
    readonly type: string,
    readonly blob: Buffer,
    readonly bits: number,
    readonly keyObject: KeyObject,
    /** Signature algorithms this key verifies, e.g. ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']. */
    readonly signatureAlgorithms: readonly string[],
    private readonly check: SignatureCheck,
  ) {}

  verify(algorithm: string, data: Buffer, signatureBlob: Buffer): boolean {
    const { algorithm: sigAlgorithm, signature } = parseSignatureBlob(signatureBlob);
    // The blob must name exactly the negotiated algorithm: an ssh-rsa (SHA-1) signature is no
    // substitute for rsa-sha2-512 (RFC 8332 §3).
    if (sigAlgorithm !== algorithm || !this.signatureAlgorithms.includes(algorithm)) return false;
    try {
      return this.check(algorithm, data, signature);
    } catch {
      return false;
    }
  }
}

export function keyError(message: string, cause?: unknown): TsshError {
  return new TsshError('KEY', message, cause === undefined ? undefined : { cause });
}


export function parseSshPublicKey(blob: Buffer): SshPublicKey {
  const owned = Buffer.from(blob); // callers may reuse their buffer; the key keeps its own copy
  const r = new SshReader(owned, 'public key');
  let type: string;
  try {
    type = r.string().toString('latin1');
  } catch (err) {
    throw keyError('invalid public key blob: ' + (err as Error).message, err);
  }
  try {
    if (type === 'ssh-ed25519') return parseEd25519(r, owned);
    if (type === 'ssh-rsa') return parseRsa(r, owned);
    const curve = ecdsaCurveForType(type);
    if (curve) return parseEcdsa(r, owned, curve);
  } catch (err) {
    if (err instanceof TsshError && err.code === 'KEY') throw err;
    throw keyError(`invalid ${type} public key: ${(err as Error).message}`, err);
  }
  throw keyError(`unsupported key type ${JSON.stringify(type)}`);
}

function parseEd25519(r: SshReader, blob: Buffer): SshPublicKey {
  const pk = r.string();
  r.end();
  if (pk.length !== 32) throw keyError(`invalid ssh-ed25519 public key: length ${pk.length}`);
  const key = importJwk({ kty: 'OKP', crv: 'Ed25519', x: pk.toString('base64url') });
  const check: SignatureCheck = (_alg, data, sig) => sig.length === 64 && cryptoVerify(null, data, key, sig);
  return new SshPublicKey('ssh-ed25519', blob, 256, key, ['ssh-ed25519'], check);
}

function parseEcdsa(r: SshReader, blob: Buffer, curve: EcdsaCurve): SshPublicKey {
  const curveName = r.string().toString('latin1');
  const point = r.string();
  r.end();
  if (curveName !== curve.sshCurve) throw keyError(`${curve.type} key names curve ${JSON.stringify(curveName)}`);
  const n = curve.fieldBytes;
  // Only the uncompressed form is allowed (RFC 5656 §3.1; OpenSSH rejects the others).
  if (point.length !== 1 + 2 * n || point[0] !== 0x04) throw keyError(`invalid ${curve.type} public point`);
  const key = importJwk({
    kty: 'EC',
    crv: curve.jwkCurve,
    x: point.subarray(1, 1 + n).toString('base64url'),
    y: point.subarray(1 + n).toString('base64url'),
  });
  const check: SignatureCheck = (_alg, data, sig) => {
    const p1363 = ecdsaSshToP1363(sig, n);
    return p1363 !== undefined && cryptoVerify(curve.hash, data, { key, dsaEncoding: 'ieee-p1363' }, p1363);
  };
  return new SshPublicKey(curve.type, blob, curve.bits, key, [curve.type], check);
}

function parseRsa(r: SshReader, blob: Buffer): SshPublicKey {
  const e = unsignedMagnitude(r.mpintBytes());
  const n = unsignedMagnitude(r.mpintBytes());
  r.end();
  const bits = bitLength(n);
  if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS) throw keyError(`Invalid key length: RSA ${bits} bits`);
  if (e.length === 0 || (e[e.length - 1]! & 1) === 0 || (e.length === 1 && e[0]! < 3)) {
    throw keyError('invalid ssh-rsa public exponent');
  }
  const key = importJwk({ kty: 'RSA', n: n.toString('base64url'), e: e.toString('base64url') });
  const modulusBytes = n.length;
  const check: SignatureCheck = (alg, data, sig) => {
    if (sig.length > modulusBytes) return false;
    // Signatures with leading zero bytes may arrive shortened; OpenSSL wants the full modulus length.
    const full = sig.length === modulusBytes ? sig : Buffer.concat([Buffer.alloc(modulusBytes - sig.length), sig]);
    return cryptoVerify(RSA_SIGNATURE_HASHES[alg]!, data, { key, padding: constants.RSA_PKCS1_PADDING }, full);
  };
  return new SshPublicKey('ssh-rsa', blob, bits, key, Object.keys(RSA_SIGNATURE_HASHES), check);
}

function importJwk(jwk: JsonWebKey): KeyObject {
  try {
    return createPublicKey({ key: jwk, format: 'jwk' });
  } catch (err) {
    throw keyError(`invalid ${String(jwk.kty === 'OKP' ? jwk.crv : jwk.kty)} public key`, err);
  }
}

/** The magnitude of a non-negative mpint without leading zero bytes. */
export function unsignedMagnitude(mpint: Buffer): Buffer {
  if (mpint.length > 0 && mpint[0]! & 0x80) throw keyError('negative mpint in key');
  let i = 0;
  while (i < mpint.length && mpint[i] === 0) i++;
  return mpint.subarray(i);
}

function bitLength(magnitude: Buffer): number {
  if (magnitude.length === 0) return 0;
  return (magnitude.length - 1) * 8 + (32 - Math.clz32(magnitude[0]!));
}

/** Builds the SSH wire blob of a public key from node's JWK export (ed25519, P-256/384/521, RSA). */
export function publicBlobFromJwk(jwk: JsonWebKey): Buffer {
  const w = new SshWriter(64);
  const bytes = (v: string | undefined): Buffer => Buffer.from(v ?? '', 'base64url');
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') {
    w.string('ssh-ed25519').string(bytes(jwk.x));
  } else if (jwk.kty === 'EC') {
    const curve = ECDSA_CURVES.find((c) => c.jwkCurve === jwk.crv);
    if (!curve) throw keyError(`unsupported EC curve ${String(jwk.crv)}`);
    w.string(curve.type).string(curve.sshCurve).string(Buffer.concat([Buffer.from([4]), bytes(jwk.x), bytes(jwk.y)]));
  } else if (jwk.kty === 'RSA') {
    w.string('ssh-rsa').mpintFromUnsigned(bytes(jwk.e)).mpintFromUnsigned(bytes(jwk.n));
  } else {
    throw keyError(`unsupported key type ${String(jwk.kty)}`);
  }
  return Buffer.from(w.finish());
}
