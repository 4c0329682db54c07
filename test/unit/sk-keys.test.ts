/**
 * Security-key signatures (PROTOCOL.u2f) made by a software authenticator (test/support/soft-sk.ts):
 * what the authenticator signs is checked field by field, and the webauthn form's clientData and
 * flags as OpenSSH checks them. Signatures from a real ssh-keygen with OpenSSH's sk-dummy provider
 * are checked in test/integration/security-keys.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePublicKeyBlob } from '../../src/crypto/keys/index.js';
import { SshReader } from '../../src/wire/reader.js';
import { SshWriter } from '../../src/wire/writer.js';
import { SoftSecurityKey, WEBAUTHN, type SoftSkOptions } from '../support/soft-sk.js';

const DATA = Buffer.from('exchange hash or userauth data');
const ED = 'sk-ssh-ed25519@openssh.com';
const EC = 'sk-ecdsa-sha2-nistp256@openssh.com';

/** Rewrites the flags byte or counter of a plain sk signature blob (they follow the signature string). */
function withTrailer(blob: Buffer, flags: number, counter: number): Buffer {
  const r = new SshReader(blob);
  const name = r.string();
  const signature = r.string();
  return Buffer.from(new SshWriter(200).string(name).string(signature).byte(flags).uint32(counter).finish());
}

for (const type of [ED, EC] as const) {
  test(`${type}: verifies; flags, counter, data and trailing bytes are all covered`, () => {
    const sk = new SoftSecurityKey(type, { flags: 0x05, counter: 7 });
    const key = parsePublicKeyBlob(sk.publicBlob);
    assert.equal(key.type, type);
    const sig = sk.sign(type, DATA);
    assert.ok(key.verify(type, DATA, sig));
    assert.equal(key.verify(type, Buffer.from('other data'), sig), false);
    assert.equal(key.verify(type, DATA, withTrailer(sig, 0x04, 7)), false, 'flags are signed');
    assert.equal(key.verify(type, DATA, withTrailer(sig, 0x05, 8)), false, 'counter is signed');
    assert.throws(() => key.verify(type, DATA, Buffer.concat([sig, Buffer.from([0])])), /trailing|end/i);
    assert.equal(key.verify(type === ED ? 'ssh-ed25519' : 'ecdsa-sha2-nistp256', DATA, sig), false);
    // The same key under another application is another key: its signatures do not verify here.
    const other = new SoftSecurityKey(type, { application: 'ssh:other' });
    assert.equal(key.verify(type, DATA, other.sign(type, DATA)), false);
  });
}

test('sk-ecdsa: the webauthn form verifies under either name, as in OpenSSH', () => {
  const sk = new SoftSecurityKey(EC);
  const key = parsePublicKeyBlob(sk.publicBlob);
  const sig = sk.sign(WEBAUTHN, DATA);
  assert.ok(key.verify(WEBAUTHN, DATA, sig));
  assert.ok(key.verify(EC, DATA, sig));
  assert.equal(key.verify(WEBAUTHN, Buffer.from('x'), sig), false, 'the challenge is the data');
});

test('webauthn: a quote in the origin, attested data, extension flags without extensions, another clientData: refused', () => {
  const bad: Array<[string, SoftSkOptions]> = [
    ['origin with a quote', { origin: 'https://a"b' }],
    ['attested-data flag', { flags: 0x41 }],
    ['extension flag, no extensions', { flags: 0x81 }],
  ];
  for (const [what, options] of bad) {
    const sk = new SoftSecurityKey(EC, options);
    assert.equal(parsePublicKeyBlob(sk.publicBlob).verify(WEBAUTHN, DATA, sk.sign(WEBAUTHN, DATA)), false, what);
  }
  const sk = new SoftSecurityKey(EC, { clientDataTail: '}' });
  assert.ok(parsePublicKeyBlob(sk.publicBlob).verify(WEBAUTHN, DATA, sk.sign(WEBAUTHN, DATA)), 'anything may follow the preamble');
  // A clientData whose challenge is another message, signed correctly, is still no signature over DATA.
  const signedOther = sk.sign(WEBAUTHN, Buffer.from('another message'));
  assert.equal(parsePublicKeyBlob(sk.publicBlob).verify(WEBAUTHN, DATA, signedOther), false);
});

test('malformed security-key blobs are KEY errors', () => {
  const sk = new SoftSecurityKey(ED);
  assert.throws(() => parsePublicKeyBlob(sk.publicBlob.subarray(0, sk.publicBlob.length - 1)), /invalid/);
  assert.throws(() => parsePublicKeyBlob(Buffer.concat([sk.publicBlob, Buffer.from([0])])), /invalid/);
  const nulApp = Buffer.from(new SshWriter(100).string(ED).string(Buffer.alloc(32, 9)).string(Buffer.from('ss\0h:')).finish());
  assert.throws(() => parsePublicKeyBlob(nulApp), /NUL/);
  const wrongCurve = Buffer.from(new SshWriter(100).string(EC).string('nistp384').string(Buffer.alloc(65, 4)).string('ssh:').finish());
  assert.throws(() => parsePublicKeyBlob(wrongCurve), /curve/);
});
