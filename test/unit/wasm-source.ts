/** Checks that a module embedded as base64 is its .wat source assembled, where wat2wasm (wabt) is installed. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { TestContext } from 'node:test';

/** `source` is the .wat path; `embedded` the base64 string the code ships. */
export function assertEmbeddedModuleIsSource(t: TestContext, source: string, embedded: string): void {
  let hasTool = true;
  try {
    execFileSync('wat2wasm', ['--version'], { stdio: 'ignore', timeout: 10_000 });
  } catch {
    hasTool = false;
  }
  if (!hasTool || !existsSync(source)) {
    t.skip('wat2wasm (Debian package wabt) or the .wat source is not available');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'tssh-wat-'));
  try {
    const output = join(dir, basename(source).replace(/\.wat$/, '.wasm'));
    execFileSync('wat2wasm', [source, '-o', output], { timeout: 10_000 });
    assert.equal(readFileSync(output).toString('base64'), embedded);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
