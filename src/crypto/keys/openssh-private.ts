import { createPrivateKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { SshReader } from '../../wire/reader.js';
import { ecdsaCurveForType } from './key-types.js';
import { readDssPrivate, SSH_DSS } from './dsa.js';
import { MLDSA44_ED25519, MlDsa44Ed25519PrivateKey, readMlDsa44Ed25519Private } from './mldsa44-ed25519.js';
import { privateKeyFromKeyObject, type SshPrivateKey } from './private-key.js';
import { keyError, unsignedMagnitude } from './public-key.js';
import { isSkKeyType, readSkPrivate, SkPrivateKey, type SecurityKeySigner } from './sk-private.js';

/**
 * The OpenSSH private key container (PROTOCOL.key in openssh-portable):
 *   "openssh-key-v1\0" string cipher, string kdf, string kdfoptions, uint32 N=1, string publickey,
 *   string private-section; the private section holds two equal check integers, the key, a comment
 *   and padding 1, 2, 3, ... up to the cipher block size.
 */
export interface OpenSSHContainer {
  cipher: string;
  kdf: string;
  kdfOptions: Buffer;
  publicBlob: Buffer;
  privateSection: Buffer;
}

const MAGIC = Buffer.from('openssh-key-v1\0', 'latin1');
const ARMOR = /-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]*?)-----END OPENSSH PRIVATE KEY-----/;

export function hasOpenSSHArmor(text: string): boolean {
  return ARMOR.test(text);
}

export function readOpenSSHContainer(text: string): OpenSSHContainer {
  const body = ARMOR.exec(text)?.[1]?.replace(/\s+/g, '') ?? '';
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body)) throw keyError('invalid format');
  const der = Buffer.from(body, 'base64');
  if (der.length < MAGIC.length || !der.subarray(0, MAGIC.length).equals(MAGIC)) throw keyError('invalid format');
  const r = new SshReader(der.subarray(MAGIC.length), 'private key');
  const cipher = r.text();
  const kdf = r.text();
  const kdfOptions = r.string(); // only meaningful for encrypted keys
  if (r.uint32() !== 1) throw keyError('invalid format (only one key per file is supported)');
  const publicBlob = r.string();
  const privateSection = r.string();
  r.end();
  return { cipher, kdf, kdfOptions, publicBlob, privateSection };
}

/**
 * Decodes an unencrypted private section into a key. Keys node:crypto has (ed25519, ECDSA, RSA) become
 * KeyObjects; ML-DSA-44/Ed25519 keeps its seeds; a security key keeps its fields for `securityKey`.
 */
export function decodePrivateSection(section: Buffer, securityKey?: SecurityKeySigner): SshPrivateKey {
  const r = new SshReader(section, 'private key');
  if (r.uint32() !== r.uint32()) throw keyError('invalid format (check bytes differ)');
  const start = section.length - r.remaining;
  const type = r.text();
  const finish = (): string => {
    const comment = r.text();
    checkPadding(r.rest());
    return comment;
  };
  if (type === MLDSA44_ED25519) {
    const { secret, publicKey } = readMlDsa44Ed25519Private(r);
    return new MlDsa44Ed25519PrivateKey(secret, finish(), publicKey);
  }
  if (type === SSH_DSS) return readDssPrivate(r, finish);
  if (isSkKeyType(type)) {
    const { publicKey, keyFields, flags } = readSkPrivate(type, r, section, start);
    return new SkPrivateKey(publicKey, keyFields, flags, finish(), securityKey);
  }
  const jwk = readPrivateJwk(type, r);
  const comment = finish();
  let keyObject: KeyObject;
  try {
    keyObject = createPrivateKey({ key: jwk, format: 'jwk' });
  } catch (err) {
    throw keyError(`invalid ${type} private key`, err);
  }
  return privateKeyFromKeyObject(keyObject, comment);
}

function readPrivateJwk(type: string, r: SshReader): JsonWebKey {
  const b64 = (b: Buffer): string => b.toString('base64url');
  if (type === 'ssh-ed25519') {
    const pk = r.string();
    const sk = r.string(); // seed || public key
    if (pk.length !== 32 || sk.length !== 64 || !sk.subarray(32).equals(pk)) throw keyError('invalid ssh-ed25519 private key');
    return { kty: 'OKP', crv: 'Ed25519', d: b64(sk.subarray(0, 32)), x: b64(pk) };
  }
  if (type === 'ssh-rsa') {
    const read = (): Buffer => unsignedMagnitude(r.mpintBytes());
    const n = read();
    const e = read();
    const d = read();
    const iqmp = read();
    const p = read();
    const q = read();
    const [dBig, pBig, qBig] = [toBigInt(d), toBigInt(p), toBigInt(q)];
    if (pBig < 3n || qBig < 3n) throw keyError('invalid ssh-rsa private key');
    return {
      kty: 'RSA',
      n: b64(n),
      e: b64(e),
      d: b64(d),
      p: b64(p),
      q: b64(q),
      dp: b64(fromBigInt(dBig % (pBig - 1n))),
      dq: b64(fromBigInt(dBig % (qBig - 1n))),
      qi: b64(iqmp),
    };
  }
  const curve = ecdsaCurveForType(type);
  if (curve) {
    const curveName = r.text();
    const point = r.string();
    const d = unsignedMagnitude(r.mpintBytes());
    const n = curve.fieldBytes;
    if (curveName !== curve.sshCurve || point.length !== 1 + 2 * n || point[0] !== 4 || d.length > n) {
      throw keyError(`invalid ${type} private key`);
    }
    return {
      kty: 'EC',
      crv: curve.jwkCurve,
      x: b64(point.subarray(1, 1 + n)),
      y: b64(point.subarray(1 + n)),
      d: b64(Buffer.concat([Buffer.alloc(n - d.length), d])),
    };
  }
  throw keyError(`unsupported key type ${JSON.stringify(type)}`);
}

/** Padding is 1, 2, 3, ... and shorter than a cipher block (OpenSSH checks it the same way). */
function checkPadding(padding: Buffer): void {
  if (padding.length >= 16) throw keyError('invalid format (bad padding)');
  for (let i = 0; i < padding.length; i++) {
    if (padding[i] !== i + 1) throw keyError('invalid format (bad padding)');
  }
}

function toBigInt(magnitude: Buffer): bigint {
  return magnitude.length === 0 ? 0n : BigInt('0x' + magnitude.toString('hex'));
}

function fromBigInt(v: bigint): Buffer {
  let hex = v.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  return Buffer.from(hex, 'hex');
}
