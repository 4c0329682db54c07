/**
 * The packet openers' checks, each by its exact outcome (code, message, disconnect reason): a frame
 * shorter than its MAC, a head cut short, a length field that disagrees with an authenticated frame,
 * and the internal errors for algorithms and keys that do not fit. Written so that removing or
 * weakening any one check fails a test (see test/mutation/).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import { TsshError } from '../../src/errors.js';
import { createOpener, createSealer, noneOpener } from '../../src/crypto/protection.js';
import { aesGcmOpener, aesGcmSealer } from '../../src/crypto/cipher/aes-gcm.js';
import { chachaPolyOpener, chachaPolySealer } from '../../src/crypto/cipher/chacha20-poly1305.js';
import { ChachaHeaderKey } from '../../src/crypto/cipher/chacha-header.js';
import { noblePoly1305, createPoly1305 } from '../../src/crypto/cipher/poly1305.js';
import { aesCtr } from '../../src/crypto/cipher/stream.js';
import { allCombinations, buildPacket, bytes, keysFor } from './protection-fixtures.js';

function fails(fn: () => unknown, code: string, message: string, disconnectReason?: number): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof TsshError, `expected a TsshError, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.equal(err.message, message);
    if (disconnectReason !== undefined) assert.equal(err.disconnectReason, disconnectReason);
    return true;
  });
}

const PROTOCOL_ERROR = 2;

test('a frame shorter than length field plus MAC: "Bad packet length (packet of N bytes)."', () => {
  const opener = createOpener('aes128-ctr', 'hmac-sha2-256', keysFor('aes128-ctr', 'hmac-sha2-256'));
  fails(() => opener.open(0, Buffer.alloc(16 + 31)), 'BAD_PACKET_LENGTH', 'Bad packet length (packet of 47 bytes).', PROTOCOL_ERROR);
  const etm = createOpener('aes128-ctr', 'hmac-sha2-256-etm@openssh.com', keysFor('aes128-ctr', 'hmac-sha2-256-etm@openssh.com'));
  fails(() => etm.open(0, Buffer.alloc(35)), 'BAD_PACKET_LENGTH', 'Bad packet length (packet of 35 bytes).', PROTOCOL_ERROR);
});

test('a head cut short: "Bad packet length (only N of M bytes)."', () => {
  const opener = createOpener('aes256-ctr', 'hmac-sha1', keysFor('aes256-ctr', 'hmac-sha1'));
  fails(() => opener.decryptLength(0, Buffer.alloc(9)), 'BAD_PACKET_LENGTH', 'Bad packet length (only 9 of 16 bytes).', PROTOCOL_ERROR);
  fails(() => noneOpener().decryptLength(0, Buffer.alloc(3)), 'BAD_PACKET_LENGTH', 'Bad packet length (only 3 of 4 bytes).', PROTOCOL_ERROR);
});

test('a length field that disagrees with an authenticated frame is "Bad packet length N.", for every cipher and MAC', () => {
  for (const { cipher, mac, label } of allCombinations()) {
    const keys = keysFor(cipher, mac);
    const sealer = createSealer(cipher, mac, keys);
    const opener = createOpener(cipher, mac, keys);
    // Sealers take the length field as given: this one claims one block less than the frame holds.
    const packet = buildPacket(bytes(40, 'misframed'), sealer.blockSize, sealer.aadLength);
    const claimed = packet.length - 4 - sealer.blockSize;
    packet.writeUInt32BE(claimed, 0);
    assert.throws(
      () => opener.open(7, sealer.seal(7, packet)),
      (err: unknown) => err instanceof TsshError && err.code === 'BAD_PACKET_LENGTH' && err.message === `Bad packet length ${claimed}.`,
      label,
    );
  }
});

test('open for a sequence number other than the decrypted head\'s decrypts the head again (none, chacha20-poly1305)', () => {
  const opener = noneOpener();
  const first = buildPacket(bytes(10, 'first'), 8, 0);
  const second = buildPacket(bytes(40, 'second'), 8, 0);
  opener.decryptLength(0, first.subarray(0, 4));
  assert.deepEqual(opener.open(1, second), second.subarray(4));
  const keys = keysFor('chacha20-poly1305@openssh.com', undefined);
  const sealer = chachaPolySealer(keys);
  const chacha = chachaPolyOpener(keys);
  const a = sealer.seal(0, buildPacket(bytes(10, 'a'), 8, 4));
  const bPacket = buildPacket(bytes(60, 'b'), 8, 4);
  const b = sealer.seal(1, bPacket);
  chacha.decryptLength(0, a.subarray(0, 4));
  assert.deepEqual(chacha.open(1, b), bPacket.subarray(4));
});

/** The 12-byte GCM nonce after `packets` packets from `iv`, computed independently (RFC 5647 §7.1). */
function gcmNonceAfter(iv: Buffer, packets: bigint): Buffer {
  const out = Buffer.from(iv);
  out.writeBigUInt64BE((iv.readBigUInt64BE(4) + packets) & 0xffff_ffff_ffff_ffffn, 4);
  return out;
}

test('AES-GCM: the invocation counter carries across all eight bytes and wraps at 2^64, the fixed field untouched', () => {
  const key = bytes(16, 'gcm-key');
  for (const tail of ['00000000000000ff', '00ffffffffffffff', 'ffffffffffffffff', '0000000000ff00ff']) {
    const iv = Buffer.concat([Buffer.from('a1b2c3d4', 'hex'), Buffer.from(tail, 'hex')]);
    const sealer = aesGcmSealer({ key, iv, macKey: Buffer.alloc(0) });
    const packet = buildPacket(bytes(20, 'gcm'), 16, 4);
    sealer.seal(0, packet);
    const second = sealer.seal(1, packet);
    // What a GCM context with the expected second nonce produces.
    const cipher = crypto.createCipheriv('aes-128-gcm', key, gcmNonceAfter(iv, 1n), { authTagLength: 16 });
    cipher.setAAD(packet.subarray(0, 4));
    const expected = Buffer.concat([packet.subarray(0, 4), cipher.update(packet.subarray(4)), cipher.final(), cipher.getAuthTag()]);
    assert.deepEqual(second, expected, `counter after ${tail}`);
    // The opener keeps the same count.
    const opener = aesGcmOpener({ key, iv, macKey: Buffer.alloc(0) });
    opener.open(0, aesGcmSealer({ key, iv, macKey: Buffer.alloc(0) }).seal(0, packet));
    assert.deepEqual(opener.open(1, second), packet.subarray(4));
  }
});

test('the AEAD constructions refuse keys of the wrong size by name', () => {
  fails(() => aesGcmSealer({ key: Buffer.alloc(24), iv: Buffer.alloc(12), macKey: Buffer.alloc(0) }), 'INTERNAL', 'AES-GCM: bad key (24) or IV (12) length');
  fails(() => aesGcmOpener({ key: Buffer.alloc(32), iv: Buffer.alloc(16), macKey: Buffer.alloc(0) }), 'INTERNAL', 'AES-GCM: bad key (32) or IV (16) length');
  fails(() => chachaPolySealer({ key: Buffer.alloc(32), iv: Buffer.alloc(0), macKey: Buffer.alloc(0) }), 'INTERNAL', 'chacha20-poly1305@openssh.com needs a 64-byte key, got 32');
  for (const size of [16, 32]) assert.doesNotThrow(() => aesGcmSealer({ key: Buffer.alloc(size), iv: Buffer.alloc(12), macKey: Buffer.alloc(0) }));
});

test('algorithms and keys that do not fit are internal errors that name the problem', () => {
  const ctr = keysFor('aes128-ctr', 'hmac-sha1');
  fails(() => createSealer('blowfish-cbc', 'hmac-sha1', ctr), 'INTERNAL', 'Unsupported cipher blowfish-cbc');
  fails(() => createSealer('aes256-ctr', 'hmac-sha1', ctr), 'INTERNAL', 'aes256-ctr needs a 32-byte key, got 16');
  fails(() => createOpener('aes128-ctr', 'hmac-sha1', { ...ctr, iv: Buffer.alloc(12) }), 'INTERNAL', 'aes128-ctr needs a 16-byte IV, got 12');
  fails(() => createOpener('aes128-ctr', undefined, ctr), 'INTERNAL', 'aes128-ctr needs a MAC');
  fails(() => createOpener('aes128-ctr', 'hmac-ripemd160', ctr), 'INTERNAL', 'Unsupported MAC algorithm hmac-ripemd160');
  fails(() => createSealer('aes128-ctr', 'hmac-sha2-256', ctr), 'INTERNAL', 'hmac-sha2-256 needs a 32-byte key, got 20');
  const gcm = keysFor('aes128-gcm@openssh.com', undefined);
  fails(() => createSealer('aes128-gcm@openssh.com', undefined, { ...gcm, iv: Buffer.alloc(16) }), 'INTERNAL', 'aes128-gcm@openssh.com needs a 12-byte IV, got 16');
  // chacha20-poly1305 and none take no IV: whatever was derived for them is ignored.
  const chacha = keysFor('chacha20-poly1305@openssh.com', undefined);
  assert.doesNotThrow(() => createSealer('chacha20-poly1305@openssh.com', undefined, { ...chacha, iv: Buffer.alloc(5) }));
  assert.doesNotThrow(() => createOpener('none', undefined, { key: Buffer.alloc(0), iv: Buffer.alloc(3), macKey: Buffer.alloc(0) }));
});

test('MACs and Poly1305 tags are compared in constant time (crypto.timingSafeEqual), tampered or not', () => {
  const calls: Array<[number, number]> = [];
  const original = crypto.timingSafeEqual;
  const writable = crypto as { timingSafeEqual: typeof original };
  writable.timingSafeEqual = (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView): boolean => {
    calls.push([a.byteLength, b.byteLength]);
    return original(a, b);
  };
  syncBuiltinESMExports();
  try {
    for (const [cipher, mac, tagLength] of [['aes128-ctr', 'hmac-sha2-256', 32], ['aes128-ctr', 'hmac-sha1-etm@openssh.com', 20], ['chacha20-poly1305@openssh.com', undefined, 16]] as const) {
      const keys = keysFor(cipher, mac);
      const sealer = createSealer(cipher, mac, keys);
      const opener = createOpener(cipher, mac, keys);
      const packet = buildPacket(bytes(30, 'ct'), sealer.blockSize, sealer.aadLength);
      const wire = sealer.seal(4, packet);
      calls.length = 0;
      opener.decryptLength(4, wire.subarray(0, opener.lengthPrefixSize));
      assert.deepEqual(opener.open(4, wire), packet.subarray(4));
      assert.deepEqual(calls, [[tagLength, tagLength]], `${cipher} ${mac ?? ''}: one constant-time comparison of the tags`);
      const tampered = Buffer.from(sealer.seal(5, packet));
      tampered[tampered.length - 1]! ^= 1;
      calls.length = 0;
      const fresh = createOpener(cipher, mac, keys);
      fresh.open(4, wire);
      calls.length = 0;
      assert.throws(() => fresh.open(5, tampered), (err: unknown) => err instanceof TsshError && err.code === 'MAC');
      assert.deepEqual(calls, [[tagLength, tagLength]], `${cipher} ${mac ?? ''}: a tampered tag is compared in constant time too`);
    }
  } finally {
    writable.timingSafeEqual = original;
    syncBuiltinESMExports();
  }
});

test('AES-CTR and the ChaCha20 header key refuse other key or IV sizes by name', () => {
  fails(() => aesCtr(Buffer.alloc(20), Buffer.alloc(16)), 'INTERNAL', 'aes-160-ctr: bad key (20) or IV (16) length');
  fails(() => aesCtr(Buffer.alloc(16), Buffer.alloc(12)), 'INTERNAL', 'aes-128-ctr: bad key (16) or IV (12) length');
  for (const size of [16, 24, 32]) assert.equal(aesCtr(Buffer.alloc(size), Buffer.alloc(16)).blockSize, 16);
  assert.throws(() => new ChachaHeaderKey(Buffer.alloc(31)), (err: unknown) => err instanceof RangeError && err.message === 'ChaCha20 needs a 32-byte key');
});

test('Poly1305 over a message in two pieces equals the tag over the joined message, in noble and WebAssembly', () => {
  const key = bytes(32, 'poly-key');
  const [a, b] = [bytes(37, 'poly-a'), bytes(70, 'poly-b')];
  const joined = Buffer.from(createPoly1305()(key, Buffer.concat([a, b])));
  assert.deepEqual(Buffer.from(noblePoly1305()(key, a, b)), joined);
  assert.deepEqual(Buffer.from(createPoly1305()(key, a, b)), joined);
  assert.notDeepEqual(Buffer.from(noblePoly1305()(key, a)), joined);
});
