/**
 * Algorithm names tssh supports, in OpenSSH 9.x client preference order. Algorithms are data: these
 * lists are what `tssh -Q` prints and what the default proposals are built from; the implementations
 * live in crypto/cipher, crypto/mac, crypto/kex and crypto/keys, keyed by the same wire names.
 */

/** Key exchange: OpenSSH 10.x's default order (post-quantum hybrids first), as 9.2's plus ML-KEM. */
export const KEX_NAMES = [
  'mlkem768x25519-sha256',
  'sntrup761x25519-sha512',
  'sntrup761x25519-sha512@openssh.com',
  'curve25519-sha256',
  'curve25519-sha256@libssh.org',
  'ecdh-sha2-nistp256',
  'ecdh-sha2-nistp384',
  'ecdh-sha2-nistp521',
  'diffie-hellman-group-exchange-sha256',
  'diffie-hellman-group16-sha512',
  'diffie-hellman-group18-sha512',
  'diffie-hellman-group14-sha256',
] as const;

/**
 * The key exchanges OpenSSH counts as post-quantum (kex-names.c KEX_IS_PQ): without one of them ssh
 * 10.x warns that the session may be vulnerable to "store now, decrypt later" attacks.
 */
export const POST_QUANTUM_KEX: ReadonlySet<string> = new Set([
  'mlkem768x25519-sha256',
  'mlkem768nistp256-sha256',
  'sntrup761x25519-sha512',
  'sntrup761x25519-sha512@openssh.com',
]);

export const CIPHER_NAMES = [
  'chacha20-poly1305@openssh.com',
  'aes128-ctr',
  'aes192-ctr',
  'aes256-ctr',
  'aes128-gcm@openssh.com',
  'aes256-gcm@openssh.com',
] as const;

export const MAC_NAMES = [
  'hmac-sha2-256-etm@openssh.com',
  'hmac-sha2-512-etm@openssh.com',
  'hmac-sha1-etm@openssh.com',
  'hmac-sha2-256',
  'hmac-sha2-512',
  'hmac-sha1',
] as const;

/** Host-key (and user-key signature) algorithms, OpenSSH order for the plain key types tssh supports. */
export const HOST_KEY_NAMES = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
] as const;

/**
 * Host certificate algorithms (PROTOCOL.certkeys) tssh verifies, in OpenSSH 9.2's default order. The
 * KEX signature of a certified host key is made by the certified (plain) key, named without -cert.
 */
export const HOST_CERT_NAMES = [
  'ssh-ed25519-cert-v01@openssh.com',
  'ecdsa-sha2-nistp256-cert-v01@openssh.com',
  'ecdsa-sha2-nistp384-cert-v01@openssh.com',
  'ecdsa-sha2-nistp521-cert-v01@openssh.com',
  'rsa-sha2-512-cert-v01@openssh.com',
  'rsa-sha2-256-cert-v01@openssh.com',
] as const;

/** The client's default HostKeyAlgorithms: certificates first, then plain keys, as OpenSSH 9.2 proposes. */
export const DEFAULT_HOST_KEY_ALGORITHMS: readonly string[] = [...HOST_CERT_NAMES, ...HOST_KEY_NAMES];

export const COMPRESSION_NAMES = ['none', 'zlib@openssh.com', 'zlib'] as const;

/** Client KEXINIT pseudo-algorithms appended to the kex list (RFC 8308, OpenSSH PROTOCOL strict KEX). */
export const EXT_INFO_C = 'ext-info-c';
export const KEX_STRICT_C = 'kex-strict-c-v00@openssh.com';
export const KEX_STRICT_S = 'kex-strict-s-v00@openssh.com';

export type KexName = (typeof KEX_NAMES)[number];
export type CipherName = (typeof CIPHER_NAMES)[number];
export type MacName = (typeof MAC_NAMES)[number];
export type HostKeyAlgorithmName = (typeof HOST_KEY_NAMES)[number];
