import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReconnectBackoff } from '../../src/connect/backoff.js';

const delays = (backoff: ReconnectBackoff, n: number): number[] => Array.from({ length: n }, () => backoff.next().delayMs);

test('backoff: 1 s doubling to the 60 s cap, without jitter when the random source sits in the middle', () => {
  const backoff = new ReconnectBackoff({ random: () => 0.5 });
  assert.deepEqual(delays(backoff, 9), [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
});

test('backoff: jitter stays within ±20% of each step, at both ends of the random range', () => {
  assert.deepEqual(delays(new ReconnectBackoff({ random: () => 0 }), 3), [800, 1600, 3200]);
  assert.deepEqual(delays(new ReconnectBackoff({ random: () => 0.999999 }), 3), [1200, 2400, 4800]);
  // The cap is jittered too, so tunnels that lost the same server do not retry in step.
  const capped = new ReconnectBackoff({ random: () => 0 });
  assert.equal(delays(capped, 10).at(-1), 48_000);
});

test('backoff: attempts count from 1 and keep counting while connections die young', () => {
  const backoff = new ReconnectBackoff({ random: () => 0.5 });
  assert.deepEqual([backoff.next(), backoff.next()], [{ attempt: 1, delayMs: 1000 }, { attempt: 2, delayMs: 2000 }]);
  backoff.connectionLost(59_999); // up for less than a minute: a flapping server is not rewarded
  assert.deepEqual(backoff.next(), { attempt: 3, delayMs: 4000 });
});

test('backoff: a connection that stayed up for the reset time starts the schedule over', () => {
  const backoff = new ReconnectBackoff({ random: () => 0.5, resetAfterMs: 30_000 });
  delays(backoff, 5);
  backoff.connectionLost(30_000);
  assert.deepEqual(backoff.next(), { attempt: 1, delayMs: 1000 });
});

test('backoff: thousands of attempts stay at the cap (no overflow to Infinity or NaN)', () => {
  const backoff = new ReconnectBackoff({ random: () => 0.5 });
  assert.equal(delays(backoff, 5000).at(-1), 60_000);
});
