/**
 * Where the OpenSSH 10.x that test/support/build-openssh.sh built lives (npm test's pretest step runs
 * that script). Its sshd is the second OpenSSH peer; its ssh, `ssh -G` and `ssh -Q` are the 10.x oracles.
 * TSSH_OPENSSH10 names an install prefix directly; otherwise the newest finished build in the cache.
 */
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

let cached: string | undefined;

export function openssh10Prefix(): string {
  if (cached !== undefined) return cached;
  const named = process.env['TSSH_OPENSSH10'];
  if (named) return (cached = named);
  const cache = process.env['TSSH_OPENSSH_CACHE'] ?? path.join(process.env['XDG_CACHE_HOME'] ?? path.join(homedir(), '.cache'), 'tssh', 'openssh');
  const builds = existsSync(cache)
    ? readdirSync(cache)
        .filter((name) => /^openssh-10\.\d+p\d+$/.test(name) && existsSync(path.join(cache, name, '.built')))
        .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
    : [];
  const newest = builds.at(-1);
  if (newest === undefined) throw new Error(`no OpenSSH 10.x build in ${cache}: run bash test/support/build-openssh.sh`);
  return (cached = path.join(cache, newest));
}

/** A 10.x program: 'ssh', 'ssh-keygen', 'ssh-agent', 'ssh-add' (bin/) or 'sshd' (sbin/). */
export function openssh10(program: string): string {
  return path.join(openssh10Prefix(), program === 'sshd' ? 'sbin' : 'bin', program);
}
