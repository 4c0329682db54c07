import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  assembleAlgorithms,
  checkAlgorithmSpec,
  defaultAlgorithms,
  firstUnknownAlgorithm,
  SIGNATURE_ALGORITHMS,
} from '../../src/config/algorithms.js';
import { CIPHER_NAMES, DEFAULT_HOST_KEY_ALGORITHMS, HOST_CERT_NAMES, HOST_KEY_NAMES, KEX_NAMES, MAC_NAMES } from '../../src/crypto/names.js';

test('defaults are the names.ts lists as they stand', () => {
  assert.deepEqual(defaultAlgorithms('cipher'), [...CIPHER_NAMES]);
  assert.deepEqual(defaultAlgorithms('mac'), [...MAC_NAMES]);
  assert.deepEqual(defaultAlgorithms('kex'), [...KEX_NAMES]);
  // Host certificates first, then plain keys, as OpenSSH 9.2 proposes them.
  assert.deepEqual(defaultAlgorithms('hostkey'), [...HOST_CERT_NAMES, ...HOST_KEY_NAMES]);
  assert.deepEqual(defaultAlgorithms('casig'), [...HOST_KEY_NAMES]);
  assert.deepEqual(assembleAlgorithms('cipher', undefined), [...CIPHER_NAMES]);
});

test('a plain list replaces the defaults, in the given order, without duplicates or empty entries', () => {
  assert.deepEqual(assembleAlgorithms('cipher', 'aes256-ctr,aes128-ctr,aes256-ctr,,aes128-ctr'), ['aes256-ctr', 'aes128-ctr']);
});

test('+ appends, ^ prepends (moving the name), - removes with wildcards', () => {
  const defaults = [...CIPHER_NAMES];
  assert.deepEqual(assembleAlgorithms('cipher', '+aes128-ctr'), defaults);
  assert.deepEqual(assembleAlgorithms('cipher', '^aes256-gcm@openssh.com'), [
    'aes256-gcm@openssh.com',
    ...defaults.filter((n) => n !== 'aes256-gcm@openssh.com'),
  ]);
  assert.deepEqual(assembleAlgorithms('cipher', '-aes*'), defaults.filter((n) => !n.startsWith('aes')));
  assert.deepEqual(assembleAlgorithms('cipher', '-aes*,chacha*'), []);
  assert.deepEqual(assembleAlgorithms('cipher', '-nothing-matches'), defaults);
  assert.deepEqual(
    assembleAlgorithms('mac', '-*-etm@openssh.com'),
    [...MAC_NAMES].filter((n) => !n.endsWith('-etm@openssh.com')),
  );
});

test('names OpenSSH knows but tssh lacks are accepted and dropped', () => {
  assert.equal(checkAlgorithmSpec('cipher', '+aes128-cbc'), undefined);
  assert.deepEqual(assembleAlgorithms('cipher', '+aes128-cbc'), [...CIPHER_NAMES]);
  assert.deepEqual(assembleAlgorithms('cipher', 'aes128-cbc'), []);
  assert.equal(checkAlgorithmSpec('kex', '+diffie-hellman-group1-sha1'), undefined);
  assert.equal(checkAlgorithmSpec('hostkey', '+ssh-dss'), undefined);
});

test('key-type lists take wildcards, expanded in the supported order', () => {
  // OpenSSH's key table order: each plain name followed by its certificate name.
  assert.deepEqual(assembleAlgorithms('hostkey', 'ssh-ed*'), ['ssh-ed25519', 'ssh-ed25519-cert-v01@openssh.com']);
  assert.deepEqual(assembleAlgorithms('hostkey', 'rsa-*'), [
    'rsa-sha2-256',
    'rsa-sha2-256-cert-v01@openssh.com',
    'rsa-sha2-512',
    'rsa-sha2-512-cert-v01@openssh.com',
  ]);
  assert.deepEqual(assembleAlgorithms('hostkey', '+ssh-rsa'), [...DEFAULT_HOST_KEY_ALGORITHMS, 'ssh-rsa']);
  // DSA and ML-DSA/Ed25519 are implemented but, as in OpenSSH, never proposed unless asked for.
  for (const cls of ['hostkey', 'pubkey'] as const) {
    assert.ok(!defaultAlgorithms(cls).some((n) => n.startsWith('ssh-dss') || n.startsWith('ssh-mldsa')), cls);
  }
  assert.deepEqual(assembleAlgorithms('hostkey', '+ssh-dss,ssh-mldsa44-ed25519@openssh.com'), [...DEFAULT_HOST_KEY_ALGORITHMS, 'ssh-dss', 'ssh-mldsa44-ed25519@openssh.com']);
  assert.deepEqual(assembleAlgorithms('hostkey', '-ecdsa*'), DEFAULT_HOST_KEY_ALGORITHMS.filter((n) => !n.startsWith('ecdsa')));
  assert.deepEqual(assembleAlgorithms('hostkey', '-*-cert-*'), [...HOST_KEY_NAMES]);
  assert.deepEqual(assembleAlgorithms('casig', '-*nist*'), ['ssh-ed25519', 'sk-ssh-ed25519@openssh.com', 'rsa-sha2-512', 'rsa-sha2-256']);
  assert.deepEqual(assembleAlgorithms('casig', '+ssh-rsa'), [...HOST_KEY_NAMES, 'ssh-rsa']);
  assert.equal(checkAlgorithmSpec('casig', '+sk-ssh-ed25519@openssh.com,ssh-ed25519-cert-v01@openssh.com'), undefined);
  assert.ok(SIGNATURE_ALGORITHMS.includes('ssh-rsa'));
  assert.equal(checkAlgorithmSpec('hostkey', 'ssh-ed*'), undefined);
  assert.deepEqual(checkAlgorithmSpec('hostkey', 'ssh-rsa,foo*'), { notes: [], message: "Bad key types 'ssh-rsa,foo*'." });
});

test('invalid specs: OpenSSH wording per class; wildcards only for key types; - never rejected', () => {
  assert.deepEqual(checkAlgorithmSpec('cipher', 'foo'), { notes: [], message: "Bad SSH2 cipher spec 'foo'." });
  assert.deepEqual(checkAlgorithmSpec('cipher', 'aes*'), { notes: [], message: "Bad SSH2 cipher spec 'aes*'." });
  assert.deepEqual(checkAlgorithmSpec('cipher', '^aes*'), { notes: [], message: "Bad SSH2 cipher spec '^aes*'." });
  assert.deepEqual(checkAlgorithmSpec('cipher', 'AES128-CTR'), { notes: [], message: "Bad SSH2 cipher spec 'AES128-CTR'." });
  assert.deepEqual(checkAlgorithmSpec('cipher', 'none'), { notes: [], message: "Bad SSH2 cipher spec 'none'." });
  assert.deepEqual(checkAlgorithmSpec('mac', 'hmac*'), { notes: [], message: "Bad SSH2 MAC spec 'hmac*'." });
  assert.deepEqual(checkAlgorithmSpec('kex', 'foo'), {
    notes: ['Unsupported KEX algorithm "foo"'],
    message: "Bad SSH2 KexAlgorithms 'foo'.",
  });
  assert.equal(checkAlgorithmSpec('cipher', '-foo'), undefined);
  // As in OpenSSH, checking stops at the first empty entry.
  assert.equal(firstUnknownAlgorithm('cipher', 'aes128-ctr,,foo'), undefined);
  assert.equal(firstUnknownAlgorithm('cipher', ''), '');
});
