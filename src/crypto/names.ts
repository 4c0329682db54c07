/**
 * Algorithm names tssh supports. Algorithms are data: these lists are what `tssh -Q` prints and what the
 * default proposals are built from; the implementations live in crypto/cipher, crypto/mac, crypto/kex and
 * crypto/keys, keyed by the same wire names.
 *
 * Two lists per class, as OpenSSH 10.x has them: the default proposal (myproposal.h order, what `ssh -G`
 * prints), and every name tssh implements in `ssh -Q` order (which is also the order patterns expand in).
 * Names in the second but not the first are the legacy algorithms OpenSSH keeps off by default and turns
 * on with `+name` (`-oKexAlgorithms=+diffie-hellman-group1-sha1`, `-c aes128-cbc`, `-m hmac-md5`).
 */

/** Default KexAlgorithms: OpenSSH 10.x's order (post-quantum hybrids first). */
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

/** Every key exchange tssh implements, in `ssh -Q kex` order (OpenSSH 10.x kex-names.c). */
export const SUPPORTED_KEX_NAMES = [
  'diffie-hellman-group1-sha1',
  'diffie-hellman-group14-sha1',
  'diffie-hellman-group14-sha256',
  'diffie-hellman-group16-sha512',
  'diffie-hellman-group18-sha512',
  'diffie-hellman-group-exchange-sha1',
  'diffie-hellman-group-exchange-sha256',
  'ecdh-sha2-nistp256',
  'ecdh-sha2-nistp384',
  'ecdh-sha2-nistp521',
  'mlkem768nistp256-sha256',
  'curve25519-sha256',
  'curve25519-sha256@libssh.org',
  'sntrup761x25519-sha512',
  'sntrup761x25519-sha512@openssh.com',
  'mlkem768x25519-sha256',
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

/** Default Ciphers: OpenSSH 10.x's order (AES-GCM moved before AES-CTR in 10.0). */
export const CIPHER_NAMES = [
  'chacha20-poly1305@openssh.com',
  'aes128-gcm@openssh.com',
  'aes256-gcm@openssh.com',
  'aes128-ctr',
  'aes192-ctr',
  'aes256-ctr',
] as const;

/** Every cipher tssh implements, in `ssh -Q cipher` order (OpenSSH cipher.c). */
export const SUPPORTED_CIPHER_NAMES = [
  '3des-cbc',
  'aes128-cbc',
  'aes192-cbc',
  'aes256-cbc',
  'aes128-ctr',
  'aes192-ctr',
  'aes256-ctr',
  'aes128-gcm@openssh.com',
  'aes256-gcm@openssh.com',
  'chacha20-poly1305@openssh.com',
] as const;

/** Default MACs: OpenSSH 10.x's order (UMAC first; a non-AEAD cipher negotiates umac-64-etm with ssh). */
export const MAC_NAMES = [
  'umac-64-etm@openssh.com',
  'umac-128-etm@openssh.com',
  'hmac-sha2-256-etm@openssh.com',
  'hmac-sha2-512-etm@openssh.com',
  'hmac-sha1-etm@openssh.com',
  'umac-64@openssh.com',
  'umac-128@openssh.com',
  'hmac-sha2-256',
  'hmac-sha2-512',
  'hmac-sha1',
] as const;

/** Every MAC tssh implements, in `ssh -Q mac` order (OpenSSH mac.c). */
export const SUPPORTED_MAC_NAMES = [
  'hmac-sha1',
  'hmac-sha1-96',
  'hmac-sha2-256',
  'hmac-sha2-512',
  'hmac-md5',
  'hmac-md5-96',
  'umac-64@openssh.com',
  'umac-128@openssh.com',
  'hmac-sha1-etm@openssh.com',
  'hmac-sha1-96-etm@openssh.com',
  'hmac-sha2-256-etm@openssh.com',
  'hmac-sha2-512-etm@openssh.com',
  'hmac-md5-etm@openssh.com',
  'hmac-md5-96-etm@openssh.com',
  'umac-64-etm@openssh.com',
  'umac-128-etm@openssh.com',
] as const;

/**
 * Host-key (and user-key signature) algorithms in OpenSSH's default order (myproposal.h
 * KEX_DEFAULT_PK_ALG; also the default CASignatureAlgorithms). ssh-mldsa44-ed25519@openssh.com is
 * implemented but, as in OpenSSH 10.5, not proposed unless configured.
 */
export const HOST_KEY_NAMES = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
  'webauthn-sk-ecdsa-sha2-nistp256@openssh.com',
  'rsa-sha2-512',
  'rsa-sha2-256',
] as const;

/**
 * Host certificate algorithms (PROTOCOL.certkeys) in OpenSSH's default order. The KEX signature of a
 * certified host key is made by the certified (plain) key, named without -cert.
 */
export const HOST_CERT_NAMES = [
  'ssh-ed25519-cert-v01@openssh.com',
  'ecdsa-sha2-nistp256-cert-v01@openssh.com',
  'ecdsa-sha2-nistp384-cert-v01@openssh.com',
  'ecdsa-sha2-nistp521-cert-v01@openssh.com',
  'sk-ssh-ed25519-cert-v01@openssh.com',
  'sk-ecdsa-sha2-nistp256-cert-v01@openssh.com',
  'webauthn-sk-ecdsa-sha2-nistp256-cert-v01@openssh.com',
  'rsa-sha2-512-cert-v01@openssh.com',
  'rsa-sha2-256-cert-v01@openssh.com',
] as const;

/** The client's default HostKeyAlgorithms: certificates first, then plain keys, as OpenSSH proposes. */
export const DEFAULT_HOST_KEY_ALGORITHMS: readonly string[] = [...HOST_CERT_NAMES, ...HOST_KEY_NAMES];

export const COMPRESSION_NAMES = ['none', 'zlib@openssh.com', 'zlib'] as const;

/** Client KEXINIT pseudo-algorithms appended to the kex list (RFC 8308, OpenSSH PROTOCOL strict KEX). */
export const EXT_INFO_C = 'ext-info-c';
export const KEX_STRICT_C = 'kex-strict-c-v00@openssh.com';
export const KEX_STRICT_S = 'kex-strict-s-v00@openssh.com';

export type KexName = (typeof SUPPORTED_KEX_NAMES)[number];
export type CipherName = (typeof SUPPORTED_CIPHER_NAMES)[number];
export type MacName = (typeof SUPPORTED_MAC_NAMES)[number];
export type HostKeyAlgorithmName = (typeof HOST_KEY_NAMES)[number];
