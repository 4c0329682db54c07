/**
 * Public-key authentication against a real sshd: every key type in every format ssh-keygen writes,
 * encrypted keys through SSH_ASKPASS, a user certificate signed by a CA in TrustedUserCAKeys, and the
 * failures ssh reports in its own words (unprotected key file, missing identity, malformed key,
 * BatchMode with an encrypted key). The certificate runs against OpenSSH 10.x's sshd too.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { appendFileSync, chmodSync, copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { startSshd, type Sshd } from '../support/sshd.js';
import { RELEASES, releaseLabel, type OpensshRelease } from '../support/releases.js';
import { isolatedEnv, makeTempDir, runClient, TSSH_BIN } from '../support/run.js';

const execFileAsync = promisify(execFile);
let sshd: Sshd;
let sshd10: Sshd;
const server = (release: OpensshRelease): Sshd => (release === '10' ? sshd10 : sshd);
let keys: string;

before(async () => {
  keys = makeTempDir('tssh-auth-keys-');
  // The CA must exist before sshd reads its configuration.
  await execFileAsync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'test-ca', '-f', path.join(keys, 'ca')]);
  const extraConfig = [`TrustedUserCAKeys ${path.join(keys, 'ca.pub')}`];
  [sshd, sshd10] = await Promise.all([startSshd({ extraConfig }), startSshd({ release: '10', extraConfig })]);
});
after(async () => {
  await Promise.all([sshd?.stop(), sshd10?.stop()]);
  if (keys) await rm(keys, { recursive: true, force: true });
});

/** Makes a key with ssh-keygen and (unless told not to) authorizes it. */
async function makeKey(name: string, args: string[], options: { passphrase?: string; authorize?: boolean } = {}): Promise<string> {
  const file = path.join(keys, name);
  await execFileAsync('ssh-keygen', [...args, '-q', '-N', options.passphrase ?? '', '-C', name, '-f', file]);
  if (options.authorize !== false) appendFileSync(path.join(sshd.dir, 'authorized_keys'), readFileSync(`${file}.pub`));
  return file;
}

/** tssh with only the given identity and options; BatchMode off unless asked (first -o wins). */
function tssh(identity: string | undefined, extra: string[], env: NodeJS.ProcessEnv = {}, via: Sshd = sshd) {
  const args = [
    ...extra,
    '-p', String(via.port),
    ...(identity ? ['-i', identity] : []),
    '-o', 'IdentitiesOnly=yes',
    '-o', `UserKnownHostsFile=${via.knownHosts}`,
    '-o', 'GlobalKnownHostsFile=/dev/null',
    '-o', 'StrictHostKeyChecking=yes',
    '-o', 'PreferredAuthentications=publickey',
    '-F', '/dev/null',
    via.destination,
    'echo authenticated',
  ];
  // isolatedEnv drops SSH_ASKPASS and friends, so the test's own are added after it.
  return runClient(TSSH_BIN, args, { env: { ...isolatedEnv(makeTempDir('tssh-home-')), ...env }, timeoutMs: 30_000 });
}

const TYPES: Array<{ name: string; args: string[] }> = [
  { name: 'ed25519', args: ['-t', 'ed25519'] },
  { name: 'ecdsa256', args: ['-t', 'ecdsa', '-b', '256'] },
  { name: 'ecdsa384', args: ['-t', 'ecdsa', '-b', '384'] },
  { name: 'ecdsa521', args: ['-t', 'ecdsa', '-b', '521'] },
  { name: 'rsa', args: ['-t', 'rsa', '-b', '2048'] },
];
const FORMATS = ['RFC4716', 'PEM', 'PKCS8'];

test('every key type in every format ssh-keygen writes logs in', async () => {
  const cases = TYPES.flatMap((type) => FORMATS.filter((f) => type.name !== 'ed25519' || f === 'RFC4716') /* ed25519 is always OpenSSH format */.map((format) => ({ type, format })));
  const files = await Promise.all(cases.map(({ type, format }) => makeKey(`${type.name}-${format}`, [...type.args, '-m', format])));
  const results = await Promise.all(files.map((file) => tssh(file, ['-o', 'BatchMode=yes'])));
  results.forEach((r, i) => {
    assert.equal(r.stderr, '', `${files[i]}: ${r.stderr}`);
    assert.equal(r.stdout.toString(), 'authenticated\n', files[i]);
    assert.equal(r.code, 0);
  });
});

test('an RSA key signs with rsa-sha2-512 (server-sig-algs), never SHA-1', async () => {
  const file = await makeKey('rsa-alg', ['-t', 'rsa', '-b', '2048']);
  const r = await tssh(file, ['-o', 'BatchMode=yes']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(sshd.readLog(), /Accepted publickey for \S+ from 127\.0\.0\.1 port \d+ ssh2: RSA SHA256:/);
  assert.match(sshd.readLog(), /userauth_pubkey: .*pkalg rsa-sha2-512/);
});

test('encrypted keys in every format open with the passphrase from SSH_ASKPASS', async () => {
  const askpass = path.join(keys, 'askpass.sh');
  const asked = path.join(keys, 'askpass.log');
  writeFileSync(askpass, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${asked}'\necho 'open sesame'\n`, { mode: 0o755 });
  const files = await Promise.all([
    makeKey('enc-openssh', ['-t', 'ed25519'], { passphrase: 'open sesame' }),
    makeKey('enc-pem', ['-t', 'rsa', '-b', '2048', '-m', 'PEM'], { passphrase: 'open sesame' }),
    makeKey('enc-pkcs8', ['-t', 'ecdsa', '-b', '256', '-m', 'PKCS8'], { passphrase: 'open sesame' }),
  ]);
  for (const file of files) {
    const r = await tssh(file, [], { SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: 'force' });
    assert.equal(r.stdout.toString(), 'authenticated\n', `${file}: ${r.stderr}`);
    assert.equal(r.code, 0);
  }
  assert.equal(readFileSync(asked, 'utf8'), files.map((f) => `Enter passphrase for key '${f}': \n`).join(''));
});

test('a wrong passphrase is asked again, then the key is given up: Permission denied', async () => {
  const askpass = path.join(keys, 'askpass-wrong.sh');
  const count = path.join(keys, 'askpass-wrong.log');
  writeFileSync(askpass, `#!/bin/sh\necho x >> '${count}'\necho 'not it'\n`, { mode: 0o755 });
  const file = await makeKey('enc-wrong', ['-t', 'ed25519'], { passphrase: 'the real one' });
  const r = await tssh(file, ['-o', 'NumberOfPasswordPrompts=2'], { SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: 'force' });
  assert.equal(r.code, 255);
  assert.equal(r.stderr, `${sshd.destination}: Permission denied (publickey).\n`);
  assert.equal(readFileSync(count, 'utf8'), 'x\nx\n', 'asked NumberOfPasswordPrompts times');
});

test('BatchMode never asks for a passphrase and fails at once', async () => {
  const askpass = path.join(keys, 'askpass-batch.sh');
  const marker = path.join(keys, 'askpass-batch.ran');
  writeFileSync(askpass, `#!/bin/sh\ntouch '${marker}'\necho secret\n`, { mode: 0o755 });
  const file = await makeKey('enc-batch', ['-t', 'ed25519'], { passphrase: 'secret' });
  const r = await tssh(file, ['-o', 'BatchMode=yes'], { SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: 'force' });
  assert.equal(r.code, 255);
  assert.equal(r.stderr, `${sshd.destination}: Permission denied (publickey).\n`);
  assert.equal(existsSync(marker), false);
});

for (const release of RELEASES) {
  test(`${releaseLabel(release)} a user certificate next to the key (<key>-cert.pub) is used, and CertificateFile too`, () => userCertificate(server(release)));
}

async function userCertificate(via: Sshd): Promise<void> {
  const file = await makeKey(`${via.port}-certified`, ['-t', 'ecdsa', '-b', '256'], { authorize: false });
  await execFileAsync('ssh-keygen', ['-q', '-s', path.join(keys, 'ca'), '-I', 'tssh-test', '-n', via.user, `${file}.pub`]);
  const r = await tssh(file, ['-o', 'BatchMode=yes', '-v'], {}, via);
  assert.equal(r.stdout.toString(), 'authenticated\n', r.stderr);
  assert.match(r.stderr, /Server accepts key: \S+certified ECDSA-CERT SHA256:\S+ explicit/);
  assert.match(via.readLog(), /Accepted publickey for \S+ from .* ECDSA-CERT SHA256:\S+ ID tssh-test/);

  const elsewhere = path.join(keys, `elsewhere-${via.port}-cert.pub`);
  copyFileSync(`${file}-cert.pub`, elsewhere);
  await rm(`${file}-cert.pub`);
  const withFile = await tssh(file, ['-o', 'BatchMode=yes', '-o', `CertificateFile=${elsewhere}`], {}, via);
  assert.equal(withFile.stdout.toString(), 'authenticated\n', withFile.stderr);
  const without = await tssh(file, ['-o', 'BatchMode=yes'], {}, via);
  assert.equal(without.code, 255, 'the plain key alone is not authorized');
}

test('a private key file others can read is refused with OpenSSH\'s warning', async () => {
  const file = await makeKey('loose', ['-t', 'ed25519']);
  chmodSync(file, 0o640);
  const r = await tssh(file, ['-o', 'BatchMode=yes']);
  assert.equal(r.code, 255);
  assert.equal(
    r.stderr,
    [
      '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
      '@         WARNING: UNPROTECTED PRIVATE KEY FILE!          @',
      '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
      `Permissions 0640 for '${file}' are too open.`,
      'It is required that your private key files are NOT accessible by others.',
      'This private key will be ignored.',
      `Load key "${file}": bad permissions`,
      `${sshd.destination}: Permission denied (publickey).`,
      '',
    ].join('\n'),
  );
});

test('missing and malformed identities are warnings, not failures: the next key still logs in', async () => {
  const good = await makeKey('good', ['-t', 'ed25519']);
  const bad = path.join(keys, 'malformed');
  writeFileSync(bad, '-----BEGIN OPENSSH PRIVATE KEY-----\nnot base64 at all\n-----END OPENSSH PRIVATE KEY-----\n', { mode: 0o600 });
  const config = path.join(keys, 'config');
  writeFileSync(config, `IdentityFile ${path.join(keys, 'absent')}\nIdentityFile ${bad}\nIdentityFile ${good}\n`);
  const r = await runClient(
    TSSH_BIN,
    ['-F', config, '-p', String(sshd.port), '-o', 'BatchMode=yes', '-o', `UserKnownHostsFile=${sshd.knownHosts}`, '-o', 'GlobalKnownHostsFile=/dev/null', sshd.destination, 'echo authenticated'],
    { env: isolatedEnv(makeTempDir('tssh-home-')), timeoutMs: 30_000 },
  );
  assert.equal(r.stdout.toString(), 'authenticated\n', r.stderr);
  assert.equal(r.stderr, `no such identity: ${path.join(keys, 'absent')}: No such file or directory\nLoad key "${bad}": invalid format\n`);
  const missingDashI = await tssh(path.join(keys, 'nowhere'), ['-o', 'BatchMode=yes']);
  assert.match(missingDashI.stderr, /^Warning: Identity file \S+nowhere not accessible: No such file or directory\.\n/);
});
