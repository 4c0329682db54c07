/**
 * The layer order of ARCHITECTURE.md, enforced: a module imports only from its own layer or below, and
 * no two modules import each other, directly or round a longer circle (type-only imports count too:
 * they tie the modules' designs together just the same).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../support/run.js';

/** Top to bottom. A module may import from its own layer and any layer after it in this list. */
const LAYERS: readonly (readonly string[])[] = [
  ['cli'],
  ['index.ts'],
  ['api'],
  ['connect'],
  ['profile'],
  ['client.ts'],
  ['forward', 'mux'],
  ['connection'],
  ['auth', 'hostkeys'],
  ['transport', 'agent', 'net'],
  ['config'],
  ['crypto'],
  ['wire', 'text', 'errors.ts', 'log.ts', 'prompt.ts', 'timeline.ts'],
];

const SRC = path.join(REPO_ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** The module's layer: its first path segment under src/ (a folder, or a top-level file). */
function layerOf(file: string): number {
  const top = path.relative(SRC, file).split(path.sep)[0]!;
  const index = LAYERS.findIndex((names) => names.includes(top));
  assert.ok(index >= 0, `src/${top} is in no layer of test/unit/layers.test.ts: add it where it belongs`);
  return index;
}

/** Relative imports (static, re-exports and dynamic) of a module, as absolute .ts paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"](\.[^'"]+)['"]/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
  return specifiers
    .filter((spec) => spec.endsWith('.js'))
    .map((spec) => path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts')));
}

const files = sourceFiles(SRC);
const graph = new Map(files.map((file) => [file, importsOf(file)]));
const rel = (file: string): string => path.relative(REPO_ROOT, file);

test('every module imports only from its own layer or the layers below it', () => {
  const upward: string[] = [];
  for (const [file, targets] of graph) {
    for (const target of targets) {
      if (layerOf(target) < layerOf(file)) upward.push(`${rel(file)} -> ${rel(target)}`);
    }
  }
  assert.deepEqual(upward, []);
});

test('no import cycles', () => {
  // Tarjan's strongly connected components: any component with two or more modules is a cycle.
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (file: string): void => {
    index.set(file, counter);
    low.set(file, counter++);
    stack.push(file);
    onStack.add(file);
    for (const target of graph.get(file) ?? []) {
      if (!graph.has(target)) continue;
      if (!index.has(target)) {
        visit(target);
        low.set(file, Math.min(low.get(file)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(file, Math.min(low.get(file)!, index.get(target)!));
      }
    }
    if (low.get(file) === index.get(file)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(rel(member));
      } while (member !== file);
      if (component.length > 1) cycles.push(component.sort());
    }
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  assert.deepEqual(cycles, []);
});

test('the checker sees the imports it checks', () => {
  // A guard against a regex that silently matches nothing: client.ts imports the transport.
  const client = graph.get(path.join(SRC, 'client.ts')) ?? [];
  assert.ok(client.some((target) => target.endsWith(path.join('transport', 'transport.ts'))));
});
