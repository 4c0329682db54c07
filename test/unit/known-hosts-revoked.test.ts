/**
 * RevokedHostKeys files made by ssh-keygen: KRLs (`ssh-keygen -k`) revoking plain keys explicitly or
 * by SHA1/SHA256 fingerprint, certificates by serial (list, range, bitmap) or key ID under their CA or
 * any CA, and CA keys; and plain lists of public or certificate keys.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseCertificate, type OpenSSHCertificate } from '../../src/crypto/keys/certificate.js';
import { isRevoked } from '../../src/hostkeys/revoked-keys.js';
import { makeTempDir, removeTempDir } from './known-hosts-fixtures.js';

let dir: string;
let n = 0;
before(() => {
  dir = makeTempDir();
});
after(() => removeTempDir(dir));

function keygen(args: string[]): void {
  const r = spawnSync('ssh-keygen', ['-q', ...args], { encoding: 'utf8', timeout: 20_000 });
  if (r.status !== 0) throw new Error(`ssh-keygen ${args.join(' ')}: ${r.stderr}`);
}

const blobOf = (file: string): Buffer => Buffer.from(readFileSync(file, 'utf8').trim().split(' ')[1]!, 'base64');

function key(): string {
  const file = path.join(dir, `key${n++}`);
  keygen(['-t', 'ed25519', '-N', '', '-f', file]);
  return file;
}

function cert(ca: string, serial: number, id: string): { file: string; cert: OpenSSHCertificate } {
  const file = key();
  keygen(['-s', ca, '-h', '-I', id, '-z', String(serial), `${file}.pub`]);
  return { file, cert: parseCertificate(blobOf(`${file}-cert.pub`)) };
}

/** A KRL from `ssh-keygen -k` with a specification file (and CA for serials and IDs). */
function krl(spec: string, ca?: string): Buffer {
  const specFile = path.join(dir, `spec${n++}`);
  const out = path.join(dir, `krl${n++}`);
  writeFileSync(specFile, spec);
  keygen(['-k', '-f', out, ...(ca !== undefined ? ['-s', `${ca}.pub`] : []), specFile]);
  return readFileSync(out);
}

test('KRL: plain keys explicitly and by SHA1/SHA256 fingerprint; other keys pass', () => {
  const [a, b, c, d] = [key(), key(), key(), key()];
  const line = (file: string): string => readFileSync(`${file}.pub`, 'utf8').trim();
  const file = krl(`key: ${line(a)}\nsha1: ${line(b)}\nsha256: ${line(c)}\n`);
  for (const revoked of [a, b, c]) assert.equal(isRevoked(file, { plainBlob: blobOf(`${revoked}.pub`) }), true, revoked);
  assert.equal(isRevoked(file, { plainBlob: blobOf(`${d}.pub`) }), false);
});

test('KRL: certificates by serial list and range and by key ID under their CA; serial 0 never', () => {
  const ca = key();
  const other = key();
  const file = krl('serial: 5\nserial: 10-20\nid: bad-host\n', ca);
  const check = (c: { cert: OpenSSHCertificate }): boolean => isRevoked(file, { plainBlob: c.cert.plainBlob, certificate: c.cert });
  assert.equal(check(cert(ca, 5, 'x')), true);
  assert.equal(check(cert(ca, 15, 'x')), true);
  assert.equal(check(cert(ca, 6, 'x')), false);
  assert.equal(check(cert(ca, 0, 'bad-host')), true);
  assert.equal(check(cert(ca, 0, 'x')), false);
  assert.equal(check(cert(other, 5, 'x')), false); // another CA's serial 5
  // Scattered serials: ssh-keygen packs them as a bitmap section.
  const scattered = krl(Array.from({ length: 30 }, (_, i) => `serial: ${1000 + 2 * i}\n`).join(''), ca);
  const inBitmap = (serial: number): boolean => {
    const c = cert(ca, serial, 'y');
    return isRevoked(scattered, { plainBlob: c.cert.plainBlob, certificate: c.cert });
  };
  assert.equal(inBitmap(1020), true);
  assert.equal(inBitmap(1021), false);
});

test('KRL and plain lists: a revoked CA revokes its certificates; a listed certificate revokes its key', () => {
  const ca = key();
  const c = cert(ca, 1, 'x');
  const subject = { plainBlob: c.cert.plainBlob, certificate: c.cert };
  assert.equal(isRevoked(krl(`key: ${readFileSync(`${ca}.pub`, 'utf8').trim()}\n`), subject), true);
  assert.equal(isRevoked(Buffer.from(readFileSync(`${ca}.pub`)), subject), true);
  assert.equal(isRevoked(Buffer.from(`# list\n${readFileSync(`${c.file}-cert.pub`, 'utf8')}`), { plainBlob: c.cert.plainBlob }), true);
  assert.equal(isRevoked(Buffer.from('\n# nothing\n'), subject), false);
  assert.throws(() => isRevoked(Buffer.concat([Buffer.from('SSHKRL\n\0'), Buffer.alloc(3)]), subject));
});
