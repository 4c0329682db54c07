import fs from 'node:fs';
import { describeKey, rsaKeyTooShort, type OfferedKey } from '../auth/keys.js';
import type { FileIdentity } from '../auth/identities.js';
import { hasOpenSSHArmor, readOpenSSHContainer } from '../crypto/keys/openssh-private.js';
import { blobKeyType } from '../crypto/keys/certificate.js';
import type { Logger } from '../log.js';
import { privateKeyLoader, type PrivateKeyLoadOptions } from './private-key-file.js';

export interface IdentityFileOptions extends PrivateKeyLoadOptions {
  /** IdentityFile paths, expanded, in order (-i first). */
  identityFiles: readonly string[];
  /** Whether the user named them (-i, ~/.ssh/config) rather than OpenSSH's defaults. */
  identityFilesUserProvided: boolean;
  /** CertificateFile paths, expanded. */
  certificateFiles: readonly string[];
}

/**
 * The key files to offer, as OpenSSH's load_public_identity_files finds them: each IdentityFile with its
 * public half when that can be read without the passphrase (the file itself if it is a public key,
 * `<path>.pub`, or the unencrypted header of an OpenSSH-format private key), followed by `<path>-cert.pub`
 * when it holds a certificate and no CertificateFile is set; then the CertificateFile certificates.
 * Missing files stay in the list, as in OpenSSH; they are reported when tried.
 */
export function identitiesFromFiles(options: IdentityFileOptions): { files: FileIdentity[]; certificates: FileIdentity[] } {
  const { log } = options;
  // RequiredRSASize (ssh.c check_load): a short RSA public key is reported and not used.
  const checked = (key: OfferedKey | 'unsupported' | undefined, what: string, path: string): OfferedKey | 'unsupported' | undefined => {
    if (key === undefined || key === 'unsupported' || !rsaKeyTooShort(key, options.requiredRSASize ?? 0)) return key;
    log.error(`load ${what} "${path}": Invalid key length`);
    return undefined;
  };
  const files: FileIdentity[] = [];
  for (const path of options.identityFiles) {
    if (path.toLowerCase() === 'none') continue;
    const userProvided = options.identityFilesUserProvided;
    const loadPrivate = privateKeyLoader(path, userProvided, options);
    const key = checked(readPublicKey(path, log), 'pubkey', path);
    log.debug1(`identity file ${path} type ${keyTypeNumber(key)}`);
    if (key !== 'unsupported') files.push({ path, userProvided, loadPrivate, ...(key ? { key } : {}) });
    if (options.certificateFiles.length > 0) continue;
    const cert = checked(readPublicKey(`${path}-cert`, log), 'identity pubkey', path);
    log.debug1(`identity file ${path}-cert type ${keyTypeNumber(cert)}`);
    if (cert === undefined || cert === 'unsupported') continue;
    if (cert.certificateKind === undefined) {
      log.debug1(`load_public_identity_files: key ${path}-cert type ${cert.type} is not a certificate`);
      continue;
    }
    // The certificate signs through the private key file it sits next to.
    files.push({ path, userProvided, loadPrivate, key: cert });
  }
  const certificates: FileIdentity[] = [];
  for (const path of options.certificateFiles) {
    const cert = checked(readPublicKey(path, log), 'identity cert', path);
    log.debug1(`certificate file ${path} type ${keyTypeNumber(cert)}`);
    if (cert === undefined || cert === 'unsupported') continue;
    if (cert.certificateKind === undefined) {
      log.debug1(`load_public_identity_files: key ${path} type ${cert.type} is not a certificate`);
      continue;
    }
    certificates.push({ path, userProvided: true, key: cert });
  }
  return { files, certificates };
}

/**
 * OpenSSH's sshkey_load_public: `path` as a public key file, else `path.pub`, else the public key in
 * the unencrypted envelope of an OpenSSH-format private key. 'unsupported' for a key tssh cannot use
 * (security keys, DSA), undefined when no public key can be read.
 */
export function readPublicKey(path: string, log: Logger): OfferedKey | 'unsupported' | undefined {
  const blob = publicKeyLine(path) ?? publicKeyLine(`${path}.pub`) ?? envelopePublicKey(path);
  if (blob === undefined) return undefined;
  try {
    return describeKey(blob);
  } catch (err) {
    let type = '?';
    try {
      type = blobKeyType(blob);
    } catch {
      // unreadable blob
    }
    log.debug1(`Skipping ${type} key ${path}: ${(err as Error).message}`);
    return 'unsupported';
  }
}

/** The first `type base64 [comment]` line of a public key file, or undefined. */
function publicKeyLine(path: string): Buffer | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path, 'latin1');
  } catch {
    return undefined;
  }
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('-----BEGIN') || line === 'SSH PRIVATE KEY FILE') return undefined;
    const [, base64] = line.split(/\s+/);
    if (base64 === undefined || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) continue;
    const blob = Buffer.from(base64, 'base64');
    try {
      if (blobKeyType(blob) === line.split(/\s+/)[0]) return blob;
    } catch {
      // not a key blob; try the next line
    }
  }
  return undefined;
}

function envelopePublicKey(path: string): Buffer | undefined {
  try {
    const text = fs.readFileSync(path, 'latin1');
    return hasOpenSSHArmor(text) ? Buffer.from(readOpenSSHContainer(text).publicBlob) : undefined;
  } catch {
    return undefined;
  }
}

/** OpenSSH's KEY_* numbers, which `ssh -v` prints as "identity file <path> type <n>". */
function keyTypeNumber(key: OfferedKey | 'unsupported' | undefined): number {
  if (key === undefined || key === 'unsupported') return -1;
  const numbers: Record<string, number> = {
    'ssh-rsa': 0,
    'ssh-ed25519': 3,
    'ssh-rsa-cert-v01@openssh.com': 4,
    'ssh-ed25519-cert-v01@openssh.com': 7,
  };
  return numbers[key.type] ?? (key.type.includes('-cert-') ? 6 : 2);
}
