import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv } from 'node:crypto';
import { ChachaHeaderKey } from '../../src/crypto/cipher/chacha-header.js';
import { bytes } from './protection-fixtures.js';

test("the JavaScript length-field keystream is node:crypto's original ChaCha20 block 0 for every sequence number shape", () => {
  const key = bytes(32, 'chacha-header/key');
  const header = new ChachaHeaderKey(key);
  const iv = Buffer.alloc(16); // LE64 block counter 0, then the nonce: uint64 BE sequence number
  for (const seq of [0, 1, 0xff, 0x100, 0xffff, 0x1234_5678, 0x7fff_ffff, 0x8000_0000, 0xffff_fffe, 0xffff_ffff]) {
    iv.writeUInt32BE(seq, 12);
    const data = bytes(4, `chacha-header/${seq}`);
    assert.deepEqual(header.apply(seq, data), createCipheriv('chacha20', key, iv).update(data), `seq ${seq}`);
  }
});
