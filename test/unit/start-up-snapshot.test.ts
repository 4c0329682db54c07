/**
 * bin/tssh and its start-up snapshot (src/cli/snapshot.ts, bin/build-snapshot.mjs): the snapshot is
 * used only while it is fresh and built by this node, anything else falls back to the plain bundle,
 * and a snapshot that cannot be built leaves tssh working. `sh -x` shows which command the shim ran.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, TSSH_BIN, makeTempDir } from '../support/run.js';

interface ShimRun {
  status: number | null;
  version: string;
  usedSnapshot: boolean;
}

/** Runs `sh -x <shim> -V` and reads which `exec` the trace shows. */
function runShim(shim: string, env: NodeJS.ProcessEnv = {}): ShimRun {
  const r = spawnSync('sh', ['-x', shim, '-V'], { encoding: 'utf8', timeout: 60_000, env: { PATH: process.env['PATH'] ?? '', ...env } });
  const execLine = r.stderr.split('\n').find((line) => line.startsWith('+ exec ')) ?? '';
  return { status: r.status, version: r.stderr.split('\n').find((line) => line.startsWith('tssh ')) ?? '', usedSnapshot: execLine.includes('--snapshot-blob') };
}

/** A copy of bin/ and the bundles in a temporary package, with the repo's node_modules. */
function copyPackage(): string {
  const root = makeTempDir('tssh-shim-');
  cpSync(path.join(REPO_ROOT, 'bin'), path.join(root, 'bin'), { recursive: true });
  mkdirSync(path.join(root, 'dist'));
  for (const file of ['tssh.mjs', 'tssh-snapshot.cjs']) copyFileSync(path.join(REPO_ROOT, 'dist', file), path.join(root, 'dist', file));
  symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(root, 'node_modules'));
  return root;
}

function buildSnapshot(root: string): string {
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'build-snapshot.mjs')], { encoding: 'utf8', timeout: 180_000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stderr;
}

test('npm run build leaves a snapshot that bin/tssh uses; NODE_OPTIONS makes it run the plain bundle', (t) => {
  if (!existsSync(path.join(REPO_ROOT, 'dist', 'tssh.blob'))) {
    t.skip('this node could not build a start-up snapshot (bin/build-snapshot.mjs said why during the build)');
    return;
  }
  const fromSnapshot = runShim(TSSH_BIN);
  assert.equal(fromSnapshot.status, 0);
  assert.match(fromSnapshot.version, /^tssh \S+ \(OpenSSH-compatible\)/);
  assert.ok(fromSnapshot.usedSnapshot);
  // V8 flags in NODE_OPTIONS make node refuse a snapshot built without them.
  const withOptions = runShim(TSSH_BIN, { NODE_OPTIONS: '--max-old-space-size=200' });
  assert.deepEqual(withOptions, { ...fromSnapshot, usedSnapshot: false });
});

test('a missing, foreign or stale snapshot falls back to the plain bundle', () => {
  const root = copyPackage();
  try {
    const shim = path.join(root, 'bin', 'tssh');
    const blob = path.join(root, 'dist', 'tssh.blob');
    const plain = runShim(shim);
    assert.equal(plain.status, 0);
    assert.match(plain.version, /^tssh /);
    assert.equal(plain.usedSnapshot, false);

    assert.equal(buildSnapshot(root), '');
    assert.deepEqual(runShim(shim), { ...plain, usedSnapshot: true });

    // Built by another node binary (the stamp names it): not used.
    writeFileSync(`${blob}.node`, '/bin/sh\n');
    assert.deepEqual(runShim(shim), plain);
    writeFileSync(`${blob}.node`, `${process.execPath}\n`);
    assert.equal(runShim(shim).usedSnapshot, true);
    // A bundle newer than the snapshot (a rebuild that did not finish): not used.
    const later = new Date(Date.now() + 60_000);
    utimesSync(path.join(root, 'dist', 'tssh-snapshot.cjs'), later, later);
    assert.deepEqual(runShim(shim), plain);
    // No stamp: not used.
    buildSnapshot(root);
    rmSync(`${blob}.node`);
    assert.deepEqual(runShim(shim), plain);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a snapshot that cannot be built leaves no blob, says why, and tssh still runs', () => {
  const root = copyPackage();
  try {
    writeFileSync(path.join(root, 'dist', 'tssh-snapshot.cjs'), 'throw new Error("broken bundle");\n');
    assert.match(buildSnapshot(root), /^tssh: no start-up snapshot \(node --build-snapshot failed: .*\); tssh runs without it\n$/);
    assert.equal(existsSync(path.join(root, 'dist', 'tssh.blob')), false);
    assert.equal(existsSync(path.join(root, 'dist', 'tssh.blob.node')), false);
    const r = runShim(path.join(root, 'bin', 'tssh'));
    assert.equal(r.status, 0);
    assert.match(r.version, /^tssh /);
    assert.equal(r.usedSnapshot, false);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('before the first build (npm ci in a fresh clone) the snapshot step is silent and succeeds', () => {
  const root = makeTempDir('tssh-shim-');
  try {
    cpSync(path.join(REPO_ROOT, 'bin'), path.join(root, 'bin'), { recursive: true });
    mkdirSync(path.join(root, 'dist'));
    assert.equal(buildSnapshot(root), '');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("NODE_EXTRA_CA_CERTS is not loaded by tssh's own node, yet reaches the programs tssh runs", () => {
  const dir = makeTempDir('tssh-shim-env-');
  try {
    const seen = path.join(dir, 'seen');
    // (%% is a literal % in ProxyCommand. sh -c keeps the proxy's stdout open until the file is written:
    // tssh stops the proxy as soon as that closes.)
    const proxy = `sh -c 'printf "%%s|%%s" "$NODE_EXTRA_CA_CERTS" "\${TSSH_NODE_EXTRA_CA_CERTS-unset}" > ${seen}'`;
    const r = spawnSync(TSSH_BIN, ['-F', '/dev/null', '-o', `ProxyCommand=${proxy}`, 'example.invalid', 'true'], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { PATH: process.env['PATH'] ?? '', HOME: dir, NODE_EXTRA_CA_CERTS: path.join(dir, 'no-such-ca.pem') },
    });
    assert.equal(r.status, 255, r.stderr);
    // node warns on stderr when it loads NODE_EXTRA_CA_CERTS and the file is missing.
    assert.doesNotMatch(r.stderr, /extra certs/i);
    assert.equal(readFileSync(seen, 'utf8'), `${path.join(dir, 'no-such-ca.pem')}|unset`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
