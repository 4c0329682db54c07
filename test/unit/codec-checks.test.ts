/**
 * The packet codec's own checks and bookkeeping, by exact outcome: the packet_length bounds and the
 * block-alignment rule (OpenSSH's words, which depend on whether the length travelled in the clear),
 * too little and too much padding, how a failed MAC or tag is reported, the padding the encoder
 * chooses (with and without padTo), the traffic counters RekeyLimit reads, and the compression hooks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TsshError } from '../../src/errors.js';
import { MAX_PACKET_LENGTH, PacketDecoder, PacketEncoder } from '../../src/transport/packet-codec.js';
import { ConnectionFatal } from '../../src/transport/fatal.js';
import { createOpener, createSealer, noneOpener, noneSealer } from '../../src/crypto/protection.js';
import type { PacketOpener } from '../../src/crypto/cipher/types.js';
import { keysFor } from './protection-fixtures.js';

function fatal(fn: () => unknown, code: string, logged: string[], reason: string, disconnectReason = 2): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ConnectionFatal, `expected ConnectionFatal, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.deepEqual(err.logged, logged);
    assert.equal(err.reason, reason);
    assert.equal(err.disconnectReason, disconnectReason);
    return true;
  });
}

/** A 'none'-protected packet: length field, padding length, then `fill` bytes (at most 4 KiB: enough for a head). */
function rawPacket(length: number, padding: number, fill = 0): Buffer {
  const packet = Buffer.alloc(4 + Math.min(Math.max(length, 1), 4096), fill);
  packet.writeUInt32BE(length, 0);
  packet[4] = padding;
  return packet;
}

function decodeOne(opener: PacketOpener, bytes: Buffer): Buffer | undefined {
  const decoder = new PacketDecoder(opener);
  decoder.push(bytes);
  return decoder.next();
}

test('packet_length below 5 or above 256 KiB: "Bad packet length N.", a MAC error when the length was decrypted', () => {
  for (const length of [0, 4, MAX_PACKET_LENGTH + 1, 0xffffffff]) {
    fatal(() => decodeOne(noneOpener(), rawPacket(length, 4).subarray(0, 8)), 'BAD_PACKET_LENGTH', [`Bad packet length ${length}.`], 'message authentication code incorrect');
  }
  // The length is judged as soon as its bytes are in, not when more arrive.
  fatal(() => decodeOne(noneOpener(), rawPacket(3, 4).subarray(0, 4)), 'BAD_PACKET_LENGTH', ['Bad packet length 3.'], 'message authentication code incorrect');
  // With the length in the clear (-etm MACs, AEAD ciphers) OpenSSH calls it a corrupted connection.
  const etm = createOpener('aes128-ctr', 'hmac-sha2-256-etm@openssh.com', keysFor('aes128-ctr', 'hmac-sha2-256-etm@openssh.com'));
  fatal(() => decodeOne(etm, rawPacket(4, 4)), 'BAD_PACKET_LENGTH', ['Bad packet length 4.'], 'Connection corrupted');
  fatal(() => decodeOne(etm, rawPacket(MAX_PACKET_LENGTH + 16, 4).subarray(0, 8)), 'BAD_PACKET_LENGTH', [`Bad packet length ${MAX_PACKET_LENGTH + 16}.`], 'Connection corrupted');
});

test('a length that does not fill whole cipher blocks: "padding error: need N block B mod M"', () => {
  // The smallest and largest lengths pass the bounds and fail alignment, in OpenSSH's unsigned arithmetic.
  for (const [length, need] of [[5, 1], [MAX_PACKET_LENGTH, MAX_PACKET_LENGTH - 4], [13, 9]] as const) {
    fatal(() => decodeOne(noneOpener(), rawPacket(length, 4).subarray(0, 8)), 'BAD_PACKET_LENGTH', [`padding error: need ${need} block 8 mod ${need % 8}`], 'message authentication code incorrect');
  }
  const etm = createOpener('aes128-ctr', 'hmac-sha2-256-etm@openssh.com', keysFor('aes128-ctr', 'hmac-sha2-256-etm@openssh.com'));
  fatal(() => decodeOne(etm, rawPacket(20, 4).subarray(0, 8)), 'BAD_PACKET_LENGTH', ['padding error: need 20 block 16 mod 4'], 'message authentication code incorrect');
  // Aligned lengths are waited for, not refused.
  assert.equal(decodeOne(noneOpener(), rawPacket(12, 4).subarray(0, 8)), undefined);
  assert.equal(decodeOne(etm, rawPacket(32, 4).subarray(0, 8)), undefined);
});

test('padding below 4 is a corrupted connection; more padding than packet an incomplete message', () => {
  fatal(() => decodeOne(noneOpener(), rawPacket(12, 3)), 'PROTOCOL', [], 'Connection corrupted');
  fatal(() => decodeOne(noneOpener(), rawPacket(12, 12)), 'PROTOCOL', [], 'incomplete message');
  // The limits themselves are fine: 4 bytes of padding, and padding filling all but the padding-length byte.
  assert.deepEqual(decodeOne(noneOpener(), rawPacket(12, 4, 7)), Buffer.alloc(7, 7));
  assert.deepEqual(decodeOne(noneOpener(), rawPacket(12, 11)), Buffer.alloc(0));
});

test('a failed MAC says "Corrupted MAC on input." first; a failed AEAD tag does not; other errors pass unchanged', () => {
  for (const [cipher, mac, logged] of [['aes128-ctr', 'hmac-sha1', ['Corrupted MAC on input.']], ['aes256-gcm@openssh.com', undefined, []], ['chacha20-poly1305@openssh.com', undefined, []]] as const) {
    const keys = keysFor(cipher, mac);
    const wire = new PacketEncoder(createSealer(cipher, mac, keys)).encode(Buffer.from([94, 1, 2, 3]));
    wire[wire.length - 1]! ^= 0x40;
    fatal(() => decodeOne(createOpener(cipher, mac, keys), wire), 'MAC', [...logged], 'message authentication code incorrect', 5);
  }
  const broken: PacketOpener = { ...noneOpener(), open: () => { throw new TsshError('PROTOCOL', 'something else'); } };
  assert.throws(() => decodeOne(broken, rawPacket(12, 4)), (err: unknown) => err instanceof TsshError && !(err instanceof ConnectionFatal) && err.message === 'something else');
});

test('the encoder pads to the block size with 4 to 4+block-1 bytes, the length in the clear excluded when it is', () => {
  for (const [sealer, block, aad] of [[noneSealer(), 8, 0], [createSealer('aes128-ctr', 'hmac-sha2-256-etm@openssh.com', keysFor('aes128-ctr', 'hmac-sha2-256-etm@openssh.com')), 16, 4]] as const) {
    const encoder = new PacketEncoder(sealer);
    for (let n = 0; n < 40; n++) {
      const wire = encoder.encode(Buffer.alloc(n, 1));
      const packetLength = wire.readUInt32BE(0);
      const padding = aad ? undefined : wire[4]!;
      assert.equal(wire.length, 4 + packetLength + sealer.macLength);
      assert.equal((4 - aad + packetLength) % block, 0, `aligned for ${n} bytes`);
      if (padding !== undefined) {
        assert.ok(padding >= 4 && padding < 4 + block, `padding ${padding} for ${n} bytes`);
        assert.equal(packetLength, 1 + n + padding);
      } else {
        assert.ok(packetLength - 1 - n >= 4 && packetLength - 1 - n < 4 + block, `padding for ${n} bytes`);
      }
    }
  }
});

test('padTo rounds what is encrypted up to whole units, adding a unit when already whole, never past 255 bytes of padding', () => {
  const encoder = new PacketEncoder(noneSealer());
  for (const [n, padTo, expectedLength] of [[10, 64, 64 - 4], [54, 64, 128 - 4], [59, 64, 128 - 4], [20, 60, 64 - 4], [400, 64, 448 - 4], [252, 256, 512 - 4]] as const) {
    assert.equal(encoder.encodeParts(Buffer.alloc(n), padTo).reduce((sum, b) => sum + b.length, 0) - 4, expectedLength, `${n} bytes padded to ${padTo}`);
  }
  // Extra padding that would pass 255 bytes is left out: the packet is only block-aligned.
  const plain = new PacketEncoder(noneSealer()).encode(Buffer.alloc(10)).length;
  assert.equal(encoder.encodeParts(Buffer.alloc(10), 512).reduce((sum, b) => sum + b.length, 0), plain);
});

test('traffic counters: bytes (without the MAC) and packets each way since the last key change, reset by setProtection', () => {
  const keys = keysFor('aes128-ctr', 'hmac-sha2-256');
  const encoder = new PacketEncoder(createSealer('aes128-ctr', 'hmac-sha2-256', keys));
  const decoder = new PacketDecoder(createOpener('aes128-ctr', 'hmac-sha2-256', keys));
  let wireBytes = 0;
  for (const n of [3, 100, 1000]) {
    const wire = encoder.encode(Buffer.alloc(n, 2));
    wireBytes += wire.length - 32; // as OpenSSH counts for RekeyLimit: without the MAC (hmac-sha2-256's 32 bytes)
    decoder.push(wire.subarray(0, 10));
    assert.equal(decoder.next(), undefined);
    assert.equal(decoder.buffered, 10);
    decoder.push(wire.subarray(10));
    assert.deepEqual(decoder.next(), Buffer.alloc(n, 2));
    assert.equal(decoder.buffered, 0);
  }
  assert.deepEqual(encoder.sinceRekey, { bytes: wireBytes, packets: 3 });
  assert.deepEqual(decoder.sinceRekey, { bytes: wireBytes, packets: 3 });
  assert.deepEqual([encoder.sequence, decoder.sequence], [3, 3]);
  encoder.setProtection(noneSealer());
  decoder.setProtection(noneOpener());
  assert.deepEqual(encoder.sinceRekey, { bytes: 0, packets: 0 });
  assert.deepEqual(decoder.sinceRekey, { bytes: 0, packets: 0 });
  assert.deepEqual([encoder.sequence, decoder.sequence], [3, 3], 'keys change, sequence numbers go on');
  encoder.resetSequence();
  decoder.resetSequence();
  assert.deepEqual([encoder.sequence, decoder.sequence], [0, 0]);
});

test('compression hooks: the encoder compresses before framing, the decoder decompresses after opening', () => {
  const encoder = new PacketEncoder(noneSealer());
  const decoder = new PacketDecoder(noneOpener());
  encoder.setCompressor({ apply: (p) => Buffer.concat([Buffer.from('Z'), p]) });
  decoder.setDecompressor({ apply: (p) => p.subarray(1) });
  const wire = encoder.encode(Buffer.from('payload'));
  assert.equal(wire.subarray(5, 13).toString(), 'Zpayload');
  decoder.push(wire);
  assert.equal(decoder.next()!.toString(), 'payload');
  encoder.setCompressor(undefined);
  decoder.setDecompressor(undefined);
  decoder.push(encoder.encode(Buffer.from('plain')));
  assert.equal(decoder.next()!.toString(), 'plain');
});
