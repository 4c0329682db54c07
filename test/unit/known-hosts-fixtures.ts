/**
 * Shared by the known_hosts and host-key policy tests: throwaway keys from ssh-keygen and ssh-keygen
 * as an oracle for known_hosts lookups (-F) and hashing (-H). Every process is run synchronously with
 * a timeout, so nothing outlives a test.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const SSH_KEYGEN = '/usr/bin/ssh-keygen';

export interface TestKey {
  keyType: string;
  blob: Buffer;
  base64: string;
  /** `keytype base64`, as it follows the host names in known_hosts. */
  text: string;
  /** SHA256 fingerprint as `ssh-keygen -l` prints it. */
  fingerprint: string;
}

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(SSH_KEYGEN, args, { encoding: 'utf8', timeout: 20_000 });
  if (r.error !== undefined) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function makeTempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'tssh-hostkeys-'));
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** `ssh-keygen -t <type> -N '' -f <dir>/<name>` and the public half of the result. */
export function makeKey(dir: string, name: string, type: 'ed25519' | 'ecdsa' | 'ecdsa384' | 'rsa'): TestKey {
  const file = path.join(dir, name);
  const typeArgs = type === 'ecdsa384' ? ['-t', 'ecdsa', '-b', '384'] : type === 'rsa' ? ['-t', 'rsa', '-b', '2048'] : ['-t', type];
  const made = run([...typeArgs, '-q', '-N', '', '-C', name, '-f', file]);
  if (made.status !== 0) throw new Error(`ssh-keygen failed: ${made.stderr}`);
  const [keyType, base64] = readFileSync(`${file}.pub`, 'utf8').trim().split(/\s+/) as [string, string];
  const listed = run(['-l', '-E', 'sha256', '-f', `${file}.pub`]);
  const fingerprint = listed.stdout.split(' ')[1]!;
  return { keyType, blob: Buffer.from(base64, 'base64'), base64, text: `${keyType} ${base64}`, fingerprint };
}

/** Line numbers ssh-keygen -F reports for `name` in `file` (every marker included). */
export function sshKeygenFind(name: string, file: string): number[] {
  const r = run(['-F', name, '-f', file]);
  const lines: number[] = [];
  for (const m of r.stdout.matchAll(/^# Host .* found: line (\d+)/gm)) lines.push(Number(m[1]));
  return lines;
}

/** Hashes every name in a known_hosts text with ssh-keygen -H; returns the new text. */
export function sshKeygenHash(dir: string, text: string): string {
  const file = path.join(dir, `hash-${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, text);
  const r = run(['-H', '-f', file]);
  if (r.status !== 0) throw new Error(`ssh-keygen -H failed: ${r.stderr}`);
  return readFileSync(file, 'utf8');
}
