/**
 * CBC with the MAC over the plaintext (aes*-cbc, 3des-cbc with a non-etm MAC) must not fail the moment
 * a forged packet's length, padding or MAC is wrong: when the connection dies would tell an attacker
 * what a chosen block decrypted to (Albrecht, Paterson, Watson 2009). As OpenSSH's packet.c does, the
 * decoder reads and drops input until 256 KiB from the bad packet's first byte have arrived, then fails.
 * Every other construction authenticates the length first or never decrypts it, and fails at once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createOpener, createSealer } from '../../src/crypto/protection.js';
import { MAX_PACKET_LENGTH, PacketDecoder, PacketEncoder } from '../../src/transport/packet-codec.js';
import { ConnectionFatal } from '../../src/transport/fatal.js';
import { bytes, keysFor } from './protection-fixtures.js';

const FATAL = 'ssh_dispatch_run_fatal: Connection to 127.0.0.1 port 22: message authentication code incorrect';

function codecPair(cipher: string, mac: string): { encoder: PacketEncoder; decoder: PacketDecoder } {
  const keys = keysFor(cipher, mac, `discard/${cipher}/${mac}`);
  return { encoder: new PacketEncoder(createSealer(cipher, mac, keys)), decoder: new PacketDecoder(createOpener(cipher, mac, keys)) };
}

/** Pushes `count` more bytes of anything; returns whether next() threw, with the error. */
function feed(decoder: PacketDecoder, count: number): unknown {
  try {
    decoder.push(Buffer.alloc(count, 0x61));
    assert.equal(decoder.next(), undefined);
    return undefined;
  } catch (err) {
    return err;
  }
}

const peerText = (err: unknown): string => (err as ConnectionFatal).forPeer({ host: '127.0.0.1', port: 22 }).message;

for (const [cipher, mac] of [['aes128-cbc', 'hmac-sha1'], ['aes256-cbc', 'umac-64@openssh.com'], ['3des-cbc', 'hmac-md5-96']] as const) {
  test(`${cipher} + ${mac}: a forged length fails only once 256 KiB from the packet start have arrived`, () => {
    const { encoder, decoder } = codecPair(cipher, mac);
    decoder.push(encoder.encode(bytes(100, 'first')));
    assert.deepEqual(decoder.next(), bytes(100, 'first'));
    const forged = encoder.encode(bytes(100, 'second'));
    forged[0]! ^= 0x80; // CBC: the whole first block decrypts to garbage, so the length does
    decoder.push(forged);
    assert.equal(decoder.next(), undefined, 'no failure yet');
    assert.equal(feed(decoder, MAX_PACKET_LENGTH - forged.length - 1), undefined, 'one byte short of the window');
    assert.equal(decoder.buffered, 0, 'what arrives while discarding is dropped, not kept');
    const err = feed(decoder, 1);
    assert.ok(err instanceof ConnectionFatal);
    assert.match(peerText(err), new RegExp(`^(Bad packet length \\d+\\.|padding error: need \\d+ block \\d+ mod \\d+)\\nFinished discarding for 127\\.0\\.0\\.1 port 22\\n${FATAL}$`));
  });

  test(`${cipher} + ${mac}: a failed MAC fails only once the rest of the 256 KiB window has arrived`, () => {
    const { encoder, decoder } = codecPair(cipher, mac);
    const wire = encoder.encode(bytes(1000, 'tampered'));
    wire[wire.length - 40]! ^= 0x01; // inside the last encrypted blocks: the length stays right
    decoder.push(wire);
    assert.equal(decoder.next(), undefined, 'no failure yet');
    assert.equal(feed(decoder, MAX_PACKET_LENGTH - wire.length - 1), undefined);
    const err = feed(decoder, 1);
    assert.ok(err instanceof ConnectionFatal);
    assert.equal(peerText(err), `Corrupted MAC on input.\nFinished discarding for 127.0.0.1 port 22\n${FATAL}`);
  });
}

for (const [cipher, mac] of [['aes128-ctr', 'hmac-sha1'], ['aes128-cbc', 'hmac-sha1-etm@openssh.com'], ['aes128-cbc', 'umac-64-etm@openssh.com']] as const) {
  test(`${cipher} + ${mac}: no length oracle to hide, so a bad packet fails at once`, () => {
    for (const at of ['length', 'mac'] as const) {
      const { encoder, decoder } = codecPair(cipher, mac);
      const wire = encoder.encode(bytes(1000, 'x'));
      wire[at === 'length' ? 0 : wire.length - 1]! ^= 0x80;
      decoder.push(wire);
      assert.throws(() => decoder.next(), ConnectionFatal, `${at}: fails at once`);
    }
  });
}
