/**
 * The two OpenSSH releases integration tests run against: Debian 12's 9.2 (/usr/sbin/sshd, /usr/bin/ssh)
 * and the 10.x that build-openssh.sh built. A test parametrised over them says which in its name
 * (`[OpenSSH 10.3] ...`), and asks a release's own `ssh -Q` what that build implements.
 *
 *   for (const release of RELEASES) test(`${releaseLabel(release)} ...`, () => startSshd({ release }) ...)
 */
import { execFileSync } from 'node:child_process';
import { openssh10 } from './openssh10.js';
import { sshdVersion, type OpensshRelease } from './sshd.js';

export type { OpensshRelease } from './sshd.js';

export const RELEASES: readonly OpensshRelease[] = ['9.2', '10'];

/** `[OpenSSH 9.2]`, `[OpenSSH 10.3]`: the prefix of a parametrised test's name. */
export function releaseLabel(release: OpensshRelease): string {
  const { major, minor } = sshdVersion(release);
  return `[OpenSSH ${major}.${minor}]`;
}

/** The release's own ssh client, the oracle for what that release's users see. */
export function opensshClient(release: OpensshRelease): string {
  return release === '10' ? openssh10('ssh') : '/usr/bin/ssh';
}

const queried = new Map<string, readonly string[]>();

/** What the release's build lists for `ssh -Q <kind>` (kex, cipher, mac, HostKeyAlgorithms, ...). */
export function opensshQuery(release: OpensshRelease, kind: string): readonly string[] {
  const key = `${release} ${kind}`;
  let names = queried.get(key);
  if (names === undefined) {
    names = execFileSync(opensshClient(release), ['-Q', kind], { encoding: 'utf8' }).split('\n').filter((n) => n !== '');
    queried.set(key, names);
  }
  return names;
}

/** A skip reason when the release does not implement `name`, else false. */
export function unlessImplemented(release: OpensshRelease, kind: string, name: string): string | false {
  return opensshQuery(release, kind).includes(name) ? false : `${releaseLabel(release).slice(1, -1)} does not implement ${name} (ssh -Q ${kind})`;
}
