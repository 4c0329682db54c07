import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  assembleAlgorithms,
  checkAlgorithmSpec,
  defaultAlgorithms,
  firstUnknownAlgorithm,
  SIGNATURE_ALGORITHMS,
} from '../../src/config/algorithms.js';
import {
  CIPHER_NAMES,
  DEFAULT_HOST_KEY_ALGORITHMS,
  HOST_CERT_NAMES,
  HOST_KEY_NAMES,
  KEX_NAMES,
  MAC_NAMES,
  SUPPORTED_CIPHER_NAMES,
  SUPPORTED_KEX_NAMES,
  SUPPORTED_MAC_NAMES,
} from '../../src/crypto/names.js';

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

test('legacy names are supported but off by default; + turns them on, in the order written', () => {
  assert.equal(checkAlgorithmSpec('cipher', '+aes128-cbc'), undefined);
  assert.deepEqual(assembleAlgorithms('cipher', '+aes128-cbc,3des-cbc'), [...CIPHER_NAMES, 'aes128-cbc', '3des-cbc']);
  assert.deepEqual(assembleAlgorithms('cipher', 'aes128-cbc'), ['aes128-cbc']);
  assert.deepEqual(assembleAlgorithms('kex', '+diffie-hellman-group1-sha1'), [...KEX_NAMES, 'diffie-hellman-group1-sha1']);
  assert.deepEqual(assembleAlgorithms('mac', '^hmac-md5'), ['hmac-md5', ...MAC_NAMES]);
  for (const name of SUPPORTED_CIPHER_NAMES) assert.equal(checkAlgorithmSpec('cipher', name), undefined, name);
  for (const name of SUPPORTED_MAC_NAMES) assert.equal(checkAlgorithmSpec('mac', name), undefined, name);
  for (const name of SUPPORTED_KEX_NAMES) assert.equal(checkAlgorithmSpec('kex', name), undefined, name);
  const legacy = SUPPORTED_CIPHER_NAMES.filter((name) => !(CIPHER_NAMES as readonly string[]).includes(name));
  assert.deepEqual(legacy, ['3des-cbc', 'aes128-cbc', 'aes192-cbc', 'aes256-cbc']);
});

test('names only OpenSSH 10.5 has are implemented: asked for, they are used, not skipped', () => {
  const skipped: string[] = [];
  assert.equal(checkAlgorithmSpec('kex', '+mlkem768nistp256-sha256'), undefined);
  assert.deepEqual(assembleAlgorithms('kex', '+mlkem768nistp256-sha256', (name) => skipped.push(name)), [...KEX_NAMES, 'mlkem768nistp256-sha256'] as string[]);
  assert.deepEqual(assembleAlgorithms('hostkey', 'ssh-mldsa44-ed25519@openssh.com,ssh-ed25519', (name) => skipped.push(name)), ['ssh-mldsa44-ed25519@openssh.com', 'ssh-ed25519']);
  assert.deepEqual(skipped, [] as string[]);
  // Patterns name no algorithm: nothing to report when they match nothing.
  assert.deepEqual(assembleAlgorithms('hostkey', 'ssh-ed25519,nothing-like-this*', (name) => skipped.push(name)), ['ssh-ed25519']);
  assert.deepEqual(skipped, [] as string[]);
});

test('names 10.x dropped are errors, as 10.x reports them, but for DSA, which tssh keeps for old gear', () => {
  // 10.0 removed DSA (tssh accepts it when asked for); 10.x takes no certificate names in CASignatureAlgorithms.
  assert.equal(checkAlgorithmSpec('hostkey', '+ssh-dss'), undefined);
  assert.equal(checkAlgorithmSpec('pubkey', 'ssh-dss-cert-v01@openssh.com'), undefined);
  assert.deepEqual(checkAlgorithmSpec('casig', 'ssh-ed25519-cert-v01@openssh.com'), {
    notes: [],
    message: "Bad key types 'ssh-ed25519-cert-v01@openssh.com'.",
  });
  assert.equal(checkAlgorithmSpec('casig', 'ssh-ed*'), undefined);
  assert.deepEqual(checkAlgorithmSpec('mac', 'hmac-ripemd160'), { notes: [], message: "Bad SSH2 MAC spec 'hmac-ripemd160'." });
  assert.deepEqual(checkAlgorithmSpec('cipher', 'blowfish-cbc'), { notes: [], message: "Bad SSH2 cipher spec 'blowfish-cbc'." });
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
  assert.equal(checkAlgorithmSpec('casig', '+sk-ssh-ed25519@openssh.com,webauthn-sk-ecdsa-sha2-nistp256@openssh.com'), undefined);
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
