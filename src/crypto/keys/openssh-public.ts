import { createHash } from 'node:crypto';
import { TsshError } from '../../errors.js';
import { parseSshPublicKey } from './public-key.js';
import type { PublicKey } from './types.js';

/** 'SHA256:<base64 without padding>', as `ssh-keygen -l` prints it. */
export function fingerprintSha256(blob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}

/** One authorized_keys / .pub style line: 'ssh-ed25519 AAAA... comment'. */
export function publicKeyToOpenSSH(key: PublicKey, comment?: string): string {
  const line = `${key.type} ${key.blob.toString('base64')}`;
  return comment ? `${line} ${comment}` : line;
}

/** Parses 'type base64 [comment]'; the type written in front must match the one inside the blob. */
export function parseOpenSSHPublicKey(line: string): PublicKey {
  const fields = line.trim().split(/\s+/);
  const [type, base64] = fields;
  if (!type || !base64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || base64.length % 4 !== 0) {
    throw new TsshError('KEY', 'invalid format');
  }
  const key = parseSshPublicKey(Buffer.from(base64, 'base64'));
  if (key.type !== type) throw new TsshError('KEY', `key type ${type} does not match the key (${key.type})`);
  return key;
}
