import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  MLKEM768_CIPHERTEXT_BYTES,
  MLKEM768_PUBLIC_BYTES,
  loadMlKem768,
} from '../../src/crypto/kex/mlkem768x25519.js';
import { nobleMlKem768, wasmMlKem768 } from '../../src/crypto/kex/mlkem768.js';
import { createKexClient, createKexServer } from '../../src/crypto/kex/index.js';
import { generateHostKeySigner } from '../../src/crypto/keys/index.js';
import { SshReader } from '../../src/wire/reader.js';

for (const [label, make] of [['WebAssembly', wasmMlKem768], ['@noble/post-quantum', nobleMlKem768]] as const) {
  test(`ML-KEM-768 accumulated known answers, ${label} (100 vectors, SHAKE-128 driven; value from Go crypto/mlkem)`, () => {
    // Inputs come from one SHAKE-128 stream over the empty string: per vector a 64-byte seed (d || z),
    // a 32-byte encapsulation message and a 1088-byte random ciphertext for implicit rejection. The
    // outputs ek, ct, k and k' are absorbed by a second SHAKE-128 whose 32-byte digest is published.
    const kem = make();
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
}

test('the process-wide ML-KEM-768 is the WebAssembly one, and agrees with @noble/post-quantum on random keys', () => {
  const kem = loadMlKem768();
  const noble = nobleMlKem768();
  assert.notEqual(kem, noble);
  for (let i = 0; i < 5; i++) {
    const seed = randomBytes(64);
    const ours = kem.keygen(seed);
    const theirs = noble.keygen(seed);
    assert.deepEqual(ours, theirs);
    const sealed = noble.encapsulate(ours.publicKey);
    assert.deepEqual(kem.decapsulate(sealed.cipherText, ours.secretKey), sealed.sharedSecret);
    const message = randomBytes(32);
    assert.deepEqual(kem.encapsulate(theirs.publicKey, message), noble.encapsulate(theirs.publicKey, message));
  }
});

test('encapsulation rejects a public key with an unreduced coefficient (FIPS 203 modulus check)', () => {
  const kem = wasmMlKem768();
  const { publicKey } = kem.keygen(randomBytes(64));
  // The first coefficient is the low 12 bits of bytes 0-1; 3329 (= q) is the smallest unreduced value.
  const bad = Uint8Array.from(publicKey);
  bad[0] = 3329 & 0xff;
  bad[1] = (bad[1]! & 0xf0) | (3329 >> 8);
  assert.throws(() => kem.encapsulate(bad), /invalid public key/);
  assert.throws(() => nobleMlKem768().encapsulate(bad));
  // The same check on the last coefficient (the high 12 bits of bytes 1150-1151).
  const last = Uint8Array.from(publicKey);
  last[1151] = 0xff;
  last[1150] = last[1150]! | 0xf0;
  assert.throws(() => kem.encapsulate(last), /invalid public key/);
  assert.throws(() => kem.encapsulate(publicKey.subarray(1)), /must be 1184 bytes/);
});

test('decapsulation rejects a secret key whose public-key hash does not match (FIPS 203 hash check)', () => {
  const kem = wasmMlKem768();
  const { publicKey, secretKey } = kem.keygen(randomBytes(64));
  const { cipherText } = kem.encapsulate(publicKey);
  const bad = Uint8Array.from(secretKey);
  bad[1152 + 1184] = bad[1152 + 1184]! ^ 1; // first byte of H(ek)
  assert.throws(() => kem.decapsulate(cipherText, bad), /invalid secret key/);
  assert.throws(() => kem.decapsulate(cipherText.subarray(1), secretKey), /must be 1088 bytes/);
});

test('an altered ciphertext gives the implicit-rejection key, not an error', () => {
  const kem = wasmMlKem768();
  const seed = randomBytes(64);
  const { publicKey, secretKey } = kem.keygen(seed);
  const { cipherText, sharedSecret } = kem.encapsulate(publicKey);
  const altered = Uint8Array.from(cipherText);
  altered[500] = altered[500]! ^ 0x10;
  const rejected = kem.decapsulate(altered, secretKey);
  assert.notDeepEqual(rejected, sharedSecret);
  // K-bar = SHAKE-256(z || c, 32) with z the seed's second half.
  const expected = createHash('shake256', { outputLength: 32 }).update(seed.subarray(32)).update(altered).digest();
  assert.deepEqual(Buffer.from(rejected), expected);
});

test('the WebAssembly memory holds no secret after a call (stack and I/O area wiped)', () => {
  const kem = wasmMlKem768();
  const seed = randomBytes(64);
  const { publicKey, secretKey } = kem.keygen(seed);
  const { cipherText, sharedSecret } = kem.encapsulate(publicKey);
  kem.decapsulate(cipherText, secretKey);
  const memory = Buffer.from(kem.memory());
  for (const secret of [seed.subarray(0, 32), seed.subarray(32), secretKey.subarray(0, 32), secretKey.subarray(600, 632), sharedSecret]) {
    assert.equal(memory.indexOf(Buffer.from(secret)), -1);
  }
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

test('ML-KEM is made only when the hybrid method is used, and @noble/post-quantum only without WebAssembly', () => {
  const kexModule = new URL('../../src/crypto/kex/index.js', import.meta.url).href;
  const script = `
    import { createRequire } from 'node:module';
    const require = createRequire(import.meta.url);
    const nobleLoaded = () => Object.keys(require.cache).some((k) => k.includes('post-quantum'));
    let modules = 0;
    if (typeof WebAssembly === 'object') {
      const compile = WebAssembly.Module;
      WebAssembly.Module = function (bytes) { modules++; return new compile(bytes); };
    }
    const { createKexClient } = await import(${JSON.stringify(kexModule)});
    const prefix = { clientVersion: 'a', serverVersion: 'b', clientKexinit: Buffer.alloc(1), serverKexinit: Buffer.alloc(1) };
    createKexClient('curve25519-sha256', prefix).start();
    const before = { modules, noble: nobleLoaded() };
    createKexClient('mlkem768x25519-sha256', prefix).start();
    console.log(JSON.stringify({ before, after: { modules, noble: nobleLoaded() } }));`;
  const run = (flags: string[]): unknown => {
    const child = spawnSync(process.execPath, [...flags, '--input-type=module', '-e', script], { timeout: 30_000, encoding: 'utf8' });
    assert.equal(child.status, 0, child.stderr);
    // (--jitless itself warns that it disables WebAssembly.)
    const warnings = child.stderr.split('\n').filter((line) => line !== '' && !line.includes('--expose_wasm'));
    assert.deepEqual(warnings, [], 'require() of the ES module must not print warnings');
    return JSON.parse(child.stdout);
  };
  assert.deepEqual(run([]), { before: { modules: 0, noble: false }, after: { modules: 1, noble: false } });
  // --jitless has no WebAssembly: the same exchange runs on @noble/post-quantum.
  assert.deepEqual(run(['--jitless']), { before: { modules: 0, noble: false }, after: { modules: 0, noble: true } });
});
