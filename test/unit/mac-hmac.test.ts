import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { md5, sha1 } from '@noble/hashes/legacy.js';
import { TsshError } from '../../src/errors.js';
import { PacketHmac, corruptedMac, hmacInfo, tagsEqual } from '../../src/crypto/mac/hmac.js';
import { bytes } from './protection-fixtures.js';

test('hmac-sha1 reproduces RFC 2202 test case 1 (seq supplies the first 4 message bytes)', () => {
  const mac = new PacketHmac('hmac-sha1', Buffer.alloc(20, 0x0b));
  const seq = Buffer.from('Hi T').readUInt32BE(0);
  assert.equal(mac.compute(seq, Buffer.from('here')).toString('hex'), 'b617318655057264e28bc0b6fb378c8ef146be00');
  // Split input hashes the same as joined input.
  assert.equal(mac.compute(seq, Buffer.from('he'), Buffer.from('re')).toString('hex'), 'b617318655057264e28bc0b6fb378c8ef146be00');
});

test('legacy HMACs reproduce RFC 2202: hmac-md5 test case 1, and the -96 forms send the first 12 bytes', () => {
  const seq = Buffer.from('Hi T').readUInt32BE(0);
  assert.equal(new PacketHmac('hmac-md5', Buffer.alloc(16, 0x0b)).compute(seq, Buffer.from('here')).toString('hex'), '9294727a3638bb1c13f48ef8158bfc9d');
  // RFC 2202 test case 5 gives the truncated digests: key 0x0c * n, "Test With Truncation".
  const truncation = Buffer.from('Test With Truncation');
  const seq5 = truncation.readUInt32BE(0);
  const md5Tag = new PacketHmac('hmac-md5-96', Buffer.alloc(16, 0x0c)).compute(seq5, truncation.subarray(4));
  assert.equal(md5Tag.toString('hex'), '56461ef2342edc00f9bab995');
  const sha1Tag = new PacketHmac('hmac-sha1-96-etm@openssh.com', Buffer.alloc(20, 0x0c)).compute(seq5, truncation.subarray(4));
  assert.equal(sha1Tag.toString('hex'), '4c1a03424b55e07fe7f27be1');
});

test('every HMAC matches noble over uint32 seq || data, for plain and -etm variants', () => {
  const hashes = { 'hmac-sha1': sha1, 'hmac-sha2-256': sha256, 'hmac-sha2-512': sha512, 'hmac-md5': md5, 'hmac-sha1-96': sha1, 'hmac-md5-96': md5 };
  for (const [base, hash] of Object.entries(hashes)) {
    for (const name of [base, `${base}-etm@openssh.com`]) {
      const info = hmacInfo(name)!;
      const key = bytes(info.keyLength, name);
      const mac = new PacketHmac(name, key);
      for (const seq of [0, 1, 0x8000_0000, 0xffff_ffff]) {
        const data = bytes(100 + (seq & 7), `data/${seq}`);
        const seqBytes = Buffer.alloc(4);
        seqBytes.writeUInt32BE(seq);
        const expected = Buffer.from(hmac(hash, key, Buffer.concat([seqBytes, data]))).subarray(0, base.endsWith('-96') ? 12 : undefined);
        assert.deepEqual(mac.compute(seq, data), expected);
        assert.equal(expected.length, info.macLength);
        mac.verify(seq, expected, data.subarray(0, 10), data.subarray(10));
        const wrong = Buffer.from(expected);
        wrong[wrong.length - 1]! ^= 1;
        assert.throws(() => mac.verify(seq, wrong, data), (err: unknown) => err instanceof TsshError && err.code === 'MAC');
      }
    }
  }
});

test('tagsEqual is false for different lengths instead of throwing', () => {
  assert.equal(tagsEqual(Buffer.alloc(16), Buffer.alloc(15)), false);
  assert.equal(tagsEqual(Buffer.alloc(16), Buffer.alloc(16)), true);
  assert.equal(corruptedMac().message, 'Corrupted MAC on input.');
});
