/**
 * ssh-dss (RFC 4253 §6.6): DSA with SHA-1 and 160-bit q, off by default as in OpenSSH 9.x (10.0
 * removed it) and enabled with `+ssh-dss` for old servers and network gear. The key travels as mpint
 * p, q, g, y; a signature is 40 bytes, r || s. node:crypto has DSA but no JWK form for it, so keys are
 * handed to it as DER (SubjectPublicKeyInfo / PKCS#8, RFC 3279).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { SshReader } from '../../wire/reader.js';
import { SshWriter } from '../../wire/writer.js';
import type { SshPrivateKey } from './types.js';
import { encodeSignatureBlob } from './signature.js';
import { keyError, plainSignature, SshPublicKey } from './ssh-public-key.js';

export const SSH_DSS = 'ssh-dss';
const SIGNATURE_BYTES = 40;
const DSA_OID = Buffer.from('06072a8648ce380401', 'hex');

interface DsaParams {
  p: Buffer;
  q: Buffer;
  g: Buffer;
  y: Buffer;
}

function der(tag: number, body: Buffer): Buffer {
  const n = body.length;
  const length = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, body]);
}
const seq = (...parts: Buffer[]): Buffer => der(0x30, Buffer.concat(parts));
/** An unsigned magnitude as a DER INTEGER (a 0x00 in front when the top bit is set, or for zero). */
const int = (magnitude: Buffer): Buffer =>
  der(0x02, magnitude.length === 0 || magnitude[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), magnitude]) : magnitude);
const algorithm = (k: DsaParams): Buffer => seq(DSA_OID, seq(int(k.p), int(k.q), int(k.g)));

/** Reads a DER TLV at `at`; returns the value and where the next one starts. */
function readDer(buf: Buffer, at: number, tag: number): { value: Buffer; next: number } {
  if (buf[at] !== tag) throw keyError('invalid DSA key encoding');
  let length = buf[at + 1]!;
  let start = at + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes < 1 || bytes > 2) throw keyError('invalid DSA key encoding');
    length = bytes === 1 ? buf[at + 2]! : buf.readUInt16BE(at + 2);
    start += bytes;
  }
  if (start + length > buf.length) throw keyError('invalid DSA key encoding');
  return { value: buf.subarray(start, start + length), next: start + length };
}
const stripZeros = (b: Buffer): Buffer => {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
};
const bits = (magnitude: Buffer): number => (magnitude.length === 0 ? 0 : (magnitude.length - 1) * 8 + (32 - Math.clz32(magnitude[0]!)));

function blobOf(k: DsaParams): Buffer {
  return Buffer.from(new SshWriter(512).string(SSH_DSS).mpintFromUnsigned(k.p).mpintFromUnsigned(k.q).mpintFromUnsigned(k.g).mpintFromUnsigned(k.y).finish());
}

function publicKeyOf(k: DsaParams, blob: Buffer): SshPublicKey {
  // A 40-byte signature needs a 160-bit q (FIPS 186-2, as ssh-keygen makes them).
  if (bits(k.q) !== 160 || bits(k.p) < 1024 || bits(k.p) > 16384) throw keyError('invalid ssh-dss public key: unsupported parameter sizes');
  let key: KeyObject;
  try {
    key = createPublicKey({ key: seq(algorithm(k), der(0x03, Buffer.concat([Buffer.from([0]), int(k.y)]))), format: 'der', type: 'spki' });
  } catch (err) {
    throw keyError('invalid ssh-dss public key', err);
  }
  const check = plainSignature((_alg, data, sig) => sig.length === SIGNATURE_BYTES && cryptoVerify('sha1', data, { key, dsaEncoding: 'ieee-p1363' }, sig));
  return new SshPublicKey(SSH_DSS, blob, bits(k.p), [SSH_DSS], check);
}

const magnitude = (r: SshReader): Buffer => stripZeros(Buffer.from(r.mpintBytes()));

/** Parses the rest of an ssh-dss blob after the type name. */
export function parseDss(r: SshReader, blob: Buffer): SshPublicKey {
  const k = { p: magnitude(r), q: magnitude(r), g: magnitude(r), y: magnitude(r) };
  r.end();
  return publicKeyOf(k, blob);
}

export class DsaPrivateKey implements SshPrivateKey {
  readonly type = SSH_DSS;
  readonly signatureAlgorithms = [SSH_DSS];
  readonly publicKey: SshPublicKey;
  private readonly keyObject: KeyObject;

  constructor(private readonly params: DsaParams, private readonly x: Buffer, readonly comment: string) {
    this.publicKey = publicKeyOf(params, blobOf(params));
    try {
      this.keyObject = createPrivateKey({ key: seq(int(Buffer.alloc(0)), algorithm(params), der(0x04, int(x))), format: 'der', type: 'pkcs8' });
    } catch (err) {
      throw keyError('invalid ssh-dss private key', err);
    }
  }

  get publicBlob(): Buffer {
    return this.publicKey.blob;
  }

  sign(alg: string, data: Buffer): Buffer {
    if (alg !== SSH_DSS) throw keyError(`${SSH_DSS} key cannot sign with ${alg}`);
    return encodeSignatureBlob(SSH_DSS, cryptoSign('sha1', data, { key: this.keyObject, dsaEncoding: 'ieee-p1363' }));
  }

  /** ssh-add's encoding: string "ssh-dss", mpint p, q, g, y, x. */
  agentFields(): Buffer {
    const { p, q, g, y } = this.params;
    return Buffer.from(new SshWriter(600).string(SSH_DSS).mpintFromUnsigned(p).mpintFromUnsigned(q).mpintFromUnsigned(g).mpintFromUnsigned(y).mpintFromUnsigned(this.x).finish());
  }
}

/** Reads p, q, g, y, x of a private section after the type name. */
export function readDssPrivate(r: SshReader, comment: () => string): DsaPrivateKey {
  const params = { p: magnitude(r), q: magnitude(r), g: magnitude(r), y: magnitude(r) };
  const x = magnitude(r);
  return new DsaPrivateKey(params, x, comment());
}

/** A fresh 1024-bit key (ssh-keygen's only size), for tests and in-process servers. */
export function generateDsa(): DsaPrivateKey {
  const { privateKey, publicKey } = generateKeyPairSync('dsa', { modulusLength: 1024, divisorLength: 160 });
  // PKCS#8: SEQUENCE { INTEGER 0, SEQUENCE { OID, SEQUENCE { p, q, g } }, OCTET STRING { INTEGER x } }
  const pkcs8 = readDer(privateKey.export({ format: 'der', type: 'pkcs8' }), 0, 0x30).value;
  const algo = readDer(pkcs8, readDer(pkcs8, 0, 0x02).next, 0x30);
  const paramsSeq = readDer(algo.value, readDer(algo.value, 0, 0x06).next, 0x30).value;
  const p = readDer(paramsSeq, 0, 0x02);
  const q = readDer(paramsSeq, p.next, 0x02);
  const g = readDer(paramsSeq, q.next, 0x02);
  const x = readDer(readDer(pkcs8, algo.next, 0x04).value, 0, 0x02).value;
  // SPKI: SEQUENCE { algorithm, BIT STRING { INTEGER y } }
  const spki = readDer(publicKey.export({ format: 'der', type: 'spki' }), 0, 0x30).value;
  const bitString = readDer(spki, readDer(spki, 0, 0x30).next, 0x03).value;
  const y = readDer(bitString, 1, 0x02).value;
  return new DsaPrivateKey({ p: stripZeros(p.value), q: stripZeros(q.value), g: stripZeros(g.value), y: stripZeros(y) }, stripZeros(x), '');
}
