/**
 * Throwaway keys for test servers and clients, made with ssh-keygen (OpenSSH format, no passphrase),
 * plus the known_hosts lines and SHA256 fingerprints that go with them.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export type KeyType = 'ed25519' | 'ecdsa256' | 'ecdsa384' | 'ecdsa521' | 'rsa';
export const ALL_KEY_TYPES: readonly KeyType[] = ['ed25519', 'ecdsa256', 'ecdsa384', 'ecdsa521', 'rsa'];

/** ssh-keygen arguments per key type. RSA is 2048 bits: big enough for RequiredRSASize, quick to make. */
const KEYGEN_ARGS: Record<KeyType, string[]> = {
  ed25519: ['-t', 'ed25519'],
  ecdsa256: ['-t', 'ecdsa', '-b', '256'],
  ecdsa384: ['-t', 'ecdsa', '-b', '384'],
  ecdsa521: ['-t', 'ecdsa', '-b', '521'],
  rsa: ['-t', 'rsa', '-b', '2048'],
};

export interface GeneratedKey {
  type: KeyType;
  /** Private key file (OpenSSH format, unencrypted, mode 0600). */
  privatePath: string;
  /** `<privatePath>.pub`. */
  publicPath: string;
  /** The public key line without its comment: `ssh-ed25519 AAAA...`. */
  publicLine: string;
  /** `SHA256:<unpadded base64>` as ssh-keygen -l prints it. */
  fingerprint: string;
}

/** Runs ssh-keygen to make a key of `type` at `dir/name`. */
export async function generateKey(dir: string, name: string, type: KeyType): Promise<GeneratedKey> {
  const privatePath = path.join(dir, name);
  await execFileAsync('ssh-keygen', [...KEYGEN_ARGS[type], '-q', '-N', '', '-C', `tssh-test-${name}`, '-f', privatePath]);
  const publicPath = `${privatePath}.pub`;
  const [algorithm, base64] = (await readFile(publicPath, 'utf8')).trim().split(/\s+/);
  if (algorithm === undefined || base64 === undefined) throw new Error(`ssh-keygen wrote an unreadable ${publicPath}`);
  return { type, privatePath, publicPath, publicLine: `${algorithm} ${base64}`, fingerprint: sha256Fingerprint(base64) };
}

/** OpenSSH's SHA256 fingerprint of a base64 public-key blob. */
export function sha256Fingerprint(blobBase64: string): string {
  const digest = createHash('sha256').update(Buffer.from(blobBase64, 'base64')).digest('base64');
  return `SHA256:${digest.replace(/=+$/, '')}`;
}

/** The name known_hosts uses for a host and port: bare for port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** known_hosts file content listing every public key line for `host:port`. */
export function knownHostsContent(host: string, port: number, publicLines: string[]): string {
  const name = knownHostsName(host, port);
  return publicLines.map((line) => `${name} ${line}\n`).join('');
}
