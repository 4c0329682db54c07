// `npm run mutate [-- group ...]`: runs Stryker once per module group (codec, kex, hostkeys, auth; all
// by default) with test/mutation/stryker.config.mjs, then prints the scores of all groups' reports
// and writes test/mutation/EQUIVALENT.md (dist/test/mutation/summary.js: npm run build first).
// Environment variables as in the config (TSSH_MUTATE_CONCURRENCY, TSSH_MUTATE_BASELINE, ...).
import { spawnSync } from 'node:child_process';
import { GROUPS } from './stryker.config.mjs';

const chosen = process.argv.slice(2).length > 0 ? process.argv.slice(2) : Object.keys(GROUPS);
const unknown = chosen.filter((g) => !(g in GROUPS));
if (unknown.length > 0) {
  console.error(`unknown group ${unknown.join(', ')}; groups: ${Object.keys(GROUPS).join(', ')}`);
  process.exit(2);
}
const prefix = process.env.TSSH_MUTATE_BASELINE ? 'baseline-' : '';
for (const group of chosen) {
  const started = Date.now();
  const env = { ...process.env, TSSH_MUTATE_GROUP: group, TSSH_MUTATE_REPORT: `${prefix}${group}` };
  const run = spawnSync('npx', ['stryker', 'run', 'test/mutation/stryker.config.mjs'], { stdio: 'inherit', env });
  console.log(`mutate: group ${group} took ${((Date.now() - started) / 60_000).toFixed(1)} min (exit ${run.status})`);
  if (run.status !== 0) process.exit(run.status ?? 1);
}
const reports = Object.keys(GROUPS).map((g) => `reports/mutation/${prefix}${g}.json`);
const summary = spawnSync('node', ['dist/test/mutation/summary.js', ...reports, ...(prefix ? [] : ['--write', 'test/mutation/EQUIVALENT.md'])], { stdio: 'inherit' });
process.exit(summary.status ?? 1);
