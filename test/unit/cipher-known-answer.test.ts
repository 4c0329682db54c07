/**
 * Known-answer cross-checks: the exact bytes tssh puts on the wire, recomputed with an independent
 * implementation (noble's AES-CTR, AES-GCM, original ChaCha20, Poly1305 and HMAC) for fixed keys.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv } from 'node:crypto';
import { ctr, gcm } from '@noble/ciphers/aes.js';
import { chacha20orig } from '@noble/ciphers/chacha.js';
import { poly1305 } from '@noble/ciphers/_poly1305.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { sha1 } from '@noble/hashes/legacy.js';
import { MAC_NAMES } from '../../src/crypto/names.js';
import { cipherInfo, createOpener, createSealer, macInfo } from '../../src/crypto/protection.js';
import { buildPacket, bytes, keysFor } from './protection-fixtures.js';

const HASHES = { sha1, 'sha2-256': sha256, 'sha2-512': sha512 } as const;

function nobleHmac(macName: string, key: Uint8Array, seq: number, data: Uint8Array): Buffer {
  const hash = HASHES[macName.replace(/^hmac-|-etm@openssh\.com$/g, '') as keyof typeof HASHES];
  const seqBytes = Buffer.alloc(4);
  seqBytes.writeUInt32BE(seq >>> 0);
  return Buffer.from(hmac(hash, key, Buffer.concat([seqBytes, data])));
}

function uint64(value: bigint): Buffer {
  const out = Buffer.alloc(8);
  out.writeBigUInt64BE(value);
  return out;
}

/** Three packets of different sizes at consecutive sequence numbers ending in the uint32 wrap. */
const SEQS = [0xffff_fffe, 0xffff_ffff, 0];
const SIZES = [0, 37, 300];

for (const cipher of ['aes128-ctr', 'aes192-ctr', 'aes256-ctr']) {
  for (const mac of MAC_NAMES) {
    test(`${cipher} + ${mac} matches noble AES-CTR and HMAC byte for byte`, () => {
      const keys = keysFor(cipher, mac, 'kat');
      const sealer = createSealer(cipher, mac, keys);
      const opener = createOpener(cipher, mac, keys);
      const etm = macInfo(mac)!.etm;
      const packets = SIZES.map((size, i) => buildPacket(bytes(size, `kat/${i}`), 16, etm ? 4 : 0));
      // One CTR stream per direction runs over every encrypted byte in order.
      const encryptedParts = packets.map((packet) => (etm ? packet.subarray(4) : packet));
      const stream = Buffer.from(ctr(keys.key, keys.iv).encrypt(Buffer.concat(encryptedParts)));
      let offset = 0;
      packets.forEach((packet, i) => {
        const seq = SEQS[i]!;
        const part = stream.subarray(offset, (offset += encryptedParts[i]!.length));
        const ciphertext = etm ? Buffer.concat([packet.subarray(0, 4), part]) : part;
        const tag = nobleHmac(mac, keys.macKey, seq, etm ? ciphertext : packet);
        const wire = sealer.seal(seq, packet);
        assert.equal(wire.toString('hex'), Buffer.concat([ciphertext, tag]).toString('hex'));
        assert.equal(opener.decryptLength(seq, wire.subarray(0, opener.lengthPrefixSize)), packet.length - 4);
        assert.deepEqual(opener.open(seq, wire), packet.subarray(4));
      });
    });
  }
}

for (const cipher of ['aes128-gcm@openssh.com', 'aes256-gcm@openssh.com']) {
  test(`${cipher} matches noble AES-GCM, with the 64-bit invocation counter carrying and wrapping`, () => {
    const key = bytes(cipherInfo(cipher)!.keyLength, `gcm/${cipher}`);
    const fixed = Buffer.from('a1b2c3d4', 'hex');
    for (const start of [0xffn, 0xffff_ffff_ffff_fffen]) {
      const iv = Buffer.concat([fixed, uint64(start)]);
      const keys = { key, iv, macKey: Buffer.alloc(0) };
      const sealer = createSealer(cipher, undefined, keys);
      const opener = createOpener(cipher, undefined, keys);
      SIZES.forEach((size, i) => {
        const packet = buildPacket(bytes(size, `gcm/${i}`), 16, 4);
        const counter = (start + BigInt(i)) & 0xffff_ffff_ffff_ffffn;
        const nonce = Buffer.concat([fixed, uint64(counter)]);
        const sealed = gcm(key, nonce, packet.subarray(0, 4)).encrypt(packet.subarray(4));
        const expected = Buffer.concat([packet.subarray(0, 4), sealed]);
        const wire = sealer.seal(1000 + i, packet);
        assert.equal(wire.toString('hex'), expected.toString('hex'), `packet ${i} from counter ${start}`);
        assert.equal(opener.decryptLength(1000 + i, wire.subarray(0, 4)), packet.length - 4);
        assert.deepEqual(opener.open(1000 + i, wire), packet.subarray(4));
      });
    }
  });
}

test("node:crypto 'chacha20' with IV = LE64 counter || nonce is noble's original (DJB) ChaCha20", () => {
  const key = bytes(32, 'chacha/raw');
  const nonce = bytes(8, 'chacha/nonce');
  const data = bytes(64 * 3 + 5, 'chacha/data');
  for (const counter of [0, 1, 2, 0x1234]) {
    const iv = Buffer.alloc(16);
    iv.writeBigUInt64LE(BigInt(counter), 0);
    nonce.copy(iv, 8);
    const ours = createCipheriv('chacha20', key, iv).update(data);
    const theirs = Buffer.from(chacha20orig(key, nonce, data, undefined, counter));
    assert.equal(ours.toString('hex'), theirs.toString('hex'), `counter ${counter}`);
  }
});

test('chacha20-poly1305@openssh.com matches noble ChaCha20 (original) + Poly1305 byte for byte', () => {
  const keys = keysFor('chacha20-poly1305@openssh.com', undefined, 'kat');
  const mainKey = keys.key.subarray(0, 32); // K_2
  const headerKey = keys.key.subarray(32); // K_1
  const sealer = createSealer('chacha20-poly1305@openssh.com', undefined, keys);
  const opener = createOpener('chacha20-poly1305@openssh.com', undefined, keys);
  SIZES.forEach((size, i) => {
    const seq = SEQS[i]!;
    const nonce = uint64(BigInt(seq));
    const packet = buildPacket(bytes(size, `chacha/${i}`), 8, 4);
    const length = chacha20orig(headerKey, nonce, packet.subarray(0, 4));
    const polyKey = chacha20orig(mainKey, nonce, new Uint8Array(32));
    const body = chacha20orig(mainKey, nonce, packet.subarray(4), undefined, 1);
    const ciphertext = Buffer.concat([length, body]);
    const expected = Buffer.concat([ciphertext, poly1305(ciphertext, polyKey)]);
    const wire = sealer.seal(seq, packet);
    assert.equal(wire.toString('hex'), expected.toString('hex'), `packet ${i}`);
    assert.equal(opener.decryptLength(seq, wire.subarray(0, 4)), packet.length - 4);
    assert.deepEqual(opener.open(seq, wire), packet.subarray(4));
  });
});

test('the none cipher with a MAC sends plaintext followed by HMAC(seq || packet)', () => {
  const keys = keysFor('none', 'hmac-sha2-512', 'kat');
  const packet = buildPacket(bytes(21, 'none/mac'), 8, 0);
  const wire = createSealer('none', 'hmac-sha2-512', keys).seal(77, packet);
  assert.deepEqual(wire, Buffer.concat([packet, nobleHmac('hmac-sha2-512', keys.macKey, 77, packet)]));
});
