import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createOpener, createSealer } from '../../src/crypto/protection.js';
import { PacketDecoder, PacketEncoder } from '../../src/transport/packet-codec.js';
import { allCombinations, bytes, keysFor } from './protection-fixtures.js';

/**
 * The encoder builds every packet in one reused buffer and hands the sealed pieces to the socket
 * unjoined: a piece must never alias that buffer, or the next packet would overwrite one not yet sent.
 */
for (const { cipher, mac, label } of allCombinations()) {
  test(`encoder pieces survive the next packet and decode in order: ${label}`, () => {
    const keys = keysFor(cipher, mac, 'encoder');
    const encoder = new PacketEncoder(createSealer(cipher, mac, keys));
    const payloads = [bytes(32 * 1024 + 9, 'a'), bytes(100, 'b'), bytes(70_000, 'c'), bytes(1, 'd')];
    const pieces: Buffer[][] = [];
    const snapshots: Buffer[] = [];
    for (const [i, payload] of payloads.entries()) {
      const parts =
        i % 2 === 0
          ? encoder.encodeParts(payload)
          : encoder.encodeInPlace(payload.length, (packet, offset) => payload.copy(packet, offset));
      pieces.push(parts);
      snapshots.push(Buffer.concat(parts)); // what the socket must see, taken before the next packet
    }
    assert.deepEqual(pieces.map((p) => Buffer.concat(p)), snapshots, 'a later packet changed an earlier one');
    const decoder = new PacketDecoder(createOpener(cipher, mac, keys));
    decoder.push(Buffer.concat(snapshots));
    for (const payload of payloads) assert.deepEqual(decoder.next(), payload);
    assert.equal(decoder.next(), undefined);
  });
}

test('padTo 64 hides a secret\'s length as ssh does: what is encrypted is a multiple of 64, and it decodes', () => {
  for (const { cipher, mac, label } of allCombinations()) {
    const keys = keysFor(cipher, mac, 'padding');
    const sealer = createSealer(cipher, mac, keys);
    const encoder = new PacketEncoder(sealer);
    const decoder = new PacketDecoder(createOpener(cipher, mac, keys));
    const lengths = new Set<number>();
    for (let size = 30; size < 90; size++) {
      const payload = bytes(size, 'p');
      const wire = Buffer.concat(encoder.encodeParts(payload, 64));
      assert.equal((wire.length - sealer.macLength - sealer.aadLength) % 64, 0, `${label}: ${size}-byte payload`);
      if (size <= 38) lengths.add(wire.length);
      decoder.push(wire);
      assert.deepEqual(decoder.next(), payload, label);
    }
    assert.equal(lengths.size, 1, `${label}: payloads of 30-38 bytes all look the same`);
  }
});
