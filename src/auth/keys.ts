import { keyTypeForAlgorithm, parsePublicKeyBlob } from '../crypto/keys/index.js';
import { blobKeyType, isCertificateType, parseCertificateBlob, plainKeyType } from '../crypto/keys/certificate.js';
import { fingerprintSha256 } from '../crypto/keys/index.js';
import { keyTypeShortName } from '../crypto/keys/key-types.js';

/** A public key or certificate as user authentication offers it. */
export interface OfferedKey {
  /** The blob sent to the server (a certificate blob for certificates). */
  readonly blob: Buffer;
  /** Key type named in the blob: 'ssh-ed25519', 'ssh-rsa-cert-v01@openssh.com', ... */
  readonly type: string;
  /** The plain public key (equal to `blob` for plain keys): what pairs a certificate with its private key. */
  readonly plainBlob: Buffer;
  /** For certificates: user or host certificate. */
  readonly certificateKind?: 'user' | 'host';
}

/**
 * Describes a public key or certificate blob, checking that tssh can use it (supported type, RSA at least
 * 1024 bits). Throws a KEY error otherwise.
 */
export function describeKey(blob: Buffer): OfferedKey {
  const type = blobKeyType(blob);
  if (!isCertificateType(type)) {
    parsePublicKeyBlob(blob);
    return { blob: Buffer.from(blob), type, plainBlob: Buffer.from(blob) };
  }
  const cert = parseCertificateBlob(blob);
  parsePublicKeyBlob(cert.plainBlob);
  return { blob: Buffer.from(blob), type, plainBlob: cert.plainBlob, certificateKind: cert.kind };
}

/**
 * RequiredRSASize: an RSA key (or RSA certificate) whose modulus is shorter than `minimumBits`, which
 * ssh refuses ("Invalid key length"). Other key types are never too short.
 */
export function rsaKeyTooShort(key: OfferedKey, minimumBits: number): boolean {
  if (plainKeyType(key.type) !== 'ssh-rsa') return false;
  return parsePublicKeyBlob(key.plainBlob).bits < minimumBits;
}

export function isCertificate(key: OfferedKey): boolean {
  return isCertificateType(key.type);
}

/** Same public key, certificate or not (OpenSSH's sshkey_equal_public). */
export function samePublicKey(a: OfferedKey, b: OfferedKey): boolean {
  return a.plainBlob.equals(b.plainBlob);
}

/** Same key and same form (a certificate is not equal to its plain key; OpenSSH's sshkey_equal). */
export function sameKey(a: OfferedKey, b: OfferedKey): boolean {
  return a.blob.equals(b.blob);
}

/** The short type name OpenSSH prints in logs: ED25519, ECDSA, RSA, ED25519-CERT, ECDSA-SK, ... */
export function keyTypeLabel(type: string): string {
  return keyTypeShortName(type) ?? type;
}

/** SHA256 fingerprint; a certificate has its key's fingerprint, as in ssh -v output. */
export function keyFingerprint(key: OfferedKey): string {
  return fingerprintSha256(key.plainBlob);
}

/** The signature algorithm inside a (possibly certificate) algorithm name: 'rsa-sha2-512-cert-v01@openssh.com' → 'rsa-sha2-512'. */
export function signatureAlgorithmOf(algorithm: string): string {
  return plainKeyType(algorithm);
}

/** Whether PubkeyAcceptedAlgorithms lets this key be used at all (RSA keys also by their rsa-sha2 names). */
export function keyAllowedByConfig(key: OfferedKey, accepted: readonly string[]): boolean {
  if (accepted.includes(key.type)) return true;
  if (key.type === 'ssh-rsa') return accepted.includes('rsa-sha2-512') || accepted.includes('rsa-sha2-256');
  if (key.type === 'ssh-rsa-cert-v01@openssh.com') {
    return accepted.includes('rsa-sha2-512-cert-v01@openssh.com') || accepted.includes('rsa-sha2-256-cert-v01@openssh.com');
  }
  return false;
}

/**
 * The algorithm to offer a key with, as OpenSSH chooses it: non-RSA keys use their own type if allowed;
 * RSA keys (and RSA certificates) take the first PubkeyAcceptedAlgorithms entry of their type whose
 * signature the server lists in server-sig-algs. Without server-sig-algs an RSA key can only use ssh-rsa
 * (SHA-1), which must then be allowed explicitly. Undefined when nothing fits (the key is skipped).
 */
export function chooseKeyAlgorithm(key: OfferedKey, serverSigAlgs: readonly string[] | undefined, accepted: readonly string[]): string | undefined {
  if (serverSigAlgs === undefined || plainKeyType(key.type) !== 'ssh-rsa') {
    return accepted.includes(key.type) ? key.type : undefined;
  }
  for (const algorithm of accepted) {
    if (keyTypeForAlgorithm(algorithm) !== key.type) continue;
    if (serverSigAlgs.includes(signatureAlgorithmOf(algorithm))) return algorithm;
  }
  return undefined;
}
