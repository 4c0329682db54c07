/**
 * Long fuzz runs: `npm run fuzz -- --iterations N [--target substring] [--seed S] [--minutes M]`.
 * Runs every target (or those whose name contains the substring) for N inputs each (scaled down by
 * the target's cost) and prints how many inputs ran and every failure with what reproduces it.
 * Exit status 1 when anything failed.
 */
import { fuzz } from './engine.js';
import { TARGETS } from './targets/index.js';

function option(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

const iterations = Number(option('iterations') ?? 10_000);
const seed = Number(option('seed') ?? Date.now() % 1_000_000);
const filter = option('target');
const minutes = option('minutes');
let failed = 0;
let total = 0;
console.log(`fuzz: seed ${seed}, ${iterations} inputs per target${minutes ? ` or ${minutes} min` : ''}`);
for (const target of TARGETS) {
  if (filter && !target.name.includes(filter)) continue;
  const report = await fuzz(target, {
    seed,
    iterations: Math.max(1, Math.round(iterations / (target.cost ?? 1))),
    slowInputMs: 2000,
    ...(minutes ? { timeBudgetMs: Number(minutes) * 60_000 } : {}),
  });
  total += report.ran;
  failed += report.failures.length;
  console.log(`${target.name}: ${report.ran} inputs in ${(report.ms / 1000).toFixed(1)} s, ${report.failures.length} failures`);
  for (const f of report.failures) console.log(`  iteration ${f.iteration} (--seed ${f.seed}):\n    ${f.error.split('\n').join('\n    ')}\n    input: ${f.inputHex}`);
}
console.log(`fuzz: ${total} inputs in all, ${failed} failures`);
process.exit(failed > 0 ? 1 : 0);
