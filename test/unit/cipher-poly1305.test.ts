import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { createPoly1305, noblePoly1305 } from '../../src/crypto/cipher/poly1305.js';
import { POLY1305_WASM, wasmPoly1305 } from '../../src/crypto/cipher/poly1305-wasm.js';
import { bytes } from './protection-fixtures.js';
import { assertEmbeddedModuleIsSource } from './wasm-source.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const repeat = (byte: string, count: number): string => byte.repeat(count);

/** RFC 8439 §2.5.2 and the Appendix A.3 edge cases (carries, final reduction, s overflow). */
const VECTORS: { name: string; key: string; message: Buffer; tag: string }[] = [
  {
    name: '§2.5.2',
    key: '85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b',
    message: Buffer.from('Cryptographic Forum Research Group'),
    tag: 'a8061dc1305136c6c22b8baf0c0127a9',
  },
  { name: 'A.3 #1', key: repeat('00', 32), message: Buffer.alloc(64), tag: repeat('00', 16) },
  { name: 'A.3 #5', key: '02' + repeat('00', 31), message: hex(repeat('ff', 16)), tag: '03' + repeat('00', 15) },
  { name: 'A.3 #6', key: '02' + repeat('00', 15) + repeat('ff', 16), message: hex('02' + repeat('00', 15)), tag: '03' + repeat('00', 15) },
  {
    name: 'A.3 #7',
    key: '01' + repeat('00', 31),
    message: hex(repeat('ff', 16) + 'f0' + repeat('ff', 15) + '11' + repeat('00', 15)),
    tag: '05' + repeat('00', 15),
  },
  {
    name: 'A.3 #8',
    key: '01' + repeat('00', 31),
    message: hex(repeat('ff', 16) + 'fb' + repeat('fe', 15) + repeat('01', 16)),
    tag: repeat('00', 16),
  },
  { name: 'A.3 #9', key: '02' + repeat('00', 31), message: hex('fd' + repeat('ff', 15)), tag: 'fa' + repeat('ff', 15) },
  {
    name: 'A.3 #10',
    key: '0100000000000000 0400000000000000' + repeat('00', 16),
    message: hex(
      'e33594d7505e43b9 0000000000000000 3394d7505e4379cd 0100000000000000' + repeat('00', 16) + '01' + repeat('00', 15),
    ),
    tag: '1400000000000000 5500000000000000',
  },
  {
    name: 'A.3 #11',
    key: '0100000000000000 0400000000000000' + repeat('00', 16),
    message: hex('e33594d7505e43b9 0000000000000000 3394d7505e4379cd 0100000000000000' + repeat('00', 16)),
    tag: '1300000000000000 0000000000000000',
  },
];

const implementations = [
  ['WebAssembly', () => wasmPoly1305()!],
  ['noble', noblePoly1305],
  ['default', createPoly1305],
] as const;

for (const [name, make] of implementations) {
  test(`${name} Poly1305 reproduces the RFC 8439 vectors`, () => {
    const mac = make();
    for (const vector of VECTORS) {
      assert.equal(Buffer.from(mac(hex(vector.key), vector.message)).toString('hex'), hex(vector.tag).toString('hex'), vector.name);
    }
  });
}

test('WebAssembly Poly1305 equals noble for every length 0..300 and across memory growth', () => {
  const fast = wasmPoly1305()!;
  const reference = noblePoly1305();
  const check = (key: Buffer, message: Buffer): void =>
    assert.deepEqual(Buffer.from(fast(key, message)), Buffer.from(reference(key, message)), `length ${message.length}`);
  for (let length = 0; length <= 300; length++) check(bytes(32, `k${length}`), bytes(length, `m${length}`));
  // All-ones keys and messages stress every carry; 200 KB forces the module's memory to grow.
  for (const length of [15, 16, 17, 64, 1000]) check(Buffer.alloc(32, 0xff), Buffer.alloc(length, 0xff));
  for (const length of [70_000, 200_003, 33]) check(bytes(32, 'big'), bytes(length, `big${length}`));
});

test('the embedded module is poly1305.wat assembled (when wat2wasm is installed)', (t) => {
  assertEmbeddedModuleIsSource(t, fileURLToPath(new URL('../../../src/crypto/cipher/poly1305.wat', import.meta.url)), POLY1305_WASM);
});
