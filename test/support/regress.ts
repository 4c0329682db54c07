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
import { sshdPath, type OpensshRelease } from './sshd.js';

const REGRESS = '/usr/lib/openssh/regress';
/**
 * A stuck script is killed and named here, far inside npm test's per-file limit (300 s). No script
 * in the default lists takes more than ~45 s on an idle machine, so a loaded machine has >4x margin.
 */
const TIMEOUT_MS = 200_000;

export const REGRESS_SKIP = existsSync(path.join(REGRESS, 'test-exec.sh')) ? false : `${REGRESS} missing: apt-get install openssh-tests`;
/** A node:test timeout for one script: its kill deadline and time to report. */
export const REGRESS_TEST_TIMEOUT_MS = TIMEOUT_MS + 10_000;
export interface RegressOptions {
  /** The sshd the scripts start; default 9.2 (the scripts are 9.2's). */
  release?: OpensshRelease;
  /** Per-script kill; a file with one long script may use more of its 120 s. */
  timeoutMs?: number;
  /** A line test-exec.sh appends to the client's ssh_config (TEST_SSH_SSH_CONFOPTS). */
  sshConfig?: string;
  /** Run only a share of a script that loops over `ssh -Q` lists (see shardWrapper). */
  shard?: RegressShard;
}

/**
 * try-ciphers, integrity and kextype log in once (or ten times) per name `ssh -Q cipher|mac|kex`
 * prints, far more than one file's 120 s allow under load. A shard runs the same script with tssh
 * behind a wrapper that prints only every `count`-th name (from the `index`-th) of the listed queries,
 * so `count` files with one index each cover every name between them.
 */
export interface RegressShard {
  queries: readonly string[];
  index: number;
  count: number;
}

/** The TEST_SSH_SSH for a shard. test-exec.sh's log wrapper calls it as `-E<log> -Q <query>`. */
export function shardWrapper(dir: string, shard: RegressShard): string {
  const wrapper = path.join(dir, 'tssh-shard');
  const queries = shard.queries.join('|');
  writeFileSync(
    wrapper,
    [
      '#!/bin/sh',
      `# regress shard ${shard.index + 1} of ${shard.count}: \`-Q ${queries}\` lists every ${shard.count}th name`,
      `if [ $# -eq 3 ] && [ "$2" = "-Q" ]; then case "$3" in ${queries})`,
      `  "$(dirname "$0")/tssh-regress" "$@" | awk 'NR % ${shard.count} == ${(shard.index + 1) % shard.count}'; exit $?;;`,
      'esac; fi',
      'exec "$(dirname "$0")/tssh-regress" "$@"',
      '',
    ].join('\n'),
  );
  chmodSync(wrapper, 0o755);
  writeClientWrapper(dir);
  return wrapper;
}

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
export function runRegress(name: string, port: number, copy: RegressCopy = { work, home }, options: RegressOptions = {}): Promise<{ code: number | null; output: string }> {
  const { work, home } = copy;
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
    TEST_SSH_SSH: options.shard ? shardWrapper(work, options.shard) : writeClientWrapper(work),
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
      output += `\n(killed after ${timeoutMs} ms)\n${stuckState(obj, child.pid)}`;
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
      stopLeftoverSshd(obj);
      resolve({ code, output });
    });
  });
}

/**
 * test-exec.sh's sshd daemonizes into a session of its own, out of reach of the process-group kill:
 * a script killed on timeout (or one that did not reach its cleanup) would leave it running.
 */
function stopLeftoverSshd(obj: string): void {
  const pidfile = path.join(obj, 'pidfile');
  if (!existsSync(pidfile)) return;
  const pid = Number(readFileSync(pidfile, 'utf8').trim());
  if (Number.isInteger(pid) && pid > 1) killTreeNow(pid);
  // The next script in this copy would take it for its own sshd, find it dead and fail.
  rmSync(pidfile, { force: true });
}

/** What a stuck script was doing: its processes and the ends of the client and server logs. */
function stuckState(obj: string, pid: number | undefined): string {
  const tail = (file: string, lines: number): string =>
    existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n') : `(no ${path.basename(file)})`;
  const ps = pid === undefined ? '' : spawnSync('ps', ['-o', 'pid,ppid,stat,etime,time,args', '-s', String(pid)], { encoding: 'utf8', timeout: 5_000 }).stdout;
  return [`processes:\n${ps}`, `ssh.log (end):\n${tail(path.join(obj, 'ssh.log'), 60)}`, `sshd.log (end):\n${tail(path.join(obj, 'sshd.log'), 30)}`].join('\n');
}

/** Registers one node:test test per script, run in order in this file's own copy of the directory. */
export function regressSuite(names: readonly string[], options: RegressOptions = {}): void {
  const release = options.release ?? '9.2';
  if (names.length === 0) return;
  before(() => {
    if (REGRESS_SKIP) return;
    ({ work, home } = copyRegress());
  });
  after(() => removeRegressCopy({ work, home }));
  for (const name of names) {
    const shard = options.shard ? ` [${options.shard.queries[0]} shard ${options.shard.index + 1}/${options.shard.count}]` : '';
    const label = `${name}${release === '9.2' ? '' : ` (sshd ${release})`}${shard}`;
    test(`OpenSSH regress: ${label}`, { skip: REGRESS_SKIP, timeout: (options.timeoutMs ?? TIMEOUT_MS) + 10_000 }, (t) => runAndCheck(name, { work, home }, t, options, label));
  }
}

/** Runs `name` (a script in the copy's regress dir) on a free port and asserts it passed. */
export async function runAndCheck(name: string, copy: RegressCopy, t: { diagnostic(message: string): void }, options: RegressOptions = {}, label = name): Promise<void> {
  const started = Date.now();
  const failedLog = path.join(copy.work, 'regress', 'failed-regress.log');
  rmSync(failedLog, { force: true }); // test-exec.sh appends: keep only this script's failures
  const { code, output } = await runRegress(name, await freePort(), copy, options);
  const details = existsSync(failedLog) ? readFileSync(failedLog, 'utf8').slice(-4000) : '';
  assert.equal(code, 0, `${name} failed:\n${output}\n${details}`);
  assert.match(output, /^ok /m);
  t.diagnostic(`regress ${label}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
/** The kex for scripts that test ciphers and MACs: small (integrity's offsets assume one) and cheap. */
const CIPHER_SCRIPT_KEX = 'KexAlgorithms curve25519-sha256';

/**
 * The scripts that loop over `ssh -Q` lists, each split over files (one shard a file):
 * - try-ciphers: every cipher with every MAC, 7 x 16 + 3 logins.
 * - integrity: 10 corrupted connections per MAC and AEAD cipher, 190 in all. Its offsets start at
 *   byte 2900 of the server's output, "after kex", which the small curve25519 exchange keeps true.
 * - kextype: four logins per kex. It configures sshd with every name `tssh -Q kex` prints,
 *   mlkem768x25519-sha256 among them, which 9.2's sshd rejects: so the 10.x sshd.
 */
const SHARDED: Record<'try-ciphers' | 'integrity' | 'kextype', { queries: string[]; count: number } & Omit<RegressOptions, 'shard'>> = {
  'try-ciphers': { queries: ['cipher'], count: 3, sshConfig: CIPHER_SCRIPT_KEX },
  integrity: { queries: ['mac', 'cipher-auth'], count: 4, sshConfig: CIPHER_SCRIPT_KEX },
  kextype: { queries: ['kex'], count: 2, release: '10' },
};

/** Registers shard `index` (from 0) of a long script; with REGRESS_TESTS set, nothing (regress.test.ts runs those). */
export function shardedRegressSuite(name: keyof typeof SHARDED, index: number): void {
  const { queries, count, ...options } = SHARDED[name];
  regressSuite(process.env.REGRESS_TESTS !== undefined ? [] : [name], { ...options, shard: { queries, index, count } });
}
