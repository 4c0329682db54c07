import { constants, verify as cryptoVerify, type JsonWebKey } from 'node:crypto';
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
import { ecdsaKeyObject, ed25519KeyObject, importJwk, keyError, plainSignature, SshPublicKey, verifyEcdsa } from './ssh-public-key.js';
import { SK_KEY_PARSERS } from './sk-keys.js';
import { MLDSA44_ED25519, parseMlDsa44Ed25519 } from './mldsa44-ed25519.js';
import { parseDss, SSH_DSS } from './dsa.js';

export { SshPublicKey, keyError } from './ssh-public-key.js';

/** Key types whose fields follow the type name in their own way: name → parser of the rest of the blob. */
type BlobParser = (r: SshReader, blob: Buffer) => SshPublicKey;
const PARSERS: Readonly<Record<string, BlobParser>> = {
  'ssh-ed25519': parseEd25519,
  'ssh-rsa': parseRsa,
  ...SK_KEY_PARSERS,
  [MLDSA44_ED25519]: parseMlDsa44Ed25519,
  [SSH_DSS]: parseDss,
};


export function parseSshPublicKey(blob: Buffer): SshPublicKey {
  const owned = Buffer.from(blob); // callers may reuse their buffer; the key keeps its own copy
  const r = new SshReader(owned, 'public key');
  let type: string;
  try {
    type = r.string().toString('latin1');
  } catch (err) {
    throw keyError('invalid public key blob: ' + (err as Error).message, err);
  }
  const parser = Object.hasOwn(PARSERS, type) ? PARSERS[type] : undefined;
  const curve = ecdsaCurveForType(type);
  try {
    if (parser) return parser(r, owned);
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
  const key = ed25519KeyObject('ssh-ed25519', pk);
  const check = plainSignature((_alg, data, sig) => sig.length === 64 && cryptoVerify(null, data, key, sig));
  return new SshPublicKey('ssh-ed25519', blob, 256, ['ssh-ed25519'], check);
}

function parseEcdsa(r: SshReader, blob: Buffer, curve: EcdsaCurve): SshPublicKey {
  const curveName = r.string().toString('latin1');
  const point = r.string();
  r.end();
  const key = ecdsaKeyObject(curve.type, curve, curveName, point);
  const check = plainSignature((_alg, data, sig) => verifyEcdsa(curve, key, data, sig));
  return new SshPublicKey(curve.type, blob, curve.bits, [curve.type], check);
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
  const check = plainSignature((alg, data, sig) => {
    if (sig.length > modulusBytes) return false;
    // Signatures with leading zero bytes may arrive shortened; OpenSSL wants the full modulus length.
    const full = sig.length === modulusBytes ? sig : Buffer.concat([Buffer.alloc(modulusBytes - sig.length), sig]);
    return cryptoVerify(RSA_SIGNATURE_HASHES[alg]!, data, { key, padding: constants.RSA_PKCS1_PADDING }, full);
  });
  return new SshPublicKey('ssh-rsa', blob, bits, Object.keys(RSA_SIGNATURE_HASHES), check);
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
