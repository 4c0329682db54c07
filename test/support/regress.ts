/**
 * OpenSSH's own regression tests (Debian's openssh-tests package, /usr/lib/openssh/regress) with tssh
 * as the client: each script runs through the package's test-exec.sh, as its Makefile's t-exec target
 * does, in a private copy of the directory, on a free port, with HOME pointing at a temp dir. The
 * scripts are split over two test files so that each stays well inside the per-file time limit.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { TSSH_BIN, makeTempDir } from './run.js';
import { freePort, killTreeNow } from './processes.js';
import { sshdPath, type OpensshRelease } from './sshd.js';

const REGRESS = '/usr/lib/openssh/regress';
/** Below the per-file limit of `npm test` (120 s), so a stuck script is killed and named. */
const TIMEOUT_MS = 90_000;

export interface RegressOptions {
  /** The sshd the scripts start; default 9.2 (the scripts are 9.2's). */
  release?: OpensshRelease;
  /** Per-script kill; a file with one long script may use more of its 120 s. */
  timeoutMs?: number;
  /** A line test-exec.sh appends to the client's ssh_config (TEST_SSH_SSH_CONFOPTS). */
  sshConfig?: string;
}

const skip = existsSync(path.join(REGRESS, 'test-exec.sh')) ? false : `${REGRESS} missing: apt-get install openssh-tests`;
let work: string;
let home: string;

/** Runs one regress script; resolves with its exit status and output. Killed (by process group) on timeout. */
function runRegress(name: string, port: number, options: RegressOptions): Promise<{ code: number | null; output: string }> {
  const timeoutMs = options.timeoutMs ?? TIMEOUT_MS;
  const obj = path.join(work, 'regress');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    USER: process.env.USER ?? 'root',
    LOGNAME: process.env.LOGNAME ?? process.env.USER ?? 'root',
    OBJ: obj,
    BUILDDIR: obj,
    TEST_SHELL: 'sh',
    TEST_SSH_SSH: TSSH_BIN,
    TEST_SSH_SFTPSERVER: '/usr/lib/openssh/sftp-server',
    TEST_SSH_UNSAFE_PERMISSIONS: '1',
    TEST_SSH_PORT: String(port),
    TEST_SSH_SSHD: sshdPath(options.release),
    ...(options.sshConfig === undefined ? {} : { TEST_SSH_SSH_CONFOPTS: options.sshConfig }),
    SUDO: '',
  };
  return new Promise((resolve) => {
    const child = spawn('sh', [path.join(obj, 'test-exec.sh'), obj, path.join(obj, `${name}.sh`)], {
      cwd: obj,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, so a timeout stops sshd and clients too
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      output += `\n(killed after ${timeoutMs} ms)`;
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          killTreeNow(child.pid);
        }
      }
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** Registers one node:test test per script, run in order in this file's own copy of the directory. */
export function regressSuite(names: readonly string[], options: RegressOptions = {}): void {
  const release = options.release ?? '9.2';
  if (names.length === 0) return;
  before(() => {
    if (skip) return;
    work = makeTempDir('tssh-regress-');
    home = makeTempDir('tssh-regress-home-');
    // test-exec.sh writes keys, configs and logs next to the scripts: give it its own copy.
    const copied = spawnSync('cp', ['-a', REGRESS, work], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(copied.status, 0, copied.stderr);
  });
  after(() => {
    for (const dir of [work, home]) if (dir) spawnSync('rm', ['-rf', dir]);
  });
  for (const name of names) {
    const label = release === '9.2' ? name : `${name} (sshd ${release})`;
    test(`OpenSSH regress: ${label}`, { skip, timeout: (options.timeoutMs ?? TIMEOUT_MS) + 10_000 }, async (t) => {
      const started = Date.now();
      const failedLog = path.join(work, 'regress', 'failed-regress.log');
      rmSync(failedLog, { force: true }); // test-exec.sh appends: keep only this script's failures
      const { code, output } = await runRegress(name, await freePort(), options);
      const details = existsSync(failedLog) ? readFileSync(failedLog, 'utf8').slice(-4000) : '';
      assert.equal(code, 0, `${name} failed:\n${output}\n${details}`);
      assert.match(output, /^ok /m);
      t.diagnostic(`regress ${label}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    });
  }
}
