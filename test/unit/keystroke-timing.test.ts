/**
 * ObscureKeystrokeTiming's clock (cli/keystroke-timing.ts), on mocked timers: the first key goes at
 * once, later keys only on the ~20 ms ticks, empty ticks send chaff until 1-3 s after the last key,
 * and bulk input or a key re-exchange sends at once, as OpenSSH's obfuscate_keystroke_timing does.
 */
import { test, mock, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { KeystrokeClock } from '../../src/cli/keystroke-timing.js';
import { silentLogger } from '../../src/log.js';

beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'] }));
afterEach(() => mock.timers.reset());

/** Moves the mocked clock on a millisecond at a time, so timers set by timers fire too. */
function advance(ms: number): void {
  for (let i = 0; i < ms; i++) mock.timers.tick(1);
}

interface Recorder {
  events: Array<[at: number, what: string]>;
  clock: KeystrokeClock;
  rekeying: boolean;
}

/** A clock with no randomness (every random draw is 0): ticks every 18 ms (20 - 10 %), chaff lasts 1024 ms. */
function recorder(intervalMs = 20, pingSupported = true): Recorder {
  const r: Recorder = { events: [], rekeying: false, clock: undefined as unknown as KeystrokeClock };
  r.clock = new KeystrokeClock(
    intervalMs,
    {
      write: (data) => r.events.push([Date.now(), data.toString()]),
      chaff: () => {
        if (pingSupported) r.events.push([Date.now(), 'PING']);
        return pingSupported;
      },
      paused: () => r.rekeying,
    },
    silentLogger,
    () => 0,
  );
  return r;
}

test('keys after the first wait for the next tick; several keys in one tick leave together', () => {
  const r = recorder();
  r.clock.send(Buffer.from('a'));
  assert.deepEqual(r.events, [[0, 'a']]);
  advance(5);
  r.clock.send(Buffer.from('b'));
  advance(5);
  r.clock.send(Buffer.from('c'));
  assert.deepEqual(r.events, [[0, 'a']], 'nothing leaves between ticks');
  advance(8);
  assert.deepEqual(r.events, [[0, 'a'], [18, 'bc']]);
  r.clock.stop();
});

test('empty ticks send chaff until the chaff time after the last key has passed, then the clock stops', () => {
  const r = recorder();
  r.clock.send(Buffer.from('x'));
  advance(18 * 3);
  assert.deepEqual(r.events, [[0, 'x'], [18, 'PING'], [36, 'PING'], [54, 'PING']]);
  advance(2000);
  const pings = r.events.filter(([, what]) => what === 'PING');
  // 1024 ms of chaff at one packet per 18 ms tick, then nothing.
  assert.equal(pings.length, Math.floor(1024 / 18));
  assert.ok(pings.every(([at]) => at <= 1024 + 18));
  // The next key starts a new run and goes at once.
  r.clock.send(Buffer.from('y'));
  assert.deepEqual(r.events.at(-1), [2054, 'y']);
  r.clock.stop();
});

test('a paste (256 bytes or more) is sent at once, before and during a run', () => {
  const r = recorder();
  const paste = Buffer.alloc(300, 0x61);
  r.clock.send(paste);
  assert.equal(r.events.length, 1);
  r.clock.send(Buffer.from('k')); // starts a run
  r.clock.send(Buffer.alloc(255, 0x62)); // 255 waiting: still typing
  assert.equal(r.events.length, 2);
  r.clock.send(Buffer.from('!')); // 256 waiting: output buffer filling
  assert.equal(r.events.length, 3);
  assert.equal(r.events[2]![1].length, 256);
  advance(100);
  assert.equal(r.events.length, 3, 'the run stopped: no chaff');
});

test('during a key re-exchange keys go at once; without ping@openssh.com there is no chaff; 0 disables', () => {
  const rekey = recorder();
  rekey.clock.send(Buffer.from('a'));
  rekey.rekeying = true;
  rekey.clock.send(Buffer.from('b'));
  assert.deepEqual(rekey.events, [[0, 'a'], [0, 'b']]);
  const noPing = recorder(20, false);
  noPing.clock.send(Buffer.from('a'));
  advance(100);
  noPing.clock.send(Buffer.from('b'));
  advance(18);
  assert.deepEqual(noPing.events, [[0, 'a'], [108, 'b']]);
  noPing.clock.stop();
  const off = recorder(0);
  off.clock.send(Buffer.from('a'));
  off.clock.send(Buffer.from('b'));
  assert.deepEqual(off.events.map(([, what]) => what), ['a', 'b'], 'both at once');
});

test('stop() sends what waits at once', () => {
  const r = recorder();
  r.clock.send(Buffer.from('a'));
  r.clock.send(Buffer.from('b'));
  r.clock.stop();
  assert.deepEqual(r.events, [[0, 'a'], [0, 'b']]);
  advance(100);
  assert.equal(r.events.length, 2);
});
