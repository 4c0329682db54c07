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

/** The 10.x program's path, or undefined when no 10.x build is there (tests then skip, saying why). */
export function openssh10IfBuilt(program: string): string | undefined {
  try {
    const file = openssh10(program);
    return existsSync(file) ? file : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `ssh -G` text of the 10.x build with its install prefix mapped to the paths a system install has:
 * the build's sysconfdir is PREFIX/etc, so its default GlobalKnownHostsFile is PREFIX/etc/ssh_known_hosts
 * where /etc/ssh/ssh_known_hosts is meant.
 */
export function withSystemPaths(text: string): string {
  return text.split(`${openssh10Prefix()}/etc/`).join('/etc/ssh/');
}
