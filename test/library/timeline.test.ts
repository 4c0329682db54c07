/**
 * The library's timeline against a real sshd: connect({ timeline: true }) → conn.timeline(), and a
 * recorder of the caller's own that still holds the phases when connecting fails.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { AuthError, connect, TimelineRecorder, type TimelineEntry } from '../../src/index.js';
import { startSshd, type Sshd } from '../support/sshd.js';
import { knownHostsFile, libraryOptions } from './support.js';

let sshd: Sshd;

before(async () => {
  sshd = await startSshd();
});

after(async () => {
  await sshd?.stop();
});

const phases = (entries: TimelineEntry[]): string[] => entries.map((e) => e.phase);

test('timeline: true → conn.timeline(): connecting, then the exec, as typed entries', { timeout: 30_000 }, async () => {
  const conn = await connect(sshd.destination, libraryOptions(sshd, { timeline: true, options: { KexAlgorithms: 'curve25519-sha256' } }));
  try {
    const result = await conn.exec('echo lib');
    assert.equal(result.stdout.toString(), 'lib\n');
    const entries = conn.timeline();
    const names = phases(entries);
    for (const phase of ['config', 'dns', 'tcp', 'banner-received', 'kex-compute', 'host-key', 'userauth', 'channel-open', 'request', 'exit']) {
      assert.ok(names.includes(phase), `${phase} in ${names.join(',')}`);
    }
    assert.ok(!names.includes('start'), 'process start-up is the CLI\'s to show');
    assert.equal(entries.find((e) => e.phase === 'kexinit-received')!.detail['kex'], 'curve25519-sha256');
    assert.deepEqual(entries.filter((e) => e.phase === 'userauth').map((e) => e.detail['result']), ['failure', 'success']);
  } finally {
    await conn.close();
  }
});

test('without the option there is no timeline and nothing is recorded', { timeout: 30_000 }, async () => {
  const conn = await connect(sshd.destination, libraryOptions(sshd));
  try {
    assert.deepEqual(conn.timeline(), []);
  } finally {
    await conn.close();
  }
});

test('a recorder of the caller\'s own shows the phases up to a refused authentication', { timeout: 30_000 }, async () => {
  const recorder = new TimelineRecorder();
  await assert.rejects(connect(sshd.destination, { ...libraryOptions(sshd), identityFiles: [], timeline: recorder }), AuthError);
  const entries = recorder.entries();
  assert.ok(phases(entries).includes('host-key'));
  const attempts = entries.filter((e) => e.phase === 'userauth');
  // The default key files do not exist in this home: considered, but nothing went to the server.
  assert.deepEqual(attempts.filter((e) => e.detail['result'] !== 'not sent').map((e) => [e.detail['method'], e.detail['result']]), [['none', 'failure']]);
  assert.ok(attempts.slice(1).every((e) => e.detail['method'] === 'publickey' && /\.ssh\/id_/.test(String(e.detail['key']))));
  assert.ok(entries.every((e) => e.outcome !== 'unfinished'));
});

test('an unknown host key: the question to the user is its own span, inside the host-key check', { timeout: 30_000 }, async () => {
  const asked: string[] = [];
  const options = libraryOptions(sshd, { timeline: true, options: { UserKnownHostsFile: knownHostsFile('') } });
  const conn = await connect(sshd.destination, { ...options, knownHosts: (key) => (asked.push(key.fingerprint), true) });
  try {
    const entries = conn.timeline();
    const hostKey = entries.find((e) => e.phase === 'host-key')!;
    const prompt = entries.find((e) => e.phase === 'prompt')!;
    assert.deepEqual(prompt.detail, { purpose: 'host-key' });
    assert.equal(hostKey.detail['fingerprint'], asked[0]);
    assert.ok(prompt.start >= hostKey.start && prompt.end! <= hostKey.end!, 'the prompt lies within the host-key check');
  } finally {
    await conn.close();
  }
});
