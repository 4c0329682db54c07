import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TsshError } from '../../src/errors.js';
import {
  fingerprintSha256,
  generateHostKeySigner,
  isPrivateKeyEncrypted,
  keyTypeForAlgorithm,
  parseOpenSSHPublicKey,
  parsePrivateKey,
  parsePublicKeyBlob,
  publicKeyToOpenSSH,
  type GeneratedKeyType,
} from '../../src/crypto/keys/index.js';
import { SshReader } from '../../src/wire/reader.js';
import { SshWriter } from '../../src/wire/writer.js';

// ssh-keygen is the oracle: keys it writes must parse, fingerprint and sign exactly as it says.
const dir = mkdtempSync(join(tmpdir(), 'tssh-keys-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

function run(cmd: string, args: string[], input?: Buffer): string {
  return execFileSync(cmd, args, { input, timeout: 30_000, stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir } }).toString();
}

let counter = 0;
function keygen(type: string, extra: string[] = [], passphrase = ''): string {
  const path = join(dir, `k${counter++}`);
  run('ssh-keygen', ['-t', type, ...extra, '-N', passphrase, '-C', `comment-${counter}`, '-f', path, '-q']);
  return path;
}

/** `ssh-keygen -l -E sha256`: "bits SHA256:... comment (TYPE)". */
function keygenFingerprint(pubPath: string): { bits: number; fingerprint: string } {
  const [bits, fingerprint] = run('ssh-keygen', ['-l', '-E', 'sha256', '-f', pubPath]).trim().split(/\s+/);
  return { bits: Number(bits), fingerprint: fingerprint! };
}

const OPENSSH_KEYS: { type: string; args: string[]; keyType: string; algorithms: string[] }[] = [
  { type: 'ed25519', args: [], keyType: 'ssh-ed25519', algorithms: ['ssh-ed25519'] },
  { type: 'ecdsa', args: ['-b', '256'], keyType: 'ecdsa-sha2-nistp256', algorithms: ['ecdsa-sha2-nistp256'] },
  { type: 'ecdsa', args: ['-b', '384'], keyType: 'ecdsa-sha2-nistp384', algorithms: ['ecdsa-sha2-nistp384'] },
  { type: 'ecdsa', args: ['-b', '521'], keyType: 'ecdsa-sha2-nistp521', algorithms: ['ecdsa-sha2-nistp521'] },
  { type: 'rsa', args: ['-b', '2048'], keyType: 'ssh-rsa', algorithms: ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] },
  { type: 'dsa', args: [], keyType: 'ssh-dss', algorithms: ['ssh-dss'] },
];

for (const spec of OPENSSH_KEYS) {
  test(`OpenSSH-format ${spec.keyType} ${spec.args.join(' ')}: parse, fingerprint, sign/verify`, () => {
    const path = keygen(spec.type, spec.args);
    const key = parsePrivateKey(readFileSync(path), path);
    const pubLine = readFileSync(path + '.pub', 'utf8');
    const pub = parseOpenSSHPublicKey(pubLine);
    assert.equal(key.type, spec.keyType);
    assert.equal(key.comment, pubLine.trim().split(' ')[2]);
    assert.deepEqual([...key.signatureAlgorithms], spec.algorithms);
    assert.ok(key.publicKey.blob.equals(pub.blob), 'private key yields the .pub blob');
    const oracle = keygenFingerprint(path + '.pub');
    assert.equal(fingerprintSha256(pub.blob), oracle.fingerprint);
    assert.equal(key.publicKey.bits, oracle.bits);
    assert.equal(publicKeyToOpenSSH(pub, key.comment), pubLine.trim());

    const data = Buffer.from('exchange hash stand-in');
    for (const alg of spec.algorithms) {
      const sig = key.sign(alg, data);
      assert.equal(new SshReader(sig).text(), alg);
      assert.equal(pub.verify(alg, data, sig), true, alg);
      assert.equal(pub.verify(alg, Buffer.from('other data'), sig), false, 'other data');
      const flipped = Buffer.from(sig);
      flipped[flipped.length - 5]! ^= 0x01;
      assert.equal(pub.verify(alg, data, flipped), false, 'flipped bit');
    }
  });
}

test('RSA signature algorithms must match exactly (rsa-sha2-256 vs 512 vs ssh-rsa)', () => {
  const key = generateHostKeySigner('ssh-rsa');
  const data = Buffer.from('data');
  const algs = ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
  for (const signedWith of algs) {
    const sig = key.sign(signedWith, data);
    for (const expected of algs) assert.equal(key.publicKey.verify(expected, data, sig), signedWith === expected);
    // A blob relabelled with another algorithm name carries the wrong hash and must fail.
    const raw = new SshReader(sig);
    raw.string();
    const inner = raw.string();
    for (const label of algs.filter((a) => a !== signedWith)) {
      const relabelled = new SshWriter().string(label).string(inner).finish();
      assert.equal(key.publicKey.verify(label, data, relabelled), false, `${signedWith} relabelled ${label}`);
    }
  }
  assert.throws(() => key.sign('ssh-ed25519', data), (e: unknown) => e instanceof TsshError && e.code === 'KEY');
});

test('signatures from another key type never verify', () => {
  const data = Buffer.from('data');
  const keys = (['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ssh-rsa'] as const).map((t) => generateHostKeySigner(t));
  for (const signer of keys) {
    const alg = signer.signatureAlgorithms[0]!;
    const sig = signer.sign(alg, data);
    for (const verifier of keys) {
      if (verifier === signer) continue;
      assert.equal(verifier.publicKey.verify(alg, data, sig), false, `${alg} on ${verifier.type}`);
      assert.equal(verifier.publicKey.verify(verifier.signatureAlgorithms[0]!, data, sig), false);
    }
  }
});

// --- ssh-keygen -Y sign / check-novalidate as an external signature oracle (PROTOCOL.sshsig) ---

const SSHSIG = Buffer.from('SSHSIG');

function sshsigSignedData(namespace: string, message: Buffer): Buffer {
  const digest = createHash('sha512').update(message).digest();
  return Buffer.concat([SSHSIG, new SshWriter().string(namespace).string('').string('sha512').string(digest).finish()]);
}

function readSshsig(armored: string): { publicKey: Buffer; namespace: string; signature: Buffer } {
  const body = armored.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
  const blob = Buffer.from(body, 'base64');
  assert.ok(blob.subarray(0, 6).equals(SSHSIG));
  const r = new SshReader(blob.subarray(6));
  assert.equal(r.uint32(), 1);
  const publicKey = r.string();
  const namespace = r.text();
  r.string();
  assert.equal(r.text(), 'sha512');
  const signature = r.string();
  r.end();
  return { publicKey, namespace, signature };
}

function writeSshsig(publicKey: Buffer, namespace: string, signature: Buffer): string {
  const blob = Buffer.concat([SSHSIG, new SshWriter().uint32(1).string(publicKey).string(namespace).string('').string('sha512').string(signature).finish()]);
  const lines = blob.toString('base64').match(/.{1,70}/g)!;
  return ['-----BEGIN SSH SIGNATURE-----', ...lines, '-----END SSH SIGNATURE-----', ''].join('\n');
}

for (const spec of OPENSSH_KEYS) {
  test(`ssh-keygen -Y cross-check for ${spec.keyType} (both directions)`, () => {
    const path = keygen(spec.type, spec.args);
    const key = parsePrivateKey(readFileSync(path), path);
    const message = Buffer.from(`message for ${spec.keyType}\n`);
    const msgPath = join(dir, `msg${counter++}`);
    writeFileSync(msgPath, message);

    // ssh-keygen signs, we verify.
    run('ssh-keygen', ['-Y', 'sign', '-f', path, '-n', 'file', msgPath]);
    const theirs = readSshsig(readFileSync(msgPath + '.sig', 'utf8'));
    assert.ok(theirs.publicKey.equals(key.publicKey.blob));
    const alg = new SshReader(theirs.signature).text();
    assert.equal(alg, spec.keyType === 'ssh-rsa' ? 'rsa-sha2-512' : spec.keyType);
    const signed = sshsigSignedData('file', message);
    assert.equal(parsePublicKeyBlob(theirs.publicKey).verify(alg, signed, theirs.signature), true);
    assert.equal(parsePublicKeyBlob(theirs.publicKey).verify(alg, sshsigSignedData('other', message), theirs.signature), false);

    // We sign, ssh-keygen verifies.
    const ourSigPath = join(dir, `oursig${counter++}`);
    writeFileSync(ourSigPath, writeSshsig(key.publicKey.blob, 'file', key.sign(alg, signed)));
    run('ssh-keygen', ['-Y', 'check-novalidate', '-n', 'file', '-s', ourSigPath], message);
    const bad = key.sign(alg, sshsigSignedData('file', Buffer.from('tampered')));
    writeFileSync(ourSigPath, writeSshsig(key.publicKey.blob, 'file', bad));
    assert.throws(() => run('ssh-keygen', ['-Y', 'check-novalidate', '-n', 'file', '-s', ourSigPath], message));
  });
}

// --- PEM / PKCS#8 ---

const PEM_KEYS: { type: string; args: string[]; header: string }[] = [
  { type: 'rsa', args: ['-b', '2048', '-m', 'PEM'], header: 'BEGIN RSA PRIVATE KEY' },
  { type: 'rsa', args: ['-b', '2048', '-m', 'PKCS8'], header: 'BEGIN PRIVATE KEY' },
  { type: 'ecdsa', args: ['-b', '256', '-m', 'PEM'], header: 'BEGIN EC PRIVATE KEY' },
  { type: 'ecdsa', args: ['-b', '384', '-m', 'PKCS8'], header: 'BEGIN PRIVATE KEY' },
  { type: 'ecdsa', args: ['-b', '521', '-m', 'PEM'], header: 'BEGIN EC PRIVATE KEY' },
];

for (const spec of PEM_KEYS) {
  test(`PEM key: ssh-keygen -t ${spec.type} ${spec.args.join(' ')}`, () => {
    const path = keygen(spec.type, spec.args);
    const data = readFileSync(path);
    assert.match(data.toString(), new RegExp(spec.header));
    const key = parsePrivateKey(data, path);
    const pub = parseOpenSSHPublicKey(readFileSync(path + '.pub', 'utf8'));
    assert.ok(key.publicKey.blob.equals(pub.blob));
    const alg = key.signatureAlgorithms[0]!;
    assert.equal(pub.verify(alg, Buffer.from('x'), key.sign(alg, Buffer.from('x'))), true);
  });
}

test('PKCS#8 ed25519 key from openssl', () => {
  const path = join(dir, 'openssl-ed25519');
  run('openssl', ['genpkey', '-algorithm', 'ed25519', '-out', path]);
  const key = parsePrivateKey(readFileSync(path), path);
  assert.equal(key.type, 'ssh-ed25519');
  // OpenSSH 9.2 cannot read this file, so openssl provides the public half: the SPKI ends in the raw key.
  const spki = execFileSync('openssl', ['pkey', '-in', path, '-pubout', '-outform', 'DER'], { timeout: 30_000 });
  const expected = new SshWriter().string('ssh-ed25519').string(spki.subarray(spki.length - 32)).finish();
  assert.ok(key.publicKey.blob.equals(expected));
  assert.equal(key.publicKey.verify('ssh-ed25519', Buffer.from('m'), key.sign('ssh-ed25519', Buffer.from('m'))), true);
});

// --- encrypted keys ---

for (const spec of [
  { type: 'ed25519', args: [] },
  { type: 'ecdsa', args: ['-b', '521'] },
  { type: 'rsa', args: ['-b', '2048'] },
  { type: 'rsa', args: ['-b', '2048', '-m', 'PEM'] },
  { type: 'ecdsa', args: ['-m', 'PKCS8'] },
]) {
  test(`encrypted key (${spec.type} ${spec.args.join(' ')}): needs the right passphrase`, () => {
    const path = keygen(spec.type, spec.args, 'correct horse');
    const data = readFileSync(path);
    assert.equal(isPrivateKeyEncrypted(data), true);
    const isKeyError = (pattern: RegExp) => (e: unknown) =>
      e instanceof TsshError && e.code === 'KEY' && e.message.startsWith(`Load key "${path}": `) && pattern.test(e.message);
    assert.throws(() => parsePrivateKey(data, path), isKeyError(/passphrase/));
    assert.throws(() => parsePrivateKey(data, path, 'wrong'), isKeyError(/incorrect passphrase supplied to decrypt private key/));
    const key = parsePrivateKey(data, path, 'correct horse');
    const pub = parseOpenSSHPublicKey(readFileSync(path + '.pub', 'utf8'));
    assert.ok(key.publicKey.blob.equals(pub.blob));
  });
}

// --- malformed input ---

test('malformed private key files fail with Load key "...": invalid format', () => {
  const path = keygen('ed25519');
  const good = readFileSync(path, 'utf8');
  assert.equal(isPrivateKeyEncrypted(Buffer.from(good)), false);
  const body = good.split('\n').slice(1, -2).join('');
  const der = Buffer.from(body, 'base64');
  const armor = (b: Buffer): Buffer =>
    Buffer.from(`-----BEGIN OPENSSH PRIVATE KEY-----\n${b.toString('base64')}\n-----END OPENSSH PRIVATE KEY-----\n`);
  const checkintsDiffer = Buffer.from(der);
  // The private section starts after the public key; find the two check integers and break one.
  const r = new SshReader(der.subarray(15));
  r.string();
  r.string();
  r.string();
  r.uint32();
  r.string();
  const sectionOffset = der.length - r.remaining + 4;
  checkintsDiffer[sectionOffset]! ^= 0xff;
  const badPadding = Buffer.from(der);
  badPadding[badPadding.length - 1]! ^= 0x40;
  const cases: Buffer[] = [
    Buffer.from('not a key'),
    Buffer.from(''),
    armor(der.subarray(0, der.length - 10)),
    armor(Buffer.concat([der, Buffer.from([0])])),
    armor(checkintsDiffer),
    armor(badPadding),
    Buffer.from(good.replace('b3BlbnNzaC1rZXktdjE', 'b3BlbnNzaC1rZXktdjI')),
    Buffer.from('-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n'),
  ];
  for (const data of cases) {
    assert.throws(
      () => parsePrivateKey(data, '/keys/id'),
      (e: unknown) => e instanceof TsshError && e.code === 'KEY' && e.message.startsWith('Load key "/keys/id": '),
      data.toString().slice(0, 60),
    );
  }
});

test('public key blobs: bad points, curve names, sizes and trailing bytes are rejected', () => {
  const ec = generateHostKeySigner('ecdsa-sha2-nistp256').publicKey.blob;
  const r = new SshReader(ec);
  r.string();
  r.string();
  const point = Buffer.from(r.string());
  const ecBlob = (curve: string, q: Buffer): Buffer => new SshWriter().string('ecdsa-sha2-nistp256').string(curve).string(q).finish();
  const offCurve = Buffer.from(point);
  offCurve[64]! ^= 1;
  const compressed = Buffer.concat([Buffer.from([2 + (point[64]! & 1)]), point.subarray(1, 33)]);
  const smallRsa = new SshWriter().string('ssh-rsa').mpint(65537n).mpint((1n << 1022n) + 1n).finish();
  const evenExponent = new SshWriter().string('ssh-rsa').mpint(65536n).mpint((1n << 2047n) + 1n).finish();
  const cases: Buffer[] = [
    ecBlob('nistp256', offCurve),
    ecBlob('nistp384', point),
    ecBlob('nistp256', compressed),
    Buffer.concat([ec, Buffer.from([0])]),
    new SshWriter().string('ssh-ed25519').string(Buffer.alloc(31)).finish(),
    new SshWriter().string('ssh-dss').string(Buffer.alloc(4)).finish(),
    smallRsa,
    evenExponent,
    Buffer.alloc(0),
  ];
  for (const blob of cases) {
    assert.throws(() => parsePublicKeyBlob(blob), (e: unknown) => e instanceof TsshError && e.code === 'KEY', blob.toString('hex').slice(0, 40));
  }
  assert.equal(parsePublicKeyBlob(ecBlob('nistp256', point)).type, 'ecdsa-sha2-nistp256');
});

test('mutated blobs and signatures only ever raise TsshError (seeded mutation loop)', () => {
  let seed = 0x1234567;
  const rand = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  const data = Buffer.from('data');
  for (const type of ['ssh-ed25519', 'ecdsa-sha2-nistp384', 'ssh-rsa'] as GeneratedKeyType[]) {
    const key = generateHostKeySigner(type);
    const alg = key.signatureAlgorithms[0]!;
    const sig = key.sign(alg, data);
    for (let i = 0; i < 300; i++) {
      for (const original of [key.publicKey.blob, sig]) {
        const mutated = Buffer.from(original.subarray(0, original.length - rand(3)));
        for (let j = rand(3); j >= 0; j--) if (mutated.length) mutated[rand(mutated.length)] = rand(256);
        try {
          if (original === sig) assert.equal(typeof key.publicKey.verify(alg, data, mutated), 'boolean');
          else parsePublicKeyBlob(mutated);
        } catch (e) {
          assert.ok(e instanceof TsshError, `raw ${String(e)}`);
        }
      }
    }
  }
});

test('keyTypeForAlgorithm maps RSA SHA-2 names to ssh-rsa', () => {
  assert.equal(keyTypeForAlgorithm('rsa-sha2-512'), 'ssh-rsa');
  assert.equal(keyTypeForAlgorithm('rsa-sha2-256'), 'ssh-rsa');
  assert.equal(keyTypeForAlgorithm('ssh-rsa'), 'ssh-rsa');
  assert.equal(keyTypeForAlgorithm('rsa-sha2-512-cert-v01@openssh.com'), 'ssh-rsa-cert-v01@openssh.com');
  assert.equal(keyTypeForAlgorithm('ssh-ed25519'), 'ssh-ed25519');
  assert.equal(keyTypeForAlgorithm('ecdsa-sha2-nistp521'), 'ecdsa-sha2-nistp521');
});

test('OpenSSH public key lines: round trip, ssh-keygen reads ours, bad lines rejected', () => {
  for (const type of ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'ssh-rsa'] as const) {
    const key = generateHostKeySigner(type);
    const line = publicKeyToOpenSSH(key.publicKey, 'me@host');
    assert.ok(parseOpenSSHPublicKey(line).blob.equals(key.publicKey.blob));
    assert.equal(publicKeyToOpenSSH(key.publicKey), line.replace(' me@host', ''));
    const path = join(dir, `gen${counter++}.pub`);
    writeFileSync(path, line + '\n');
    const oracle = keygenFingerprint(path);
    assert.equal(fingerprintSha256(key.publicKey.blob), oracle.fingerprint);
    assert.equal(key.publicKey.bits, oracle.bits);
  }
  const ed = publicKeyToOpenSSH(generateHostKeySigner('ssh-ed25519').publicKey);
  for (const bad of ['', 'ssh-ed25519', ed.replace('ssh-ed25519', 'ssh-rsa'), ed.replace('AAAA', 'AA!A'), ed + '=']) {
    assert.throws(() => parseOpenSSHPublicKey(bad), (e: unknown) => e instanceof TsshError && e.code === 'KEY', bad);
  }
});

test('fingerprintSha256 known answer', () => {
  // SHA-256 of the empty string, base64 without padding.
  assert.equal(fingerprintSha256(Buffer.alloc(0)), 'SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU');
});

test('encrypted OpenSSH keys of every kind decrypt with bcrypt_pbkdf (security-key and DSA keys too; CTR and CBC)', () => {
  const cases: Array<{ type: string; args: string[]; keyType: string }> = [
    { type: 'ed25519', args: [], keyType: 'ssh-ed25519' },
    { type: 'ed25519', args: ['-Z', 'aes128-ctr'], keyType: 'ssh-ed25519' },
    { type: 'ecdsa', args: ['-Z', 'aes256-cbc'], keyType: 'ecdsa-sha2-nistp256' },
    { type: 'dsa', args: [], keyType: 'ssh-dss' },
    { type: 'ecdsa-sk', args: ['-w', '/usr/lib/openssh/regress/misc/sk-dummy/sk-dummy.so'], keyType: 'sk-ecdsa-sha2-nistp256@openssh.com' },
  ];
  for (const c of cases) {
    const path = keygen(c.type, c.args, 'secret words');
    const data = readFileSync(path);
    assert.equal(isPrivateKeyEncrypted(data), true);
    const key = parsePrivateKey(data, path, 'secret words');
    assert.equal(key.type, c.keyType);
    assert.equal(key.publicKey.blob.toString('base64'), readFileSync(`${path}.pub`, 'utf8').split(' ')[1], c.args.join(' '));
    assert.throws(() => parsePrivateKey(data, path, 'other words'), (err: unknown) => err instanceof TsshError && /incorrect passphrase/.test(err.message));
  }
});
