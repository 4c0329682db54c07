/**
 * RevokedHostKeys (OpenSSH sshkey_check_revoked): the file is a KRL (PROTOCOL.krl: explicit keys,
 * SHA1/SHA256 fingerprints, certificates by CA and serial or key ID), or else a plain list of public
 * keys, one per line. A certificate is revoked when its certified key, its serial or key ID under its
 * CA, or its CA key is. Pure: the caller reads the file.
 */
import { createHash } from 'node:crypto';
import { blobKeyType, isCertificateName, parseCertificateBlob, type OpenSSHCertificate } from '../crypto/keys/certificate.js';
import { SshReader } from '../wire/reader.js';

const KRL_MAGIC = Buffer.from('SSHKRL\n\0', 'latin1');
const SECTION = { CERTIFICATES: 1, EXPLICIT_KEY: 2, FINGERPRINT_SHA1: 3, SIGNATURE: 4, FINGERPRINT_SHA256: 5 } as const;
const CERT_SECTION = { SERIAL_LIST: 0x20, SERIAL_RANGE: 0x21, SERIAL_BITMAP: 0x22, KEY_ID: 0x23 } as const;

/** The key to look for: a plain blob, and the certificate if the server presented one. */
export interface RevocationSubject {
  plainBlob: Buffer;
  certificate?: OpenSSHCertificate;
}

interface CertRevocations {
  /** The CA's blob; undefined for a section that applies to every CA. */
  ca: Buffer | undefined;
  serials: Array<[low: bigint, high: bigint]>;
  keyIds: Set<string>;
}

interface Krl {
  keys: Buffer[];
  sha1: Buffer[];
  sha256: Buffer[];
  certs: CertRevocations[];
}

/** Whether `subject` is revoked by the file's contents. Throws an Error describing a malformed KRL. */
export function isRevoked(file: Buffer, subject: RevocationSubject): boolean {
  if (file.length >= KRL_MAGIC.length && file.subarray(0, KRL_MAGIC.length).equals(KRL_MAGIC)) {
    const krl = parseKrl(file);
    const cert = subject.certificate;
    return revokedInKrl(krl, subject.plainBlob, cert) || (cert !== undefined && revokedInKrl(krl, cert.signatureKey, undefined));
  }
  return revokedInList(file.toString('utf8'), subject);
}

function parseKrl(file: Buffer): Krl {
  const r = new SshReader(file.subarray(KRL_MAGIC.length), 'KRL');
  if (r.uint32() !== 1) throw new Error('unsupported KRL format version');
  r.uint64(); // krl_version
  r.uint64(); // generated_date
  r.uint64(); // flags
  r.string(); // reserved
  r.string(); // comment
  const krl: Krl = { keys: [], sha1: [], sha256: [], certs: [] };
  while (r.remaining > 0) {
    const type = r.byte();
    if (type === SECTION.SIGNATURE) break; // signatures protect KRLs fetched over untrusted channels; a local file is trusted
    const data = new SshReader(r.string(), 'KRL section');
    if (type === SECTION.CERTIFICATES) krl.certs.push(parseCertSection(data));
    else if (type === SECTION.EXPLICIT_KEY || type === SECTION.FINGERPRINT_SHA1 || type === SECTION.FINGERPRINT_SHA256) {
      const list = type === SECTION.EXPLICIT_KEY ? krl.keys : type === SECTION.FINGERPRINT_SHA1 ? krl.sha1 : krl.sha256;
      while (data.remaining > 0) list.push(Buffer.from(data.string()));
    } else throw new Error(`unsupported KRL section ${type}`);
  }
  return krl;
}

function parseCertSection(data: SshReader): CertRevocations {
  const caBlob = data.string();
  data.string(); // reserved
  const section: CertRevocations = { ca: caBlob.length === 0 ? undefined : Buffer.from(caBlob), serials: [], keyIds: new Set() };
  while (data.remaining > 0) {
    const type = data.byte();
    const sub = new SshReader(data.string(), 'KRL certificate section');
    switch (type) {
      case CERT_SECTION.SERIAL_LIST:
        while (sub.remaining > 0) {
          const serial = sub.uint64();
          section.serials.push([serial, serial]);
        }
        break;
      case CERT_SECTION.SERIAL_RANGE:
        section.serials.push([sub.uint64(), sub.uint64()]);
        break;
      case CERT_SECTION.SERIAL_BITMAP: {
        const offset = sub.uint64();
        const bitmap = sub.mpint();
        for (let bit = 0n; bitmap >> bit > 0n; bit++) if ((bitmap >> bit) & 1n) section.serials.push([offset + bit, offset + bit]);
        break;
      }
      case CERT_SECTION.KEY_ID:
        while (sub.remaining > 0) section.keyIds.add(sub.text());
        break;
      default:
        throw new Error(`unsupported KRL certificate section ${type}`);
    }
  }
  return section;
}

function revokedInKrl(krl: Krl, plainBlob: Buffer, cert: OpenSSHCertificate | undefined): boolean {
  const sha1 = createHash('sha1').update(plainBlob).digest();
  const sha256 = createHash('sha256').update(plainBlob).digest();
  if (krl.sha1.some((h) => h.equals(sha1)) || krl.sha256.some((h) => h.equals(sha256))) return true;
  if (krl.keys.some((k) => k.equals(plainBlob))) return true;
  if (cert === undefined) return false;
  return krl.certs.some((section) => {
    if (section.ca !== undefined && !section.ca.equals(cert.signatureKey)) return false;
    if (section.keyIds.has(cert.keyId)) return true;
    // Serial 0 is what a CA gives when it assigns none: never revoked by serial.
    return cert.serial !== 0n && section.serials.some(([low, high]) => cert.serial >= low && cert.serial <= high);
  });
}

/** A flat file of public keys: the certified key, or (for a certificate) its CA, listed anywhere. */
function revokedInList(text: string, subject: RevocationSubject): boolean {
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 2 || fields[0]!.startsWith('#')) continue;
    // Keys compare by their public part whether listed or presented as certificates (sshkey_equal_public).
    const blob = plainPart(Buffer.from(fields[1]!, 'base64'));
    if (blob === undefined) continue;
    if (blob.equals(subject.plainBlob)) return true;
    if (subject.certificate?.signatureKey.equals(blob)) return true;
  }
  return false;
}

/** A key blob's plain public key: the certified key of a certificate; undefined if unreadable. */
function plainPart(blob: Buffer): Buffer | undefined {
  try {
    return isCertificateName(blobKeyType(blob)) ? parseCertificateBlob(blob).plainBlob : blob;
  } catch {
    return undefined;
  }
}
