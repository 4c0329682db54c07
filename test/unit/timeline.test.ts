/**
 * The --timing recorder (src/timeline.ts) on a hand-driven clock, its report (cli/timing-report.ts)
 * and the `--timing[=SPEC]` option as tssh's argv parser takes it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TimelineRecorder, timed } from '../../src/timeline.js';
import { jsonReport, textReport, type TimingDocument } from '../../src/cli/timing-report.js';
import { parseTimingOption } from '../../src/cli/timing-option.js';
import { parseArgs } from '../../src/cli/args.js';
import { TsshError } from '../../src/errors.js';

function manualClock(): { clock: () => number; advance(ms: number): void } {
  let now = 0;
  return { clock: () => now, advance: (ms) => void (now += ms) };
}

test('marks are instants, spans get their end and outcome, in the order they began', () => {
  const time = manualClock();
  const recorder = new TimelineRecorder(time.clock);
  time.advance(5);
  recorder.mark('banner-sent', { version: 'SSH-2.0-x' });
  const tcp = recorder.begin('tcp', { address: '127.0.0.1' });
  time.advance(3);
  tcp.end({ note: 'up' });
  tcp.end({ note: 'again' }, 'failed'); // a second end changes nothing
  assert.deepEqual(recorder.entries(), [
    { phase: 'banner-sent', start: 5, depth: 0, detail: { version: 'SSH-2.0-x' } },
    { phase: 'tcp', start: 5, end: 8, outcome: 'ok', depth: 0, detail: { address: '127.0.0.1', note: 'up' } },
  ]);
});

test('a span still open when the timeline is read is unfinished up to now (where a connection stalled)', () => {
  const time = manualClock();
  const recorder = new TimelineRecorder(time.clock);
  recorder.begin('kex-wait');
  time.advance(2000);
  const [entry] = recorder.entries();
  assert.equal(entry!.outcome, 'unfinished');
  assert.equal(entry!.end, 2000);
  time.advance(1);
  assert.equal(recorder.entries()[0]!.end, 2001, 'entries() copies: the recorder keeps the span open');
});

test('nested timelines (jump hosts) share the list, one level deeper each', () => {
  const recorder = new TimelineRecorder(manualClock().clock);
  const hop = recorder.nested();
  hop.nested().mark('tcp');
  hop.mark('userauth');
  recorder.mark('close');
  assert.deepEqual(recorder.entries().map((e) => [e.phase, e.depth]), [['tcp', 2], ['userauth', 1], ['close', 0]]);
});

test('since() records what happened before the recorder existed (Node.js start-up)', () => {
  const time = manualClock();
  time.advance(40);
  const recorder = new TimelineRecorder(time.clock);
  recorder.since('start', 0);
  assert.deepEqual(recorder.entries(), [{ phase: 'start', start: 0, end: 40, outcome: 'ok', depth: 0, detail: {} }]);
});

test('timed(): ok when the work resolves, failed with the first line of the error when it throws', async () => {
  const time = manualClock();
  const recorder = new TimelineRecorder(time.clock);
  assert.equal(await timed(recorder, 'dns', {}, async () => 7), 7);
  await assert.rejects(timed(recorder, 'tcp', { address: '::1' }, async () => Promise.reject(new Error('refused\nmore'))), /refused/);
  assert.deepEqual(recorder.entries().map((e) => [e.phase, e.outcome, e.detail['error']]), [['dns', 'ok', undefined], ['tcp', 'failed', 'refused']]);
  assert.equal(await timed(undefined, 'dns', {}, async () => 'no timeline'), 'no timeline');
});

function sample(): TimelineRecorder {
  const time = manualClock();
  const recorder = new TimelineRecorder(time.clock);
  recorder.since('start', 0);
  const jump = recorder.begin('jump', { host: 'hop' });
  const tcp = recorder.nested().begin('tcp', { address: '127.0.0.1', port: 22 });
  time.advance(10);
  tcp.end();
  jump.end();
  recorder.mark('banner-received', { version: 'SSH-2.0-evil\x1b[2J' });
  const wait = recorder.begin('kex-wait', { algorithm: 'curve25519-sha256' });
  time.advance(30);
  wait.end();
  recorder.mark('failed', { error: 'Permission denied (publickey).' });
  return recorder;
}

test('text report: one row per phase, hops indented, network text made safe, the slowest phase named', () => {
  const text = textReport(sample().entries(), { bars: false });
  const rows = text.trimEnd().split('\n');
  assert.match(rows[0]!, /at ms\s+took ms\s+phase$/);
  assert.match(rows[2]!, /^\s+0\.0\s+10\.0  jump host=hop$/);
  assert.match(rows[3]!, /^\s+0\.0\s+10\.0    tcp address=127\.0\.0\.1 port=22$/);
  assert.ok(!text.includes('\x1b'), 'escape sequences from the server are not passed through');
  assert.match(rows[4]!, /banner-received version=SSH-2\.0-evil\\033\[2J/);
  assert.match(rows[6]!, /failed error="Permission denied \(publickey\)\."/);
  assert.equal(rows[7], 'total 40.0 ms from process start; slowest phase: kex-wait 30.0 ms');
});

test('text report with bars: each bar is as wide as asked and placed by time; the painter colours only the bar', () => {
  const text = textReport(sample().entries(), { bars: true, width: 8, paint: (group, bar) => `<${group}>${bar}</>` });
  const rows = text.split('\n');
  assert.ok(rows[5]!.includes('|<kex>  ██████</>|  kex-wait'), rows[5]);
  assert.ok(rows[4]!.includes('|<network>  │     </>|  banner-received'), rows[4]);
  for (const row of rows.slice(1, 7)) assert.equal(/\|<\w+>(.*)<\/>\|/.exec(row)![1]!.length, 8, row);
});

test('JSON report: parses, and the entries are the recorder\'s', () => {
  const recorder = sample();
  const document = JSON.parse(jsonReport(recorder.entries())) as TimingDocument;
  assert.equal(document.tssh_timing, 1);
  assert.equal(document.unit, 'ms');
  assert.deepEqual(document.entries, recorder.entries());
});

test('--timing[=SPEC]: text or json, on stderr or into a file', () => {
  assert.deepEqual(parseTimingOption('--timing'), { format: 'text', file: undefined });
  assert.deepEqual(parseTimingOption('--timing='), { format: 'text', file: undefined });
  assert.deepEqual(parseTimingOption('--timing=json'), { format: 'json', file: undefined });
  assert.deepEqual(parseTimingOption('--timing=json:/tmp/t.json'), { format: 'json', file: '/tmp/t.json' });
  assert.deepEqual(parseTimingOption('--timing=text:json'), { format: 'text', file: 'json' });
  assert.deepEqual(parseTimingOption('--timing=out.txt'), { format: 'text', file: 'out.txt' });
  assert.equal(parseTimingOption('--timings'), undefined);
});

test('--timing before or after the destination is an option; after the command, or after --, it is an argument', () => {
  assert.deepEqual(parseArgs(['--timing', 'host']).timing, { format: 'text', file: undefined });
  const after = parseArgs(['host', '--timing=json', 'uptime']);
  assert.deepEqual([after.timing?.format, after.command], ['json', 'uptime']);
  const inCommand = parseArgs(['host', 'echo', '--timing']);
  assert.deepEqual([inCommand.timing, inCommand.command], [undefined, 'echo --timing']);
  const ended = parseArgs(['--', 'host', '--timing']);
  assert.deepEqual([ended.timing, ended.command], [undefined, '--timing']);
  assert.equal(parseArgs(['--timing', '-G', 'host']).printConfig, true);
  assert.deepEqual(parseArgs(['--timing', '-v', 'host', '--timing=json', 'echo', '--timing']).timingIndexes, [0, 3]);
});

test('an unknown long option is ssh\'s usage error for the option "-"', () => {
  assert.throws(
    () => parseArgs(['--foo', 'host']),
    (err: unknown) => err instanceof TsshError && err.code === 'USAGE' && err.message.startsWith('unknown option -- -\nusage: tssh '),
  );
});
