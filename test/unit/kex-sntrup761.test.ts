/**
 * sntrup761 on its own: sizes, round trips, implicit rejection of altered ciphertexts, and the key
 * pair's algebra (h·3f = g in R/q). Interoperability is proven elsewhere against OpenSSH itself:
 * sshd encapsulates to our keys (integration/algorithms, unit/kex-openssh) and OpenSSH's ssh
 * decapsulates what our server role sends (unit/kex-openssh).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  SNTRUP761_CIPHERTEXT_BYTES,
  SNTRUP761_PUBLIC_BYTES,
  SNTRUP761_SHARED_BYTES,
  sntrup761Decapsulate,
  sntrup761Encapsulate,
  sntrup761Keygen,
} from '../../src/crypto/kex/sntrup761.js';

const P = 761;
const Q = 4591;

test('sizes as in the specification, and encapsulation and decapsulation agree', () => {
  for (let round = 0; round < 5; round++) {
    const key = sntrup761Keygen();
    assert.equal(key.publicKey.length, SNTRUP761_PUBLIC_BYTES);
    const { ciphertext, sharedSecret } = sntrup761Encapsulate(key.publicKey);
    assert.equal(ciphertext.length, SNTRUP761_CIPHERTEXT_BYTES);
    assert.equal(sharedSecret.length, SNTRUP761_SHARED_BYTES);
    assert.deepEqual(sntrup761Decapsulate(ciphertext, key), sharedSecret);
  }
});

test('the secret key is short of weight 286 and h·3f = g with g small', () => {
  const key = sntrup761Keygen();
  assert.equal(key.f.filter((c) => c !== 0).length, 286);
  assert.ok(key.f.every((c) => c >= -1 && c <= 1));
  // g = 3·h·f in Z_q[x]/(x^p - x - 1) must come out with every coefficient in {-1, 0, 1}.
  const product = new Array<number>(2 * P - 1).fill(0);
  for (let i = 0; i < P; i++) for (let j = 0; j < P; j++) product[i + j]! += 3 * key.h[i]! * key.f[j]!;
  for (let k = 2 * P - 2; k >= P; k--) {
    product[k - P]! += product[k]!;
    product[k - P + 1]! += product[k]!;
  }
  const g = product.slice(0, P).map((x) => {
    const r = ((x % Q) + Q) % Q;
    return r > (Q - 1) / 2 ? r - Q : r;
  });
  assert.ok(g.every((c) => c >= -1 && c <= 1), 'g is small');
  assert.ok(g.some((c) => c !== 0));
});

test('an altered ciphertext decapsulates to an unrelated key, without an error (implicit rejection)', () => {
  const key = sntrup761Keygen();
  const { ciphertext, sharedSecret } = sntrup761Encapsulate(key.publicKey);
  const seen = new Set<string>([sharedSecret.toString('hex')]);
  for (const at of [0, 500, 1006, 1007, 1038]) {
    const altered = Buffer.from(ciphertext);
    altered[at]! ^= 0x01;
    const k = sntrup761Decapsulate(altered, key);
    assert.equal(k.length, 32);
    assert.ok(!seen.has(k.toString('hex')), `byte ${at}: a fresh key`);
    seen.add(k.toString('hex'));
    assert.deepEqual(sntrup761Decapsulate(altered, key), k, 'deterministic for the same key');
  }
  assert.throws(() => sntrup761Decapsulate(ciphertext.subarray(1), key), RangeError);
  assert.throws(() => sntrup761Encapsulate(key.publicKey.subarray(1)), RangeError);
});
