/**
 * ssh-mldsa44-ed25519@openssh.com keys and mlkem768nistp256-sha256 against a real OpenSSH that has them
 * (10.5 and later: portable HEAD built locally and named with TSSH_OPENSSH10). The 10.x npm test builds
 * from Debian's archive (10.3) predates both, so there this file is skipped with that reason; the
 * known answers from OpenSSH's own code (test/unit/pq-known-answer.test.ts) and the pair tests prove
 * them there.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { startSshd, type Sshd } from '../support/sshd.js';
import { isolatedEnv, makeTempDir, runClient, TSSH_BIN, unixSocketAccepts, waitFor } from '../support/run.js';
import { isAlive } from '../support/processes.js';
import { openssh10 } from '../support/openssh10.js';

const execFileAsync = promisify(execFile);
const MLDSA = 'ssh-mldsa44-ed25519@openssh.com';
const MLDSA_CERT = 'ssh-mldsa44-ed25519-cert-v01@openssh.com';

function skipReason(): string | false {
  try {
    const keys = execFileSync(openssh10('ssh'), ['-Q', 'key'], { encoding: 'utf8' });
    return keys.split('\n').includes(MLDSA) ? false : 'this OpenSSH 10.x predates ML-DSA/Ed25519 keys (10.5); set TSSH_OPENSSH10 to a newer build';
  } catch (err) {
    return `no OpenSSH 10.x build: ${(err as Error).message}`;
  }
}
const skip = skipReason();

describe('ML-DSA-44/Ed25519 and mlkem768nistp256 against OpenSSH 10.5+', { skip }, () => {
  let sshd: Sshd;
  let dir: string;
  let hostPub: string;
  let caPub: string;
  let user: string;
  const keygen = (args: string[]) => execFileAsync(openssh10('ssh-keygen'), args);

  before(async () => {
    dir = makeTempDir('tssh-pq-');
    const host = path.join(dir, 'host_mldsa');
    user = path.join(dir, 'id_mldsa44_ed25519');
    await keygen(['-q', '-t', 'mldsa44-ed25519', '-N', '', '-C', 'host', '-f', host]);
    await keygen(['-q', '-t', 'mldsa44-ed25519', '-N', '', '-C', 'user-mldsa', '-f', user]);
    await keygen(['-q', '-t', 'ed25519', '-N', '', '-C', 'ca', '-f', path.join(dir, 'ca')]);
    await keygen(['-q', '-s', path.join(dir, 'ca'), '-h', '-I', 'host', '-n', '127.0.0.1', `${host}.pub`]);
    hostPub = readFileSync(`${host}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
    caPub = readFileSync(path.join(dir, 'ca.pub'), 'utf8').trim();
    sshd = await startSshd({
      release: '10',
      kexAlgorithms: '+mlkem768nistp256-sha256',
      hostKeyAlgorithms: `+${MLDSA},${MLDSA_CERT}`,
      extraConfig: [`HostKey ${host}`, `HostCertificate ${host}-cert.pub`, `PubkeyAcceptedAlgorithms +${MLDSA},${MLDSA_CERT}`],
    });
    appendFileSync(path.join(sshd.dir, 'authorized_keys'), readFileSync(`${user}.pub`));
  });
  after(async () => {
    await sshd?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const kh = (text: string): string => {
    const file = path.join(dir, `kh-${Math.random().toString(36).slice(2)}`);
    writeFileSync(file, text);
    return file;
  };
  const args = (knownHosts: string, extra: string[]): string[] => [
    '-F', '/dev/null', '-p', String(sshd.port), '-o', 'BatchMode=yes', '-o', `UserKnownHostsFile=${knownHosts}`,
    '-o', 'GlobalKnownHostsFile=/dev/null', ...extra, sshd.destination, 'echo ok',
  ];
  const edUser = (): string[] => ['-i', sshd.userKey, '-o', 'IdentitiesOnly=yes'];

  test('an ML-DSA host key, and its certificate through @cert-authority', async () => {
    const plain = await runClient(TSSH_BIN, args(kh(`[127.0.0.1]:${sshd.port} ${hostPub}\n`), [...edUser(), '-o', 'StrictHostKeyChecking=yes', '-o', `HostKeyAlgorithms=${MLDSA}`]));
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(plain.stdout.toString(), 'ok\n');
    const cert = await runClient(TSSH_BIN, args(kh(`@cert-authority 127.0.0.1 ${caPub}\n`), [...edUser(), '-o', 'StrictHostKeyChecking=yes', '-o', `HostKeyAlgorithms=${MLDSA_CERT}`]));
    assert.equal(cert.code, 0, cert.stderr);
  });

  test('an ML-DSA user key file made by ssh-keygen logs in; so does the same key held by ssh-agent', async (t) => {
    const fromFile = await runClient(TSSH_BIN, args(sshd.knownHosts, ['-i', user, '-o', 'IdentitiesOnly=yes', '-o', 'StrictHostKeyChecking=yes', '-o', `PubkeyAcceptedAlgorithms=+${MLDSA}`]));
    assert.equal(fromFile.code, 0, fromFile.stderr);
    assert.match(sshd.readLog(), /Accepted publickey for \S+ from 127\.0\.0\.1 port \d+ ssh2: MLDSA44-ED25519/);
    const socket = path.join(dir, 'agent.sock');
    const agent = spawn(openssh10('ssh-agent'), ['-D', '-a', socket], { stdio: 'ignore' });
    t.after(async () => {
      if (agent.pid !== undefined && isAlive(agent.pid)) {
        process.kill(agent.pid, 'SIGTERM');
        await waitFor(() => !isAlive(agent.pid!), 5000, 'ssh-agent to exit');
      }
    });
    await waitFor(() => unixSocketAccepts(socket), 5000, 'the ssh-agent socket');
    // tssh hands the key to the agent itself (AddKeysToAgent), in ssh-add's encoding.
    const env = { ...isolatedEnv(makeTempDir('tssh-home-')), SSH_AUTH_SOCK: socket };
    const adding = await runClient(TSSH_BIN, args(sshd.knownHosts, ['-i', user, '-o', 'IdentitiesOnly=yes', '-o', 'StrictHostKeyChecking=yes', '-o', 'AddKeysToAgent=yes', '-o', `PubkeyAcceptedAlgorithms=+${MLDSA}`]), { env });
    assert.equal(adding.code, 0, adding.stderr);
    const listed = await execFileAsync(openssh10('ssh-add'), ['-l'], { env: { PATH: process.env.PATH, SSH_AUTH_SOCK: socket } });
    assert.match(listed.stdout, /MLDSA44-ED25519/);
    const viaAgent = await runClient(TSSH_BIN, args(sshd.knownHosts, ['-o', 'StrictHostKeyChecking=yes', '-o', `PubkeyAcceptedAlgorithms=+${MLDSA}`]), { env });
    assert.equal(viaAgent.code, 0, viaAgent.stderr);
  });

  test('mlkem768nistp256-sha256 when configured; not proposed by default', async () => {
    const r = await runClient(TSSH_BIN, args(sshd.knownHosts, [...edUser(), '-v', '-o', 'StrictHostKeyChecking=yes', '-o', 'KexAlgorithms=mlkem768nistp256-sha256']));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /kex: algorithm: mlkem768nistp256-sha256/);
    const g = await runClient(TSSH_BIN, ['-G', '-F', '/dev/null', 'h']);
    const oracle = await runClient(openssh10('ssh'), ['-G', '-F', '/dev/null', 'h']);
    const line = (out: Buffer, key: string): string | undefined => out.toString().split('\n').find((l) => l.startsWith(`${key} `));
    for (const key of ['kexalgorithms', 'hostkeyalgorithms', 'pubkeyacceptedalgorithms', 'casignaturealgorithms']) {
      assert.equal(line(g.stdout, key), line(oracle.stdout, key), key);
    }
  });

  test('a host known only by its ML-DSA key: a new ed25519 key is a changed key under accept-new, as ssh says', async () => {
    const text = `[127.0.0.1]:${sshd.port} ${hostPub}\n`;
    const common = [...edUser(), '-o', 'StrictHostKeyChecking=accept-new', '-o', 'HostKeyAlgorithms=ssh-ed25519'];
    const tsshFile = kh(text);
    const sshFile = kh(text);
    const ours = await runClient(TSSH_BIN, args(tsshFile, common));
    const theirs = await runClient(openssh10('ssh'), args(sshFile, common));
    assert.equal(theirs.code, 255);
    assert.equal(ours.code, 255);
    // tssh prints Debian's "remove with: ssh-keygen -R" hint (a Debian patch); upstream OpenSSH has none.
    const withoutHint = ours.stderr.replace(/ {2}remove with:\n {2}ssh-keygen -f .*\n/, '');
    assert.equal(withoutHint, theirs.stderr.replace(/\r\n/g, '\n').replaceAll(sshFile, tsshFile));
    assert.match(ours.stderr, /Offending MLDSA44-ED25519 key in /);
    assert.equal(readFileSync(tsshFile, 'utf8'), text, 'nothing added');
  });
});
