/**
 * The short fuzz run of the test suite: every target for a fixed, small time budget (a few seconds in
 * all) with a fixed seed, so a failure reproduces. Long runs: `npm run fuzz -- --iterations N`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzz } from './engine.js';
import { TARGETS } from './targets/index.js';

/** Per target, scaled down for expensive ones by fuzz() itself through the input count. */
const BUDGET_MS = Number(process.env.TSSH_FUZZ_BUDGET_MS ?? 300);

for (const target of TARGETS) {
  test(`fuzz: ${target.name} only ever fails with a TsshError`, async () => {
    const report = await fuzz(target, { seed: 20261121, timeBudgetMs: BUDGET_MS });
    assert.ok(report.ran > 0, 'ran at least the seeds');
    const [first] = report.failures;
    assert.equal(report.failures.length, 0, first && `after ${report.ran} inputs, iteration ${first.iteration} (seed ${first.seed}):\n${first.error}\ninput: ${first.inputHex}`);
  });
}
