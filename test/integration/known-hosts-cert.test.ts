/**
 * Host certificates made by `ssh-keygen -h -s` and served by a real sshd (HostCertificate): accepted
 * through an `@cert-authority` line, refused (then checked as a plain key, as OpenSSH does) when the
 * CA does not match, the principal is wrong, the certificate expired, the CA's algorithm is not in
 * CASignatureAlgorithms, or the CA is @revoked. OpenSSH's ssh runs every case as the oracle.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startSshd, type Sshd } from '../support/sshd.js';
import { runClient, TSSH_BIN, makeTempDir, type ClientResult } from '../support/run.js';

const SSH = '/usr/bin/ssh';
let sshd: Sshd;
let dir: string;
let ca: string;
let hostLine: string;
let name: string;

function keygen(args: string[]): void {
  const r = spawnSync('ssh-keygen', ['-q', ...args], { encoding: 'utf8', timeout: 20_000 });
  if (r.status !== 0) throw new Error(`ssh-keygen ${args.join(' ')}: ${r.stderr}`);
}

const publicLine = (file: string): string => readFileSync(file, 'utf8').trim().split(' ').slice(0, 2).join(' ');

before(async () => {
  dir = makeTempDir('tssh-khcert-');
  const caKey = path.join(dir, 'ca');
  const good = path.join(dir, 'host_good');
  const expired = path.join(dir, 'host_expired');
  keygen(['-t', 'ed25519', '-N', '', '-f', caKey]);
  keygen(['-t', 'ed25519', '-N', '', '-f', good]);
  keygen(['-t', 'ecdsa', '-N', '', '-f', expired]);
  keygen(['-s', caKey, '-h', '-I', 'good-host', '-n', '127.0.0.1,certhost', `${good}.pub`]);
  keygen(['-s', caKey, '-h', '-I', 'old-host', '-n', '127.0.0.1', '-V', '20200101:20200102', `${expired}.pub`]);
  ca = publicLine(`${caKey}.pub`);
  hostLine = publicLine(`${good}.pub`);
  sshd = await startSshd({
    hostKeyTypes: ['rsa'],
    extraConfig: [`HostKey ${good}`, `HostCertificate ${good}-cert.pub`, `HostKey ${expired}`, `HostCertificate ${expired}-cert.pub`],
  });
  name = `[127.0.0.1]:${sshd.port}`;
});
after(async () => {
  await sshd?.stop();
  if (dir) spawnSync('rm', ['-rf', dir]);
});

let counter = 0;
function knownHosts(text: string): string {
  const file = path.join(dir, `known_hosts${counter++}`);
  writeFileSync(file, text, { mode: 0o600 });
  return file;
}

function args(file: string, extra: string[]): string[] {
  return [
    '-F', '/dev/null', '-p', String(sshd.port), '-i', sshd.userKey, '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes',
    ...extra, '-o', `UserKnownHostsFile=${file}`, '-o', 'GlobalKnownHostsFile=/dev/null', sshd.destination, 'echo ok',
  ];
}

async function both(file: string, extra: string[]): Promise<{ tssh: ClientResult; ssh: ClientResult }> {
  const tssh = await runClient(TSSH_BIN, args(file, extra), { timeoutMs: 20_000 });
  const ssh = await runClient(SSH, args(file, extra), { timeoutMs: 20_000 });
  return { tssh, ssh };
}

const text = (stderr: string): string => stderr.replace(/\r\n/g, '\n');

test('@cert-authority: a certificate signed by the CA for this name is accepted silently', async () => {
  const { tssh, ssh } = await both(knownHosts(`@cert-authority ${name} ${ca}\n`), ['-o', 'StrictHostKeyChecking=yes']);
  assert.equal(ssh.code, 0, ssh.stderr);
  assert.equal(tssh.code, 0, tssh.stderr);
  assert.equal(tssh.stdout.toString(), 'ok\n');
  assert.equal(tssh.stderr, '');
});

test('HostKeyAlias is the principal the certificate must name', async () => {
  const file = knownHosts(`@cert-authority certhost,otherhost ${ca}\n`);
  const good = await runClient(TSSH_BIN, args(file, ['-o', 'StrictHostKeyChecking=yes', '-o', 'HostKeyAlias=certhost']));
  assert.equal(good.code, 0, good.stderr);
  const { tssh, ssh } = await both(file, ['-o', 'StrictHostKeyChecking=yes', '-o', 'HostKeyAlias=otherhost']);
  assert.equal(tssh.code, 255);
  assert.equal(text(tssh.stderr), text(ssh.stderr));
  assert.match(tssh.stderr, /^Certificate invalid: name is not a listed principal\n/);
});

test('no matching CA: the certified key is checked as a plain key (known → accepted, unknown → refused)', async () => {
  const plain = await runClient(TSSH_BIN, args(knownHosts(`@cert-authority *.example ${ca}\n${name} ${hostLine}\n`), ['-o', 'StrictHostKeyChecking=yes']));
  assert.equal(plain.code, 0, plain.stderr);
  const { tssh, ssh } = await both(knownHosts(`@cert-authority *.example ${ca}\n`), ['-o', 'StrictHostKeyChecking=yes']);
  assert.equal(tssh.code, 255);
  assert.equal(text(tssh.stderr), text(ssh.stderr));
});

test('an expired certificate is refused with OpenSSH\'s reason', async () => {
  const { tssh, ssh } = await both(knownHosts(`@cert-authority ${name} ${ca}\n`), [
    '-o', 'StrictHostKeyChecking=yes', '-o', 'HostKeyAlgorithms=ecdsa-sha2-nistp256-cert-v01@openssh.com',
  ]);
  assert.equal(tssh.code, 255);
  assert.equal(text(tssh.stderr), text(ssh.stderr));
  assert.match(tssh.stderr, /^Certificate invalid: expired\n/);
});

test('CASignatureAlgorithms without the CA\'s algorithm refuses the certificate', async () => {
  const { tssh, ssh } = await both(knownHosts(`@cert-authority ${name} ${ca}\n`), ['-o', 'StrictHostKeyChecking=yes', '-o', 'CASignatureAlgorithms=rsa-sha2-512']);
  assert.equal(tssh.code, 255);
  assert.equal(text(tssh.stderr), text(ssh.stderr));
  assert.match(tssh.stderr, /^Certificate signed with disallowed algorithm\n/);
});

test('a @revoked CA key revokes its certificates: refused, or (StrictHostKeyChecking=no) continued without password auth', async () => {
  const file = knownHosts(`@cert-authority ${name} ${ca}\n@revoked * ${ca}\n`);
  const strict = await both(file, ['-o', 'StrictHostKeyChecking=yes']);
  assert.equal(strict.tssh.code, 255);
  assert.equal(text(strict.tssh.stderr), text(strict.ssh.stderr));
  assert.match(strict.tssh.stderr, /REVOKED HOST KEY DETECTED/);
  const lax = await both(file, ['-o', 'StrictHostKeyChecking=no']);
  assert.equal(lax.tssh.code, 0);
  assert.equal(text(lax.tssh.stderr), text(lax.ssh.stderr));
  assert.match(lax.tssh.stderr, /Password authentication is disabled to avoid man-in-the-middle attacks\.\n/);
});

test('RevokedHostKeys: a KRL revoking the certificate\'s key ID under its CA refuses it', async () => {
  const spec = path.join(dir, 'krl.spec');
  const krl = path.join(dir, 'certs.krl');
  writeFileSync(spec, 'id: good-host\n');
  const made = spawnSync('ssh-keygen', ['-q', '-k', '-f', krl, '-s', path.join(dir, 'ca.pub'), spec], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(made.status, 0, made.stderr);
  const { tssh, ssh } = await both(knownHosts(`@cert-authority ${name} ${ca}\n`), ['-o', 'StrictHostKeyChecking=yes', '-o', `RevokedHostKeys=${krl}`]);
  assert.equal(tssh.code, 255);
  assert.equal(text(tssh.stderr), text(ssh.stderr));
  assert.match(tssh.stderr, /^Host key ED25519-CERT SHA256:\S+ revoked by file /);
});
