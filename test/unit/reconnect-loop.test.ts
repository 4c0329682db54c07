import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReconnectBackoff } from '../../src/connect/backoff.js';
import type { Connected } from '../../src/connect/connect.js';
import { stayConnected, type ReconnectPlan } from '../../src/connect/reconnect.js';
import { AuthError, HostKeyError, TimeoutError, TsshError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';

/** A connection whose loss the test decides; `closes` counts close() calls. */
function fakeConnection(): Connected & { lose(error: TsshError | undefined): void; closes: number } {
  let lose: (error: TsshError | undefined) => void = () => {};
  const closed = new Promise<TsshError | undefined>((resolve) => (lose = resolve));
  const fake = {
    client: { closed },
    closes: 0,
    lose: (error: TsshError | undefined) => lose(error),
    close: async () => void fake.closes++,
  };
  return fake as unknown as Connected & { lose(error: TsshError | undefined): void; closes: number };
}

function recordingLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const keep = (line: string): void => void lines.push(line);
  return { lines, error: keep, info: keep, verbose() {}, debug1() {}, debug2() {}, debug3() {} };
}

/** A plan with a fake clock that the fake sleep advances, so elapsed times in the log are exact. */
function plan(overrides: Partial<ReconnectPlan> & { connect: ReconnectPlan['connect'] }): ReconnectPlan & { log: ReturnType<typeof recordingLog>; slept: number[]; controller: AbortController } {
  let clock = 0;
  const slept: number[] = [];
  const controller = new AbortController();
  return {
    attach: async () => {},
    host: 'example.org',
    progname: 'tssh',
    log: recordingLog(),
    signal: controller.signal,
    backoff: new ReconnectBackoff({ random: () => 0.5 }),
    now: () => clock,
    sleep: async (ms) => {
      slept.push(ms);
      clock += ms;
    },
    slept,
    controller,
    ...overrides,
  } as ReconnectPlan & { log: ReturnType<typeof recordingLog>; slept: number[]; controller: AbortController };
}

const refused = (): TsshError => new TsshError('CONNECT', 'ssh: connect to host example.org port 22: Connection refused');

test('reconnect: retries transient failures with growing waits, attaches the new connection, logs one line per event', async () => {
  const first = fakeConnection();
  const second = fakeConnection();
  const attempts = [refused, refused, () => second];
  const attached: Connected[] = [];
  const p = plan({
    connect: async () => {
      const next = attempts.shift()!();
      if (next instanceof TsshError) throw next;
      return next;
    },
    attach: async (connected) => void attached.push(connected),
  });
  const running = stayConnected(first, p);
  first.lose(new TimeoutError('keepalive', 'Timeout, server example.org not responding.'));
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(attached, [second]);
  assert.equal(first.closes, 1);
  assert.deepEqual(p.slept, [1000, 2000, 4000]);
  assert.deepEqual(p.log.lines, [
    'tssh: connection to example.org lost (Timeout, server example.org not responding); reconnecting in 1.0 s (attempt 1)',
    'tssh: reconnect to example.org failed (ssh: connect to host example.org port 22: Connection refused); reconnecting in 2.0 s (attempt 2)',
    'tssh: reconnect to example.org failed (ssh: connect to host example.org port 22: Connection refused); reconnecting in 4.0 s (attempt 3)',
    'tssh: reconnected to example.org after 7.0 s',
  ]);
  p.controller.abort();
  await running;
  assert.equal(second.closes, 1, 'the connection held when stopped is closed');
});

for (const [what, error] of [
  ['a changed host key', new HostKeyError('changed', '[example.org]:22', 'SHA256:x', 'ssh-ed25519')],
  ['a refused login', new AuthError('user', 'example.org', ['publickey'], 'user@example.org: Permission denied (publickey).')],
] as const) {
  test(`reconnect: ${what} on reconnect stops for good with that error`, async () => {
    const first = fakeConnection();
    const p = plan({ connect: async () => Promise.reject(error) });
    const running = stayConnected(first, p);
    first.lose(undefined);
    await assert.rejects(running, (err: unknown) => err === error);
    assert.equal(p.slept.length, 1, 'no second attempt');
  });
}

test('reconnect: stopping during the backoff wait resolves at once, without another attempt', async () => {
  const first = fakeConnection();
  let connects = 0;
  const controller = new AbortController();
  const p = plan({
    connect: async () => {
      connects++;
      return fakeConnection();
    },
    signal: controller.signal,
    sleep: (_ms, signal) => new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true })),
  });
  const running = stayConnected(first, p);
  first.lose(undefined);
  await new Promise((resolve) => setImmediate(resolve));
  controller.abort();
  await running;
  assert.equal(connects, 0);
});

test('reconnect: an attach that fails (ExitOnForwardFailure) ends it and closes the new connection', async () => {
  const first = fakeConnection();
  const second = fakeConnection();
  const failure = new TsshError('CHANNEL', 'Error: remote port forwarding failed for listen port 8080');
  const p = plan({ connect: async () => second, attach: async () => Promise.reject(failure) });
  const running = stayConnected(first, p);
  first.lose(undefined);
  await assert.rejects(running, (err: unknown) => err === failure);
  assert.equal(second.closes, 1);
});
