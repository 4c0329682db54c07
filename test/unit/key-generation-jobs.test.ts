/**
 * Node 20 deadlocks when a garbage collection frees a key-generation job while the key it made is in
 * use (exported, signing): the job's destructor waits for the key's lock, which the main thread holds.
 * A connection then hangs at 0% CPU after the server's KEXINIT (seen in CI under load, the main thread
 * in ~KeyGenJob). So the keys made per connection, and the fresh keys tests and in-process servers
 * use, are made without one: these tests see every async resource created and refuse
 * KEYPAIRGENREQUEST. RSA is the exception (generateHostKeySigner re-imports it at once).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHook } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { SUPPORTED_KEX_NAMES } from '../../src/crypto/names.js';
import { createKexClient, createKexServer, type KexHashPrefix } from '../../src/crypto/kex/index.js';
import { freshPrivateKeyObject, generateHostKeySigner } from '../../src/crypto/keys/private-key.js';

const prefix: KexHashPrefix = {
  clientVersion: 'SSH-2.0-tssh_test',
  serverVersion: 'SSH-2.0-OpenSSH_10.3',
  clientKexinit: Buffer.concat([Buffer.from([20]), randomBytes(64)]),
  serverKexinit: Buffer.concat([Buffer.from([20]), randomBytes(64)]),
};

/** The types of the async resources `work` created. */
function asyncResourcesOf(work: () => void): string[] {
  const types: string[] = [];
  const hook = createHook({ init: (_id, type) => void types.push(type) }).enable();
  try {
    work();
  } finally {
    hook.disable();
  }
  return types;
}

test('key exchanges make their ephemeral keys without a key-generation job, on both sides', () => {
  const hostKey = generateHostKeySigner('ssh-ed25519');
  const exchanges = SUPPORTED_KEX_NAMES.filter((name) => !name.startsWith('diffie-hellman'));
  assert.ok(exchanges.includes('curve25519-sha256') && exchanges.includes('sntrup761x25519-sha512') && exchanges.includes('mlkem768x25519-sha256'));
  for (const name of exchanges) {
    const types = asyncResourcesOf(() => {
      const init = createKexClient(name, prefix).start().send[0]!;
      createKexServer(name, prefix, hostKey, 'ssh-ed25519').handle(init);
    });
    assert.ok(!types.includes('KEYPAIRGENREQUEST'), `${name}: ${types.join(', ')}`);
  }
});

test('fresh Ed25519 and ECDSA keys are made without a key-generation job', () => {
  for (const type of ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521'] as const) {
    let made: unknown;
    const types = asyncResourcesOf(() => (made = freshPrivateKeyObject(type)));
    assert.ok(made !== undefined);
    assert.ok(!types.includes('KEYPAIRGENREQUEST'), `${type}: ${types.join(', ')}`);
    const signer = generateHostKeySigner(type);
    assert.equal(signer.type, type);
  }
});
