/**
 * OpenSSH certificates (PROTOCOL.certkeys): `*-cert-v01@openssh.com` key blobs carrying a certified
 * plain key, a validity window, principals, critical options and extensions, signed by a CA key.
 *
 * Parsing verifies the CA's signature (as OpenSSH's cert_parse does), so a parsed certificate is always
 * authentic; whether it is *acceptable* (type, time, principal, options, CA algorithm) is decided by
 * checkCertificateAuthority / checkHostCertificate, with OpenSSH's reason texts. The KEX signature of a
 * certified host key is made by the certified key under the plain algorithm name.
 */
import { TsshError } from '../../errors.js';
import { SshReader } from '../../wire/reader.js';
import { SshWriter } from '../../wire/writer.js';
import { matchPattern, matchPatternList } from '../../text/patterns.js';
import { isCertificateName, plainAlgorithm } from './key-types.js';
import { signatureBlobAlgorithm } from './signature.js';
import { parseSshPublicKey, type SshPublicKey } from './public-key.js';
import type { PublicKey } from './types.js';


/** Certificate key type → the plain key type it certifies, with the public-key fields that follow the nonce. */
const CERT_LAYOUTS: Readonly<Record<string, { plainType: string; fields: ReadonlyArray<'string' | 'mpint'> }>> = {
  'ssh-ed25519-cert-v01@openssh.com': { plainType: 'ssh-ed25519', fields: ['string'] },
  'ecdsa-sha2-nistp256-cert-v01@openssh.com': { plainType: 'ecdsa-sha2-nistp256', fields: ['string', 'string'] },
  'ecdsa-sha2-nistp384-cert-v01@openssh.com': { plainType: 'ecdsa-sha2-nistp384', fields: ['string', 'string'] },
  'ecdsa-sha2-nistp521-cert-v01@openssh.com': { plainType: 'ecdsa-sha2-nistp521', fields: ['string', 'string'] },
  'ssh-rsa-cert-v01@openssh.com': { plainType: 'ssh-rsa', fields: ['mpint', 'mpint'] },
  'sk-ssh-ed25519-cert-v01@openssh.com': { plainType: 'sk-ssh-ed25519@openssh.com', fields: ['string', 'string'] },
  'sk-ecdsa-sha2-nistp256-cert-v01@openssh.com': { plainType: 'sk-ecdsa-sha2-nistp256@openssh.com', fields: ['string', 'string', 'string'] },
  'ssh-mldsa44-ed25519-cert-v01@openssh.com': { plainType: 'ssh-mldsa44-ed25519@openssh.com', fields: ['string'] },
  'ssh-dss-cert-v01@openssh.com': { plainType: 'ssh-dss', fields: ['mpint', 'mpint', 'mpint', 'mpint'] },
};

/** OpenSSH SSHKEY_CERT_MAX_PRINCIPALS. */
const MAX_PRINCIPALS = 256;
/** valid_before of a certificate that never expires. */
export const CERT_VALID_FOREVER = 0xffffffffffffffffn;

export type CertificateKind = 'user' | 'host';

/** A certificate's fields as encoded, before any signature check (what a client holding one needs). */
export interface CertificateBlobFields {
  /** The certificate key type, e.g. 'ssh-ed25519-cert-v01@openssh.com'. */
  readonly type: string;
  /** The certified key's plain type ('ssh-ed25519') and blob. */
  readonly plainType: string;
  readonly plainBlob: Buffer;
  readonly serial: bigint;
  readonly kind: CertificateKind;
  readonly keyId: string;
  readonly principals: readonly string[];
  /** Seconds since the epoch; 0 = valid from the start of time. */
  readonly validAfter: bigint;
  /** Seconds since the epoch; CERT_VALID_FOREVER = no end. */
  readonly validBefore: bigint;
  readonly criticalOptions: ReadonlyArray<readonly [name: string, data: Buffer]>;
  readonly extensions: ReadonlyArray<readonly [name: string, data: Buffer]>;
  /** The CA key's blob. */
  readonly signatureKey: Buffer;
}

/** A certificate whose CA signature has been verified. */
export interface OpenSSHCertificate extends CertificateBlobFields {
  /** The whole certificate blob (what a server presents). */
  readonly blob: Buffer;
  /** The certified plain key. */
  readonly key: SshPublicKey;
  /** The CA key that signed the certificate (never itself a certificate). */
  readonly caKey: SshPublicKey;
  /** The algorithm of the CA's signature, e.g. 'rsa-sha2-512' (checked against CASignatureAlgorithms). */
  readonly signatureAlgorithm: string;
}

export { certificateAlgorithm, isCertificateName, plainAlgorithm } from './key-types.js';

/** Aliases used by the authentication layer. */
export const isCertificateType = isCertificateName;
export const plainKeyType = plainAlgorithm;

/** The type name inside a key blob (its first string), without parsing the rest. */
export function blobKeyType(blob: Buffer): string {
  return new SshReader(blob, 'public key').string().toString('latin1');
}

function certError(message: string, cause?: unknown): TsshError {
  return new TsshError('KEY', message, cause === undefined ? undefined : { cause });
}

/** Reads `string name, string data` pairs (critical options, extensions); throws on a malformed section. */
function readPairs(section: Buffer, what: string): Array<readonly [string, Buffer]> {
  const r = new SshReader(section, what);
  const pairs: Array<readonly [string, Buffer]> = [];
  while (r.remaining > 0) pairs.push([r.text(), r.string()]);
  return pairs;
}

interface DecodedCertificate extends CertificateBlobFields {
  /** Bytes covered by the CA signature: everything before the signature field. */
  signedLength: number;
  signature: Buffer;
}

/**
 * Decodes a certificate blob without checking its signature (a client presenting its own user
 * certificate needs no more). Throws TsshError('KEY') for an unknown or malformed certificate.
 */
export function parseCertificateBlob(blob: Buffer): CertificateBlobFields {
  const { signedLength: _signed, signature: _signature, ...fields } = decode(blob);
  return fields;
}

function decode(blob: Buffer): DecodedCertificate {
  try {
    return decodeOrThrow(blob);
  } catch (err) {
    if (err instanceof TsshError && err.code === 'KEY') throw err;
    throw certError(`invalid certificate: ${(err as Error).message}`, err);
  }
}

function decodeOrThrow(blob: Buffer): DecodedCertificate {
  const r = new SshReader(blob, 'certificate');
  const type = r.text();
  const layout = CERT_LAYOUTS[type];
  if (layout === undefined) throw certError(`unsupported certificate type ${JSON.stringify(type)}`);
  r.string(); // nonce: makes every signed blob unique, carries no meaning
  const plain = new SshWriter(256).string(layout.plainType);
  for (const field of layout.fields) plain.string(field === 'string' ? r.string() : r.mpintBytes());
  const serial = r.uint64();
  const kindCode = r.uint32();
  const keyId = r.text();
  const principalSection = r.string();
  const validAfter = r.uint64();
  const validBefore = r.uint64();
  const criticalSection = r.string();
  const extensionSection = r.string();
  r.string(); // reserved
  const signatureKey = Buffer.from(r.string());
  const signedLength = blob.length - r.remaining;
  const signature = Buffer.from(r.string());
  r.end();

  if (kindCode !== 1 && kindCode !== 2) throw certError(`invalid certificate type ${kindCode}`);
  const principals: string[] = [];
  const pr = new SshReader(principalSection, 'certificate principals');
  while (pr.remaining > 0) {
    if (principals.length >= MAX_PRINCIPALS) throw certError('invalid certificate: too many principals');
    principals.push(pr.text());
  }
  return {
    type,
    plainType: layout.plainType,
    plainBlob: Buffer.from(plain.finish()),
    serial,
    kind: kindCode === 1 ? 'user' : 'host',
    keyId,
    principals,
    validAfter,
    validBefore,
    criticalOptions: readPairs(criticalSection, 'certificate critical options'),
    extensions: readPairs(extensionSection, 'certificate extensions'),
    signatureKey,
    signedLength,
    signature,
  };
}

/**
 * Parses a certificate blob and verifies the CA signature over it, as OpenSSH's cert_parse does.
 * Throws TsshError('KEY') for an unknown or malformed certificate, a CA key that is itself a
 * certificate or of an unsupported type, or a bad signature.
 */
export function parseCertificate(blob: Buffer): OpenSSHCertificate {
  const owned = Buffer.from(blob);
  const { signedLength, signature, ...fields } = decode(owned);
  const key = parseSshPublicKey(fields.plainBlob);
  let caKey: SshPublicKey;
  try {
    caKey = parseSshPublicKey(fields.signatureKey); // plain keys only: a CA key may not be a certificate
  } catch (err) {
    throw certError('invalid certificate signing key', err);
  }
  let signatureAlgorithm: string;
  try {
    signatureAlgorithm = signatureBlobAlgorithm(signature);
  } catch (err) {
    throw certError('invalid certificate signature', err);
  }
  if (!caKey.verify(signatureAlgorithm, owned.subarray(0, signedLength), signature)) throw certError('incorrect signature');
  return { ...fields, blob: owned, key, caKey, signatureAlgorithm };
}

export interface AuthorityCheck {
  kind: CertificateKind;
  /** A certificate without principals is refused (user certificates); host certificates may omit them. */
  requirePrincipal: boolean;
  /** Principals are patterns matched against `name` (OpenSSH's wildcard_pattern). */
  wildcardPrincipals: boolean;
  /** The name that must be a principal; undefined skips the principal check. */
  name: string | undefined;
  /** Seconds since the epoch. */
  now: number;
}

/** OpenSSH sshkey_cert_check_authority: the reason the certificate is not valid, or undefined. */
export function checkCertificateAuthority(cert: CertificateBlobFields, check: AuthorityCheck): string | undefined {
  if (cert.kind !== check.kind) return `Certificate invalid: not a ${check.kind} certificate`;
  const now = BigInt(Math.floor(check.now));
  if (now < cert.validAfter) return 'Certificate invalid: not yet valid';
  if (now >= cert.validBefore) return 'Certificate invalid: expired';
  if (cert.principals.length === 0) return check.requirePrincipal ? 'Certificate lacks principal list' : undefined;
  if (check.name === undefined) return undefined;
  const name = check.name;
  const listed = cert.principals.some((p) => (check.wildcardPrincipals ? matchPattern(name, p) : p === name));
  return listed ? undefined : 'Certificate invalid: name is not a listed principal';
}

/**
 * OpenSSH sshkey_cert_check_host: may this host certificate stand for `host` (the host name, or the
 * HostKeyAlias)? Returns the reason it may not, or undefined.
 */
export function checkHostCertificate(
  cert: OpenSSHCertificate,
  host: string,
  caSignatureAlgorithms: readonly string[],
  now: number = Date.now() / 1000,
): string | undefined {
  const problem = checkCertificateAuthority(cert, { kind: 'host', requirePrincipal: false, wildcardPrincipals: false, name: host, now });
  if (problem !== undefined) return problem;
  if (cert.criticalOptions.length > 0) return 'Certificate contains unsupported critical options';
  if (matchPatternList(cert.signatureAlgorithm, caSignatureAlgorithms.join(',')) !== 1)
    return 'Certificate signed with disallowed algorithm';
  return undefined;
}

/** OpenSSH sshkey_format_cert_validity: `forever`, `after T`, `before T` or `from T to T` (local time). */
export function formatCertificateValidity(cert: CertificateBlobFields): string {
  const time = (seconds: bigint): string => formatLocalTime(Number(seconds));
  if (cert.validAfter === 0n && cert.validBefore === CERT_VALID_FOREVER) return 'forever';
  if (cert.validAfter === 0n) return `before ${time(cert.validBefore)}`;
  if (cert.validBefore === CERT_VALID_FOREVER) return `after ${time(cert.validAfter)}`;
  return `from ${time(cert.validAfter)} to ${time(cert.validBefore)}`;
}

/** strftime("%Y-%m-%dT%H:%M:%S") in local time. */
function formatLocalTime(seconds: number): string {
  const d = new Date(Math.min(seconds, 253402300799) * 1000);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/**
 * A certificate seen as a public key: its type and blob are the certificate's, and it verifies the
 * signatures of the certified key (a KEX signature under a `*-cert-v01` algorithm is made by the plain
 * key with the plain algorithm name, e.g. rsa-sha2-512 for rsa-sha2-512-cert-v01@openssh.com).
 */
export class CertifiedPublicKey implements PublicKey {
  readonly type: string;
  readonly blob: Buffer;
  readonly bits: number;

  constructor(readonly certificate: OpenSSHCertificate) {
    this.type = certificate.type;
    this.blob = certificate.blob;
    this.bits = certificate.key.bits;
  }

  verify(algorithm: string, data: Buffer, signatureBlob: Buffer): boolean {
    if (!isCertificateName(algorithm)) return false;
    // ssh-rsa-cert-v01 covers all three RSA signature algorithms, each under its own -cert name.
    return this.certificate.key.verify(plainAlgorithm(algorithm), data, signatureBlob);
  }
}

/** The certificate behind a public key, if it is one. */
export function certificateOf(key: PublicKey): OpenSSHCertificate | undefined {
  return key instanceof CertifiedPublicKey ? key.certificate : undefined;
}

/** Parses a `*-cert-v01@openssh.com` blob into a verifying public key (CA signature checked). */
export function parseCertifiedPublicKey(blob: Buffer): CertifiedPublicKey {
  return new CertifiedPublicKey(parseCertificate(blob));
}
