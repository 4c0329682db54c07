/**
 * Reads Stryker's JSON reports (reports/mutation/GROUP.json, one per module group run) and prints the
 * mutation score per module as a Markdown table, then every surviving or uncovered mutant, then the
 * mutants marked equivalent (test/mutation/equivalent.json) with their reasons.
 *
 * `--write` keeps each group's outcome in test/mutation/results/GROUP.json (committed: Stryker's
 * reports are large and not), then writes test/mutation/EQUIVALENT.md from every group's result, so a
 * run of one group does not drop the others. Exit status 1 while any mutant survives in a group run.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';

interface Mutant {
  mutatorName: string;
  killedBy?: string[];
  replacement?: string;
  status: string;
  statusReason?: string;
  location: { start: { line: number; column: number } };
}
interface Report {
  files: Record<string, { source: string; mutants: Mutant[] }>;
  /** Test ids (in killedBy) by file: Stryker numbers the tests per report. */
  testFiles?: Record<string, { tests: Array<{ id: string; name: string }> }>;
}

/** killedBy as test file names rather than this report's test numbers. */
function nameKillers(report: Report): void {
  const names = new Map(Object.values(report.testFiles ?? {}).flatMap((f) => f.tests.map((t) => [t.id, t.name] as const)));
  for (const { mutants } of Object.values(report.files)) {
    for (const m of mutants) if (m.killedBy) m.killedBy = m.killedBy.map((id) => names.get(id) ?? id);
  }
}

/** The module groups of issue 15, by path prefix (first match wins). */
const GROUPS: Array<[string, RegExp]> = [
  ['packet codec', /^src\/transport\/packet-codec\.ts$/],
  ['packet protection (protection.ts)', /^src\/crypto\/protection\.ts$/],
  ['ciphers (crypto/cipher/)', /^src\/crypto\/cipher\//],
  ['MACs (crypto/mac/)', /^src\/crypto\/mac\//],
  ['key exchange (transport/key-exchange.ts)', /^src\/transport\/key-exchange\.ts$/],
  ['key exchange methods (crypto/kex/)', /^src\/crypto\/kex\//],
  ['host keys and known_hosts (hostkeys/)', /^src\/hostkeys\//],
  ['certificates (crypto/keys/certificate.ts)', /^src\/crypto\/keys\/certificate\.ts$/],
  ['user authentication (auth/)', /^src\/auth\//],
];

/**
 * Mutants judged equivalent (test/mutation/equivalent.json): matched by file, mutator, the source
 * line's text and the replacement, so the list survives code moving up or down.
 */
interface Equivalent {
  file: string;
  mutator: string;
  line: string;
  replacement: string;
  reason: string;
}
const EQUIVALENTS = JSON.parse(readFileSync(new URL('../../../test/mutation/equivalent.json', import.meta.url), 'utf8')) as Equivalent[];

function markEquivalents(file: string, source: string, mutants: Mutant[]): void {
  const lines = source.split('\n');
  for (const m of mutants) {
    if (!UNDETECTED.has(m.status)) continue;
    const text = (lines[m.location.start.line - 1] ?? '').trim();
    const match = EQUIVALENTS.find((e) => e.file === file && e.mutator === m.mutatorName && e.line === text && e.replacement === (m.replacement ?? ''));
    if (match) {
      m.status = 'Ignored';
      m.statusReason = match.reason;
    }
  }
}

const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

/** The test files written against surviving mutants (test/unit/*-checks.test.ts). */
const CHECKS = /-checks\.test\.js$/;

/**
 * Killed without the *-checks files: a mutant some older test file killed (the run must record every
 * killer: TSSH_MUTATE_ALL_KILLERS=1, or a baseline run without the checks), or that timed out.
 */
function killedBefore(m: Mutant): boolean {
  if (m.status === 'Timeout') return true;
  return m.status === 'Killed' && (m.killedBy ?? []).some((test) => !CHECKS.test(test));
}

function counts(mutants: Mutant[]): { detected: number; before: number; undetected: number; equivalent: number; errors: number; score: string; scoreBefore: string } {
  const detected = mutants.filter((m) => DETECTED.has(m.status)).length;
  const before = mutants.filter(killedBefore).length;
  const undetected = mutants.filter((m) => UNDETECTED.has(m.status)).length;
  const equivalent = mutants.filter((m) => m.status === 'Ignored').length;
  const errors = mutants.filter((m) => m.status === 'CompileError' || m.status === 'RuntimeError').length;
  const valid = detected + undetected;
  const pct = (n: number): string => (valid === 0 ? '-' : ((100 * n) / valid).toFixed(1));
  return { detected, before, undetected, equivalent, errors, score: pct(detected), scoreBefore: pct(before) };
}

function line(source: string, lineNumber: number): string {
  return (source.split('\n')[lineNumber - 1] ?? '').trim();
}

/** One module's counts, summable across groups. */
interface ModuleCounts {
  name: string;
  mutants: number;
  detected: number;
  before: number;
  undetected: number;
  equivalent: number;
}
/** What a group's run established: kept in test/mutation/results/GROUP.json. */
interface GroupResult {
  group: string;
  measured: string;
  modules: ModuleCounts[];
  survivors: string[];
  equivalents: string[];
}

function groupResult(group: string, report: Report): GroupResult {
  const modules: ModuleCounts[] = [];
  for (const [name, pattern] of GROUPS) {
    const mutants = Object.entries(report.files).filter(([file]) => pattern.test(file)).flatMap(([, f]) => f.mutants);
    if (mutants.length === 0) continue;
    const c = counts(mutants);
    modules.push({ name, mutants: mutants.length - c.errors, detected: c.detected, before: c.before, undetected: c.undetected, equivalent: c.equivalent });
  }
  const survivors: string[] = [];
  const equivalents: string[] = [];
  for (const [file, { source, mutants }] of Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))) {
    for (const m of [...mutants].sort((a, b) => a.location.start.line - b.location.start.line)) {
      const where = `${file}:${m.location.start.line}`;
      if (UNDETECTED.has(m.status)) survivors.push(`${where} ${m.status} ${m.mutatorName}: ${line(source, m.location.start.line)}  →  ${m.replacement ?? ''}`);
      if (m.status === 'Ignored') equivalents.push(`\`${where}\` ${m.mutatorName} (\`${(m.replacement ?? '').replace(/\s+/g, ' ').slice(0, 60)}\`): ${m.statusReason ?? ''}`);
    }
  }
  return { group, measured: new Date().toISOString().slice(0, 10), modules, survivors, equivalents };
}

function pct(n: number, valid: number): string {
  return valid === 0 ? '-' : ((100 * n) / valid).toFixed(1);
}

function row(name: string, m: Omit<ModuleCounts, 'name'>): string {
  const valid = m.detected + m.undetected;
  return `| ${name} | ${m.mutants} | ${m.detected} | ${m.undetected} | ${m.equivalent} | ${pct(m.before, valid)} % | ${pct(m.detected, valid)} % |`;
}

function table(results: GroupResult[]): string {
  const rows = ['| group | module | mutants | killed | survived | equivalent | score before the *-checks tests | score |', '|---|---|---|---|---|---|---|---|'];
  const total = { mutants: 0, detected: 0, before: 0, undetected: 0, equivalent: 0 };
  for (const r of results) {
    for (const m of r.modules) {
      rows.push(`| ${r.group} (${r.measured}) ${row(m.name, m)}`);
      for (const k of Object.keys(total) as Array<keyof typeof total>) total[k] += m[k];
    }
  }
  rows.push(`| | ${row('**all**', total).slice(2)}`);
  return rows.join('\n');
}

const RESULTS = new URL('../../../test/mutation/results/', import.meta.url);
const args = process.argv.slice(2);
const write = args.includes('--write');
const ran: GroupResult[] = [];
for (const path of args.filter((a) => !a.startsWith('--'))) {
  if (!existsSync(path)) {
    console.log(`(no report ${path})`);
    continue;
  }
  const report = JSON.parse(readFileSync(path, 'utf8')) as Report;
  nameKillers(report);
  for (const [file, { source, mutants }] of Object.entries(report.files)) markEquivalents(file, source, mutants);
  ran.push(groupResult(basename(path, '.json'), report));
}

console.log(table(ran));
const undetected = ran.flatMap((r) => r.survivors);
console.log(`\n${undetected.length} surviving or uncovered mutants${undetected.length ? ':' : '.'}`);
for (const s of undetected) console.log(`  ${s}`);
console.log(`\n${ran.flatMap((r) => r.equivalents).length} mutants listed as equivalent (test/mutation/equivalent.json).`);

if (write) {
  mkdirSync(RESULTS, { recursive: true });
  for (const r of ran) writeFileSync(new URL(`${r.group}.json`, RESULTS), `${JSON.stringify(r, null, 2)}\n`);
  const order = ['codec', 'kex', 'hostkeys', 'auth'];
  const all = readdirSync(RESULTS)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(new URL(f, RESULTS), 'utf8')) as GroupResult)
    .sort((a, b) => order.indexOf(a.group) - order.indexOf(b.group));
  const survivors = all.flatMap((r) => r.survivors);
  const equivalents = all.flatMap((r) => r.equivalents);
  writeFileSync(
    new URL('../EQUIVALENT.md', RESULTS),
    [
      '# Mutation testing: scores and equivalent mutants',
      '',
      'Written by `npm run mutate` (test/mutation/summary.ts) from each group\'s last run, kept in',
      'test/mutation/results/. A mutant counts as killed when a unit or pair test fails (or times out)',
      'with it; equivalent mutants change no behaviour any test could observe; each is listed in',
      'test/mutation/equivalent.json (file, mutator, source line, replacement) with the reason.',
      '',
      table(all),
      '',
      `## Surviving mutants (${survivors.length})`,
      '',
      ...(survivors.length ? survivors.map((s) => `- \`${s}\``) : ['None.']),
      '',
      `## Equivalent mutants (${equivalents.length})`,
      '',
      ...(equivalents.length ? equivalents.map((e) => `- ${e}`) : ['None.']),
      '',
    ].join('\n'),
  );
}
process.exit(undetected.length > 0 ? 1 : 0);
