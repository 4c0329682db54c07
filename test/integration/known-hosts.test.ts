/**
 * known_hosts against a real sshd with three host keys (ed25519, ECDSA, RSA): plain, hashed (made by
 * `ssh-keygen -H`), patterns, several names per line, HostKeyAlias, @revoked, changed keys, the
 * user/global file lists, KnownHostsCommand, adding entries (plain and hashed, read back by OpenSSH),
 * the host-key algorithm order, and UpdateHostKeys. Where ssh prints something, OpenSSH's own `ssh`
 * runs the same case as the oracle and the two stderr texts must be equal.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startSshd, type Sshd } from '../support/sshd.js';
import { runClient, TSSH_BIN, makeTempDir, isolatedEnv, unixSocketAccepts, waitFor, type ClientResult } from '../support/run.js';
import { freePort } from '../support/processes.js';

const execFileAsync = promisify(execFile);

const SSH = '/usr/bin/ssh';
let sshd: Sshd;
let dir: string;
/** `type base64` of each host key. */
const hostKey: Record<'ed25519' | 'ecdsa256' | 'rsa', string> = { ed25519: '', ecdsa256: '', rsa: '' };
let name: string;

before(async () => {
  sshd = await startSshd({ hostKeyTypes: ['ed25519', 'ecdsa256', 'rsa'] });
  dir = makeTempDir('tssh-kh-');
  for (const type of ['ed25519', 'ecdsa256', 'rsa'] as const) {
    hostKey[type] = readFileSync(path.join(sshd.dir, `host_${type}.pub`), 'utf8').trim().split(' ').slice(0, 2).join(' ');
  }
  name = `[127.0.0.1]:${sshd.port}`;
});
after(async () => {
  await sshd?.stop();
  if (dir) spawnSync('rm', ['-rf', dir]);
});

let counter = 0;
/** A known_hosts file with `text`; returns its path. */
function knownHosts(text: string): string {
  const file = path.join(dir, `known_hosts${counter++}`);
  writeFileSync(file, text, { mode: 0o600 });
  return file;
}

/** Client options without known_hosts settings: the test adds its own. */
function baseArgs(): string[] {
  return ['-F', '/dev/null', '-p', String(sshd.port), '-i', sshd.userKey, '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes'];
}

function khArgs(userFile: string, extra: string[] = []): string[] {
  return [...extra, '-o', `UserKnownHostsFile=${userFile}`, '-o', 'GlobalKnownHostsFile=/dev/null'];
}

async function both(args: string[], command = 'echo ok'): Promise<{ tssh: ClientResult; ssh: ClientResult }> {
  const full = [...baseArgs(), ...args, sshd.destination, command];
  const tssh = await runClient(TSSH_BIN, full, { timeoutMs: 20_000 });
  const ssh = await runClient(SSH, full, { timeoutMs: 20_000 });
  return { tssh, ssh };
}

/** ssh ends its log lines with CR LF when stderr is not a terminal only in some paths; compare the text. */
const text = (stderr: string): string => stderr.replace(/\r\n/g, '\n').replace(/^ssh: /gm, 'tssh: ');

async function tssh(args: string[], command = 'echo ok', env?: NodeJS.ProcessEnv): Promise<ClientResult> {
  return runClient(TSSH_BIN, [...baseArgs(), ...args, sshd.destination, command], { timeoutMs: 20_000, ...(env ? { env } : {}) });
}

test('a plain line, a pattern, several names on a line: accepted silently under StrictHostKeyChecking=yes', async () => {
  for (const line of [
    `${name} ${hostKey.ed25519}`,
    `[127.0.0.*]:${sshd.port} ${hostKey.ed25519}`,
    `other.example,${name},[::1]:${sshd.port} ${hostKey.ed25519}`,
    `!nothing,[127.0.0.?]:${sshd.port} ${hostKey.ed25519}`,
  ]) {
    const r = await tssh(khArgs(knownHosts(`# comment\n\n${line}\n`), ['-o', 'StrictHostKeyChecking=yes']));
    assert.equal(r.code, 0, `${line}: ${r.stderr}`);
    assert.equal(r.stdout.toString(), 'ok\n');
    assert.equal(r.stderr, '');
  }
});

test('a file hashed by ssh-keygen -H is read', async () => {
  const file = knownHosts(`${name} ${hostKey.ed25519}\nother.example ${hostKey.rsa}\n`);
  const hashed = spawnSync('ssh-keygen', ['-H', '-f', file], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(hashed.status, 0, hashed.stderr);
  assert.match(readFileSync(file, 'utf8'), /^\|1\|/);
  const r = await tssh(khArgs(file, ['-o', 'StrictHostKeyChecking=yes']));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
});

test('unknown host under StrictHostKeyChecking=yes: refused with ssh\'s words and 255', async () => {
  const { tssh: t, ssh: s } = await both(khArgs(knownHosts(''), ['-o', 'StrictHostKeyChecking=yes']));
  assert.equal(t.code, 255);
  assert.equal(s.code, 255);
  assert.equal(text(t.stderr), text(s.stderr));
  assert.match(t.stderr, /No ED25519 host key is known for \[127\.0\.0\.1\]:\d+ and you have requested strict checking\.\nHost key verification failed\.\n$/);
});

test('a changed key: the REMOTE HOST IDENTIFICATION HAS CHANGED block with file:line, then 255', async () => {
  const other = readFileSync(path.join(sshd.dir, 'authorized_keys'), 'utf8').split('\n')[0]!.split(' ').slice(0, 2).join(' ');
  const file = knownHosts(`# first\n${name} ${other}\n`);
  const { tssh: t, ssh: s } = await both(khArgs(file, ['-o', 'StrictHostKeyChecking=ask']));
  assert.equal(t.code, 255);
  assert.equal(text(t.stderr), text(s.stderr));
  assert.match(t.stderr, /WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!/);
  assert.ok(t.stderr.includes(`Offending ED25519 key in ${file}:2\n`), t.stderr);
  assert.ok(t.stderr.endsWith('Host key verification failed.\n'));
});

test('a changed key continued past (StrictHostKeyChecking=no): no agent and no port forwards for the impostor, as ssh', async () => {
  const agentDir = makeTempDir('tssh-kh-agent-');
  const socket = path.join(agentDir, 'agent.sock');
  const agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
  try {
    await waitFor(() => unixSocketAccepts(socket), 10_000, 'ssh-agent to listen');
    const env = { ...isolatedEnv(makeTempDir('tssh-home-')), SSH_AUTH_SOCK: socket };
    await execFileAsync('ssh-add', ['-q', sshd.userKey], { env });
    const other = readFileSync(path.join(sshd.dir, 'authorized_keys'), 'utf8').split('\n')[0]!.split(' ').slice(0, 2).join(' ');
    const file = knownHosts(`${name} ${other}\n`);
    const forward = ['-A', '-L', `${await freePort()}:127.0.0.1:${sshd.port}`, '-o', 'StrictHostKeyChecking=no'];
    const run = (bin: string, extra: string[]) =>
      runClient(bin, [...baseArgs(), ...khArgs(file, [...extra, ...forward]), sshd.destination, 'echo "agent=${SSH_AUTH_SOCK:-none}"'], { env, timeoutMs: 20_000 });

    const [t, s] = await Promise.all([run(TSSH_BIN, []), run(SSH, [])]);
    assert.equal(t.code, 0, t.stderr);
    assert.equal(t.stdout.toString(), 'agent=none\n', 'the agent is not forwarded');
    assert.match(t.stderr, /Agent forwarding is disabled to avoid man-in-the-middle attacks\.\nPort forwarding is disabled to avoid man-in-the-middle attacks\./);
    assert.equal(text(t.stderr), text(s.stderr));

    const [tx, sx] = await Promise.all([run(TSSH_BIN, ['-o', 'ExitOnForwardFailure=yes']), run(SSH, ['-o', 'ExitOnForwardFailure=yes'])]);
    assert.equal(tx.code, 255);
    assert.equal(tx.stdout.length, 0);
    assert.match(tx.stderr, /Error: forwarding disabled due to host key check failure\n$/);
    assert.equal(text(tx.stderr), text(sx.stderr));
  } finally {
    agent.kill('SIGTERM');
    await new Promise((resolve) => agent.once('exit', resolve));
  }
});

test('@revoked: REVOKED HOST KEY and 255, even with StrictHostKeyChecking=accept-new', async () => {
  const file = knownHosts(`@revoked * ${hostKey.ed25519}\n${name} ${hostKey.ed25519}\n`);
  const { tssh: t, ssh: s } = await both(khArgs(file, ['-o', 'StrictHostKeyChecking=accept-new']));
  assert.equal(t.code, 255);
  assert.equal(text(t.stderr), text(s.stderr));
  assert.match(t.stderr, /WARNING: REVOKED HOST KEY DETECTED!/);
});

test('HostKeyAlias: the key is looked up (and recorded) under the alias', async () => {
  const r = await tssh(khArgs(knownHosts(`myalias ${hostKey.ed25519}\n`), ['-o', 'HostKeyAlias=MyAlias', '-o', 'StrictHostKeyChecking=yes']));
  assert.equal(r.code, 0, r.stderr);
  const file = knownHosts('');
  const added = await tssh(khArgs(file, ['-o', 'HostKeyAlias=Other', '-o', 'StrictHostKeyChecking=accept-new']));
  assert.equal(added.code, 0, added.stderr);
  assert.equal(readFileSync(file, 'utf8'), `other ${hostKey.ed25519}\n`);
});

test('UserKnownHostsFile lists are searched in order; GlobalKnownHostsFile too; none disables', async () => {
  const missing = path.join(dir, 'no-such-file');
  const user = knownHosts(`${name} ${hostKey.ed25519}\n`);
  let r = await tssh(['-o', `UserKnownHostsFile=${missing} ${user}`, '-o', 'GlobalKnownHostsFile=/dev/null', '-o', 'StrictHostKeyChecking=yes']);
  assert.equal(r.code, 0, r.stderr);
  r = await tssh(['-o', `UserKnownHostsFile=${missing}`, '-o', `GlobalKnownHostsFile=/dev/null ${user}`, '-o', 'StrictHostKeyChecking=yes']);
  assert.equal(r.code, 0, r.stderr);
  r = await tssh(['-o', 'UserKnownHostsFile=none', '-o', 'GlobalKnownHostsFile=none', '-o', 'StrictHostKeyChecking=accept-new']);
  assert.equal(r.code, 255);
  assert.equal(r.stderr, 'Host key verification failed.\n');
});

test('accept-new records the key; HashKnownHosts hashes it; OpenSSH reads both files back', async () => {
  for (const hash of ['no', 'yes']) {
    const file = knownHosts('');
    const first = await tssh(khArgs(file, ['-o', 'StrictHostKeyChecking=accept-new', '-o', `HashKnownHosts=${hash}`]));
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stderr, `Warning: Permanently added '${name}' (ED25519) to the list of known hosts.\n`);
    const line = readFileSync(file, 'utf8');
    if (hash === 'yes') assert.match(line, new RegExp(`^\\|1\\|[A-Za-z0-9+/=]{28}\\|[A-Za-z0-9+/=]{28} ${hostKey.ed25519.replace(/[+/]/g, '\\$&')}\n$`));
    else assert.equal(line, `${name} ${hostKey.ed25519}\n`);
    const found = spawnSync('ssh-keygen', ['-F', name, '-f', file], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(found.status, 0, found.stderr);
    const ssh = await runClient(SSH, [...baseArgs(), ...khArgs(file, ['-o', 'StrictHostKeyChecking=yes']), sshd.destination, 'true']);
    assert.equal(ssh.code, 0, ssh.stderr);
  }
});

test('lines OpenSSH writes (hashed too) are read by tssh', async () => {
  const file = knownHosts('');
  const ssh = await runClient(SSH, [...baseArgs(), ...khArgs(file, ['-o', 'StrictHostKeyChecking=accept-new', '-o', 'HashKnownHosts=yes']), sshd.destination, 'true']);
  assert.equal(ssh.code, 0, ssh.stderr);
  const r = await tssh(khArgs(file, ['-o', 'StrictHostKeyChecking=yes']));
  assert.equal(r.code, 0, r.stderr);
});

test('host-key algorithms follow the key types known for the host: no false alarm when only the RSA key is known', async () => {
  for (const type of ['rsa', 'ecdsa256'] as const) {
    const file = knownHosts(`${name} ${hostKey[type]}\n`);
    const r = await tssh(khArgs(file, ['-o', 'StrictHostKeyChecking=yes', '-o', 'UpdateHostKeys=no']));
    assert.equal(r.code, 0, `${type}: ${r.stderr}`);
    assert.equal(r.stderr, '');
  }
  // An explicit HostKeyAlgorithms is used as given: ed25519 first, so the RSA-only file looks changed.
  const explicit = await tssh(khArgs(knownHosts(`${name} ${hostKey.rsa}\n`), ['-o', 'StrictHostKeyChecking=yes', '-o', 'HostKeyAlgorithms=ssh-ed25519,rsa-sha2-512']));
  assert.equal(explicit.code, 255);
  assert.match(explicit.stderr, /REMOTE HOST IDENTIFICATION HAS CHANGED/);
});

test('KnownHostsCommand supplies lines (with %H %t %u expanded); a failing command is fatal', async () => {
  const script = path.join(dir, 'khc.sh');
  const args = path.join(dir, 'khc.args');
  writeFileSync(script, `#!/bin/sh\necho "$@" > ${args}\necho "${name} ${hostKey.ed25519}"\nexit \${KHC_STATUS:-0}\n`);
  chmodSync(script, 0o755);
  const command = `KnownHostsCommand=${script} %H %t %I`;
  const env = isolatedEnv(makeTempDir('tssh-home-'));
  let r = await tssh(['-o', command, '-o', 'UserKnownHostsFile=none', '-o', 'GlobalKnownHostsFile=none', '-o', 'StrictHostKeyChecking=yes'], 'echo ok', env);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readFileSync(args, 'utf8'), `${name} ssh-ed25519 HOSTNAME\n`);
  r = await tssh(['-o', command, '-o', 'UserKnownHostsFile=none', '-o', 'GlobalKnownHostsFile=none'], 'echo ok', { ...env, KHC_STATUS: '1' });
  assert.equal(r.code, 255);
  assert.match(r.stderr, /KnownHostsCommand failed\n$/);
  spawnSync('rm', ['-rf', env.HOME!]);
});

test('UpdateHostKeys learns the other host keys (proved by the server) and keeps a backup', async () => {
  const file = knownHosts(`${name} ${hostKey.ed25519}\n`);
  const r = await tssh(khArgs(file, ['-o', 'StrictHostKeyChecking=yes', '-o', 'UpdateHostKeys=yes', '-v']), 'sleep 0.2');
  assert.equal(r.code, 0, r.stderr);
  const lines = readFileSync(file, 'utf8').trim().split('\n').sort();
  assert.deepEqual(lines, [`${name} ${hostKey.ed25519}`, `${name} ${hostKey.ecdsa256}`, `${name} ${hostKey.rsa}`].sort());
  assert.ok(existsSync(`${file}.old`));
  assert.match(r.stderr, /Learned new hostkey: RSA SHA256:/);
  // OpenSSH accepts the rewritten file with every key type.
  for (const alg of ['ecdsa-sha2-nistp256', 'rsa-sha2-512']) {
    const ssh = await runClient(SSH, [...baseArgs(), ...khArgs(file, ['-o', 'StrictHostKeyChecking=yes', '-o', `HostKeyAlgorithms=${alg}`]), sshd.destination, 'true']);
    assert.equal(ssh.code, 0, ssh.stderr);
  }
});

test('UpdateHostKeys replaces a recorded key the server no longer has; other hosts are kept', async () => {
  const oldKey = path.join(dir, 'old_ecdsa');
  spawnSync('ssh-keygen', ['-q', '-t', 'ecdsa', '-N', '', '-f', oldKey], { timeout: 10_000 });
  const stale = readFileSync(`${oldKey}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
  const unrelated = readFileSync(path.join(sshd.dir, 'authorized_keys'), 'utf8').split('\n')[0]!.split(' ').slice(0, 2).join(' ');
  const file = knownHosts(`${name} ${stale}\nunrelated.example ${unrelated}\n${name} ${hostKey.ed25519}\n`);
  const r = await tssh(khArgs(file, ['-o', 'StrictHostKeyChecking=yes', '-o', 'UpdateHostKeys=yes', '-o', 'LogLevel=VERBOSE']), 'sleep 0.2');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Deprecating obsolete hostkey: ECDSA SHA256:/);
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  assert.deepEqual(lines.slice(0, 2), [`unrelated.example ${unrelated}`, `${name} ${hostKey.ed25519}`]);
  assert.deepEqual(lines.slice(2).sort(), [`${name} ${hostKey.ecdsa256}`, `${name} ${hostKey.rsa}`].sort());
  assert.ok(!readFileSync(file, 'utf8').includes(stale));
});

test('RevokedHostKeys: a list of keys or a KRL from ssh-keygen -k revokes the host key; a missing file fails', async () => {
  const file = knownHosts(`${name} ${hostKey.ed25519}\n`);
  const list = path.join(dir, 'revoked.list');
  writeFileSync(list, `# revoked\n${hostKey.rsa}\n${hostKey.ed25519} old key\n`);
  const krl = path.join(dir, 'revoked.krl');
  const made = spawnSync('ssh-keygen', ['-q', '-k', '-f', krl, path.join(sshd.dir, 'host_ed25519.pub')], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(made.status, 0, made.stderr);
  const otherKrl = path.join(dir, 'other.krl');
  spawnSync('ssh-keygen', ['-q', '-k', '-f', otherKrl, path.join(sshd.dir, 'host_rsa.pub')], { timeout: 10_000 });
  for (const revoked of [list, krl, path.join(dir, 'missing.krl')]) {
    const { tssh: t, ssh: s } = await both(khArgs(file, ['-o', 'StrictHostKeyChecking=yes', '-o', `RevokedHostKeys=${revoked}`]));
    assert.equal(t.code, 255, revoked);
    assert.equal(text(t.stderr), text(s.stderr));
  }
  const fine = await tssh(khArgs(file, ['-o', 'StrictHostKeyChecking=yes', '-o', `RevokedHostKeys=${otherKrl}`]));
  assert.equal(fine.code, 0, fine.stderr);
});
