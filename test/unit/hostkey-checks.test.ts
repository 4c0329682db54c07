/**
 * Host-key handling by exact outcome: UpdateHostKeys' offer filter, plan and proof checks with every
 * log line ssh -vvv prints for them and the full skip reasons (see test/mutation/).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateHostKeySigner } from '../../src/crypto/keys/private-key.js';
import { SshWriter } from '../../src/wire/writer.js';
import { hostKeyProofData, parseHostKeysOffer, planHostKeyUpdate, verifyHostKeyProofs } from '../../src/hostkeys/update-host-keys.js';
import { DEFAULT_HOST_KEY_ALGORITHMS } from '../../src/crypto/names.js';

const ed = generateHostKeySigner('ssh-ed25519');
const ec = generateHostKeySigner('ecdsa-sha2-nistp256');
const rsa = generateHostKeySigner('ssh-rsa', 1024);
const old = generateHostKeySigner('ecdsa-sha2-nistp384');
const line = (name: string, key: { publicKey: { type: string; blob: Buffer } }): string => `${name} ${key.publicKey.type} ${key.publicKey.blob.toString('base64')}`;
const HOST = '[h.example]:2222';

function recorder(): { lines: string[]; error(m: string): void; debug1(m: string): void; debug3(m: string): void } {
  const lines: string[] = [];
  return { lines, error: (m) => void lines.push(`error: ${m}`), debug1: (m) => void lines.push(`debug1: ${m}`), debug3: (m) => void lines.push(`debug3: ${m}`) };
}

function offer(...blobs: Buffer[]): Buffer {
  const w = new SshWriter(1024);
  for (const blob of blobs) w.string(blob);
  return Buffer.from(w.finish());
}

test('the offer: each skipped key is logged with its reason; a cut blob or a repeated key aborts with an error', () => {
  const log = recorder();
  const unknown = Buffer.from(new SshWriter(64).string('ssh-foo').string(Buffer.alloc(4)).finish());
  const keys = parseHostKeysOffer(offer(ed.publicKey.blob, unknown, rsa.publicKey.blob, ec.publicKey.blob), ['ssh-ed25519', 'rsa-sha2-512'], log);
  assert.deepEqual(Array.isArray(keys) && keys.map((k) => k.type), ['ssh-ed25519', 'ssh-rsa']);
  assert.equal(log.lines.length, 2);
  assert.match(log.lines[0]!, /^debug1: client_input_hostkeys: convert key: /);
  assert.equal(log.lines[1], 'debug3: client_input_hostkeys: ecdsa-sha2-nistp256 key not permitted by HostkeyAlgorithms');
  // RSA keys count when either rsa-sha2 algorithm is allowed, and not with only ssh-rsa... or nothing RSA.
  for (const [algorithms, kept] of [[['rsa-sha2-256'], 1], [['rsa-sha2-512'], 1], [['ssh-ed25519'], 0]] as const) {
    const result = parseHostKeysOffer(offer(rsa.publicKey.blob), algorithms, recorder());
    assert.equal(Array.isArray(result) && result.length, kept, algorithms.join(','));
  }
  const duplicated = recorder();
  assert.equal(parseHostKeysOffer(offer(ed.publicKey.blob, ed.publicKey.blob), DEFAULT_HOST_KEY_ALGORITHMS, duplicated), 'abort');
  assert.deepEqual(duplicated.lines, ['error: client_input_hostkeys: received duplicated ssh-ed25519 host key']);
  const cut = recorder();
  assert.equal(parseHostKeysOffer(offer(ed.publicKey.blob).subarray(0, 10), DEFAULT_HOST_KEY_ALGORITHMS, cut), 'abort');
  assert.deepEqual(cut.lines, ['error: client_input_hostkeys: parse key: invalid format']);
});

test('the plan: every line it passes over is logged by file and line; the skip reasons in full', () => {
  const keys = [ed.publicKey, ec.publicKey];
  const files = (text: string) => [{ path: 'kh', text }];
  const log = recorder();
  const plan = planHostKeyUpdate(keys, files(`${line(HOST, ed)}\n${line(HOST, old)}\n${line('other', rsa)}\n${line('alias', ec)}\n`), HOST, undefined, log);
  assert.deepEqual(plan.matches, [1, 0]);
  assert.deepEqual(plan.oldKeys, [old.publicKey.blob]);
  assert.deepEqual(log.lines, [
    'debug3: hostkeys_find: deprecated ecdsa-sha2-nistp384 key at kh:2',
    'debug3: hostkeys_find: found ecdsa-sha2-nistp256 key under different name/addr at kh:4',
  ]);
  assert.equal(plan.skip, 'host key found matching a different name/address, skipping UserKnownHostsFile update');
  const marker = recorder();
  assert.equal(
    planHostKeyUpdate(keys, files(`${line(HOST, ed)}\n@revoked ${line(HOST, rsa)}\n`), HOST, undefined, marker).skip,
    'CA/revocation marker, manual host list or wildcard host pattern found, skipping UserKnownHostsFile update',
  );
  assert.deepEqual(marker.lines, ['debug3: hostkeys_find: hostkeys file kh:2 has CA/revocation marker']);
  const wildcard = recorder();
  planHostKeyUpdate(keys, files(`${line('[h.*]:2222', ed)}\n${line(`${HOST},a,b`, ec)}\n`), HOST, undefined, wildcard);
  assert.deepEqual(wildcard.lines, ['debug3: hostkeys_find: hostkeys file kh:1 complex host specification', 'debug3: hostkeys_find: hostkeys file kh:2 complex host specification']);
  // host,ip is not complex; host,ip,more is.
  assert.equal(planHostKeyUpdate(keys, files(`${HOST},10.0.0.1 ${ed.publicKey.type} ${ed.publicKey.blob.toString('base64')}\n`), HOST, '10.0.0.1', recorder()).skip, undefined);
  assert.equal(
    planHostKeyUpdate(keys, files(`${line(HOST, ed)}\n${line(HOST, ec)}\n`), HOST, undefined, recorder()).skip,
    'no new or deprecated keys from server',
  );
  assert.equal(
    planHostKeyUpdate(keys, files(`${line(HOST, ed)}\n${line(HOST, old)}\n${line('alias', old)}\n`), HOST, undefined, recorder()).skip,
    `key(s) for ${HOST} exist under other names; skipping UserKnownHostsFile update`,
  );
  assert.equal(
    planHostKeyUpdate(keys, files(`${HOST},10.0.0.1 ${old.publicKey.type} ${old.publicKey.blob.toString('base64')}\n${line('alias', old)}\n${line(HOST, ed)}\n`), HOST, '10.0.0.1', recorder()).skip,
    `key(s) for ${HOST},10.0.0.1 exist under other names; skipping UserKnownHostsFile update`,
  );
});

test('the proofs: an untrusted RSA signature type is logged and that key dropped; a bad or missing proof is an error', () => {
  const sessionId = Buffer.from('session-id');
  const plan = planHostKeyUpdate([ed.publicKey, ec.publicKey, rsa.publicKey], [{ path: 'kh', text: `${line(HOST, ed)}\n` }], HOST, undefined, recorder());
  const ecProof = ec.sign('ecdsa-sha2-nistp256', hostKeyProofData(sessionId, ec.publicKey.blob));
  const log = recorder();
  const kept = verifyHostKeyProofs(plan, offer(ecProof, rsa.sign('ssh-rsa', hostKeyProofData(sessionId, rsa.publicKey.blob))), sessionId, 'ssh-ed25519', log);
  assert.deepEqual(kept?.map((k) => k.type), ['ssh-ed25519', 'ecdsa-sha2-nistp256']);
  assert.deepEqual(log.lines, ['debug1: client_global_hostkeys_prove_confirm: server used untrusted RSA signature algorithm ssh-rsa for key 2, disregarding']);
  // With RSA negotiated for the session, its signature type is the one the proof must use.
  for (const negotiated of ['rsa-sha2-256', 'rsa-sha2-256-cert-v01@openssh.com']) {
    const rsaProof = rsa.sign('rsa-sha2-256', hostKeyProofData(sessionId, rsa.publicKey.blob));
    assert.deepEqual(verifyHostKeyProofs(plan, offer(ecProof, rsaProof), sessionId, negotiated, recorder())?.map((k) => k.type), ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ssh-rsa'], negotiated);
    const other = rsa.sign('rsa-sha2-512', hostKeyProofData(sessionId, rsa.publicKey.blob));
    const refused = recorder();
    assert.equal(verifyHostKeyProofs(plan, offer(ecProof, other), sessionId, negotiated, refused), undefined);
    assert.deepEqual(refused.lines, ['error: client_global_hostkeys_prove_confirm: server gave bad signature for ssh-rsa key 2']);
  }
  const bad = recorder();
  const wrong = ec.sign('ecdsa-sha2-nistp256', hostKeyProofData(Buffer.from('other'), ec.publicKey.blob));
  assert.equal(verifyHostKeyProofs(plan, offer(wrong), sessionId, 'ssh-ed25519', bad), undefined);
  assert.deepEqual(bad.lines, ['error: client_global_hostkeys_prove_confirm: server gave bad signature for ecdsa-sha2-nistp256 key 1']);
  const short = recorder();
  assert.equal(verifyHostKeyProofs(plan, offer(ecProof), sessionId, 'ssh-ed25519', short), undefined);
  assert.equal(short.lines.length, 1);
  assert.match(short.lines[0]!, /^error: client_global_hostkeys_prove_confirm: /);
  const trailing = recorder();
  const rsaProof = rsa.sign('rsa-sha2-512', hostKeyProofData(sessionId, rsa.publicKey.blob));
  assert.equal(verifyHostKeyProofs(plan, Buffer.concat([offer(ecProof, rsaProof), Buffer.from([0])]), sessionId, 'ssh-ed25519', trailing), undefined);
  assert.equal(trailing.lines.length, 1);
});
