import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { P, Q, jsMultiply, jsReciprocal, wasmArithmetic, type Modulus } from '../../src/crypto/kex/sntrup761-arithmetic.js';

const randomPolynomial = (bound: number): Int16Array => Int16Array.from({ length: P }, () => randomInt(-bound, bound + 1));

test('sntrup761 products: WebAssembly and the JavaScript reference agree, mod 3 and mod q', () => {
  const wasm = wasmArithmetic();
  for (const [m, bound] of [[3, 1], [Q, (Q - 1) / 2]] as Array<[Modulus, number]>) {
    for (let i = 0; i < 4; i++) {
      const a = randomPolynomial(bound);
      const b = randomPolynomial(i === 0 ? 1 : bound);
      const ours = new Int16Array(P);
      const reference = new Int16Array(P);
      wasm.multiply(a, b, m, ours);
      jsMultiply(a, b, m, reference);
      assert.deepEqual(ours, reference);
    }
  }
});

test('sntrup761 reciprocals: WebAssembly and the JavaScript reference agree, and a·(1/a) = 1', () => {
  const wasm = wasmArithmetic();
  for (const [m, bound] of [[3, 1], [Q, (Q - 1) / 2]] as Array<[Modulus, number]>) {
    let checked = 0;
    while (checked < 2) {
      const a = randomPolynomial(bound);
      const ours = wasm.reciprocal(a, m, 1);
      assert.deepEqual(ours, jsReciprocal(a, m, 1));
      if (ours === undefined) continue; // not invertible mod 3 (about 1 in 3 small polynomials)
      const one = new Int16Array(P);
      wasm.multiply(a, ours, m, one);
      assert.deepEqual(Array.from(one), [1, ...new Array<number>(P - 1).fill(0)]);
      checked++;
    }
  }
  // Zero has no reciprocal: both say so.
  assert.equal(wasm.reciprocal(new Int16Array(P), 3, 1), undefined);
  assert.equal(jsReciprocal(new Int16Array(P), 3, 1), undefined);
});

test('the sntrup761 WebAssembly memory holds no secret after a call', () => {
  const wasm = wasmArithmetic();
  const a = randomPolynomial(1);
  wasm.reciprocal(a, Q, 1);
  wasm.multiply(a, randomPolynomial(100), Q, new Int16Array(P));
  assert.ok(wasm.memory().subarray(0, 65536).every((byte) => byte === 0));
  const io = wasm.memory().subarray(65536);
  assert.ok(Buffer.from(io).indexOf(Buffer.from(a.buffer).subarray(0, 64)) === -1);
});
