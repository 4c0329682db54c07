import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  MLKEM768_CIPHERTEXT_BYTES,
  MLKEM768_PUBLIC_BYTES,
  loadMlKem768,
} from '../../src/crypto/kex/mlkem768x25519.js';
import { createKexClient, createKexServer } from '../../src/crypto/kex/index.js';
import { generateHostKeySigner } from '../../src/crypto/keys/index.js';
import { SshReader } from '../../src/wire/reader.js';

test('ML-KEM-768 accumulated known answers (100 vectors, SHAKE-128 driven; value from Go crypto/mlkem)', () => {
  // Inputs come from one SHAKE-128 stream over the empty string: per vector a 64-byte seed (d || z),
  // a 32-byte encapsulation message and a 1088-byte random ciphertext for implicit rejection. The
  // outputs ek, ct, k and k' are absorbed by a second SHAKE-128 whose 32-byte digest is published.
  const kem = loadMlKem768();
  const n = 100;
  const perVector = 64 + 32 + MLKEM768_CIPHERTEXT_BYTES;
  const stream = createHash('shake128', { outputLength: n * perVector }).digest();
  const out = createHash('shake128', { outputLength: 32 });
  for (let i = 0; i < n; i++) {
    const base = i * perVector;
    const { publicKey, secretKey } = kem.keygen(stream.subarray(base, base + 64));
    assert.equal(publicKey.length, MLKEM768_PUBLIC_BYTES);
    out.update(publicKey);
    const { cipherText, sharedSecret } = kem.encapsulate(publicKey, stream.subarray(base + 64, base + 96));
    assert.equal(cipherText.length, MLKEM768_CIPHERTEXT_BYTES);
    assert.deepEqual(kem.decapsulate(cipherText, secretKey), sharedSecret);
    out.update(cipherText).update(sharedSecret);
    out.update(kem.decapsulate(stream.subarray(base + 96, base + perVector), secretKey));
  }
  assert.equal(out.digest('hex'), '1114b1b6699ed191734fa339376afa7e285c9e6acf6ff0177d346696ce564415');
});

test('mlkem768x25519-sha256 message sizes: C_INIT 1216 bytes, S_REPLY 1120, K a 32-byte string', () => {
  const prefix = { clientVersion: 'SSH-2.0-a', serverVersion: 'SSH-2.0-b', clientKexinit: Buffer.from([20]), serverKexinit: Buffer.from([20]) };
  const hostKey = generateHostKeySigner('ssh-ed25519');
  const client = createKexClient('mlkem768x25519-sha256', prefix);
  const [init] = client.start().send;
  const r = new SshReader(init!);
  assert.equal(r.byte(), 30);
  assert.equal(r.string().length, 1184 + 32);
  r.end();
  const server = createKexServer('mlkem768x25519-sha256', prefix, hostKey, 'ssh-ed25519');
  const { send, result } = server.handle(init!);
  const reply = new SshReader(send[0]!);
  assert.equal(reply.byte(), 31);
  reply.string();
  assert.equal(reply.string().length, 1088 + 32);
  reply.string();
  reply.end();
  assert.equal(result!.sharedSecret.length, 4 + 32);
  assert.equal(result!.sharedSecret.readUInt32BE(0), 32);
  assert.ok(client.handle(send[0]!).result!.sharedSecret.equals(result!.sharedSecret));
});

test('@noble/post-quantum is loaded only when the hybrid method is used', () => {
  const kexModule = new URL('../../src/crypto/kex/index.js', import.meta.url).href;
  const script = `
    import { createRequire } from 'node:module';
    const require = createRequire(import.meta.url);
    const loaded = () => Object.keys(require.cache).some((k) => k.includes('post-quantum'));
    const { createKexClient } = await import(${JSON.stringify(kexModule)});
    const prefix = { clientVersion: 'a', serverVersion: 'b', clientKexinit: Buffer.alloc(1), serverKexinit: Buffer.alloc(1) };
    createKexClient('curve25519-sha256', prefix).start();
    const before = loaded();
    createKexClient('mlkem768x25519-sha256', prefix).start();
    console.log(JSON.stringify({ before, after: loaded() }));`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { timeout: 30_000, encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
  assert.equal(child.stderr, '', 'require() of the ES module must not print warnings');
  assert.deepEqual(JSON.parse(child.stdout), { before: false, after: true });
});
