/**
 * OpenSSH's own regression tests (Debian's openssh-tests package, /usr/lib/openssh/regress) with tssh
 * as the client: each script runs through the package's test-exec.sh, as its Makefile's t-exec target
 * does, in a private copy of the directory, on a free port, with HOME pointing at a temp dir. The
 * scripts are split over several test files so that each stays well inside the per-file time limit
 * (a script too long for one test runs in parts: regress-parts.ts).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TSSH_BIN, makeTempDir } from './run.js';
import { freePort, killTreeNow } from './processes.js';

const REGRESS = '/usr/lib/openssh/regress';
/**
 * A stuck script is killed and named here, far inside npm test's per-file limit (300 s). No script
 * in the default lists takes more than ~45 s on an idle machine, so a loaded machine has >4x margin.
 */
const TIMEOUT_MS = 200_000;

export const REGRESS_SKIP = existsSync(path.join(REGRESS, 'test-exec.sh')) ? false : `${REGRESS} missing: apt-get install openssh-tests`;
/** A node:test timeout for one script: its kill deadline and time to report. */
export const REGRESS_TEST_TIMEOUT_MS = TIMEOUT_MS + 10_000;
let work: string;
let home: string;

/**
 * The client the scripts run: tssh, except that `-Q <query>` lists only the names Debian's 9.2 ssh
 * also lists. The suite asks the client which key types, ciphers, MACs and key exchanges to test and
 * then makes keys and configures sshd with 9.2's own ssh-keygen and sshd, which know nothing newer
 * (ssh-mldsa44-ed25519@openssh.com, mlkem768nistp256-sha256): those are tested elsewhere.
 */
function writeClientWrapper(dir: string): string {
  const wrapper = path.join(dir, 'tssh-regress');
  writeFileSync(
    wrapper,
    [
      '#!/bin/sh',
      // test-exec.sh's own wrapper adds -E<log> in front, so look for -Q anywhere.
      'query= prev=',
      'for arg in "$@"; do [ "$prev" = -Q ] && query=$arg; prev=$arg; done',
      'if [ -n "$query" ]; then',
      '  known=$(/usr/bin/ssh -Q "$query") || exit $?',
      `  ${JSON.stringify(TSSH_BIN)} "$@" | grep -Fx -e "$known"`,
      '  exit 0',
      'fi',
      `exec ${JSON.stringify(TSSH_BIN)} "$@"`,
      '',
    ].join('\n'),
  );
  chmodSync(wrapper, 0o755);
  return wrapper;
}

/** A private copy of the regress directory (test-exec.sh writes next to the scripts) and a HOME. */
export interface RegressCopy {
  work: string;
  home: string;
}

export function copyRegress(): RegressCopy {
  const copy = { work: makeTempDir('tssh-regress-'), home: makeTempDir('tssh-regress-home-') };
  const copied = spawnSync('cp', ['-a', REGRESS, copy.work], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(copied.status, 0, copied.stderr);
  return copy;
}

export function removeRegressCopy(copy: RegressCopy | undefined): void {
  for (const dir of [copy?.work, copy?.home]) if (dir) spawnSync('rm', ['-rf', dir]);
}

/** Runs one regress script; resolves with its exit status and output. Killed (by process group) on timeout. */
export function runRegress(name: string, port: number, copy: RegressCopy = { work, home }): Promise<{ code: number | null; output: string }> {
  const { work, home } = copy;
  const obj = path.join(work, 'regress');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    USER: process.env.USER ?? 'root',
    LOGNAME: process.env.LOGNAME ?? process.env.USER ?? 'root',
    OBJ: obj,
    BUILDDIR: obj,
    TEST_SHELL: 'sh',
    TEST_SSH_SSH: writeClientWrapper(work),
    TEST_SSH_SFTPSERVER: '/usr/lib/openssh/sftp-server',
    TEST_SSH_UNSAFE_PERMISSIONS: '1',
    TEST_SSH_PORT: String(port),
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
      output += `\n(killed after ${TIMEOUT_MS} ms)`;
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          killTreeNow(child.pid);
        }
      }
    }, TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** Registers one node:test test per script, run in order in this file's own copy of the directory. */
export function regressSuite(names: readonly string[]): void {
  if (names.length === 0) return;
  before(() => {
    if (REGRESS_SKIP) return;
    ({ work, home } = copyRegress());
  });
  after(() => removeRegressCopy({ work, home }));
  for (const name of names) {
    test(`OpenSSH regress: ${name}`, { skip: REGRESS_SKIP, timeout: REGRESS_TEST_TIMEOUT_MS }, (t) => runAndCheck(name, { work, home }, t));
  }
}

/** Runs `name` (a script in the copy's regress dir) on a free port and asserts it passed. */
export async function runAndCheck(name: string, copy: RegressCopy, t: { diagnostic(message: string): void }): Promise<void> {
  const started = Date.now();
  const failedLog = path.join(copy.work, 'regress', 'failed-regress.log');
  rmSync(failedLog, { force: true }); // test-exec.sh appends: keep only this script's failures
  const { code, output } = await runRegress(name, await freePort(), copy);
  const details = existsSync(failedLog) ? readFileSync(failedLog, 'utf8').slice(-4000) : '';
  assert.equal(code, 0, `${name} failed:\n${output}\n${details}`);
  assert.match(output, /^ok /m);
  t.diagnostic(`regress ${name}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
