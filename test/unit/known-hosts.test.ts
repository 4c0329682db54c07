import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  entryMatchesName,
  findKeyUnderOtherNames,
  formatKnownHostsLine,
  hashHostName,
  hostfileName,
  knownKeyTypesFor,
  lookupHostKey,
  parseKnownHosts,
  parseKnownHostsFiles,
} from '../../src/hostkeys/known-hosts.js';
import { keyBlobProblem, keyTypeLabel } from '../../src/hostkeys/key-blob.js';
import { fingerprintSha256 } from '../../src/crypto/keys/index.js';
import { makeKey, makeTempDir, removeTempDir, sshKeygenFind, sshKeygenHash, type TestKey } from './known-hosts-fixtures.js';

let dir: string;
let ed: TestKey;
let ed2: TestKey;
let ecdsa: TestKey;
let ecdsa384: TestKey;
let rsa: TestKey;

before(() => {
  dir = makeTempDir();
  ed = makeKey(dir, 'ed', 'ed25519');
  ed2 = makeKey(dir, 'ed2', 'ed25519');
  ecdsa = makeKey(dir, 'ecdsa', 'ecdsa');
  ecdsa384 = makeKey(dir, 'ecdsa384', 'ecdsa384');
  rsa = makeKey(dir, 'rsa', 'rsa');
});
after(() => removeTempDir(dir));

const file = (text: string, p = '/kh') => [{ path: p, text }];

describe('key blobs', () => {
  test('fingerprints agree with ssh-keygen -l', () => {
    for (const k of [ed, ecdsa, ecdsa384, rsa]) assert.equal(fingerprintSha256(k.blob), k.fingerprint);
  });

  test('type labels are the ones OpenSSH prints', () => {
    assert.equal(keyTypeLabel('ssh-ed25519'), 'ED25519');
    assert.equal(keyTypeLabel('ecdsa-sha2-nistp521'), 'ECDSA');
    assert.equal(keyTypeLabel('ssh-rsa'), 'RSA');
    assert.equal(keyTypeLabel('rsa-sha2-512'), 'RSA');
    assert.equal(keyTypeLabel('ssh-ed25519-cert-v01@openssh.com'), 'ED25519-CERT');
    assert.equal(keyTypeLabel('x-unknown'), 'unknown');
  });

  test('real blobs are well formed; truncated, mislabelled or padded ones are not', () => {
    for (const k of [ed, ecdsa, ecdsa384, rsa]) assert.equal(keyBlobProblem(k.keyType, k.blob), undefined);
    assert.match(keyBlobProblem('ssh-ed25519', ed.blob.subarray(0, ed.blob.length - 1))!, /truncated/);
    assert.match(keyBlobProblem('ssh-rsa', ed.blob)!, /line says/);
    assert.match(keyBlobProblem('ssh-ed25519', Buffer.concat([ed.blob, Buffer.from([0])]))!, /malformed/);
    assert.match(keyBlobProblem('ecdsa-sha2-nistp384', Buffer.from(ecdsa.blob.toString('latin1').replace(/ecdsa-sha2-nistp256/, 'ecdsa-sha2-nistp384'), 'latin1'))!, /curve/);
  });
});

describe('parsing', () => {
  test('comments, blank lines, markers, comments after the key, CRLF', () => {
    const text = [
      '# a comment',
      '',
      '   ',
      `host1 ${ed.text} my comment here`,
      `@revoked host2 ${ed2.text}`,
      `@cert-authority *.example.com ${ecdsa.text}\r`,
      `\t host3,host4\t${rsa.text}`,
    ].join('\n');
    const { entries, malformed } = parseKnownHosts('/kh', text);
    assert.deepEqual(malformed, []);
    assert.deepEqual(
      entries.map((e) => [e.line, e.marker, e.hosts, e.keyType, e.comment]),
      [
        [4, undefined, 'host1', 'ssh-ed25519', 'my comment here'],
        [5, 'revoked', 'host2', 'ssh-ed25519', ''],
        [6, 'cert-authority', '*.example.com', 'ecdsa-sha2-nistp256', ''],
        [7, undefined, 'host3,host4', 'ssh-rsa', ''],
      ],
    );
    assert.ok(entries[0]!.keyBlob.equals(ed.blob));
    assert.ok(entries[2]!.keyBlob.equals(ecdsa.blob));
  });

  test('malformed lines are skipped and remembered with a reason', () => {
    const lines = [
      `@bogus host ${ed.text}`,
      `@revoked @revoked host ${ed.text}`,
      'hostonly',
      'host #comment',
      'host ssh-ed25519',
      `host ssh-foo ${ed.base64}`,
      'host ssh-ed25519 AAAA!!!!',
      `host ssh-ed25519 ${ed.base64.slice(0, -4)}`,
      `host ssh-rsa ${ed.base64}`,
      `|1|short|x ${ed.text}`,
      `|2|${Buffer.alloc(20).toString('base64')}|x ${ed.text}`,
      `good ${ed.text}`,
    ];
    const { entries, malformed } = parseKnownHosts('/f', lines.join('\n'));
    assert.deepEqual(entries.map((e) => e.line), [12]);
    assert.deepEqual(malformed.map((m) => m.line), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const reasons = malformed.map((m) => m.reason);
    assert.match(reasons[0]!, /invalid marker/);
    assert.match(reasons[1]!, /more than one marker/);
    assert.match(reasons[2]!, /truncated before key type/);
    assert.match(reasons[3]!, /truncated before key type/);
    assert.match(reasons[4]!, /truncated after key type/);
    assert.match(reasons[5]!, /line says/);
    assert.match(reasons[6]!, /base64/);
    assert.match(reasons[7]!, /truncated|malformed/);
    assert.match(reasons[8]!, /line says/);
    assert.match(reasons[9]!, /bad host hash/);
    assert.match(reasons[10]!, /bad host hash/);
    assert.ok(malformed.every((m) => m.file === '/f'));
  });

  test('never throws on junk', () => {
    const junk = ['\u0000\u0001 \u00ff', '@', '@revoked', '|', '|1|', '|1||', 'a b c d e f', '\t\t\t', '#'.repeat(5000)];
    for (const text of junk) assert.doesNotThrow(() => parseKnownHosts('/j', text));
  });
});

describe('lookup', () => {
  test('hostfileName brackets only non-22 ports', () => {
    assert.equal(hostfileName('example.com', 22), 'example.com');
    assert.equal(hostfileName('example.com', 2222), '[example.com]:2222');
    assert.equal(hostfileName('::1', 830), '[::1]:830');
  });

  test('plain, pattern and negated names', () => {
    const kh = file([`alpha,beta ${ed.text}`, `*.example.com,!bad.example.com ${ed.text}`, `h?st ${ed.text}`].join('\n'));
    for (const name of ['alpha', 'BETA', 'www.example.com', 'host', 'hast']) {
      assert.equal(lookupHostKey(kh, name, ed.keyType, ed.blob).status, 'match', name);
    }
    for (const name of ['gamma', 'bad.example.com', 'example.com', 'hoost', 'alphabet']) {
      assert.equal(lookupHostKey(kh, name, ed.keyType, ed.blob).status, 'unknown', name);
    }
  });

  test('[host]:port names', () => {
    const kh = file([`[h.example]:2222 ${ed.text}`, `h.example ${ed2.text}`].join('\n'));
    assert.deepEqual(lookupHostKey(kh, '[h.example]:2222', ed.keyType, ed.blob), { status: 'match', file: '/kh', line: 1 });
    assert.equal(lookupHostKey(kh, 'h.example', ed.keyType, ed.blob).status, 'changed');
    assert.equal(lookupHostKey(kh, '[h.example]:2200', ed.keyType, ed.blob).status, 'unknown');
  });

  test('hashed names made by ssh-keygen -H are found', () => {
    const plain = [`alpha.example ${ed.text}`, `[beta.example]:2022 ${ecdsa.text}`, `gamma,delta ${rsa.text}`].join('\n') + '\n';
    const hashed = sshKeygenHash(dir, plain);
    assert.ok(hashed.split('\n').filter(Boolean).every((l) => l.startsWith('|1|')));
    const kh = file(hashed);
    assert.equal(lookupHostKey(kh, 'alpha.example', ed.keyType, ed.blob).status, 'match');
    assert.equal(lookupHostKey(kh, '[beta.example]:2022', ecdsa.keyType, ecdsa.blob).status, 'match');
    assert.equal(lookupHostKey(kh, 'delta', rsa.keyType, rsa.blob).status, 'match');
    assert.equal(lookupHostKey(kh, 'beta.example', ecdsa.keyType, ecdsa.blob).status, 'unknown');
    assert.equal(lookupHostKey(kh, 'alpha.example', ed2.keyType, ed2.blob).status, 'changed');
  });

  test('our HMAC-SHA1 name hash equals ssh-keygen -H given the same salt', () => {
    const hashed = sshKeygenHash(dir, `some.host.example ${ed.text}\n`);
    const field = hashed.split(' ')[0]!;
    const salt = Buffer.from(field.split('|')[2]!, 'base64');
    assert.equal(salt.length, 20);
    assert.equal(hashHostName('some.host.example', salt), field);
    const expected = createHmac('sha1', salt).update('some.host.example').digest('base64');
    assert.equal(field.split('|')[3], expected);
  });

  test('revoked wins over a matching line; cert-authority lines are not plain keys', () => {
    const kh = file([`h ${ed.text}`, `@revoked * ${ed.text}`, `@cert-authority h ${ed2.text}`].join('\n'));
    assert.deepEqual(lookupHostKey(kh, 'h', ed.keyType, ed.blob), { status: 'revoked', file: '/kh', line: 2 });
    assert.equal(lookupHostKey(kh, 'other', ed.keyType, ed.blob).status, 'revoked');
    assert.equal(lookupHostKey(kh, 'h', ed2.keyType, ed2.blob).status, 'changed');
    assert.equal(lookupHostKey(file(`@cert-authority h ${ed2.text}`), 'h', ed2.keyType, ed2.blob).status, 'unknown');
  });

  test('changed names the last differing line, a match anywhere wins', () => {
    const kh = [
      { path: '/user', text: [`h ${ed2.text}`, `h ${rsa.text}`].join('\n') },
      { path: '/global', text: `x ${ed.text}\nh ${ecdsa.text}\n` },
    ];
    const r = lookupHostKey(kh, 'h', ed.keyType, ed.blob);
    assert.equal(r.status, 'changed');
    if (r.status !== 'changed') return;
    assert.deepEqual([r.file, r.line, r.knownType], ['/global', 2, 'ecdsa-sha2-nistp256']);
    assert.ok(r.knownBlob.equals(ecdsa.blob));
    kh.push({ path: '/third', text: `h ${ed.text}` });
    assert.deepEqual(lookupHostKey(kh, 'h', ed.keyType, ed.blob), { status: 'match', file: '/third', line: 1 });
  });

  test('other-types when only other key types are known', () => {
    const kh = file([`h ${rsa.text}`, `h ${ecdsa384.text}`, `h ${rsa.text}`].join('\n'));
    const r = lookupHostKey(kh, 'h', ed.keyType, ed.blob);
    assert.equal(r.status, 'other-types');
    if (r.status !== 'other-types') return;
    assert.deepEqual(r.types, ['ssh-rsa', 'ecdsa-sha2-nistp384']);
    assert.deepEqual(r.entries.map((e) => e.line), [1, 2, 3]);
    // ECDSA on another curve is another key type.
    assert.equal(lookupHostKey(kh, 'h', ecdsa.keyType, ecdsa.blob).status, 'other-types');
  });

  test('knownKeyTypesFor lists plain entry types in file order', () => {
    const kh = file([`@revoked h ${ed.text}`, `h,x ${ecdsa.text}`, `* ${rsa.text}`, `h ${ecdsa.text}`, `@cert-authority h ${ed2.text}`].join('\n'));
    assert.deepEqual(knownKeyTypesFor(kh, 'h'), ['ecdsa-sha2-nistp256', 'ssh-rsa']);
    assert.deepEqual(knownKeyTypesFor(kh, 'zzz'), ['ssh-rsa']);
    assert.deepEqual(knownKeyTypesFor(file(''), 'h'), []);
  });

  test('findKeyUnderOtherNames skips lines naming the host or address and marker lines', () => {
    const parsed = parseKnownHostsFiles(
      file([`h ${ed.text}`, `other1,other2 ${ed.text}`, `10.0.0.1 ${ed.text}`, `@revoked other3 ${ed.text}`, `other4 ${ed2.text}`].join('\n')),
    );
    assert.deepEqual(findKeyUnderOtherNames(parsed, ['h', '10.0.0.1'], ed.blob).map((e) => e.line), [2]);
  });
});

describe('agreement with ssh-keygen', () => {
  test('entryMatchesName agrees with ssh-keygen -F for every line and name', () => {
    const plainLines = [
      `alpha.example.com,beta.example.com ${ed.text}`,
      `*.example.com,!gamma.example.com ${ecdsa.text}`,
      `@revoked beta.example.com ${rsa.text}`,
      `@cert-authority *.example.org ${ed2.text}`,
      `[alpha.example.com]:2222 ${ed.text}`,
      `[*.example.net]:* ${ed.text}`,
      `10.0.0.?,!10.0.0.9 ${ed2.text}`,
      `MiXeD.Example.COM ${ed.text}`,
      `host-??? ${ed.text}`,
      `!only.negated ${ed.text}`,
    ];
    const hashedLines = sshKeygenHash(dir, `hashed.example.com ${ed.text}\n[hashed.example.com]:2200 ${ed2.text}\n`).trimEnd();
    const text = [...plainLines, '# comment', '', hashedLines].join('\n') + '\n';
    const khPath = path.join(dir, 'oracle_known_hosts');
    writeFileSync(khPath, text);
    const { entries } = parseKnownHosts(khPath, text);
    assert.equal(entries.length, plainLines.length + 2);
    const names = [
      'alpha.example.com', 'beta.example.com', 'gamma.example.com', 'delta.example.com', 'example.com',
      'x.example.org', '[alpha.example.com]:2222', '[alpha.example.com]:22', '[foo.example.net]:7',
      '10.0.0.1', '10.0.0.9', '10.0.0.10', 'mixed.example.com', 'host-abc', 'host-ab', 'only.negated',
      'hashed.example.com', '[hashed.example.com]:2200', 'nothing',
    ];
    let oracleHits = 0;
    for (const name of names) {
      const theirs = sshKeygenFind(name, khPath);
      oracleHits += theirs.length;
      assert.deepEqual(entries.filter((e) => entryMatchesName(e, name)).map((e) => e.line), theirs, name);
    }
    assert.ok(oracleHits >= 15, `ssh-keygen -F found only ${oracleHits} lines: the oracle is not being exercised`);
  });

  test('lines we write, plain and hashed, are found by ssh-keygen -F and by our lookup', () => {
    const cases: Array<[string, TestKey, boolean]> = [
      ['plain.example.com', ed, false],
      ['[Port.Example.com]:2222', ecdsa, false],
      ['hashed.example.com', rsa, true],
      ['[hashed.example.com]:2022', ed2, true],
    ];
    const lines = cases.map(([name, key, hash]) => formatKnownHostsLine(name, key.keyType, key.blob, hash));
    assert.equal(lines[0], `plain.example.com ${ed.text}`);
    assert.equal(lines[1], `[port.example.com]:2222 ${ecdsa.text}`);
    assert.match(lines[2]!, /^\|1\|[A-Za-z0-9+/]{27}=\|[A-Za-z0-9+/]{27}= ssh-rsa /);
    const text = lines.join('\n') + '\n';
    const khPath = path.join(dir, 'written_known_hosts');
    writeFileSync(khPath, text);
    cases.forEach(([name, key], i) => {
      const lower = name.toLowerCase();
      assert.deepEqual(sshKeygenFind(lower, khPath), [i + 1], name);
      assert.deepEqual(lookupHostKey(file(text), lower, key.keyType, key.blob), { status: 'match', file: '/kh', line: i + 1 });
    });
  });

  test('a fixed salt gives a deterministic hashed line; random salts differ', () => {
    const salt = Buffer.alloc(20, 7);
    const a = formatKnownHostsLine('h', ed.keyType, ed.blob, true, salt);
    assert.equal(a, formatKnownHostsLine('h', ed.keyType, ed.blob, true, salt));
    assert.notEqual(formatKnownHostsLine('h', ed.keyType, ed.blob, true), formatKnownHostsLine('h', ed.keyType, ed.blob, true));
  });
});
