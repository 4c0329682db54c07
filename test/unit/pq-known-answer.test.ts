/**
 * Known answers for ssh-mldsa44-ed25519@openssh.com and mlkem768nistp256-sha256, taken from OpenSSH's
 * own code (portable HEAD, OpenSSH 10.5): a small C program linked against its libssh.a called
 * crypto_sign_mldsa44_ed25519_keygen_seeded / crypto_sign_mldsa44_ed25519_sign (with arc4random_buf
 * replaced by the counter 0x80, 0x81, ... so the hedged ML-DSA signature is reproducible) and
 * kex_kem_mlkem768ecdh_dec on a reply built with crypto_kem_mlkem768_enc_seeded. The inputs are
 * written out below; the outputs are their SHA-256 (or, for K, the value itself).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { MLDSA44_ED25519, MlDsa44Ed25519PrivateKey, compositeMessage, generateMlDsa44Ed25519 } from '../../src/crypto/keys/mldsa44-ed25519.js';
import { encodeSignatureBlob, parseSignatureBlob } from '../../src/crypto/keys/signature.js';
import { generateHostKeySigner, parsePublicKeyBlob } from '../../src/crypto/keys/index.js';
import { hybridKemMethod } from '../../src/crypto/kex/hybrid-kem.js';
import { mlkem768Kem } from '../../src/crypto/kex/mlkem768x25519.js';
import { p256Dh } from '../../src/crypto/kex/mlkem768nistp256.js';
import { createKexClient, createKexServer } from '../../src/crypto/kex/index.js';
import { SshReader } from '../../src/wire/reader.js';

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');
const counting = (length: number, from: number): Buffer => Buffer.from(Array.from({ length }, (_, i) => (from + i) & 0xff));
const MESSAGE = Buffer.from('tssh ML-DSA-44/Ed25519 known answer');

/** ML-DSA seed 0x00..0x1f, Ed25519 seed 0x20..0x3f. */
const KAT_KEY = new MlDsa44Ed25519PrivateKey(counting(64, 0), 'kat');
const katSignature = (): Buffer => KAT_KEY.sign(MLDSA44_ED25519, MESSAGE, counting(32, 0x80));

test('ML-DSA-44/Ed25519: the public key from two seeds and the signature with fixed randomness equal OpenSSH 10.5', () => {
  const blob = KAT_KEY.publicBlob;
  const r = new SshReader(blob);
  assert.equal(r.text(), MLDSA44_ED25519);
  const pk = r.string();
  r.end();
  assert.equal(pk.length, 1312 + 32);
  assert.equal(sha256(pk), 'f4c55c8eac23bd5ac7f2f2a13f5266a1ee5cda6cce8bc9a31c1bdd575644559d');
  const { algorithm, signature } = parseSignatureBlob(katSignature());
  assert.equal(algorithm, MLDSA44_ED25519);
  assert.equal(signature.length, 2420 + 64);
  assert.equal(sha256(signature), '5868daab70db6b609d83a58bec37b6b95830f563ecc722d99032a61954ea83e6');
  assert.ok(KAT_KEY.publicKey.verify(MLDSA44_ED25519, MESSAGE, katSignature()));
});

test("ML-DSA-44/Ed25519: M' is prefix || label || empty context || SHA-512(M)", () => {
  const m = compositeMessage(MESSAGE);
  assert.equal(m.subarray(0, 62).toString('latin1'), 'CompositeAlgorithmSignatures2025COMPSIG-MLDSA44-Ed25519-SHA512');
  assert.equal(m[62], 0);
  assert.ok(m.subarray(63).equals(createHash('sha512').update(MESSAGE).digest()));
});

test('ML-DSA-44/Ed25519: either half broken, another message, a wrong name or length: not verified', () => {
  const key = parsePublicKeyBlob(KAT_KEY.publicBlob);
  const { signature } = parseSignatureBlob(katSignature());
  const flipped = (at: number): Buffer => {
    const copy = Buffer.from(signature);
    copy[at]! ^= 0x01;
    return encodeSignatureBlob(MLDSA44_ED25519, copy);
  };
  assert.ok(key.verify(MLDSA44_ED25519, MESSAGE, encodeSignatureBlob(MLDSA44_ED25519, signature)));
  assert.equal(key.verify(MLDSA44_ED25519, MESSAGE, flipped(100)), false, 'ML-DSA half');
  assert.equal(key.verify(MLDSA44_ED25519, MESSAGE, flipped(2420 + 10)), false, 'Ed25519 half');
  assert.equal(key.verify(MLDSA44_ED25519, Buffer.from('other'), katSignature()), false);
  assert.equal(key.verify(MLDSA44_ED25519, MESSAGE, encodeSignatureBlob(MLDSA44_ED25519, signature.subarray(1))), false);
  assert.equal(key.verify('ssh-ed25519', MESSAGE, katSignature()), false);
  assert.equal(key.verify(MLDSA44_ED25519, MESSAGE, encodeSignatureBlob('ssh-ed25519', signature)), false);
  // Each half alone is no signature: the Ed25519 half of another key's signature over the same M'.
  const other = generateMlDsa44Ed25519();
  const mixed = Buffer.concat([signature.subarray(0, 2420), parseSignatureBlob(other.sign(MLDSA44_ED25519, MESSAGE)).signature.subarray(2420)]);
  assert.equal(key.verify(MLDSA44_ED25519, MESSAGE, encodeSignatureBlob(MLDSA44_ED25519, mixed)), false);
});

test('ML-DSA-44/Ed25519: a private key whose stored public half differs is refused', () => {
  const pk = KAT_KEY.publicBlob.subarray(4 + MLDSA44_ED25519.length + 4);
  const wrong = Buffer.from(pk);
  wrong[0]! ^= 1;
  assert.throws(() => new MlDsa44Ed25519PrivateKey(counting(64, 0), '', wrong), /public part differs/);
  assert.doesNotThrow(() => new MlDsa44Ed25519PrivateKey(counting(64, 0), '', pk));
});

test('mlkem768nistp256-sha256: K from fixed ML-KEM seeds and P-256 keys equals OpenSSH 10.5 kex_kem_mlkem768ecdh_dec', () => {
  // Client ML-KEM seed d || z = 0x40..0x7f, encapsulation message 0xc0..0xdf; P-256 scalars 0x11.., 0x22...
  const seeds = { keygen: counting(64, 0x40), encapsulate: counting(32, 0xc0) };
  const client = hybridKemMethod('mlkem768nistp256-sha256', 'sha256', mlkem768Kem(seeds), p256Dh('c', Buffer.alloc(32, 0x11)));
  const server = hybridKemMethod('mlkem768nistp256-sha256', 'sha256', mlkem768Kem(seeds), p256Dh('s', Buffer.alloc(32, 0x22)));
  const ephemeral = client.clientEphemeral();
  assert.equal(ephemeral.publicValue.length, 1184 + 65);
  const reply = server.serverRespond(ephemeral.publicValue);
  assert.equal(reply.publicValue.length, 1088 + 65);
  assert.equal(sha256(reply.publicValue), '82c8db84e2c081045cd19200c290de5f3e7ff4a47f7d884c6c8b149c50af5d48');
  const expected = '00000020fc155bbec5caca4d65495340b931564f3bc407c7c0337f84744ac9bc7f7e3564';
  assert.equal(ephemeral.complete(reply.publicValue).toString('hex'), expected);
  assert.equal(reply.sharedSecret.toString('hex'), expected);
});

test('mlkem768nistp256-sha256: a full exchange between our client and server; bad P-256 points and lengths refused', () => {
  const prefix = { clientVersion: 'SSH-2.0-a', serverVersion: 'SSH-2.0-b', clientKexinit: Buffer.from([20]), serverKexinit: Buffer.from([20]) };
  const client = createKexClient('mlkem768nistp256-sha256', prefix);
  const [init] = client.start().send;
  const server = createKexServer('mlkem768nistp256-sha256', prefix, generateHostKeySigner('ecdsa-sha2-nistp256'), 'ecdsa-sha2-nistp256');
  const { send, result } = server.handle(init!);
  assert.ok(client.handle(send[0]!).result!.sharedSecret.equals(result!.sharedSecret));

  const method = hybridKemMethod('mlkem768nistp256-sha256', 'sha256', mlkem768Kem(), p256Dh('mlkem768nistp256-sha256'));
  const value = method.clientEphemeral().publicValue;
  const offCurve = Buffer.from(value);
  offCurve[value.length - 1]! ^= 1;
  assert.throws(() => method.serverRespond(offCurve), /invalid public point/);
  const compressed = Buffer.concat([value.subarray(0, 1184), Buffer.from([2]), value.subarray(1185, 1217)]);
  assert.throws(() => method.serverRespond(compressed), /invalid client init length/);
  assert.throws(() => method.serverRespond(value.subarray(0, value.length - 1)), /invalid client init length/);
  const ephemeral = method.clientEphemeral();
  const reply = method.serverRespond(ephemeral.publicValue).publicValue;
  const badReply = Buffer.from(reply);
  badReply[1088] = 0x03;
  assert.throws(() => ephemeral.complete(badReply), /invalid public point/);
});
