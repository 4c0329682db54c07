/**
 * known_hosts parsing and the host-key verdict at their edges, by exact outcome (see test/mutation/):
 * every reason a line is skipped, the structural checks of a key blob, and which entries make a key
 * known, changed or revoked, for plain keys and for certificates (OpenSSH hostfile.c,
 * check_key_in_hostkeys).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateHostKeySigner } from '../../src/crypto/keys/private-key.js';
import type { OpenSSHCertificate } from '../../src/crypto/keys/certificate.js';
import { checkKeyInHostKeys, entriesForName, hasCertAuthority, hasKeyOfType } from '../../src/hostkeys/host-status.js';
import { keyBlobProblem } from '../../src/hostkeys/key-blob.js';
import { hashHostName, parseKnownHosts } from '../../src/hostkeys/known-hosts.js';
import { SshWriter } from '../../src/wire/writer.js';

const ed = generateHostKeySigner('ssh-ed25519').publicKey;
const ed2 = generateHostKeySigner('ssh-ed25519').publicKey;
const ec = generateHostKeySigner('ecdsa-sha2-nistp256').publicKey;
const ca = generateHostKeySigner('ssh-ed25519').publicKey;
const b64 = (blob: Buffer): string => blob.toString('base64');
const keyText = (k: { type: string; blob: Buffer }): string => `${k.type} ${b64(k.blob)}`;

/** A blob of `type` followed by the given SSH strings. */
function blob(type: string, ...fields: Buffer[]): Buffer {
  const w = new SshWriter(256).string(type);
  for (const f of fields) w.string(f);
  return Buffer.from(w.finish());
}

test('every skipped line says why, in file order, with its line number', () => {
  const salt = Buffer.alloc(20, 7).toString('base64');
  const lines = [
    '# a comment',
    '',
    '   ',
    '@unknown host ' + keyText(ed),
    '@revoked @cert-authority host ' + keyText(ed),
    '@revoked',
    'host',
    'host #ssh-ed25519 AAAA',
    'host ssh-ed25519\u0001x AAAA',
    'host ssh-ed25519',
    'host ssh-ed25519 AAAA*AAA',
    'host ssh-ed25519 AAA',
    '|2|x|y ' + keyText(ed),
    '|1|' + salt + ' ' + keyText(ed),
    '||1 ' + keyText(ed),
    '|1||abc ' + keyText(ed),
    `|1|${'A'.repeat(1028)}|abc ${keyText(ed)}`,
    '|1|AAAA|abc ' + keyText(ed),
    '|1|!!!!|abc ' + keyText(ed),
    `host ${keyText(ed)} a  comment\r`,
  ];
  const parsed = parseKnownHosts('kh', lines.join('\n'));
  assert.deepEqual(
    parsed.malformed.map((m) => `${m.file}:${m.line} ${m.reason}`),
    [
      'kh:4 invalid marker "@unknown"',
      'kh:5 more than one marker',
      'kh:6 no host names',
      'kh:7 truncated before key type',
      'kh:8 truncated before key type',
      'kh:9 invalid key type "ssh-ed25519\u0001x"',
      'kh:10 truncated after key type',
      'kh:11 key is not valid base64',
      'kh:12 key is not valid base64',
      'kh:13 bad host hash: invalid magic identifier',
      'kh:14 bad host hash: missing salt termination character',
      'kh:15 bad host hash: invalid magic identifier',
      'kh:16 bad host hash: bad encoded salt length',
      'kh:17 bad host hash: bad encoded salt length',
      'kh:18 bad host hash: bad salt',
      'kh:19 bad host hash: bad salt',
    ],
  );
  assert.equal(parsed.entries.length, 1);
  const [entry] = parsed.entries;
  assert.deepEqual({ ...entry, keyBlob: b64(entry!.keyBlob) }, { file: 'kh', line: 20, marker: undefined, hosts: 'host', hashSalt: undefined, keyType: 'ssh-ed25519', keyBlob: b64(ed.blob), comment: 'a comment' });
  // The longest salt field ssh accepts is 1024 characters; it is then refused only for not being 20 bytes.
  const long = parseKnownHosts('kh', `|1|${'A'.repeat(1024)}|abc ${keyText(ed)}`).malformed[0]!.reason;
  assert.equal(long, 'bad host hash: bad salt');
  // Leading blanks and tabs between fields are allowed, and markers keep their entry.
  const spaced = parseKnownHosts('kh', ` \t@cert-authority\t*.example\t${keyText(ca)}`);
  assert.deepEqual(spaced.malformed, []);
  assert.equal(spaced.entries[0]!.marker, 'cert-authority');
  assert.equal(spaced.entries[0]!.hosts, '*.example');
});

test('a hashed name keeps its 20-byte salt and matches only the name it was made from', () => {
  const salt = Buffer.alloc(20, 9);
  const hashed = hashHostName('[h.example]:2222', salt);
  const parsed = parseKnownHosts('kh', `${hashed} ${keyText(ed)}`);
  const entry = parsed.entries[0]!;
  assert.deepEqual(entry.hashSalt, salt);
  assert.equal(entriesForName(parsed, '[h.example]:2222').length, 1);
  assert.equal(entriesForName(parsed, '[H.example]:2222').length, 0, 'hashed names are compared exactly');
  assert.equal(entriesForName(parsed, 'h.example').length, 0);
  assert.equal(entriesForName(parsed, '[h.example]:2222', true)[0]!.fromCommand, true);
  assert.equal(entriesForName(parsed, '[h.example]:2222')[0]!.fromCommand, false);
});

test('key blobs: the embedded type, each field of each layout, and nothing after them', () => {
  const ed32 = Buffer.alloc(32, 1);
  const point = Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 2)]);
  const cases: Array<[string, Buffer, string | undefined]> = [
    ['ssh-ed25519', ed.blob, undefined],
    ['ssh-ed25519', blob('ssh-ed25519', Buffer.alloc(31)), 'bad ed25519 public key length'],
    ['ssh-ed25519', blob('ssh-ed25519', Buffer.alloc(33)), 'bad ed25519 public key length'],
    ['ssh-ed25519', Buffer.concat([ed.blob, Buffer.from([0])]), 'truncated or malformed key blob'],
    ['ssh-ed25519', ed.blob.subarray(0, ed.blob.length - 1), 'truncated or malformed key blob'],
    ['ssh-rsa', ed.blob, 'key blob is "ssh-ed25519", line says "ssh-rsa"'],
    ['sk-ssh-ed25519@openssh.com', blob('sk-ssh-ed25519@openssh.com', ed32, Buffer.from('ssh:')), undefined],
    ['sk-ssh-ed25519@openssh.com', blob('sk-ssh-ed25519@openssh.com', ed32), 'truncated or malformed key blob'],
    ['ecdsa-sha2-nistp256', ec.blob, undefined],
    ['ecdsa-sha2-nistp256', blob('ecdsa-sha2-nistp256', Buffer.from('nistp384'), point), 'curve does not match key type'],
    ['ecdsa-sha2-nistp384', blob('ecdsa-sha2-nistp384', Buffer.from('nistp384'), point), undefined],
    ['ecdsa-sha2-nistp521', blob('ecdsa-sha2-nistp521', Buffer.from('nistp256'), point), 'curve does not match key type'],
    ['ecdsa-sha2-nistp256', blob('ecdsa-sha2-nistp256', Buffer.from('nistp256'), Buffer.concat([Buffer.from([2]), Buffer.alloc(32)])), 'bad EC point'],
    ['ecdsa-sha2-nistp256', blob('ecdsa-sha2-nistp256', Buffer.from('nistp256'), Buffer.alloc(0)), 'bad EC point'],
    ['sk-ecdsa-sha2-nistp256@openssh.com', blob('sk-ecdsa-sha2-nistp256@openssh.com', Buffer.from('nistp256'), point, Buffer.from('ssh:')), undefined],
    ['ssh-rsa', blob('ssh-rsa', Buffer.from([1, 0, 1]), Buffer.from([0, 0x80])), undefined],
    ['ssh-rsa', blob('ssh-rsa', Buffer.from([0x81]), Buffer.from([1])), 'negative mpint'],
    ['ssh-rsa', blob('ssh-rsa', Buffer.from([1]), Buffer.from([0xff])), 'negative mpint'],
    ['ssh-rsa', blob('ssh-rsa', Buffer.alloc(0), Buffer.from([0x7f])), undefined],
    ['ssh-dss', blob('ssh-dss', Buffer.from([1]), Buffer.from([1]), Buffer.from([1])), 'truncated or malformed key blob'],
    // A type newer than tssh: only the embedded name, and some key material after it.
    ['ssh-future@example.com', blob('ssh-future@example.com', Buffer.from('x')), undefined],
    ['ssh-future@example.com', blob('ssh-future@example.com'), 'empty key blob'],
    ['ssh-future@example.com', Buffer.from([0, 0, 0]), 'truncated or malformed key blob'],
  ];
  for (const [type, b, expected] of cases) assert.equal(keyBlobProblem(type, b), expected, `${type} ${b.toString('hex')}`);
});

/** Entries for `h` from the given known_hosts lines. */
function entriesFor(...lines: string[]) {
  return entriesForName(parseKnownHosts('kh', lines.join('\n')), 'h');
}

test('plain keys: the same key is ok wherever it is, a different one is changed (the last such entry), none is new', () => {
  const at = (s: ReturnType<typeof checkKeyInHostKeys>) => ('found' in s ? `${s.status}@${s.found.line}` : s.status);
  assert.equal(at(checkKeyInHostKeys(entriesFor(), ed)), 'new');
  assert.equal(at(checkKeyInHostKeys(entriesFor(`other ${keyText(ed)}`), ed)), 'new');
  assert.equal(at(checkKeyInHostKeys(entriesFor(`h ${keyText(ed)}`), ed)), 'ok@1');
  assert.equal(at(checkKeyInHostKeys(entriesFor(`h ${keyText(ed2)}`, `h ${keyText(ec)}`, `h ${keyText(ed)}`), ed)), 'ok@3');
  assert.equal(at(checkKeyInHostKeys(entriesFor(`h ${keyText(ed2)}`, `h ${keyText(ec)}`), ed)), 'changed@2');
  // A CA line does not make a plain key known, nor does a plain line make a certificate known.
  assert.equal(at(checkKeyInHostKeys(entriesFor(`@cert-authority h ${keyText(ed)}`), ed)), 'new');
  // @revoked wins over an ok entry, wherever it is.
  assert.equal(at(checkKeyInHostKeys(entriesFor(`h ${keyText(ed)}`, `@revoked h ${keyText(ed)}`), ed)), 'revoked');
  assert.equal(at(checkKeyInHostKeys(entriesFor(`@revoked h ${keyText(ed)}`, `h ${keyText(ed)}`), ed)), 'revoked');
  assert.equal(at(checkKeyInHostKeys(entriesFor(`@revoked h ${keyText(ed2)}`, `h ${keyText(ed)}`), ed)), 'ok@2');
});

test('certificates: known through an @cert-authority line for their CA; revoked through their key or their CA', () => {
  const cert = { signatureKey: ca.blob, plainBlob: ed.blob } as unknown as OpenSSHCertificate;
  const key = { type: 'ssh-ed25519-cert-v01@openssh.com', blob: Buffer.from('the certificate blob'), certificate: cert };
  const at = (s: ReturnType<typeof checkKeyInHostKeys>) => ('found' in s ? `${s.status}@${s.found.line}` : s.status);
  assert.equal(at(checkKeyInHostKeys(entriesFor(`@cert-authority h ${keyText(ca)}`), key)), 'ok@1');
  assert.equal(at(checkKeyInHostKeys(entriesFor(`@cert-authority h ${keyText(ed2)}`, `@cert-authority h ${keyText(ca)}`), key)), 'ok@2');
  // The certified key itself as a plain entry, or another CA: not known, and never "changed".
  assert.equal(at(checkKeyInHostKeys(entriesFor(`h ${keyText(ed)}`), key)), 'new');
  assert.equal(at(checkKeyInHostKeys(entriesFor(`h ${keyText(ca)}`, `@cert-authority h ${keyText(ed2)}`), key)), 'new');
  assert.equal(at(checkKeyInHostKeys(entriesFor(`@cert-authority h ${keyText(ca)}`, `@revoked h ${keyText(ed)}`), key)), 'revoked');
  assert.equal(at(checkKeyInHostKeys(entriesFor(`@cert-authority h ${keyText(ca)}`, `@revoked h ${keyText(ca)}`), key)), 'revoked');
  assert.equal(at(checkKeyInHostKeys(entriesFor(`@cert-authority h ${keyText(ca)}`, `@revoked h ${keyText(ed2)}`), key)), 'ok@1');
  // The certificate blob itself listed as revoked does not matter: revocation is by key and by CA.
  assert.equal(at(checkKeyInHostKeys(entriesFor(`@cert-authority h ${keyText(ca)}`, `@revoked h ${keyText({ type: 'ssh-ed25519', blob: ed2.blob })}`), key)), 'ok@1');
});

test('what the known_hosts say about a host before the key arrives: key types and CA lines', () => {
  const entries = entriesFor(`h ${keyText(ed)}`, `@revoked h ${keyText(ec)}`, `@cert-authority other ${keyText(ca)}`);
  assert.equal(hasKeyOfType(entries, 'ssh-ed25519'), true);
  assert.equal(hasKeyOfType(entries, 'ecdsa-sha2-nistp256'), false, 'a revoked line is not a known key');
  assert.equal(hasCertAuthority(entries), false, 'the CA line is for another name');
  assert.equal(hasCertAuthority(entriesFor(`@cert-authority h,x ${keyText(ca)}`)), true);
  assert.equal(hasKeyOfType(entriesFor(`@cert-authority h ${keyText(ca)}`), 'ssh-ed25519'), false);
});
