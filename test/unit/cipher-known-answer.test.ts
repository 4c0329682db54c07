/**
 * Known-answer cross-checks: the exact bytes tssh puts on the wire, recomputed with an independent
 * implementation (noble's AES-CTR, AES-CBC, AES-GCM, original ChaCha20, Poly1305, HMAC with SHA-1, SHA-2
 * and MD5) for fixed keys. UMAC's packet construction is checked against the JavaScript UMAC, whose
 * primitive test/unit/mac-umac.test.ts checks against RFC 4418.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv } from 'node:crypto';
import { cbc, ctr, gcm } from '@noble/ciphers/aes.js';
import { chacha20orig } from '@noble/ciphers/chacha.js';
import { poly1305 } from '@noble/ciphers/_poly1305.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { md5, sha1 } from '@noble/hashes/legacy.js';
import { SUPPORTED_MAC_NAMES } from '../../src/crypto/names.js';
import { Umac } from '../../src/crypto/mac/umac.js';
import { jsUhash } from '../../src/crypto/mac/uhash.js';
import type { DirectionKeys } from '../../src/crypto/cipher/types.js';
import { cipherInfo, createOpener, createSealer, macInfo } from '../../src/crypto/protection.js';
import { buildPacket, bytes, keysFor } from './protection-fixtures.js';

const HASHES = { sha1, 'sha2-256': sha256, 'sha2-512': sha512, md5 } as const;

function nobleHmac(macName: string, key: Uint8Array, seq: number, data: Uint8Array): Buffer {
  const hash = HASHES[macName.replace(/^hmac-|-96|-etm@openssh\.com$/g, '') as keyof typeof HASHES];
  const seqBytes = Buffer.alloc(4);
  seqBytes.writeUInt32BE(seq >>> 0);
  const tag = Buffer.from(hmac(hash, key, Buffer.concat([seqBytes, data])));
  return macName.includes('-96') ? tag.subarray(0, 12) : tag;
}

/** UMAC over the packet bytes alone, nonce = uint64 sequence number. */
function referenceUmac(macName: string, key: Uint8Array, seq: number, data: Uint8Array): Buffer {
  return new Umac(macName.startsWith('umac-64') ? 2 : 4, key, jsUhash).tag(uint64(BigInt(seq)), data);
}

const referenceMac = (macName: string, key: Uint8Array, seq: number, data: Uint8Array): Buffer =>
  (macName.startsWith('umac-') ? referenceUmac : nobleHmac)(macName, key, seq, data);

/**
 * The cipher stream over every encrypted byte in order, from an independent implementation: CTR runs on
 * and CBC chains across packets. 3DES has no second implementation here, so its CBC chaining is built
 * by hand over node's single-block 3DES (the primitive is OpenSSL's; sshd interop tests cover it).
 */
function referenceStream(cipher: string, keys: DirectionKeys, data: Buffer): Buffer {
  if (cipher.endsWith('-ctr')) return Buffer.from(ctr(keys.key, keys.iv).encrypt(data));
  if (cipher.startsWith('aes')) return Buffer.from(cbc(keys.key, keys.iv, { disablePadding: true }).encrypt(data));
  const block = createCipheriv('des-ede3-ecb', keys.key, null).setAutoPadding(false);
  const out = Buffer.alloc(data.length);
  let previous = Buffer.from(keys.iv);
  for (let i = 0; i < data.length; i += 8) {
    const input = Buffer.from(data.subarray(i, i + 8));
    for (let j = 0; j < 8; j++) input[j]! ^= previous[j]!;
    previous = block.update(input);
    previous.copy(out, i);
  }
  return out;
}

function uint64(value: bigint): Buffer {
  const out = Buffer.alloc(8);
  out.writeBigUInt64BE(value);
  return out;
}

/** Three packets of different sizes at consecutive sequence numbers ending in the uint32 wrap. */
const SEQS = [0xffff_fffe, 0xffff_ffff, 0];
const SIZES = [0, 37, 300];

const STREAM_CIPHERS = ['aes128-ctr', 'aes192-ctr', 'aes256-ctr', 'aes128-cbc', 'aes192-cbc', 'aes256-cbc', '3des-cbc'];
for (const cipher of STREAM_CIPHERS) {
  // Every MAC with CTR; with the CBC ciphers one of each construction and family keeps the run short.
  const macs = cipher.endsWith('-ctr') ? SUPPORTED_MAC_NAMES : ['hmac-md5-96', 'umac-64@openssh.com', 'hmac-sha1-etm@openssh.com', 'umac-128-etm@openssh.com'];
  for (const mac of macs) {
    test(`${cipher} + ${mac} matches independent ${cipher.slice(-3).toUpperCase()} and MAC byte for byte`, () => {
      const keys = keysFor(cipher, mac, 'kat');
      const sealer = createSealer(cipher, mac, keys);
      const opener = createOpener(cipher, mac, keys);
      const etm = macInfo(mac)!.etm;
      const blockSize = cipherInfo(cipher)!.blockSize;
      const packets = SIZES.map((size, i) => buildPacket(bytes(size, `kat/${i}`), blockSize, etm ? 4 : 0));
      // One stream per direction runs over every encrypted byte in order.
      const encryptedParts = packets.map((packet) => (etm ? packet.subarray(4) : packet));
      const stream = referenceStream(cipher, keys, Buffer.concat(encryptedParts));
      let offset = 0;
      packets.forEach((packet, i) => {
        const seq = SEQS[i]!;
        const part = stream.subarray(offset, (offset += encryptedParts[i]!.length));
        const ciphertext = etm ? Buffer.concat([packet.subarray(0, 4), part]) : part;
        const tag = referenceMac(mac, keys.macKey, seq, etm ? ciphertext : packet);
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
