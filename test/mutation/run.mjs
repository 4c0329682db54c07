// `npm run mutate [-- [--survivors-of PREFIX] group ...]`: runs Stryker once per module group (codec,
// kex, hostkeys, auth; all by default) with test/mutation/stryker.config.mjs, then prints the scores
// of the groups run, keeps them in test/mutation/results/GROUP.json and writes test/mutation/EQUIVALENT.md
// from every group's result (dist/test/mutation/summary.js: npm run build first).
//
// --survivors-of PREFIX re-tests only the lines where reports/mutation/PREFIX-<group>.json has
// surviving or uncovered mutants, and merges the new verdicts into that report's others (a mutant
// once killed stays killed when tests are only added): a quick "after" for a full "before" run.
// Environment variables as in the config (TSSH_MUTATE_CONCURRENCY, TSSH_MUTATE_BASELINE, ...);
// TSSH_MUTATE_ALL_KILLERS=1 makes the "before" score exact (every covering test file runs for every
// mutant, which costs time); without it the score before the *-checks tests is a lower bound.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { GROUPS } from './stryker.config.mjs';

const args = process.argv.slice(2);
const survivorsAt = args.indexOf('--survivors-of');
const survivorsOf = survivorsAt >= 0 ? args.splice(survivorsAt, 2)[1] : undefined;
const chosen = args.length > 0 ? args : Object.keys(GROUPS);
const unknown = chosen.filter((g) => !(g in GROUPS));
if (unknown.length > 0) {
  console.error(`unknown group ${unknown.join(', ')}; groups: ${Object.keys(GROUPS).join(', ')}`);
  process.exit(2);
}
const prefix = process.env.TSSH_MUTATE_BASELINE ? 'baseline-' : '';
const report = (name) => `reports/mutation/${name}.json`;
// With TSSH_MUTATE_RETEST_TIMEOUTS=1 timeouts too: on a loaded machine a slow test can pass for a
// mutant's endless loop.
const UNDETECTED = new Set(['Survived', 'NoCoverage', ...(process.env.TSSH_MUTATE_RETEST_TIMEOUTS === '1' ? ['Timeout'] : [])]);
const key = (m) => `${m.location.start.line}:${m.location.start.column}:${m.mutatorName}:${m.replacement ?? ''}`;

/** killedBy as test file names: Stryker numbers tests per report, so merged reports must not mix numbers. */
function nameKillers(report) {
  const names = new Map(Object.values(report.testFiles ?? {}).flatMap((f) => f.tests.map((t) => [t.id, t.name])));
  for (const { mutants } of Object.values(report.files)) for (const m of mutants) if (m.killedBy) m.killedBy = m.killedBy.map((id) => names.get(id) ?? id);
}

/**
 * Stryker `mutate` patterns: the lines of each undetected mutant, or the whole file when it changed
 * since the report (its positions no longer match).
 */
function survivorLines(base) {
  const patterns = [];
  for (const [file, { mutants, source }] of Object.entries(base.files)) {
    const changed = readFileSync(file, 'utf8') !== source;
    if (changed) {
      patterns.push(file);
      continue;
    }
    const spans = new Set(mutants.filter((m) => UNDETECTED.has(m.status)).map((m) => `${file}:${m.location.start.line}-${m.location.end.line}`));
    patterns.push(...spans);
  }
  return patterns;
}

for (const group of chosen) {
  const started = Date.now();
  const env = { ...process.env, TSSH_MUTATE_GROUP: group, TSSH_MUTATE_REPORT: `${prefix}${group}` };
  let base;
  if (survivorsOf) {
    base = JSON.parse(readFileSync(report(`${survivorsOf}-${group}`), 'utf8'));
    const patterns = survivorLines(base);
    if (patterns.length === 0) {
      writeFileSync(report(`${prefix}${group}`), JSON.stringify(base));
      continue;
    }
    env.TSSH_MUTATE = patterns.join(',');
    env.TSSH_MUTATE_REPORT = `${prefix}${group}-rerun`;
  }
  const run = spawnSync('npx', ['stryker', 'run', 'test/mutation/stryker.config.mjs'], { stdio: 'inherit', env });
  console.log(`mutate: group ${group} took ${((Date.now() - started) / 60_000).toFixed(1)} min (exit ${run.status})`);
  if (run.status !== 0) process.exit(run.status ?? 1);
  if (base) {
    const rerun = JSON.parse(readFileSync(report(env.TSSH_MUTATE_REPORT), 'utf8'));
    nameKillers(base);
    nameKillers(rerun);
    delete base.testFiles;
    for (const [file, { mutants, source }] of Object.entries(rerun.files)) {
      const target = base.files[file];
      if (target.source !== source) {
        base.files[file] = { ...target, source, mutants }; // re-tested whole
        continue;
      }
      const verdicts = new Map(mutants.map((m) => [key(m), m]));
      // Only undetected mutants take the new verdict (a killed one stays killed-before), and timeouts the
      // re-run found surviving (a slow machine's false kills).
      const retake = (m, again) => UNDETECTED.has(m.status) || (m.status === 'Timeout' && again && !['Killed', 'Timeout'].includes(again.status));
      target.mutants = target.mutants.map((m) => (retake(m, verdicts.get(key(m))) ? verdicts.get(key(m)) ?? m : m));
    }
    writeFileSync(report(`${prefix}${group}`), JSON.stringify(base));
  }
}
// Only the groups run now: the others keep their results in test/mutation/results/.
const reports = chosen.map((g) => report(`${prefix}${g}`)).filter((path) => existsSync(path));
const summary = spawnSync('node', ['dist/test/mutation/summary.js', ...reports, ...(prefix ? [] : ['--write'])], { stdio: 'inherit' });
process.exit(summary.status ?? 1);
