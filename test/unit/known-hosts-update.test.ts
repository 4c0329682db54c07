/**
 * UpdateHostKeys' pure parts (OpenSSH clientloop.c / hostfile.c): filtering the server's offer, the
 * reasons an update is skipped, the hostkeys-prove signatures, and the known_hosts rewrite (kept,
 * removed, added and "fixed" lines, hashing, CheckHostIP's host,ip form).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateHostKeySigner } from '../../src/crypto/keys/private-key.js';
import { SshWriter } from '../../src/wire/writer.js';
import { hostKeyProofData, parseHostKeysOffer, planHostKeyUpdate, replaceHostEntries, verifyHostKeyProofs } from '../../src/hostkeys/update-host-keys.js';
import { DEFAULT_HOST_KEY_ALGORITHMS } from '../../src/crypto/names.js';

const ed = generateHostKeySigner('ssh-ed25519');
const ec = generateHostKeySigner('ecdsa-sha2-nistp256');
const rsa = generateHostKeySigner('ssh-rsa');
const old = generateHostKeySigner('ecdsa-sha2-nistp384');
const line = (name: string, key: { publicKey: { type: string; blob: Buffer } }): string => `${name} ${key.publicKey.type} ${key.publicKey.blob.toString('base64')}`;
const HOST = '[h.example]:2222';
const quiet = { error: () => {}, debug1: () => {}, debug3: () => {} };

function offer(...blobs: Buffer[]): Buffer {
  const w = new SshWriter(1024);
  for (const blob of blobs) w.string(blob);
  return Buffer.from(w.finish());
}

test('the offer: unknown types skipped, HostKeyAlgorithms applied (RSA via rsa-sha2-*), duplicates abort', () => {
  const unknown = Buffer.from(new SshWriter(64).string('ssh-foo').string(Buffer.alloc(4)).finish());
  const keys = parseHostKeysOffer(offer(ed.publicKey.blob, unknown, rsa.publicKey.blob), DEFAULT_HOST_KEY_ALGORITHMS, quiet);
  assert.ok(Array.isArray(keys));
  assert.deepEqual(keys.map((k) => k.type), ['ssh-ed25519', 'ssh-rsa']);
  const edOnly = parseHostKeysOffer(offer(ed.publicKey.blob, rsa.publicKey.blob), ['ssh-ed25519'], quiet);
  assert.deepEqual(Array.isArray(edOnly) && edOnly.map((k) => k.type), ['ssh-ed25519']);
  assert.equal(parseHostKeysOffer(offer(ed.publicKey.blob, ed.publicKey.blob), DEFAULT_HOST_KEY_ALGORITHMS, quiet), 'abort');
});

test('plan: new, retained and deprecated keys; skipped for markers, wildcards, other names', () => {
  const keys = [ed.publicKey, ec.publicKey];
  const files = (text: string) => [{ path: 'kh', text }];
  const plan = planHostKeyUpdate(keys, files(`${line(HOST, ed)}\n${line(HOST, old)}\n${line('other', rsa)}\n`), HOST, undefined, quiet);
  assert.deepEqual(plan.matches, [1, 0]);
  assert.equal(plan.oldKeys.length, 1);
  assert.equal(plan.skip, undefined);
  assert.equal(planHostKeyUpdate(keys, files(`${line(HOST, ed)}\n${line(HOST, ec)}\n`), HOST, undefined, quiet).skip, 'no new or deprecated keys from server');
  assert.match(planHostKeyUpdate(keys, files(`${line(HOST, ed)}\n@revoked ${line(HOST, rsa)}\n`), HOST, undefined, quiet).skip!, /^CA\/revocation marker/);
  assert.match(planHostKeyUpdate(keys, files(`${line('[h.*]:2222', ed)}\n`), HOST, undefined, quiet).skip!, /wildcard/);
  assert.match(planHostKeyUpdate(keys, files(`${line(HOST, ed)}\n${line('alias', ec)}\n`), HOST, undefined, quiet).skip!, /different name/);
  assert.match(planHostKeyUpdate(keys, files(`${line(HOST, ed)}\n${line(HOST, old)}\n${line('alias', old)}\n`), HOST, undefined, quiet).skip!, /exist under other names/);
});

test('proofs: each new key signs session id and key; a bad proof stops the update; RSA needs rsa-sha2 unless RSA was negotiated', () => {
  const sessionId = Buffer.from('session-id');
  const plan = planHostKeyUpdate([ed.publicKey, ec.publicKey, rsa.publicKey], [{ path: 'kh', text: `${line(HOST, ed)}\n` }], HOST, undefined, quiet);
  const proof = (signatures: Buffer[]) => offer(...signatures);
  const good = [ec.sign('ecdsa-sha2-nistp256', hostKeyProofData(sessionId, ec.publicKey.blob)), rsa.sign('rsa-sha2-512', hostKeyProofData(sessionId, rsa.publicKey.blob))];
  assert.deepEqual(verifyHostKeyProofs(plan, proof(good), sessionId, 'ssh-ed25519', quiet)?.map((k) => k.type), ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ssh-rsa']);
  const sha1 = [good[0]!, rsa.sign('ssh-rsa', hostKeyProofData(sessionId, rsa.publicKey.blob))];
  assert.deepEqual(verifyHostKeyProofs(plan, proof(sha1), sessionId, 'ssh-ed25519', quiet)?.map((k) => k.type), ['ssh-ed25519', 'ecdsa-sha2-nistp256']);
  const wrongSession = [ec.sign('ecdsa-sha2-nistp256', hostKeyProofData(Buffer.from('other'), ec.publicKey.blob)), good[1]!];
  assert.equal(verifyHostKeyProofs(plan, proof(wrongSession), sessionId, 'ssh-ed25519', quiet), undefined);
  assert.equal(verifyHostKeyProofs(plan, proof([good[0]!]), sessionId, 'ssh-ed25519', quiet), undefined);
});

test('rewrite: unrelated and matching lines kept in place, stale ones removed, new keys appended', () => {
  const text = `# comment\n${line(HOST, old)}\n${line('other.example', old)}\n${line(HOST, ed)}\n@cert-authority ${line(HOST, rsa)}\n`;
  const r = replaceHostEntries({ path: 'kh', text }, HOST, undefined, [ed.publicKey, ec.publicKey], false, () => 'FP');
  assert.equal(r.modified, true);
  assert.equal(r.text, `# comment\n${line('other.example', old)}\n${line(HOST, ed)}\n@cert-authority ${line(HOST, rsa)}\n${line(HOST, ec)}\n`);
  assert.deepEqual(r.log, [`kh:2: Removed ECDSA key for host ${HOST}`, `Adding new key for ${HOST} to kh: ecdsa-sha2-nistp256 FP`]);
  const none = replaceHostEntries({ path: 'kh', text: `${line(HOST, ed)}\n` }, HOST, undefined, [ed.publicKey], false, () => 'FP');
  assert.equal(none.modified, false);
  // Files after the first only lose the host's lines.
  assert.equal(replaceHostEntries({ path: 'kh2', text: `${line(HOST, ed)}\nx ${ed.publicKey.type} ${ed.publicKey.blob.toString('base64')}\n` }, HOST, undefined, [], false, () => '').text, line('x', ed) + '\n');
});

test('rewrite with CheckHostIP: host,ip lines, hashed as two lines, and partial matches fixed', () => {
  const ip = '[192.0.2.1]:2222';
  const added = replaceHostEntries({ path: 'kh', text: '' }, HOST, ip, [ed.publicKey], false, () => 'FP');
  assert.equal(added.text, `${line(`${HOST},${ip}`, ed)}\n`);
  const hashed = replaceHostEntries({ path: 'kh', text: '' }, HOST, ip, [ed.publicKey], true, () => 'FP');
  assert.match(hashed.text, /^\|1\|[^ ]+ ssh-ed25519 [^\n]+\n\|1\|[^ ]+ ssh-ed25519 [^\n]+\n$/);
  const fixed = replaceHostEntries({ path: 'kh', text: `${line(HOST, ed)}\n` }, HOST, ip, [ed.publicKey], false, () => 'FP');
  assert.equal(fixed.text, `${line(HOST, ed)}\n${line(ip, ed)}\n`);
  assert.deepEqual(fixed.log, [`Fixing match (address) for ${HOST},${ip} to kh: ssh-ed25519 FP`]);
});
