/**
 * Certificate parsing and validity checks at their edges, against OpenSSH's cert_parse and
 * sshkey_cert_check_authority: written against the survivors of the `hostkeys` Stryker run. The
 * certificates are built field by field here (and signed by a throwaway CA) so that each edge can be
 * reached: a certificate type that is neither user nor host, 256 and 257 principals, the first and
 * last valid second, critical options on a host certificate.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { checkCertificateAuthority, checkHostCertificate, CERT_VALID_FOREVER, parseCertificate, type AuthorityCheck } from '../../src/crypto/keys/certificate.js';
import { generateHostKeySigner } from '../../src/crypto/keys/private-key.js';
import { TsshError } from '../../src/errors.js';
import { SshReader } from '../../src/wire/reader.js';
import { SshWriter } from '../../src/wire/writer.js';
import { makeTempDir, removeTempDir } from './known-hosts-fixtures.js';

const ca = generateHostKeySigner('ssh-ed25519');
const subject = generateHostKeySigner('ssh-ed25519');

interface CertFields {
  kind?: number;
  principals?: string[];
  validAfter?: bigint;
  validBefore?: bigint;
  critical?: Array<[string, string]>;
  type?: string;
}

/** A signed ssh-ed25519 certificate of `subject` with the given fields (OpenSSH PROTOCOL.certkeys). */
function certBlob(fields: CertFields = {}): Buffer {
  const pairs = (list: Array<[string, string]>): Buffer => {
    const w = new SshWriter(64);
    for (const [name, value] of list) w.string(name).string(new SshWriter(16).string(value).finish());
    return Buffer.from(w.finish());
  };
  const principals = new SshWriter(64);
  for (const p of fields.principals ?? ['host.example']) principals.string(p);
  const rawKey = new SshReader(subject.publicBlob, 'key');
  rawKey.text();
  const w = new SshWriter(512)
    .string(fields.type ?? 'ssh-ed25519-cert-v01@openssh.com')
    .string(randomBytes(32))
    .string(rawKey.string())
    .uint64(7n)
    .uint32(fields.kind ?? 2)
    .string('key-id')
    .string(principals.finish())
    .uint64(fields.validAfter ?? 0n)
    .uint64(fields.validBefore ?? CERT_VALID_FOREVER)
    .string(pairs(fields.critical ?? []))
    .string(pairs([]))
    .string('')
    .string(ca.publicBlob);
  const signed = Buffer.from(w.finish());
  return Buffer.concat([signed, new SshWriter(128).string(ca.sign('ssh-ed25519', signed)).finish()]);
}

/** The KEY error a blob is refused with. */
function refusal(blob: Buffer): string {
  try {
    parseCertificate(blob);
  } catch (err) {
    assert.ok(err instanceof TsshError && err.code === 'KEY', String(err));
    return err.message;
  }
  return 'accepted';
}

test('a certificate is a user (1) or host (2) certificate; any other type code is refused', () => {
  assert.equal(parseCertificate(certBlob({ kind: 1 })).kind, 'user');
  assert.equal(parseCertificate(certBlob({ kind: 2 })).kind, 'host');
  assert.equal(refusal(certBlob({ kind: 3 })), 'invalid certificate type 3');
  assert.equal(refusal(certBlob({ kind: 0 })), 'invalid certificate type 0');
});

test('256 principals are read, a 257th is refused (OpenSSH SSHKEY_CERT_MAX_PRINCIPALS)', () => {
  const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `p${i}`);
  assert.equal(parseCertificate(certBlob({ principals: names(256) })).principals.length, 256);
  assert.equal(refusal(certBlob({ principals: names(257) })), 'invalid certificate: too many principals');
});

test('malformed and unknown certificates are KEY errors that say so; one changed signed byte is an incorrect signature', () => {
  assert.equal(refusal(certBlob({ type: 'ssh-foo-cert-v01@openssh.com' })), 'unsupported certificate type "ssh-foo-cert-v01@openssh.com"');
  assert.match(refusal(certBlob().subarray(0, 80)), /^invalid certificate: /);
  const tampered = certBlob();
  tampered[tampered.indexOf('key-id')]! ^= 0x01; // the key id's first letter, covered by the signature
  assert.equal(refusal(tampered), 'incorrect signature');
});

test('validity: from its valid_after second, up to but not including valid_before', () => {
  const cert = parseCertificate(certBlob({ validAfter: 1000n, validBefore: 2000n }));
  const at = (now: number): string | undefined => checkCertificateAuthority(cert, { kind: 'host', requirePrincipal: false, wildcardPrincipals: false, name: undefined, now });
  assert.equal(at(999), 'Certificate invalid: not yet valid');
  assert.equal(at(1000), undefined);
  assert.equal(at(1999.9), undefined);
  assert.equal(at(2000), 'Certificate invalid: expired');
});

test('principals: any one listed name matches; no name to check skips the list; no list is refused only where required', () => {
  const cert = parseCertificate(certBlob({ kind: 1, principals: ['alice', 'bob', 'carol'] }));
  const check = (name: string | undefined, wildcard = false): AuthorityCheck => ({ kind: 'user', requirePrincipal: true, wildcardPrincipals: wildcard, name, now: 1 });
  assert.equal(checkCertificateAuthority(cert, check('bob')), undefined);
  assert.equal(checkCertificateAuthority(cert, check('dave')), 'Certificate invalid: name is not a listed principal');
  assert.equal(checkCertificateAuthority(cert, check(undefined)), undefined);
  const none = parseCertificate(certBlob({ kind: 1, principals: [] }));
  assert.equal(checkCertificateAuthority(none, check('bob')), 'Certificate lacks principal list');
  assert.equal(checkCertificateAuthority(none, { ...check('bob'), requirePrincipal: false }), undefined);
});

test('host certificates: no principals stands for any host, critical options are refused, the CA algorithm must be allowed, the clock is now', () => {
  const allowed = ['rsa-sha2-512', 'ssh-ed25519'];
  assert.equal(checkHostCertificate(parseCertificate(certBlob({ principals: [] })), 'any.example', allowed), undefined);
  assert.equal(checkHostCertificate(parseCertificate(certBlob({ critical: [['force-command', 'true']] })), 'host.example', allowed), 'Certificate contains unsupported critical options');
  assert.equal(checkHostCertificate(parseCertificate(certBlob()), 'host.example', ['rsa-sha2-512']), 'Certificate signed with disallowed algorithm');
  assert.equal(checkHostCertificate(parseCertificate(certBlob()), 'other.example', allowed), 'Certificate invalid: name is not a listed principal');
  // Valid for the hour around now: only a clock in seconds since the epoch accepts it.
  const now = BigInt(Math.floor(Date.now() / 1000));
  assert.equal(checkHostCertificate(parseCertificate(certBlob({ validAfter: now - 3600n, validBefore: now + 3600n })), 'host.example', allowed), undefined);
});

test('ssh-keygen certificates of every key type ssh-keygen makes here: the certified key is the plain key', () => {
  const dir = makeTempDir();
  try {
    const b64 = (file: string): Buffer => Buffer.from(readFileSync(file, 'utf8').trim().split(' ')[1]!, 'base64');
    const keygen = (args: string[]): void => assert.equal(spawnSync('ssh-keygen', args, { encoding: 'utf8', timeout: 20_000 }).status, 0, args.join(' '));
    keygen(['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'ca')]);
    const types: Array<[string[], string]> = [
      [['-t', 'ecdsa', '-b', '256'], 'ecdsa-sha2-nistp256-cert-v01@openssh.com'],
      [['-t', 'ecdsa', '-b', '521'], 'ecdsa-sha2-nistp521-cert-v01@openssh.com'],
      [['-t', 'rsa', '-b', '2048'], 'ssh-rsa-cert-v01@openssh.com'],
      [['-t', 'ed25519'], 'ssh-ed25519-cert-v01@openssh.com'],
    ];
    for (const [args, certType] of types) {
      const key = path.join(dir, certType);
      keygen(['-q', ...args, '-N', '', '-f', key]);
      keygen(['-q', '-s', path.join(dir, 'ca'), '-h', '-I', 'id', `${key}.pub`]);
      const cert = parseCertificate(b64(`${key}-cert.pub`));
      assert.equal(cert.type, certType);
      assert.deepEqual(cert.plainBlob, b64(`${key}.pub`), certType);
    }
  } finally {
    removeTempDir(dir);
  }
});
