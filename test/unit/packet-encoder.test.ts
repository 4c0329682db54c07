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
