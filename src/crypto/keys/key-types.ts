/** The key types tssh understands, as data: curve parameters and the hash behind each signature algorithm. */

export type SignatureHash = 'sha1' | 'sha256' | 'sha384' | 'sha512';

export interface EcdsaCurve {
  /** Key type and signature algorithm name (they are the same for ECDSA). */
  readonly type: 'ecdsa-sha2-nistp256' | 'ecdsa-sha2-nistp384' | 'ecdsa-sha2-nistp521';
  /** Curve identifier inside the blob (RFC 5656 §6.1). */
  readonly sshCurve: string;
  readonly jwkCurve: 'P-256' | 'P-384' | 'P-521';
  /** OpenSSL name as node reports it in asymmetricKeyDetails.namedCurve. */
  readonly nodeCurve: string;
  readonly hash: SignatureHash;
  readonly bits: number;
  /** Bytes of one coordinate (and of r, s in a fixed-width signature). */
  readonly fieldBytes: number;
}

export const ECDSA_CURVES: readonly EcdsaCurve[] = [
  { type: 'ecdsa-sha2-nistp256', sshCurve: 'nistp256', jwkCurve: 'P-256', nodeCurve: 'prime256v1', hash: 'sha256', bits: 256, fieldBytes: 32 },
  { type: 'ecdsa-sha2-nistp384', sshCurve: 'nistp384', jwkCurve: 'P-384', nodeCurve: 'secp384r1', hash: 'sha384', bits: 384, fieldBytes: 48 },
  { type: 'ecdsa-sha2-nistp521', sshCurve: 'nistp521', jwkCurve: 'P-521', nodeCurve: 'secp521r1', hash: 'sha512', bits: 521, fieldBytes: 66 },
];

export function ecdsaCurveForType(type: string): EcdsaCurve | undefined {
  return ECDSA_CURVES.find((c) => c.type === type);
}

/** RSA signature algorithms in OpenSSH preference order, with their hash (RFC 8332; ssh-rsa is SHA-1). */
export const RSA_SIGNATURE_HASHES: Readonly<Record<string, SignatureHash>> = {
  'rsa-sha2-512': 'sha512',
  'rsa-sha2-256': 'sha256',
  'ssh-rsa': 'sha1',
};
export const RSA_SIGNATURE_ALGORITHMS = Object.keys(RSA_SIGNATURE_HASHES);

/** OpenSSH refuses RSA keys below 1024 bits (SSH_RSA_MINIMUM_MODULUS_SIZE) and above 16384. */
export const RSA_MIN_BITS = 1024;
export const RSA_MAX_BITS = 16384;

/**
 * The key type that signs with a signature algorithm: 'rsa-sha2-512' → 'ssh-rsa', the webauthn form →
 * 'sk-ecdsa-sha2-nistp256@openssh.com'; others are their own type.
 */
export function keyTypeForAlgorithm(alg: string): string {
  const m = /^rsa-sha2-(?:256|512)(-cert-v01@openssh\.com)?$/.exec(alg);
  if (m) return 'ssh-rsa' + (m[1] ?? '');
  if (alg === 'webauthn-sk-ecdsa-sha2-nistp256@openssh.com') return 'sk-ecdsa-sha2-nistp256@openssh.com';
  if (alg === 'webauthn-sk-ecdsa-sha2-nistp256-cert-v01@openssh.com') return 'sk-ecdsa-sha2-nistp256-cert-v01@openssh.com';
  return alg;
}

const CERT_SUFFIX = '-cert-v01@openssh.com';
/** Plain names that carry OpenSSH's domain: their certificate names drop it before the suffix. */
const OPENSSH_DOMAIN = '@openssh.com';
const DOMAIN_STEMS = /^(?:sk-|webauthn-sk-|ssh-mldsa)/;

/** True for the `*-cert-v01@openssh.com` names (key types and host-key algorithms). */
export function isCertificateName(name: string): boolean {
  return name.endsWith(CERT_SUFFIX);
}

/**
 * 'rsa-sha2-512-cert-v01@openssh.com' → 'rsa-sha2-512', 'sk-ecdsa-sha2-nistp256-cert-v01@openssh.com' →
 * 'sk-ecdsa-sha2-nistp256@openssh.com'; plain names are returned unchanged.
 */
export function plainAlgorithm(name: string): string {
  if (!isCertificateName(name)) return name;
  const stem = name.slice(0, -CERT_SUFFIX.length);
  return DOMAIN_STEMS.test(stem) ? stem + OPENSSH_DOMAIN : stem;
}

/** The certificate name of a plain key type or algorithm, as OpenSSH forms it ('x@openssh.com' → 'x-cert-v01@openssh.com'). */
export function certificateAlgorithm(plain: string): string {
  const stem = plain.endsWith(OPENSSH_DOMAIN) ? plain.slice(0, -OPENSSH_DOMAIN.length) : plain;
  return stem + CERT_SUFFIX;
}

/** OpenSSH's short type names (sshkey_type()), as every message and log line prints them. */
const TYPE_LABELS: Readonly<Record<string, string>> = {
  'ssh-ed25519': 'ED25519',
  'sk-ssh-ed25519@openssh.com': 'ED25519-SK',
  'ssh-mldsa44-ed25519@openssh.com': 'MLDSA44-ED25519',
  'ecdsa-sha2-nistp256': 'ECDSA',
  'ecdsa-sha2-nistp384': 'ECDSA',
  'ecdsa-sha2-nistp521': 'ECDSA',
  'sk-ecdsa-sha2-nistp256@openssh.com': 'ECDSA-SK',
  'webauthn-sk-ecdsa-sha2-nistp256@openssh.com': 'ECDSA-SK',
  'ssh-rsa': 'RSA',
  'rsa-sha2-256': 'RSA',
  'rsa-sha2-512': 'RSA',
  'ssh-dss': 'DSA',
};

/** 'ssh-ed25519' → 'ED25519', 'sk-ecdsa-sha2-nistp256-cert-v01@openssh.com' → 'ECDSA-SK-CERT'; undefined if unknown. */
export function keyTypeShortName(type: string): string | undefined {
  const label = TYPE_LABELS[plainAlgorithm(type)];
  if (label === undefined) return undefined;
  return isCertificateName(type) ? `${label}-CERT` : label;
}
