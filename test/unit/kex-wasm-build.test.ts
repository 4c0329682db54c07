import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const KEX_SOURCE = fileURLToPath(new URL('../../../src/crypto/kex/', import.meta.url));
const BUILD = join(KEX_SOURCE, 'wasm', 'build.sh');

const hasTool = (tool: string): boolean => spawnSync(tool, ['--version'], { stdio: 'ignore', timeout: 10_000 }).status === 0;

test('the committed WebAssembly modules are wasm/*.c built by wasm/build.sh (when clang 14 and wasm-ld 14 are installed)', (t) => {
  if (!hasTool('clang-14') || !hasTool('wasm-ld-14')) {
    t.skip('clang-14 and wasm-ld-14 (Debian packages clang-14, lld-14) are not installed');
    return;
  }
  const out = mkdtempSync(join(tmpdir(), 'tssh-wasm-'));
  try {
    execFileSync('bash', [BUILD, '--out', out], { timeout: 120_000 });
    const built = readdirSync(out).sort();
    const sources = readdirSync(join(KEX_SOURCE, 'wasm')).filter((f) => f.endsWith('.c')).map((f) => f.replace(/\.c$/, '-wasm.ts')).sort();
    assert.deepEqual(built, sources);
    for (const file of built) assert.equal(readFileSync(join(out, file), 'utf8'), readFileSync(join(KEX_SOURCE, file), 'utf8'), `${file} is stale: run bash src/crypto/kex/wasm/build.sh`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
