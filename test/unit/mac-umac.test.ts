import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { PacketUmac, Umac, defaultUhash, type UhashFactory } from '../../src/crypto/mac/umac.js';
import { jsUhash } from '../../src/crypto/mac/uhash.js';
import { UHASH_WASM, wasmUhash } from '../../src/crypto/mac/uhash-wasm.js';
import { TsshError } from '../../src/errors.js';
import { bytes } from './protection-fixtures.js';
import { assertEmbeddedModuleIsSource } from './wasm-source.js';

const KEY = Buffer.from('abcdefghijklmnop');
const NONCE = Buffer.from('bcdefghi');
/** `text` repeated to exactly `length` bytes. */
const repeat = (text: string, length: number): Buffer => Buffer.from(text.repeat(Math.ceil(length / text.length)).slice(0, length));

/**
 * RFC 4418 Appendix: key "abcdefghijklmnop", nonce "bcdefghi". The RFC lists 64- and 96-bit tags; a
 * 128-bit tag starts with the 96-bit one (same streams, same pad block), and its last four bytes are
 * nettle's. The 2^25 row is RFC erratum 3507's correction (the published one is wrong); it and the
 * 16777217-byte row cross 2^14 chunks, where UHASH ramps up to POLY128.
 */
const VECTORS: { name: string; message: () => Buffer; umac64: string; umac128: string }[] = [
  { name: '<empty>', message: () => Buffer.alloc(0), umac64: '6e155fad26900be1', umac128: '32fedb100c79ad58f07ff7643cc60465' },
  { name: "'a' * 3", message: () => repeat('a', 3), umac64: '44b5cb542f220104', umac128: '185e4fe905cba7bd85e4c2dc3d117d8d' },
  { name: "'a' * 2^10", message: () => repeat('a', 1 << 10), umac64: '26bf2f5d60118bd9', umac128: '7a54abe04af82d60fb298c3cbd195bcb' },
  { name: "'a' * 2^15", message: () => repeat('a', 1 << 15), umac64: '27f8ef643b0d118d', umac128: '7b136bd911e4b734286ef2be501f2c3c' },
  { name: "'a' * 2^20", message: () => repeat('a', 1 << 20), umac64: 'a4477e87e9f55853', umac128: 'f8acfa3ac31cfeea047f7b115b03bef5' },
  { name: "'abc' * 1", message: () => repeat('abc', 3), umac64: 'd4d7b9f6bd4fbfcf', umac128: '883c3d4b97a61976ffcf232308cba5a5' },
  { name: "'abc' * 500", message: () => repeat('abc', 1500), umac64: 'd4cf26ddefd5c01a', umac128: '8824a260c53c66a36c9260a62cb83aa1' },
  { name: "'def...' 1022 bytes", message: () => repeat('def', 1022), umac64: '2cee9784556387b3', umac128: '700513397f8a210a98938d3e7ac3bd88' },
];
const LONG_VECTORS: typeof VECTORS = [
  { name: "'a' * 2^25 (erratum 3507)", message: () => repeat('a', 1 << 25), umac64: 'faca46f856e9b45f', umac128: 'a621c2457c0012e64f3fdae9e7e1870c' },
  { name: "'def...' 16777217 bytes", message: () => repeat('def', 16777217), umac64: '374f09dbb0b84b88', umac128: '6ba48d669a51ed3195ebc2aa562ee71b' },
];

const IMPLEMENTATIONS: [string, UhashFactory][] = [
  ['JavaScript', jsUhash],
  ['WebAssembly', (keys) => wasmUhash(keys)!],
  ['default', defaultUhash],
];

for (const [name, uhash] of IMPLEMENTATIONS) {
  test(`${name} UMAC-64 and UMAC-128 reproduce the RFC 4418 vectors`, () => {
    const umac64 = new Umac(2, KEY, uhash);
    const umac128 = new Umac(4, KEY, uhash);
    for (const vector of VECTORS) {
      const message = vector.message();
      assert.equal(umac64.tag(NONCE, message).toString('hex'), vector.umac64, `UMAC-64 ${vector.name}`);
      assert.equal(umac128.tag(NONCE, message).toString('hex'), vector.umac128, `UMAC-128 ${vector.name}`);
    }
  });
}

test('messages past 2^14 chunks (POLY128) match the RFC erratum and nettle, through the default path', () => {
  // Never an SSH packet (at most 256 KiB); the WebAssembly module hands these to JavaScript.
  for (const vector of LONG_VECTORS) {
    const message = vector.message();
    assert.equal(new Umac(2, KEY).tag(NONCE, message).toString('hex'), vector.umac64, `UMAC-64 ${vector.name}`);
    assert.equal(new Umac(4, KEY).tag(NONCE, message).toString('hex'), vector.umac128, `UMAC-128 ${vector.name}`);
  }
});

test('WebAssembly UHASH equals JavaScript for every length to 2100, split inputs, and packets up to 256 KiB', () => {
  for (const streams of [2, 4] as const) {
    const key = bytes(16, `umac/${streams}`);
    const fast = new Umac(streams, key, (keys) => wasmUhash(keys)!);
    const reference = new Umac(streams, key, jsUhash);
    const nonce = Buffer.alloc(8);
    const check = (a: Buffer, b?: Buffer): void => {
      nonce.writeUInt32BE(a.length, 4);
      assert.equal(fast.tag(nonce, a, b).toString('hex'), reference.tag(nonce, a, b).toString('hex'), `${streams} streams, ${a.length}+${b?.length ?? 0}`);
    };
    for (let length = 0; length <= 2100; length++) check(bytes(length, `m${length}`));
    // All-ones words stress NH's carries and POLY64's marker path (words of 2^64 - 2^32 and above).
    for (const length of [32, 1024, 1025, 4096, 65536]) check(Buffer.alloc(length, 0xff));
    for (const length of [70_000, 262_144, 33]) check(bytes(length, `big${length}`)); // memory grows and stays grown
    const message = bytes(3000, 'split');
    for (const cut of [0, 1, 5, 1023, 1024, 1025, 2999, 3000]) check(message.subarray(0, cut), message.subarray(cut));
  }
});

test('packet UMAC: nonce = uint64 sequence number; UMAC-64 shares one pad block between seq 2k and 2k+1', () => {
  for (const [name, streams] of [['umac-64@openssh.com', 2], ['umac-128-etm@openssh.com', 4]] as const) {
    const key = bytes(16, name);
    const packet = bytes(100, 'packet');
    const mac = new PacketUmac(name, key);
    // Out of order, repeated and wrapping: each tag equals a fresh UMAC's under its own nonce.
    for (const seq of [5, 4, 5, 0xffff_ffff, 0, 6, 7, 7]) {
      const nonce = Buffer.alloc(8);
      nonce.writeUInt32BE(seq, 4);
      const expected = new Umac(streams, key, jsUhash).tag(nonce, packet);
      assert.deepEqual(mac.compute(seq, packet), expected, `${name} seq ${seq}`);
      assert.deepEqual(mac.compute(seq, packet.subarray(0, 30), packet.subarray(30)), expected, `${name} seq ${seq} in two parts`);
      mac.verify(seq, expected, packet);
    }
    assert.equal(mac.length, streams * 4);
    assert.notDeepEqual(mac.compute(4, packet), mac.compute(5, packet));
  }
});

test('packet UMAC rejects a wrong tag, sequence number or message as "Corrupted MAC on input."', () => {
  const mac = new PacketUmac('umac-64-etm@openssh.com', bytes(16, 'reject'));
  const packet = bytes(64, 'p');
  const tag = mac.compute(9, packet);
  const corrupted = (err: unknown): boolean => err instanceof TsshError && err.code === 'MAC' && err.message === 'Corrupted MAC on input.';
  for (let i = 0; i < tag.length; i++) {
    const bad = Buffer.from(tag);
    bad[i]! ^= 0x01;
    assert.throws(() => mac.verify(9, bad, packet), corrupted, `tag byte ${i}`);
  }
  assert.throws(() => mac.verify(8, tag, packet), corrupted);
  assert.throws(() => mac.verify(9, tag.subarray(0, 7), packet), corrupted);
  const flipped = Buffer.from(packet);
  flipped[63]! ^= 0x80;
  assert.throws(() => mac.verify(9, tag, flipped), corrupted);
  assert.throws(() => new PacketUmac('umac-32@openssh.com', bytes(16, 'x')), (err: unknown) => err instanceof TsshError && err.code === 'INTERNAL');
  assert.throws(() => new PacketUmac('umac-64@openssh.com', bytes(20, 'x')), (err: unknown) => err instanceof TsshError && err.code === 'INTERNAL');
});

test('the embedded module is uhash.wat assembled (when wat2wasm is installed)', (t) => {
  assertEmbeddedModuleIsSource(t, fileURLToPath(new URL('../../../src/crypto/mac/uhash.wat', import.meta.url)), UHASH_WASM);
});
