/**
 * The short fuzz run of the test suite: every target for a fixed number of inputs with a fixed seed,
 * so the verdict (and any failure) is the same on a fast machine and a loaded one. Long runs:
 * `npm run fuzz -- --iterations N`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzz } from './engine.js';
import { TARGETS } from './targets/index.js';
import { reached, sessionStream } from './targets/session.js';

/** Inputs per target, divided by the target's cost (a few seconds in all on an idle core). */
const INPUTS = Number(process.env.TSSH_FUZZ_INPUTS ?? 1500);
/** However expensive a target, its seeds and some mutations of them run. */
const MIN_INPUTS = 64;

for (const target of TARGETS) {
  test(`fuzz: ${target.name} only ever fails with a TsshError`, async () => {
    const iterations = Math.max(MIN_INPUTS, Math.round(INPUTS / (target.cost ?? 1)));
    const report = await fuzz(target, { seed: 20261121, iterations });
    assert.equal(report.ran, iterations, 'ran every input');
    const [first] = report.failures;
    assert.equal(report.failures.length, 0, first && `after ${report.ran} inputs, iteration ${first.iteration} (seed ${first.seed}):\n${first.error}\ninput: ${first.inputHex}`);
  });
}

test('fuzz: the post-NEWKEYS seeds get through authentication to the end of a session', async () => {
  const seeds = await sessionStream.seeds();
  const report = await fuzz(sessionStream, { seed: 1, iterations: seeds.length });
  assert.equal(report.failures.length, 0);
  assert.ok(reached.authenticated >= 4, `authenticated in ${reached.authenticated} of ${seeds.length} seeds`);
  assert.ok(reached.sessionsEnded >= 2, `a session ended (exit status or signal) in ${reached.sessionsEnded} seeds`);
});
