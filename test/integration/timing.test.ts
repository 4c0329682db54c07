/**
 * `tssh --timing` against a real sshd: the phases of a connection in order with the algorithms and
 * userauth answers the server really gave, JSON that matches the TimelineEntry type, two ProxyJump hops
 * nested under their hop (the sshd is its own jump host), a session over a ControlMaster, and the
 * timeline up to the failure when authentication is refused or the server never sends its banner.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { startSshd, type Sshd } from '../support/sshd.js';
import { isAlive, stopTree } from '../support/processes.js';
import { harnessHostDefaults } from '../support/client-config.js';
import { isolatedEnv, makeTempDir, runClient, TSSH_BIN, waitFor } from '../support/run.js';
import type { TimelineEntry, TimelinePhase } from '../../src/timeline.js';
import type { TimingDocument } from '../../src/cli/timing-report.js';

let sshd: Sshd;
let dir: string;
let env: NodeJS.ProcessEnv;
/** An ssh_config naming the sshd `hop` (jump hosts take no -o options from the command line). */
let config: string;

before(async () => {
  sshd = await startSshd({ extraConfig: ['AllowTcpForwarding yes'] });
  dir = makeTempDir('tssh-timing-');
  env = isolatedEnv(makeTempDir('tssh-timing-home-'));
  config = path.join(dir, 'config');
  writeFileSync(config, ['Host hop', '  HostName 127.0.0.1', `  Port ${sshd.port}`, ...harnessHostDefaults([sshd])].join('\n'));
});

after(async () => {
  await sshd?.stop();
});

const PHASES: ReadonlySet<TimelinePhase> = new Set<TimelinePhase>([
  'start', 'config', 'mux', 'jump', 'proxy-command', 'dns', 'tcp', 'banner-sent', 'banner-received', 'kexinit-sent',
  'kexinit-received', 'kex-compute', 'kex-wait', 'host-key', 'prompt', 'newkeys-sent', 'newkeys-received', 'userauth',
  'sign', 'channel-open', 'request', 'first-byte', 'exit', 'close', 'failed',
]);

/** Checks a parsed --timing=json document against TimelineEntry, field by field, and returns its entries. */
function validEntries(text: string): TimelineEntry[] {
  const document = JSON.parse(text) as TimingDocument;
  assert.equal(document.tssh_timing, 1);
  assert.equal(document.unit, 'ms');
  let previousStart = 0;
  for (const entry of document.entries) {
    assert.ok(PHASES.has(entry.phase), `unknown phase ${entry.phase}`);
    assert.ok(Number.isFinite(entry.start) && entry.start >= previousStart, `${entry.phase} starts in order`);
    previousStart = entry.start;
    assert.ok(Number.isInteger(entry.depth) && entry.depth >= 0);
    assert.equal(typeof entry.detail, 'object');
    for (const value of Object.values(entry.detail)) assert.ok(['string', 'number', 'boolean'].includes(typeof value));
    if (entry.end === undefined) assert.equal(entry.outcome, undefined, `${entry.phase}: an instant has no outcome`);
    else {
      assert.ok(entry.end >= entry.start, `${entry.phase} does not end before it starts`);
      assert.ok(entry.outcome === 'ok' || entry.outcome === 'failed' || entry.outcome === 'unfinished');
    }
  }
  spansAddUp(document.entries);
  return document.entries;
}

/** Spans that time part of the span around them (our signature within a userauth attempt, a prompt). */
const INNER: ReadonlySet<TimelinePhase> = new Set<TimelinePhase>(['sign', 'prompt']);

/**
 * The top-level spans follow one another without overlapping, so with the gaps between them they add
 * up to the time of the last entry, the report's total (within the 0.05 ms the JSON is rounded to).
 */
function spansAddUp(entries: readonly TimelineEntry[]): void {
  const spans = entries.filter((e) => e.depth === 0 && e.end !== undefined && !INNER.has(e.phase));
  let previousEnd = 0;
  let busy = 0;
  for (const span of spans) {
    assert.ok(span.start >= previousEnd - 0.05, `${span.phase} at ${span.start} overlaps the span before it (ends ${previousEnd})`);
    busy += span.end! - span.start;
    previousEnd = span.end!;
  }
  const total = Math.max(...entries.map((e) => e.end ?? e.start));
  const gaps = total - busy;
  assert.ok(gaps >= -0.05 * spans.length, `spans (${busy} ms) fit in the total (${total} ms)`);
}

const phasesAt = (entries: TimelineEntry[], depth: number): TimelinePhase[] => entries.filter((e) => e.depth === depth).map((e) => e.phase);

/** `expected` appear in `actual` in this order (other phases may come between). */
function inOrder(actual: readonly string[], expected: readonly string[]): void {
  let at = 0;
  for (const phase of expected) {
    const found = actual.indexOf(phase, at);
    assert.ok(found >= 0, `${phase} after ${expected.slice(0, expected.indexOf(phase)).join(',')} in ${actual.join(',')}`);
    at = found + 1;
  }
}

const CONNECT_PHASES = ['dns', 'tcp', 'banner-sent', 'banner-received', 'kexinit-sent', 'kexinit-received', 'kex-compute', 'kex-wait', 'kex-compute', 'host-key', 'newkeys-sent', 'newkeys-received', 'userauth'];

test('--timing=json:FILE: every phase in order, the negotiated algorithms, the host key and the real userauth answers', { timeout: 30_000 }, async () => {
  const file = path.join(dir, 'exec.json');
  const r = await runClient(TSSH_BIN, [`--timing=json:${file}`, ...sshd.clientOptions(), '-o', 'KexAlgorithms=curve25519-sha256', sshd.destination, 'echo out'], { env });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), 'out\n');
  assert.equal(r.stderr, '', 'the report went to the file');
  const entries = validEntries(readFileSync(file, 'utf8'));
  inOrder(phasesAt(entries, 0), ['start', 'config', ...CONNECT_PHASES, 'channel-open', 'request', 'first-byte', 'exit', 'close']);
  const byPhase = (phase: TimelinePhase): TimelineEntry => entries.find((e) => e.phase === phase)!;
  assert.equal(byPhase('start').start, 0);
  assert.equal(byPhase('kexinit-received').detail['kex'], 'curve25519-sha256');
  assert.ok(entries.filter((e) => e.phase === 'kex-compute').every((e) => e.detail['algorithm'] === 'curve25519-sha256'));
  assert.ok(sshd.hostKeyFingerprints.includes(String(byPhase('host-key').detail['fingerprint'])));
  assert.equal(byPhase('tcp').detail['port'], sshd.port);
  assert.match(String(byPhase('banner-received').detail['version']), /^SSH-2\.0-OpenSSH_/);
  const auth = entries.filter((e) => e.phase === 'userauth').map((e) => [e.detail['method'], e.detail['result'], e.outcome]);
  assert.deepEqual(auth, [['none', 'failure', 'failed'], ['publickey', 'success', 'ok']]);
  const publickey = entries.find((e) => e.detail['method'] === 'publickey')!;
  assert.match(String(publickey.detail['key']), /SHA256:/);
  const sign = byPhase('sign');
  assert.equal(sign.detail['algorithm'], 'ssh-ed25519');
  assert.ok(sign.start >= publickey.start && sign.end! <= publickey.end!, 'our signature lies within the attempt');
  assert.deepEqual(byPhase('request').detail, { type: 'exec', accepted: true });
  assert.deepEqual(byPhase('exit').detail, { status: 0 });
  assert.equal(byPhase('first-byte').detail['stream'], 'stdout');
  assert.ok(entries.every((e) => e.outcome !== 'unfinished'));
});

test('--timing (text) on stderr after the command ends; the exit status is the remote one', { timeout: 30_000 }, async () => {
  const r = await runClient(TSSH_BIN, [...sshd.clientOptions(), sshd.destination, '--timing', 'exit 3'], { env });
  assert.equal(r.code, 3, r.stderr);
  const rows = r.stderr.trimEnd().split('\n');
  assert.match(rows[0]!, /^\s+at ms\s+took ms\s+phase$/);
  assert.ok(!r.stderr.includes('\x1b'), 'no colour and no bars off a terminal');
  inOrder(rows.map((row) => /^\s+[\d.]+\s+(?:[\d.]+\s+)?(\S+)/.exec(row)?.[1] ?? ''), ['start', 'config', ...CONNECT_PHASES, 'channel-open', 'request', 'exit', 'close']);
  assert.ok(rows.some((row) => /\bexit status=3$/.test(row)), r.stderr);
  assert.match(rows.at(-1)!, /^total [\d.]+ ms from process start; slowest phase: \S+ [\d.]+ ms$/);
});

test('two ProxyJump hops: each hop\'s phases nested under it, the destination\'s after them', { timeout: 40_000 }, async () => {
  const file = path.join(dir, 'jump.json');
  const r = await runClient(TSSH_BIN, ['-F', config, `--timing=json:${file}`, '-J', 'hop,hop', 'hop', 'echo through'], { env, timeoutMs: 40_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), 'through\n');
  const entries = validEntries(readFileSync(file, 'utf8'));
  // The destination (0) is reached through the second hop (1), which is reached through the first (2).
  inOrder(phasesAt(entries, 0), ['config', 'jump', 'banner-sent', 'kexinit-received', 'host-key', 'userauth', 'channel-open', 'request', 'exit']);
  inOrder(phasesAt(entries, 1), ['jump', 'banner-sent', 'kexinit-received', 'host-key', 'userauth', 'channel-open']);
  inOrder(phasesAt(entries, 2), ['dns', 'tcp', ...CONNECT_PHASES.slice(2), 'channel-open']);
  assert.ok(!phasesAt(entries, 0).includes('tcp') && !phasesAt(entries, 1).includes('tcp'), 'only the first hop dials TCP');
  const outer = entries.find((e) => e.phase === 'jump' && e.depth === 0)!;
  for (const inner of entries.filter((e) => e.depth > 0)) {
    assert.ok(inner.start >= outer.start && (inner.end ?? inner.start) <= outer.end!, `${inner.phase} lies within the hop`);
  }
  const tunnels = entries.filter((e) => e.phase === 'channel-open' && e.detail['type'] === 'direct-tcpip');
  assert.deepEqual(tunnels.map((e) => [e.depth, e.detail['to']]), [[2, `127.0.0.1:${sshd.port}`], [1, `127.0.0.1:${sshd.port}`]]);
});

test('authentication refused: the timeline up to the failure, with the key the server turned down', { timeout: 30_000 }, async () => {
  const stranger = path.join(dir, 'stranger');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'stranger-key', '-f', stranger]);
  const options = [`IdentityFile=${stranger}`, 'IdentitiesOnly=yes', `UserKnownHostsFile=${sshd.knownHosts}`, 'GlobalKnownHostsFile=/dev/null', 'StrictHostKeyChecking=yes', 'BatchMode=yes'];
  const args = ['-F', '/dev/null', '--timing=json', ...options.flatMap((o) => ['-o', o]), '-p', String(sshd.port), `${sshd.user}@127.0.0.1`, 'true'];
  const r = await runClient(TSSH_BIN, args, { env });
  assert.equal(r.code, 255);
  const [message, json] = r.stderr.split('\n', 2);
  assert.match(message!, /Permission denied \(publickey\)/);
  const entries = validEntries(json!);
  inOrder(phasesAt(entries, 0), [...CONNECT_PHASES, 'userauth', 'failed']);
  const attempts = entries.filter((e) => e.phase === 'userauth').map((e) => [e.detail['method'], e.detail['result']]);
  assert.deepEqual(attempts.slice(0, 2), [['none', 'failure'], ['publickey', 'failure']]);
  assert.match(String(entries.find((e) => e.detail['method'] === 'publickey')!.detail['key']), /stranger/);
  assert.match(String(entries.at(-1)!.detail['error']), /Permission denied \(publickey\)/);
  assert.ok(!phasesAt(entries, 0).includes('channel-open'));
});

test('no cipher in common: KEXINIT received, with the reason, then the failure', { timeout: 30_000 }, async () => {
  const r = await runClient(TSSH_BIN, ['--timing=json', ...sshd.clientOptions(), '-o', 'Ciphers=3des-cbc', sshd.destination, 'true'], { env });
  assert.equal(r.code, 255);
  const [message, json] = r.stderr.split('\n', 2);
  assert.match(message!, /^Unable to negotiate with 127\.0\.0\.1 port \d+: no matching cipher found/);
  const entries = validEntries(json!);
  inOrder(phasesAt(entries, 0), ['tcp', 'banner-sent', 'banner-received', 'kexinit-sent', 'kexinit-received', 'failed']);
  assert.match(String(entries.find((e) => e.phase === 'kexinit-received')!.detail['error']), /no matching cipher found/);
  assert.ok(!phasesAt(entries, 0).includes('kex-compute'));
});

test('a server that never sends its banner (ConnectTimeout=2): banner sent, no banner received, the timeout', { timeout: 30_000 }, async () => {
  const silent = net.createServer(() => {});
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const { port } = silent.address() as net.AddressInfo;
  try {
    const r = await runClient(TSSH_BIN, ['-F', '/dev/null', '--timing', '-o', 'ConnectTimeout=2', '-o', 'BatchMode=yes', '-p', String(port), '127.0.0.1', 'true'], { env });
    assert.equal(r.code, 255);
    assert.match(r.stderr, /Connection timed out during banner exchange/);
    const rows = r.stderr.split('\n');
    const tcp = rows.find((row) => / tcp address=127\.0\.0\.1 port=\d+$/.test(row));
    assert.ok(tcp, r.stderr);
    assert.ok(rows.some((row) => /\bbanner-sent\b/.test(row)));
    assert.ok(!rows.some((row) => /\bbanner-received\b/.test(row)));
    const failed = rows.find((row) => /\bfailed error="Connection timed out during banner exchange"$/.test(row));
    assert.ok(failed, r.stderr);
    const at = Number(/^\s+([\d.]+)/.exec(failed)![1]);
    assert.ok(at >= 2000, `the failure comes after the 2 s timeout (${at} ms)`);
  } finally {
    silent.close();
  }
});

test('-S with a master: the session went over the master (no TCP, no key exchange of its own)', { timeout: 40_000 }, async () => {
  const ctl = path.join(dir, 'cm');
  const run = (args: string[]) => runClient(TSSH_BIN, [...sshd.clientOptions(), '-S', ctl, ...args], { env, timeoutMs: 30_000 });
  const started = await run(['-M', '-f', '-N', sshd.destination]);
  assert.equal(started.code, 0, started.stderr);
  const pid = Number(/pid=(\d+)/.exec((await run(['-O', 'check', sshd.destination])).stderr)?.[1]);
  assert.ok(pid > 0);
  try {
    const file = path.join(dir, 'mux.json');
    const r = await run([`--timing=json:${file}`, sshd.destination, 'echo shared']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.toString(), 'shared\n');
    const entries = validEntries(readFileSync(file, 'utf8'));
    const phases = phasesAt(entries, 0);
    inOrder(phases, ['config', 'mux', 'channel-open', 'request', 'first-byte', 'exit', 'close']);
    assert.equal(entries.find((e) => e.phase === 'mux')!.detail['controlPath'], ctl);
    for (const own of ['tcp', 'banner-sent', 'kex-compute', 'userauth'] as const) assert.ok(!phases.includes(own), own);
  } finally {
    await run(['-O', 'exit', sshd.destination]);
    await waitFor(() => !isAlive(pid), 20_000, `master ${pid} to exit`);
    if (isAlive(pid)) await stopTree(pid);
  }
});

test('ControlPersist: the command joins the master it started; the background master is started without --timing', { timeout: 40_000 }, async () => {
  const ctl = path.join(dir, 'cm-persist');
  const run = (args: string[]) => runClient(TSSH_BIN, [...sshd.clientOptions(), '-S', ctl, ...args], { env, timeoutMs: 30_000 });
  const r = await run(['--timing', '-o', 'ControlMaster=auto', '-o', 'ControlPersist=60', sshd.destination, 'echo persisted']);
  const pid = Number(/pid=(\d+)/.exec((await run(['-O', 'check', sshd.destination])).stderr)?.[1]);
  try {
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.toString(), 'persisted\n');
    assert.match(r.stderr, /^\s+[\d.]+\s+mux controlPath=\S+cm-persist$/m);
    assert.equal(r.stderr.match(/ at ms /g)?.length, 1, 'one report');
    const masterArgs = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    assert.ok(masterArgs.includes('ControlPersist=60') && !masterArgs.some((a) => a.startsWith('--timing')), masterArgs.join(' '));
  } finally {
    if (pid > 0) {
      await run(['-O', 'exit', sshd.destination]);
      await waitFor(() => !isAlive(pid), 20_000, `master ${pid} to exit`);
    }
  }
});

test('--timing -G prints the configuration on stdout and the timeline (config resolution) on stderr', { timeout: 20_000 }, async () => {
  const r = await runClient(TSSH_BIN, ['--timing', '-G', '-F', config, 'hop'], { env });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout.toString(), new RegExp(`^port ${sshd.port}$`, 'm'));
  assert.match(r.stderr, /^\s+[\d.]+\s+[\d.]+\s+config host=hop$/m);
});

test('--timing=FILE writes the table into FILE (mode 0600, no bars) and nothing on stderr', { timeout: 20_000 }, async () => {
  const file = path.join(dir, 'report.txt');
  const r = await runClient(TSSH_BIN, ['-F', config, `--timing=${file}`, '-G', 'hop'], { env });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  const text = readFileSync(file, 'utf8');
  assert.match(text, /^\s+at ms\s+took ms  phase\n/);
  assert.match(text, /^\s+[\d.]+\s+[\d.]+  config host=hop$/m);
  assert.ok(!text.includes('|'));
  assert.equal(statSync(file).mode & 0o777, 0o600);
});

test('an unknown long option: OpenSSH\'s usage error, exit 255', { timeout: 20_000 }, async () => {
  const r = await runClient(TSSH_BIN, ['--foo', 'host'], { env });
  assert.equal(r.code, 255);
  assert.match(r.stderr, /^unknown option -- -\nusage: tssh /);
});
