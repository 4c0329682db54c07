import { createPrivateKey, type KeyObject } from 'node:crypto';
import { createRequire } from 'node:module';
import type * as Sshpk from 'sshpk';
import { TsshError } from '../../errors.js';
import { decodePrivateSection, hasOpenSSHArmor, readOpenSSHContainer } from './openssh-private.js';
import { canDecryptOpenSSH, decryptOpenSSHSection } from './openssh-decrypt.js';
import { privateKeyFromKeyObject, type SshPrivateKey } from './private-key.js';
import type { SecurityKeySigner } from './sk-private.js';

const PEM_ENCRYPTED = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\s*4,ENCRYPTED/;

/** True when the file needs a passphrase (OpenSSH container with a cipher, or encrypted PEM/PKCS#8). */
export function isPrivateKeyEncrypted(data: Buffer): boolean {
  const text = data.toString('latin1');
  if (hasOpenSSHArmor(text)) {
    try {
      return readOpenSSHContainer(text).cipher !== 'none';
    } catch {
      return false; // malformed: parsePrivateKey reports it
    }
  }
  return PEM_ENCRYPTED.test(text);
}

/**
 * Parses a private key file: the OpenSSH format ssh-keygen writes by default, or PEM (PKCS#1, SEC1,
 * PKCS#8) as written with `ssh-keygen -m PEM|PKCS8`. Errors carry OpenSSH's `Load key "path": ...`
 * wording. Encrypted keys need `passphrase`; without one they fail with code KEY.
 */
export function parsePrivateKey(data: Buffer, path: string, passphrase?: string, securityKey?: SecurityKeySigner): SshPrivateKey {
  try {
    const text = data.toString('latin1');
    if (hasOpenSSHArmor(text)) return parseOpenSSHFormat(text, passphrase, securityKey);
    if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) return parsePem(text, passphrase);
    throw loadError('invalid format');
  } catch (err) {
    // Our own KEY errors carry a specific reason; anything else (a truncated field, ...) is a bad file.
    const reason = err instanceof TsshError && err.code === 'KEY' ? err.message : 'invalid format';
    throw loadError(reason, path, err);
  }
}

function parseOpenSSHFormat(text: string, passphrase: string | undefined, securityKey: SecurityKeySigner | undefined): SshPrivateKey {
  const container = readOpenSSHContainer(text);
  let section = container.privateSection;
  if (container.cipher !== 'none' || container.kdf !== 'none') {
    if (passphrase === undefined) throw loadError('passphrase required for encrypted private key');
    section = canDecryptOpenSSH(container.cipher, container.kdf)
      ? decryptOpenSSHSection(container.cipher, container.kdfOptions, container.privateSection, passphrase)
      : readOpenSSHContainer(decryptWithSshpk(text, passphrase)).privateSection;
  }
  const key = decodePrivateSection(section, securityKey);
  if (!key.publicKey.blob.equals(container.publicBlob)) throw loadError('invalid format (public and private parts differ)');
  return key;
}

/**
 * Encrypted OpenSSH keys use bcrypt_pbkdf, which node lacks; sshpk (loaded only here, it is slow to
 * import) decrypts and re-serialises the key unencrypted so one parser handles every key.
 */
function decryptWithSshpk(text: string, passphrase: string): string {
  const require = createRequire(import.meta.url);
  const sshpk = require('sshpk') as typeof Sshpk;
  let key: Sshpk.PrivateKey;
  try {
    key = sshpk.parsePrivateKey(text, 'ssh', { passphrase });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (/passphrase/i.test(message)) throw loadError('incorrect passphrase supplied to decrypt private key');
    throw loadError('invalid format');
  }
  return key.toBuffer('ssh', {}).toString('latin1');
}

function parsePem(text: string, passphrase: string | undefined): SshPrivateKey {
  let keyObject: KeyObject;
  try {
    keyObject = createPrivateKey(passphrase === undefined ? { key: text } : { key: text, passphrase });
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_MISSING_PASSPHRASE') throw loadError('passphrase required for encrypted private key');
    if (PEM_ENCRYPTED.test(text)) throw loadError('incorrect passphrase supplied to decrypt private key');
    throw loadError('invalid format');
  }
  return privateKeyFromKeyObject(keyObject, '');
}

/** `Load key "path": reason`, as ssh prints; inner calls pass no path and the outer call adds it. */
function loadError(reason: string, path?: string, cause?: unknown): TsshError {
  if (path === undefined) return new TsshError('KEY', reason);
  const message = reason.startsWith('Load key ') ? reason : `Load key "${path}": ${reason}`;
  return new TsshError('KEY', message, cause === undefined ? undefined : { cause });
}
