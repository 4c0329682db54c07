/**
 * Every algorithm name OpenSSH 10.x accepts in its algorithm options, with every compile-time option
 * enabled (OpenSSH 10.5: kex-names.c, cipher.c, mac.c, sshkey.c), whether or not tssh implements it.
 * A list naming one that tssh lacks still loads, so a config written for ssh keeps working: the name is
 * skipped with a debug line. Any other name is an error, in ssh's words. What tssh implements is in
 * ./names.ts.
 */
import { SUPPORTED_CIPHER_NAMES, SUPPORTED_KEX_NAMES, SUPPORTED_MAC_NAMES } from './names.js';

/** tssh implements every key exchange 10.5 has (mlkem768nistp256-sha256 included). */
export const OPENSSH_KEX_NAMES: readonly string[] = SUPPORTED_KEX_NAMES;

/** tssh implements every cipher and MAC 10.x has (`none` is known to OpenSSH but never valid in Ciphers). */
export const OPENSSH_CIPHER_NAMES: readonly string[] = SUPPORTED_CIPHER_NAMES;
export const OPENSSH_MAC_NAMES: readonly string[] = SUPPORTED_MAC_NAMES;

/**
 * Plain key and signature algorithm names (sshkey.c keyimpls), and ssh-dss: 10.0 removed DSA (10.x
 * rejects `HostKeyAlgorithms +ssh-dss` as "Bad key types"), but tssh keeps it, off by default, for the
 * old servers and network gear that still have nothing else.
 */
export const OPENSSH_PLAIN_KEY_NAMES: readonly string[] = [
  'ssh-ed25519',
  'sk-ssh-ed25519@openssh.com',
  'ssh-mldsa44-ed25519@openssh.com', // 10.5
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ecdsa-sha2-nistp256@openssh.com',
  'webauthn-sk-ecdsa-sha2-nistp256@openssh.com',
  'ssh-rsa',
  'rsa-sha2-256',
  'rsa-sha2-512',
  'ssh-dss',
];

/** The certificate form of a plain name, as sshkey.c names it. */
export function certificateName(plain: string): string {
  const at = plain.indexOf('@');
  return at < 0 ? `${plain}-cert-v01@openssh.com` : `${plain.slice(0, at)}-cert-v01${plain.slice(at)}`;
}

/** Host-key and user-key lists take plain names and certificates (CASignatureAlgorithms plain names only). */
export const OPENSSH_KEY_NAMES: readonly string[] = OPENSSH_PLAIN_KEY_NAMES.flatMap((name) => [name, certificateName(name)]);
