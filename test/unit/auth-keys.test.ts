/**
 * Which keys publickey authentication offers, in which order, with which algorithm; reading a key's
 * public half without its passphrase; loading private key files as OpenSSH does (permissions,
 * passphrase tries, BatchMode), with ssh-keygen as the oracle for every format it writes.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chooseKeyAlgorithm, describeKey, keyAllowedByConfig, keyTypeLabel } from '../../src/auth/keys.js';
import { filenameMatches, orderIdentities, type FileIdentity } from '../../src/auth/identities.js';
import { fingerprintSha256, generateHostKeySigner } from '../../src/crypto/keys/index.js';
import { readPublicKey } from '../../src/connect/identity-files.js';
import { privateKeyLoader, type PrivateKeyLoadOptions } from '../../src/connect/private-key-file.js';
import { createLogger, type CliLogger } from '../../src/cli/log.js';
import type { Logger } from '../../src/log.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tssh-auth-keys-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function keygen(name: string, args: string[], passphrase = ''): string {
  const file = path.join(dir, name);
  execFileSync('ssh-keygen', [...args, '-q', '-N', passphrase, '-C', `c-${name}`, '-f', file], { timeout: 30_000 });
  return file;
}

function keygenFingerprint(file: string): string {
  return execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', file], { timeout: 30_000 }).toString().split(/\s+/)[1]!;
}

function capture(): Logger & { lines: string[]; level: 'DEBUG3'; fatal(m: string): void } {
  const lines: string[] = [];
  const at = (level: string) => (m: string) => void lines.push(`${level}: ${m}`);
  return { lines, level: 'DEBUG3', fatal: at('fatal'), error: at('error'), info: at('info'), verbose: at('verbose'), debug1: at('debug1'), debug2: at('debug2'), debug3: at('debug3') };
}

const ed = describeKey(generateHostKeySigner('ssh-ed25519').publicKey.blob);
const rsa = describeKey(generateHostKeySigner('ssh-rsa', 1024).publicKey.blob);
const DEFAULT_ACCEPTED = ['ssh-ed25519-cert-v01@openssh.com', 'rsa-sha2-512-cert-v01@openssh.com', 'rsa-sha2-256-cert-v01@openssh.com', 'ssh-ed25519', 'rsa-sha2-512', 'rsa-sha2-256'];

test('RSA keys sign with the best rsa-sha2 the server lists; without server-sig-algs only with ssh-rsa', () => {
  assert.equal(chooseKeyAlgorithm(rsa, ['ssh-rsa', 'rsa-sha2-256', 'rsa-sha2-512'], DEFAULT_ACCEPTED), 'rsa-sha2-512');
  assert.equal(chooseKeyAlgorithm(rsa, ['rsa-sha2-256'], DEFAULT_ACCEPTED), 'rsa-sha2-256');
  assert.equal(chooseKeyAlgorithm(rsa, ['rsa-sha2-512'], ['rsa-sha2-256', 'rsa-sha2-512']), 'rsa-sha2-512');
  assert.equal(chooseKeyAlgorithm(rsa, undefined, DEFAULT_ACCEPTED), undefined);
  assert.equal(chooseKeyAlgorithm(rsa, undefined, [...DEFAULT_ACCEPTED, 'ssh-rsa']), 'ssh-rsa');
  assert.equal(chooseKeyAlgorithm(ed, undefined, DEFAULT_ACCEPTED), 'ssh-ed25519');
  assert.equal(chooseKeyAlgorithm(ed, ['rsa-sha2-512'], ['rsa-sha2-512']), undefined);
  assert.equal(keyAllowedByConfig(rsa, ['rsa-sha2-256']), true);
  assert.equal(keyAllowedByConfig(ed, ['rsa-sha2-256']), false);
  assert.equal(keyTypeLabel('ecdsa-sha2-nistp384'), 'ECDSA');
  assert.equal(keyTypeLabel('ssh-rsa-cert-v01@openssh.com'), 'RSA-CERT');
});

test('certificates: signed with the underlying key, rsa-sha2 cert names chosen from server-sig-algs', () => {
  const ca = keygen('ca', ['-t', 'ed25519']);
  const user = keygen('certified', ['-t', 'rsa', '-b', '2048']);
  execFileSync('ssh-keygen', ['-q', '-s', ca, '-I', 'id', '-n', 'alice', `${user}.pub`], { timeout: 30_000 });
  const log = capture() as unknown as CliLogger;
  const cert = readPublicKey(`${user}-cert.pub`, log);
  assert.ok(cert !== undefined && cert !== 'unsupported');
  assert.equal(cert.type, 'ssh-rsa-cert-v01@openssh.com');
  assert.equal(cert.certificateKind, 'user');
  assert.equal(fingerprintSha256(cert.plainBlob), keygenFingerprint(`${user}.pub`));
  assert.equal(chooseKeyAlgorithm(cert, ['rsa-sha2-256'], DEFAULT_ACCEPTED), 'rsa-sha2-256-cert-v01@openssh.com');
  assert.equal(keyTypeLabel(cert.type), 'RSA-CERT');
  assert.ok(filenameMatches(`${user}-cert.pub`, user));
  assert.ok(!filenameMatches(`${user}-cert.pub`, `${user}x`));
});

test('identity order: certificate files, agent keys matching files, other agent keys, then files', () => {
  const file = (name: string, key = describeKey(generateHostKeySigner('ssh-ed25519').publicKey.blob)): FileIdentity => ({ path: name, key, userProvided: true, loadPrivate: async () => undefined });
  const inAgent = file('/k/in-agent');
  const onlyFile = file('/k/only-file');
  const noPublic: FileIdentity = { path: '/k/pem', userProvided: false, loadPrivate: async () => undefined };
  const agentOnly = describeKey(generateHostKeySigner('ecdsa-sha2-nistp256').publicKey.blob);
  const agent = { sign: async () => Buffer.alloc(0) };
  const log = capture();
  const accepted = [...DEFAULT_ACCEPTED, 'ecdsa-sha2-nistp256'];
  const ordered = orderIdentities({
    files: [onlyFile, noPublic, inAgent],
    certificates: [],
    agentKeys: [{ key: agentOnly, comment: 'agent-only' }, { key: inAgent.key!, comment: 'ignored comment' }],
    agent,
    identitiesOnly: false,
    acceptedAlgorithms: accepted,
    log,
  });
  assert.deepEqual(ordered.map((id) => `${id.label}${id.agent ? ' (agent)' : ''}`), ['/k/in-agent (agent)', 'agent-only (agent)', '/k/only-file', '/k/pem']);
  assert.ok(log.lines.includes('debug1: Will attempt key: /k/pem '), 'a key file without a public half is listed with a trailing space, as ssh -v does');

  const only = orderIdentities({ files: [onlyFile, inAgent], certificates: [], agentKeys: [{ key: agentOnly, comment: 'agent-only' }], agent, identitiesOnly: true, acceptedAlgorithms: accepted, log });
  assert.deepEqual(only.map((id) => id.label), ['/k/only-file', '/k/in-agent'], 'IdentitiesOnly drops keys only the agent has');

  const filtered = orderIdentities({ files: [onlyFile], certificates: [], agentKeys: [{ key: agentOnly, comment: 'agent-only' }], agent, identitiesOnly: false, acceptedAlgorithms: DEFAULT_ACCEPTED, log });
  assert.deepEqual(filtered.map((id) => id.label), ['/k/only-file']);
  assert.ok(log.lines.includes('debug1: Skipping ecdsa-sha2-nistp256 key agent-only - corresponding algo not in PubkeyAcceptedAlgorithms'));
});

/** Every format ssh-keygen writes, encrypted or not. */
const FORMATS: Array<{ name: string; args: string[]; passphrase: string; envelope: boolean }> = [
  { name: 'ed25519', args: ['-t', 'ed25519'], passphrase: '', envelope: true },
  { name: 'ed25519-enc', args: ['-t', 'ed25519'], passphrase: 'correct horse', envelope: true },
  { name: 'ecdsa256-enc', args: ['-t', 'ecdsa', '-b', '256'], passphrase: 'correct horse', envelope: true },
  { name: 'ecdsa384-pem', args: ['-t', 'ecdsa', '-b', '384', '-m', 'PEM'], passphrase: '', envelope: false },
  { name: 'ecdsa521-pkcs8-enc', args: ['-t', 'ecdsa', '-b', '521', '-m', 'PKCS8'], passphrase: 'correct horse', envelope: false },
  { name: 'rsa-pem-enc', args: ['-t', 'rsa', '-b', '2048', '-m', 'PEM'], passphrase: 'correct horse', envelope: false },
  { name: 'rsa-pkcs8', args: ['-t', 'rsa', '-b', '2048', '-m', 'PKCS8'], passphrase: '', envelope: false },
];

function loaderOptions(answers: string[], overrides: Partial<PrivateKeyLoadOptions> = {}): PrivateKeyLoadOptions & { asked: string[]; log: CliLogger & { lines: string[] } } {
  const log = capture();
  const asked: string[] = [];
  return {
    uid: process.getuid!(),
    batchMode: false,
    numberOfPasswordPrompts: 3,
    askPassphrase: async (prompt) => {
      asked.push(prompt);
      return answers.shift() ?? '';
    },
    ...overrides,
    log: log as unknown as CliLogger & { lines: string[] },
    asked,
  };
}

for (const format of FORMATS) {
  test(`${format.name}: public half read without the passphrase, private key loads, fingerprints match ssh-keygen -l`, async () => {
    const file = keygen(format.name, format.args, format.passphrase);
    const expected = keygenFingerprint(`${file}.pub`);
    const log = createLogger('QUIET', undefined);
    const viaPub = readPublicKey(file, log);
    assert.ok(viaPub !== undefined && viaPub !== 'unsupported');
    assert.equal(fingerprintSha256(viaPub.plainBlob), expected);
    rmSync(`${file}.pub`);
    const viaEnvelope = readPublicKey(file, log);
    if (format.envelope) {
      assert.ok(viaEnvelope !== undefined && viaEnvelope !== 'unsupported', 'OpenSSH-format keys keep their public half unencrypted');
      assert.equal(fingerprintSha256(viaEnvelope.plainBlob), expected);
    } else {
      assert.equal(viaEnvelope, undefined, 'a PEM key without .pub has no readable public half');
    }
    const options = loaderOptions(['wrong passphrase', format.passphrase]);
    const key = await privateKeyLoader(file, true, options)();
    assert.ok(key, 'loads');
    assert.equal(fingerprintSha256(key.publicKey.blob), expected);
    const prompt = `Enter passphrase for key '${file}': `;
    assert.deepEqual(options.asked, format.passphrase === '' ? [] : [prompt, prompt]);
  });
}

test('passphrases: an empty answer gives up on the key, NumberOfPasswordPrompts bounds the tries, BatchMode never asks', async () => {
  const file = keygen('tries', ['-t', 'ed25519'], 'right one');
  const giveUp = loaderOptions(['']);
  assert.equal(await privateKeyLoader(file, true, giveUp)(), undefined);
  assert.equal(giveUp.asked.length, 1);
  const bounded = loaderOptions(['a', 'b', 'c', 'd'], { numberOfPasswordPrompts: 2 });
  assert.equal(await privateKeyLoader(file, true, bounded)(), undefined);
  assert.equal(bounded.asked.length, 2);
  const batch = loaderOptions(['right one'], { batchMode: true });
  assert.equal(await privateKeyLoader(file, true, batch)(), undefined);
  assert.deepEqual(batch.asked, []);
  assert.ok(!bounded.log.lines.some((l) => /[abcd]$/.test(l) && l.includes('passphrase:')), 'answers are not logged');
});

test('a key file others can read is refused with OpenSSH\'s warning; missing and malformed files are reported', async () => {
  const file = keygen('loose', ['-t', 'ed25519']);
  const loose = path.join(dir, 'loose-copy');
  copyFileSync(file, loose);
  chmodSync(loose, 0o644);
  const options = loaderOptions([]);
  assert.equal(await privateKeyLoader(loose, true, options)(), undefined);
  assert.deepEqual(options.log.lines.filter((l) => l.startsWith('error: ')), [
    'error: @@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
    'error: @         WARNING: UNPROTECTED PRIVATE KEY FILE!          @',
    'error: @@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
    `error: Permissions 0644 for '${loose}' are too open.`,
    'error: It is required that your private key files are NOT accessible by others.',
    'error: This private key will be ignored.',
    `error: Load key "${loose}": bad permissions`,
  ]);

  const missing = loaderOptions([]);
  assert.equal(await privateKeyLoader(path.join(dir, 'absent'), true, missing)(), undefined);
  assert.deepEqual(missing.log.lines, [`info: no such identity: ${path.join(dir, 'absent')}: No such file or directory`]);

  const garbage = path.join(dir, 'garbage');
  writeFileSync(garbage, '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n', { mode: 0o600 });
  const malformed = loaderOptions([]);
  assert.equal(await privateKeyLoader(garbage, true, malformed)(), undefined);
  assert.deepEqual(malformed.log.lines, [`error: Load key "${garbage}": invalid format`]);
});
