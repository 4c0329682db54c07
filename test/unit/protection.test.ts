import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TsshError } from '../../src/errors.js';
import { SUPPORTED_CIPHER_NAMES, SUPPORTED_MAC_NAMES } from '../../src/crypto/names.js';
import {
  cipherInfo,
  createOpener,
  createSealer,
  macInfo,
  noneOpener,
  noneSealer,
} from '../../src/crypto/protection.js';
import type { PacketOpener, PacketSealer } from '../../src/crypto/cipher/types.js';
import { allCombinations, buildPacket, bytes, keysFor } from './protection-fixtures.js';

const PAYLOAD_SIZES = [0, 1, 7, 15, 16, 17, 100, 1000, 32768, 35000];
/** Starts just below 2^32 so the run crosses the uint32 wrap to 0. */
const FIRST_SEQ = 0xffff_fffc;

function pair(cipher: string, mac: string | undefined, label = 'keys'): { sealer: PacketSealer; opener: PacketOpener } {
  const keys = keysFor(cipher, mac, label);
  return { sealer: createSealer(cipher, mac, keys), opener: createOpener(cipher, mac, keys) };
}

/** What the codec does on receipt: learn the length from the head, then open the whole packet. */
function receive(opener: PacketOpener, seq: number, wire: Buffer): { length: number; plaintext: Buffer } {
  const length = opener.decryptLength(seq, wire.subarray(0, opener.lengthPrefixSize));
  return { length, plaintext: opener.open(seq, wire) };
}

function isMacError(err: unknown): boolean {
  assert.ok(err instanceof TsshError, `expected TsshError, got ${String(err)}`);
  assert.equal(err.code, 'MAC');
  assert.equal(err.message, 'Corrupted MAC on input.');
  assert.equal(err.disconnectReason, 2 + 3); // SSH_DISCONNECT_MAC_ERROR
  return true;
}

test('cipherInfo and macInfo describe every negotiable algorithm and none', () => {
  const expectedCiphers: Record<string, [number, number, number, boolean]> = {
    'chacha20-poly1305@openssh.com': [64, 0, 8, true],
    'aes128-ctr': [16, 16, 16, false],
    'aes192-ctr': [24, 16, 16, false],
    'aes256-ctr': [32, 16, 16, false],
    'aes128-gcm@openssh.com': [16, 12, 16, true],
    'aes256-gcm@openssh.com': [32, 12, 16, true],
    'aes128-cbc': [16, 16, 16, false],
    'aes192-cbc': [24, 16, 16, false],
    'aes256-cbc': [32, 16, 16, false],
    '3des-cbc': [24, 8, 8, false],
    none: [0, 0, 8, false],
  };
  for (const name of [...SUPPORTED_CIPHER_NAMES, 'none']) {
    const info = cipherInfo(name)!;
    const [keyLength, ivLength, blockSize, aead] = expectedCiphers[name]!;
    assert.deepEqual(info, { name, keyLength, ivLength, blockSize, aead });
  }
  // [key length, tag length]: the -96 forms keep the digest-sized key and send 12 bytes; UMAC keys are AES-128.
  const expectedMacs: Record<string, [number, number]> = {
    'hmac-sha1': [20, 20],
    'hmac-sha1-96': [20, 12],
    'hmac-sha2-256': [32, 32],
    'hmac-sha2-512': [64, 64],
    'hmac-md5': [16, 16],
    'hmac-md5-96': [16, 12],
    'umac-64@openssh.com': [16, 8],
    'umac-128@openssh.com': [16, 16],
  };
  for (const name of SUPPORTED_MAC_NAMES) {
    const [keyLength, macLength] = expectedMacs[name.replace(/-etm@openssh\.com$/, '').replace(/^(umac-\d+)$/, '$1@openssh.com')]!;
    assert.deepEqual(macInfo(name), { name, keyLength, macLength, etm: name.endsWith('-etm@openssh.com') }, name);
  }
  assert.equal(cipherInfo('blowfish-cbc'), undefined);
  assert.equal(macInfo('hmac-ripemd160'), undefined);
  assert.equal(macInfo('none'), undefined);
});

for (const { cipher, mac, label } of allCombinations()) {
  test(`${label}: round trip over many packets and the uint32 sequence wrap`, () => {
    const { sealer, opener } = pair(cipher, mac);
    const info = cipherInfo(cipher)!;
    const macLength = info.aead ? 16 : mac ? macInfo(mac)!.macLength : 0;
    const aadLength = info.aead || macInfo(mac ?? '')?.etm ? 4 : 0;
    assert.equal(sealer.blockSize, info.blockSize);
    assert.equal(opener.blockSize, info.blockSize);
    assert.equal(sealer.macLength, macLength);
    assert.equal(opener.macLength, macLength);
    assert.equal(sealer.aadLength, aadLength);
    assert.equal(opener.aadLength, aadLength);
    const prefix = aadLength === 4 || cipher === 'none' ? 4 : info.blockSize;
    assert.equal(opener.lengthPrefixSize, prefix);

    let seq = FIRST_SEQ;
    const seen = new Set<string>();
    for (const [index, size] of [...PAYLOAD_SIZES, ...PAYLOAD_SIZES.slice(0, 4)].entries()) {
      const packet = buildPacket(bytes(size, `payload/${index}`), sealer.blockSize, sealer.aadLength);
      const original = Buffer.from(packet);
      const wire = sealer.seal(seq, packet);
      assert.deepEqual(packet, original, 'seal must not modify its input');
      assert.equal(wire.length, packet.length + macLength);
      if (cipher !== 'none') {
        assert.notDeepEqual(wire.subarray(5, packet.length), packet.subarray(5), 'payload is encrypted');
      } else {
        assert.deepEqual(wire.subarray(0, packet.length), packet);
      }
      // Identical plaintexts under different sequence numbers / stream positions must not repeat.
      seen.add(wire.toString('hex'));
      const { length, plaintext } = receive(opener, seq, wire);
      assert.equal(length, packet.length - 4);
      assert.deepEqual(plaintext, packet.subarray(4));
      seq = (seq + 1) >>> 0;
    }
    assert.equal(seq, PAYLOAD_SIZES.length + 4 - 4, 'the run wrapped past 2^32 - 1');
    if (cipher !== 'none') assert.equal(seen.size, PAYLOAD_SIZES.length + 4);
  });

  if (cipher === 'none' && mac === undefined) continue;
  test(`${label}: a flipped bit in length, padding, payload or MAC is rejected`, () => {
    const info = cipherInfo(cipher)!;
    const seq = 0x1234_5678;
    const packet = buildPacket(bytes(64, 'tamper'), info.blockSize, info.aead || macInfo(mac ?? '')?.etm ? 4 : 0);
    const { sealer } = pair(cipher, mac);
    const wire = sealer.seal(seq, packet);
    const positions = new Map<string, number>([
      ['length', 3],
      ['length high byte', 0],
      ['padding length', 4],
      ['payload', 40],
      ['last encrypted byte', packet.length - 1],
      ['first MAC byte', packet.length],
      ['last MAC byte', wire.length - 1],
    ]);
    for (const [where, offset] of positions) {
      for (const bit of [0x01, 0x80]) {
        const { opener } = pair(cipher, mac); // a fresh receiver each time: a failure ends the stream
        const tampered = Buffer.from(wire);
        tampered[offset]! ^= bit;
        const length = opener.decryptLength(seq, tampered.subarray(0, opener.lengthPrefixSize));
        if (where.startsWith('length')) assert.notEqual(length, packet.length - 4, `${where}: length changes`);
        assert.throws(() => opener.open(seq, tampered), isMacError, `${where} bit ${bit}`);
      }
    }
    // The right bytes under the wrong sequence number fail too (AES-GCM counts its own nonces instead,
    // so there the same test is a receiver that skipped a packet).
    if (cipher.includes('-gcm@')) {
      const { opener } = pair(cipher, mac);
      opener.open(seq, wire);
      assert.throws(() => opener.open(seq + 1, wire), isMacError);
    } else {
      assert.throws(() => pair(cipher, mac).opener.open(seq + 1, wire), isMacError);
    }
    // And the untouched packet still opens.
    assert.deepEqual(pair(cipher, mac).opener.open(seq, wire), packet.subarray(4));
  });
}

for (const mac of SUPPORTED_MAC_NAMES.filter((name) => macInfo(name)!.etm)) {
  test(`${mac}: packet_length travels in the clear, the rest is encrypted`, () => {
    const { sealer, opener } = pair('aes128-ctr', mac);
    const packet = buildPacket(bytes(200, 'etm'), 16, 4);
    const wire = sealer.seal(9, packet);
    assert.deepEqual(wire.subarray(0, 4), packet.subarray(0, 4));
    assert.notDeepEqual(wire.subarray(4, 20), packet.subarray(4, 20));
    assert.equal(opener.decryptLength(9, wire.subarray(0, 4)), packet.length - 4);
  });
}

test('AEAD ciphers ignore the negotiated MAC', () => {
  for (const cipher of ['aes256-gcm@openssh.com', 'chacha20-poly1305@openssh.com']) {
    const keys = keysFor(cipher, undefined);
    const withMac = createSealer(cipher, 'hmac-sha2-256', { ...keys, macKey: Buffer.alloc(0) });
    const packet = buildPacket(bytes(50, 'aead'), withMac.blockSize, 4);
    assert.deepEqual(withMac.seal(3, packet), createSealer(cipher, undefined, keys).seal(3, packet));
  }
});

test('noneSealer/noneOpener pass packets through with 8-byte blocks and no MAC', () => {
  const sealer = noneSealer();
  const opener = noneOpener();
  assert.deepEqual([sealer.blockSize, sealer.aadLength, sealer.macLength], [8, 0, 0]);
  assert.deepEqual([opener.blockSize, opener.aadLength, opener.macLength, opener.lengthPrefixSize], [8, 0, 0, 4]);
  const packet = buildPacket(Buffer.from([20, 1, 2, 3]), 8, 0);
  const wire = sealer.seal(0, packet);
  assert.deepEqual(wire, packet);
  assert.equal(opener.decryptLength(0, wire.subarray(0, 4)), packet.length - 4);
  assert.deepEqual(opener.open(0, wire), packet.subarray(4));
});

test('open without a preceding decryptLength still works (CTR head decrypted on demand)', () => {
  for (const { cipher, mac } of allCombinations()) {
    const { sealer, opener } = pair(cipher, mac);
    for (let seq = 0; seq < 3; seq++) {
      const packet = buildPacket(bytes(33 * seq, `lazy/${seq}`), sealer.blockSize, sealer.aadLength);
      assert.deepEqual(opener.open(seq, sealer.seal(seq, packet)), packet.subarray(4));
    }
  }
});

test('wrong key or IV lengths and unknown algorithms are internal errors', () => {
  const keys = keysFor('aes128-ctr', 'hmac-sha1');
  const internal = (err: unknown): boolean => err instanceof TsshError && err.code === 'INTERNAL';
  assert.throws(() => createSealer('aes256-ctr', 'hmac-sha1', keys), internal);
  assert.throws(() => createSealer('aes128-ctr', 'hmac-sha2-256', keys), internal);
  assert.throws(() => createOpener('aes128-ctr', 'umac-64@openssh.com', keys), internal);
  assert.throws(() => createOpener('aes128-ctr', undefined, keys), internal);
  assert.throws(() => createOpener('blowfish-cbc', 'hmac-sha1', keys), internal);
  assert.throws(() => createSealer('aes128-gcm@openssh.com', undefined, { ...keys, iv: Buffer.alloc(16) }), internal);
});

test('a frame too short for its MAC is a bad packet length, not an exception from deep inside', () => {
  for (const { cipher, mac } of allCombinations()) {
    const { opener } = pair(cipher, mac);
    const short = Buffer.alloc(opener.lengthPrefixSize + opener.macLength - 1);
    assert.throws(
      () => opener.open(0, short),
      (err: unknown) => err instanceof TsshError && err.code === 'BAD_PACKET_LENGTH',
      cipher,
    );
    assert.throws(
      () => opener.decryptLength(0, Buffer.alloc(opener.lengthPrefixSize - 1)),
      (err: unknown) => err instanceof TsshError && err.code === 'BAD_PACKET_LENGTH',
    );
  }
});
