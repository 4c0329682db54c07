import fs from 'node:fs';
import { TsshError } from '../errors.js';
import { isPrivateKeyEncrypted, parsePrivateKey } from '../crypto/keys/index.js';
import type { SshPrivateKey } from '../crypto/keys/private-key.js';
import type { SecurityKeySigner } from '../crypto/keys/sk-private.js';
import type { Logger } from '../log.js';

/** AddKeysToAgent: whether keys loaded from files are handed to the agent, and how. */
export interface AddKeysToAgent {
  mode: 'no' | 'yes' | 'ask' | 'confirm';
  /** Seconds the agent keeps the key; undefined = until it exits. */
  lifetimeSeconds?: number;
}

export interface PrivateKeyLoadOptions {
  log: Logger;
  /** The local uid: a key file it owns must not be readable by others. */
  uid: number;
  batchMode: boolean;
  /** NumberOfPasswordPrompts: passphrase tries per key. */
  numberOfPasswordPrompts: number;
  /** Reads a passphrase without echo; '' when nobody can be asked. */
  askPassphrase(prompt: string, path: string): Promise<string>;
  /** How a security key in the file at `path` signs (through ssh-sk-helper). */
  securityKey?(path: string): SecurityKeySigner;
  /** Offers a freshly loaded key to the agent (AddKeysToAgent); absent when the option is no. */
  addToAgent?(path: string, key: SshPrivateKey): Promise<void>;
  /** RequiredRSASize: shorter RSA keys are skipped. */
  requiredRSASize?: number;
}

type LoadOutcome = { kind: 'key'; key: SshPrivateKey } | { kind: 'wrong-passphrase' } | { kind: 'missing' } | { kind: 'error'; message: string };

const STRERROR: Readonly<Record<string, string>> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  ENOTDIR: 'Not a directory',
  EISDIR: 'Is a directory',
};

/**
 * OpenSSH's load_identity_file for one key file: first without a passphrase, then asking
 * `Enter passphrase for key '<path>': ` up to NumberOfPasswordPrompts times (an empty answer gives up on
 * the key; BatchMode never asks). Problems are reported as ssh reports them and the key is skipped.
 */
export function privateKeyLoader(path: string, userProvided: boolean, options: PrivateKeyLoadOptions): () => Promise<SshPrivateKey | undefined> {
  return async () => {
    const { log } = options;
    try {
      fs.statSync(path);
    } catch (err) {
      const message = `no such identity: ${path}: ${errnoText(err)}`;
      if (userProvided) log.info(message);
      else log.debug3(message);
      return undefined;
    }
    const prompt = `Enter passphrase for key '${path.slice(0, 100)}': `;
    for (let attempt = 0; attempt <= options.numberOfPasswordPrompts; attempt++) {
      let passphrase = '';
      if (attempt > 0) {
        passphrase = await options.askPassphrase(prompt, path);
        if (passphrase === '') {
          log.debug2('no passphrase given, try next key');
          return undefined;
        }
      }
      const outcome = loadKeyFile(path, passphrase, options);
      switch (outcome.kind) {
        case 'key':
          if (outcome.key.type === 'ssh-rsa' && outcome.key.publicKey.bits < (options.requiredRSASize ?? 0)) {
            log.debug1(`load_identity_file: Skipping key ${path}: Invalid key length`);
            return undefined;
          }
          await options.addToAgent?.(path, outcome.key);
          return outcome.key;
        case 'wrong-passphrase':
          if (options.batchMode) return undefined;
          if (attempt > 0) log.debug2('bad passphrase given, try again...');
          break;
        case 'missing':
          log.debug2(`Load key "${path}": No such file or directory`);
          return undefined;
        case 'error':
          log.error(outcome.message);
          return undefined;
      }
    }
    return undefined;
  };
}

/** Reads and decodes the key file once, refusing files others can read (OpenSSH's sshkey_perm_ok). */
function loadKeyFile(path: string, passphrase: string, options: PrivateKeyLoadOptions): LoadOutcome {
  let data: Buffer;
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    return { kind: 'error', message: `Load key "${path}": ${errnoText(err)}` };
  }
  try {
    const stat = fs.fstatSync(fd);
    if (stat.uid === options.uid && (stat.mode & 0o077) !== 0) {
      warnUnprotected(path, stat.mode, options.log);
      return { kind: 'error', message: `Load key "${path}": bad permissions` };
    }
    data = fs.readFileSync(fd);
  } catch (err) {
    return { kind: 'error', message: `Load key "${path}": ${errnoText(err)}` };
  } finally {
    fs.closeSync(fd);
  }
  try {
    // An encrypted key cannot open with an empty passphrase: skip the slow key derivation.
    if (passphrase === '' && isPrivateKeyEncrypted(data)) return { kind: 'wrong-passphrase' };
    return { kind: 'key', key: parsePrivateKey(data, path, passphrase === '' ? undefined : passphrase, options.securityKey?.(path)) };
  } catch (err) {
    const message = err instanceof TsshError ? err.message : `Load key "${path}": invalid format`;
    if (/incorrect passphrase|passphrase required/.test(message)) return { kind: 'wrong-passphrase' };
    return { kind: 'error', message };
  } finally {
    data.fill(0);
  }
}

/** OpenSSH's warning for a private key file readable by others, word for word. */
function warnUnprotected(path: string, mode: number, log: Logger): void {
  const bar = '@'.repeat(59);
  log.error(bar);
  log.error('@         WARNING: UNPROTECTED PRIVATE KEY FILE!          @');
  log.error(bar);
  log.error(`Permissions 0${(mode & 0o777).toString(8).padStart(3, '0')} for '${path}' are too open.`);
  log.error('It is required that your private key files are NOT accessible by others.');
  log.error('This private key will be ignored.');
}

function errnoText(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  return STRERROR[code] ?? (err as Error).message;
}
