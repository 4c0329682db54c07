/**
 * Long fuzz runs: `npm run fuzz -- [--inputs TOTAL | --iterations N] [--target substring] [--seed S] [--minutes M]`.
 * --inputs (default 10^7) is the total over the targets run, shared out in inverse proportion to each
 * target's cost (a target 8x as expensive gets 1/8 as many inputs); --iterations N instead gives every
 * target N inputs divided by its cost. Prints how many inputs ran and every failure with what
 * reproduces it. Exit status 1 when anything failed.
 */
import { fuzz } from './engine.js';
import { TARGETS } from './targets/index.js';

function option(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

const seed = Number(option('seed') ?? Date.now() % 1_000_000);
const filter = option('target');
const minutes = option('minutes');
const chosen = TARGETS.filter((target) => !filter || target.name.includes(filter));
const weight = (target: (typeof TARGETS)[number]): number => 1 / (target.cost ?? 1);
const perTarget = option('iterations') !== undefined ? Number(option('iterations')) : undefined;
const total = Number(option('inputs') ?? 10_000_000);
const totalWeight = chosen.reduce((sum, target) => sum + weight(target), 0);
const shares = chosen.map((target) => Math.max(1, Math.round(perTarget !== undefined ? perTarget * weight(target) : (total * weight(target)) / totalWeight)));
// The cheapest target takes up the rounding, so --inputs is met exactly.
if (perTarget === undefined) shares[shares.length - 1]! += total - shares.reduce((sum, n) => sum + n, 0);
const inputsFor = (target: (typeof TARGETS)[number]): number => shares[chosen.indexOf(target)]!;

let failed = 0;
let ran = 0;
const started = Date.now();
console.log(`fuzz: seed ${seed}, ${perTarget !== undefined ? `${perTarget} inputs per target (÷ cost)` : `${total} inputs over ${chosen.length} targets`}${minutes ? ` or ${minutes} min each` : ''}`);
for (const target of chosen) {
  const report = await fuzz(target, {
    seed,
    iterations: inputsFor(target),
    slowInputMs: 2000,
    ...(minutes ? { timeBudgetMs: Number(minutes) * 60_000 } : {}),
  });
  ran += report.ran;
  failed += report.failures.length;
  console.log(`${target.name}: ${report.ran} inputs in ${(report.ms / 1000).toFixed(1)} s, ${report.failures.length} failures`);
  for (const f of report.failures) console.log(`  iteration ${f.iteration} (--seed ${f.seed}):\n    ${f.error.split('\n').join('\n    ')}\n    input: ${f.inputHex}`);
}
console.log(`fuzz: ${ran} inputs in all over ${chosen.length} targets in ${((Date.now() - started) / 60_000).toFixed(1)} min, ${failed} failures`);
process.exit(failed > 0 ? 1 : 0);
