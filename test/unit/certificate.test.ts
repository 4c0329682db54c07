/**
 * OpenSSH certificates (PROTOCOL.certkeys) made by ssh-keygen as the oracle: parsing every field, the
 * CA signature check (ed25519, ECDSA and RSA CAs, rsa-sha2-256/512), tampering, and the acceptance
 * rules with OpenSSH's reason texts; certificates as KEX host keys; fingerprints and random art
 * compared with `ssh-keygen -l`/`-lv`.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  CERT_VALID_FOREVER,
  CertifiedPublicKey,
  certificateOf,
  checkCertificateAuthority,
  checkHostCertificate,
  formatCertificateValidity,
  parseCertificate,
  parseCertificateBlob,
  plainAlgorithm,
} from '../../src/crypto/keys/certificate.js';
import { parsePublicKeyBlob } from '../../src/crypto/keys/parse-key.js';
import { generateHostKeySigner } from '../../src/crypto/keys/private-key.js';
import { TsshError } from '../../src/errors.js';
import { fingerprint, randomArt } from '../../src/hostkeys/fingerprint.js';
import { keyTypeLabel } from '../../src/hostkeys/key-blob.js';
import { makeTempDir, removeTempDir } from './known-hosts-fixtures.js';

let dir: string;
before(() => {
  dir = makeTempDir();
});
after(() => removeTempDir(dir));

function keygen(args: string[]): string {
  const r = spawnSync('ssh-keygen', args, { encoding: 'utf8', timeout: 20_000 });
  if (r.status !== 0) throw new Error(`ssh-keygen ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

let n = 0;
/** Makes a key of `type`, signs it with a fresh CA of `caType`, returns the certificate blob. */
function makeCert(type: string[], caType: string[], signArgs: string[]): { blob: Buffer; caBlob: Buffer; keyBlob: Buffer } {
  const id = n++;
  const key = path.join(dir, `k${id}`);
  const ca = path.join(dir, `ca${id}`);
  keygen(['-q', ...type, '-N', '', '-f', key]);
  keygen(['-q', ...caType, '-N', '', '-f', ca]);
  keygen(['-q', '-s', ca, ...signArgs, `${key}.pub`]);
  const b64 = (file: string): Buffer => Buffer.from(readFileSync(file, 'utf8').trim().split(' ')[1]!, 'base64');
  return { blob: b64(`${key}-cert.pub`), caBlob: b64(`${ca}.pub`), keyBlob: b64(`${key}.pub`) };
}

test('every field of a host certificate, for each key type and CA type', () => {
  const cases = [
    { type: ['-t', 'ed25519'], ca: ['-t', 'ed25519'], certType: 'ssh-ed25519-cert-v01@openssh.com', sig: 'ssh-ed25519' },
    { type: ['-t', 'ecdsa', '-b', '384'], ca: ['-t', 'ecdsa', '-b', '521'], certType: 'ecdsa-sha2-nistp384-cert-v01@openssh.com', sig: 'ecdsa-sha2-nistp521' },
    { type: ['-t', 'rsa', '-b', '2048'], ca: ['-t', 'rsa', '-b', '2048'], certType: 'ssh-rsa-cert-v01@openssh.com', sig: 'rsa-sha2-512' },
  ];
  for (const c of cases) {
    const made = makeCert(c.type, c.ca, ['-h', '-I', 'the id', '-n', 'a.example,b.example', '-z', '42', '-V', '20200101000000:20991231000000']);
    const cert = parseCertificate(made.blob);
    assert.equal(cert.type, c.certType);
    assert.equal(cert.kind, 'host');
    assert.equal(cert.keyId, 'the id');
    assert.deepEqual(cert.principals, ['a.example', 'b.example']);
    assert.equal(cert.serial, 42n);
    assert.ok(cert.plainBlob.equals(made.keyBlob));
    assert.ok(cert.signatureKey.equals(made.caBlob));
    assert.equal(cert.signatureAlgorithm, c.sig);
    assert.deepEqual(cert.criticalOptions, []);
    assert.equal(Number(cert.validAfter), new Date(2020, 0, 1).getTime() / 1000); // ssh-keygen -V reads local time
  }
});

test('a user certificate with options and extensions; rsa-sha2-256 CA signatures', () => {
  const made = makeCert(['-t', 'ed25519'], ['-t', 'rsa', '-b', '2048'], ['-t', 'rsa-sha2-256', '-I', 'u', '-n', 'alice', '-O', 'force-command=/bin/true', '-O', 'no-pty']);
  const cert = parseCertificate(made.blob);
  assert.equal(cert.kind, 'user');
  assert.equal(cert.signatureAlgorithm, 'rsa-sha2-256');
  assert.deepEqual(cert.criticalOptions.map(([name]) => name), ['force-command']);
  assert.ok(!cert.extensions.some(([name]) => name === 'permit-pty'));
  assert.ok(cert.extensions.some(([name]) => name === 'permit-user-rc'));
  assert.equal(formatCertificateValidity(cert), 'forever');
  // The authentication layer's view needs no signature check.
  assert.deepEqual(parseCertificateBlob(made.blob).principals, ['alice']);
});

test('a tampered certificate or a wrong CA signature is refused', () => {
  const made = makeCert(['-t', 'ed25519'], ['-t', 'ed25519'], ['-h', '-I', 'x']);
  for (const offset of [60, made.blob.length - 10]) {
    const bad = Buffer.from(made.blob);
    bad[offset]! ^= 1;
    assert.throws(() => parseCertificate(bad), (err: unknown) => err instanceof TsshError && err.code === 'KEY');
  }
  assert.throws(() => parseCertificate(made.blob.subarray(0, 100)), TsshError);
  assert.throws(() => parseCertificate(Buffer.concat([made.blob, Buffer.from([0])])), TsshError);
});

test('acceptance rules and reasons: kind, validity window, principals, critical options, CA algorithm', () => {
  const made = makeCert(['-t', 'ed25519'], ['-t', 'ed25519'], ['-h', '-I', 'x', '-n', 'host.example', '-V', '20300101:20300102']);
  const cert = parseCertificate(made.blob);
  const inside = Date.UTC(2030, 0, 1, 12) / 1000;
  const check = (host: string, algorithms = ['ssh-ed25519'], now = inside) => checkHostCertificate(cert, host, algorithms, now);
  assert.equal(check('host.example'), undefined);
  assert.equal(check('other.example'), 'Certificate invalid: name is not a listed principal');
  assert.equal(check('host.example', ['rsa-sha2-512']), 'Certificate signed with disallowed algorithm');
  assert.equal(check('host.example', ['ssh-*']), undefined);
  assert.equal(check('host.example', undefined, Date.UTC(2029, 0, 1) / 1000), 'Certificate invalid: not yet valid');
  assert.equal(check('host.example', undefined, Date.UTC(2031, 0, 1) / 1000), 'Certificate invalid: expired');
  assert.equal(checkCertificateAuthority(cert, { kind: 'user', requirePrincipal: false, wildcardPrincipals: false, name: undefined, now: inside }), 'Certificate invalid: not a user certificate');
  assert.match(formatCertificateValidity(cert), /^from 2030-01-01T00:00:00 to 2030-01-02T00:00:00$/);

  const any = parseCertificate(makeCert(['-t', 'ed25519'], ['-t', 'ed25519'], ['-h', '-I', 'x']).blob);
  assert.equal(checkHostCertificate(any, 'whatever', ['ssh-ed25519']), undefined); // no principals: any host
  assert.equal(checkCertificateAuthority(any, { kind: 'host', requirePrincipal: true, wildcardPrincipals: false, name: 'h', now: inside }), 'Certificate lacks principal list');
  assert.equal(any.validBefore, CERT_VALID_FOREVER);

  const user = parseCertificate(makeCert(['-t', 'ed25519'], ['-t', 'ed25519'], ['-I', 'x', '-n', 'al*']).blob);
  assert.equal(checkCertificateAuthority(user, { kind: 'user', requirePrincipal: true, wildcardPrincipals: true, name: 'alice', now: inside }), undefined);
  assert.equal(checkCertificateAuthority(user, { kind: 'user', requirePrincipal: true, wildcardPrincipals: false, name: 'alice', now: inside }), 'Certificate invalid: name is not a listed principal');
});

test('a certificate as a KEX host key verifies the certified key\'s signatures under the -cert algorithm names', () => {
  const key = generateHostKeySigner('ssh-ed25519');
  const pub = path.join(dir, 'kex.pub');
  const ca = path.join(dir, 'kexca');
  keygen(['-q', '-t', 'ed25519', '-N', '', '-f', ca]);
  writeFileSync(pub, `ssh-ed25519 ${key.publicKey.blob.toString('base64')}\n`);
  keygen(['-q', '-s', ca, '-h', '-I', 'kex', pub]);
  const blob = Buffer.from(readFileSync(path.join(dir, 'kex-cert.pub'), 'utf8').split(' ')[1]!, 'base64');
  const hostKey = parsePublicKeyBlob(blob);
  assert.ok(hostKey instanceof CertifiedPublicKey);
  assert.equal(hostKey.type, 'ssh-ed25519-cert-v01@openssh.com');
  assert.ok(certificateOf(hostKey)?.plainBlob.equals(key.publicKey.blob));
  const data = Buffer.from('exchange hash');
  const signature = key.sign('ssh-ed25519', data);
  assert.equal(hostKey.verify('ssh-ed25519-cert-v01@openssh.com', data, signature), true);
  assert.equal(hostKey.verify('ssh-ed25519', data, signature), false); // a plain name is not this key's algorithm
  assert.equal(hostKey.verify('ssh-ed25519-cert-v01@openssh.com', Buffer.from('other'), signature), false);
  assert.equal(plainAlgorithm('rsa-sha2-512-cert-v01@openssh.com'), 'rsa-sha2-512');
  assert.equal(keyTypeLabel(hostKey.type), 'ED25519-CERT');
});

test('fingerprints (SHA256, MD5) and VisualHostKey random art match ssh-keygen', () => {
  for (const type of [['-t', 'ed25519'], ['-t', 'ecdsa', '-b', '521'], ['-t', 'rsa', '-b', '3072']]) {
    const file = path.join(dir, `fp${n++}`);
    keygen(['-q', ...type, '-N', '', '-C', 'c', '-f', file]);
    const blob = Buffer.from(readFileSync(`${file}.pub`, 'utf8').split(' ')[1]!, 'base64');
    const key = parsePublicKeyBlob(blob);
    const label = keyTypeLabel(key.type);
    for (const hash of ['SHA256', 'MD5'] as const) {
      const listed = keygen(['-lv', '-E', hash.toLowerCase(), '-f', `${file}.pub`]).trimEnd().split('\n');
      assert.equal(fingerprint(blob, hash), listed[0]!.split(' ')[1]);
      assert.equal(randomArt(blob, hash, label, key.bits), listed.slice(1).join('\n'));
    }
  }
});
