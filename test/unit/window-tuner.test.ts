import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_AUTO_WINDOW, WindowTuner } from '../../src/connection/window-tuner.js';

const MiB = 1024 * 1024;
const START = 2 * MiB;

/** A manual clock and a tuner on it. */
function tunerAt(roundTripMs: number, max = MAX_AUTO_WINDOW): { tuner: WindowTuner; advance(ms: number): void } {
  let now = 1000;
  const tuner = new WindowTuner(START, roundTripMs, max, () => now);
  return { tuner, advance: (ms) => (now += ms) };
}

/** Feeds `rounds` round trips in which the peer sends the whole current window (a window-bound link). */
function windowBound(roundTripMs: number, rounds: number, backlog = 0): number[] {
  const { tuner, advance } = tunerAt(roundTripMs);
  const sizes: number[] = [];
  let window = START;
  for (let i = 0; i < rounds; i++) {
    // The window's worth arrives in 32 KiB packets spread over the round trip.
    const packets = window / (32 * 1024);
    for (let p = 0; p < packets; p++) {
      advance(roundTripMs / packets);
      window = tuner.received(32 * 1024, backlog);
    }
    sizes.push(window);
  }
  return sizes;
}

test('on a 100 ms link that the window limits, the window grows fourfold every round trip up to the cap', () => {
  const sizes = windowBound(100, 8);
  assert.deepEqual(sizes.slice(0, 2), [8 * MiB, 32 * MiB]);
  assert.ok(sizes.every((s) => s <= MAX_AUTO_WINDOW), `never past the cap: ${sizes}`);
  assert.equal(sizes.at(-1), MAX_AUTO_WINDOW);
});

test('on loopback (sub-millisecond round trip) the window never grows', () => {
  assert.deepEqual(windowBound(0.5, 50), Array(50).fill(START));
  assert.deepEqual(windowBound(0, 50), Array(50).fill(START), 'unknown round trip');
});

test('a consumer that falls behind stops the growth: memory stays at the window already granted', () => {
  assert.deepEqual(windowBound(100, 6, START), Array(6).fill(START));
});

test('a link that is not window-bound keeps its window', () => {
  const { tuner, advance } = tunerAt(100);
  // 5 MB/s over a 100 ms round trip is 0.5 MB per round trip: a quarter of the 2 MiB window.
  for (let i = 0; i < 500; i++) {
    advance(6.5);
    assert.equal(tuner.received(32 * 1024, 0), START);
  }
});
