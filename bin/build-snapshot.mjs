// Builds tssh's V8 startup snapshot, dist/tssh.blob, from dist/tssh-snapshot.cjs (npm run build makes
// both; an installed package builds it on install). bin/tssh uses the blob only while dist/tssh.blob.node
// names the node binary that built it, so a blob is tied to one Node.js: a different or upgraded node
// runs the plain bundle until this runs again. It never fails the build or the install: when node
// cannot build or run the snapshot, there is no blob and tssh starts without it.
import { spawnSync } from 'node:child_process';
import { renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const file = (name) => fileURLToPath(new URL(`../dist/${name}`, import.meta.url));
const blob = file('tssh.blob');
const stamp = file('tssh.blob.node');
const temporary = file(`tssh.blob.${process.pid}.tmp`);
const shim = fileURLToPath(new URL('./tssh', import.meta.url));

function build() {
  rmSync(stamp, { force: true });
  rmSync(blob, { force: true });
  if (!existsSync(file('tssh-snapshot.cjs'))) return null; // not built yet (npm ci in a fresh clone): nothing to say
  const flags = ['--single-threaded-gc', '--snapshot-blob', temporary];
  // Built where no stdin, terminal or environment of the caller's can leak into the heap.
  const entry = fileURLToPath(new URL('./snapshot-entry.cjs', import.meta.url));
  const built = spawnSync(process.execPath, [...flags, '--build-snapshot', entry], { stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env.PATH ?? '', TSSH_SNAPSHOT_BUNDLE: file('tssh-snapshot.cjs') }, timeout: 120_000, encoding: 'utf8' });
  if (built.status !== 0) return `node --build-snapshot failed: ${built.stderr.trim().split('\n').pop()}`;
  // The blob must start tssh before bin/tssh may use it.
  const tried = spawnSync(process.execPath, [...flags, '--', shim, '-V'], { stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env.PATH ?? '' }, timeout: 60_000, encoding: 'utf8' });
  if (tried.status !== 0 || !tried.stderr.startsWith('tssh ')) return `the snapshot does not start tssh: ${tried.stderr.trim().split('\n')[0]}`;
  renameSync(temporary, blob);
  writeFileSync(stamp, `${process.execPath}\n`);
  return undefined;
}

let problem;
try {
  problem = build();
} catch (err) {
  problem = err instanceof Error ? err.message : String(err);
}
rmSync(temporary, { force: true });
if (problem) console.error(`tssh: no start-up snapshot (${problem}); tssh runs without it`);
