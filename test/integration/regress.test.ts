/**
 * OpenSSH's own regression tests (Debian's openssh-tests package, /usr/lib/openssh/regress) with tssh
 * as the client: each script runs through the package's test-exec.sh, as its Makefile's t-exec target
 * does, in a private copy of the directory, on a free port, with HOME pointing at a temp dir.
 *
 * REGRESS_TESTS="name ..." runs other scripts (e.g. the ones that still wait on other features):
 *   REGRESS_TESTS="percent proxy-connect" node --test dist/test/integration/regress.test.js
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { TSSH_BIN, makeTempDir } from '../support/run.js';
import { freePort, killTreeNow } from '../support/processes.js';

const REGRESS = '/usr/lib/openssh/regress';
/**
 * Scripts that pass with tssh, run by default. They also pass but are left out for time: exit-status
 * and stderr-data (sleeps, 15-30 s), cert-userkey (60 s), cert-hostkey (50 s), agent-timeout (20 s),
 * agent-restrict (40 s); and cfgmatch (it exercises sshd more than the client). Waiting on features:
 * forwarding, forward-control and dynamic-forward (connection sharing, -M/-S/-O), hostkey-agent
 * (sk-* and ssh-dss host keys), kextype and dhgex (sntrup761, SHA-1 groups, CBC ciphers).
 */
const DEFAULT_TESTS = [
  'connect',
  'connect-uri',
  'portnum',
  'knownhosts',
  'knownhosts-command',
  'host-expand',
  'localcommand',
  'sshcfgparse',
  'cfginclude',
  'hostkey-rotate',
  'proxy-connect',
  'percent',
  // sessions: exit status and signals, stderr, pipes closing early, banners, environment
  'exit-status-signal',
  'stderr-after-eof',
  'transfer',
  'broken-pipe',
  'yes-head',
  'banner',
  'envpass',
  'forcecommand',
  // keys, certificates and the agent
  'brokenkeys',
  'key-options',
  'multipubkey',
  'cert-file',
  'keys-command',
  'principals-command',
  'limit-keytype',
  'keytype',
  'agent',
  'agent-subprocess',
  'try-ciphers',
  // every MAC and AEAD cipher against a bit flipped in the server's output (23 s)
  'integrity',
];
const TESTS = process.env.REGRESS_TESTS?.split(/\s+/).filter((t) => t !== '') ?? DEFAULT_TESTS;
const TIMEOUT_MS = 180_000;

const skip = existsSync(path.join(REGRESS, 'test-exec.sh')) ? false : `${REGRESS} missing: apt-get install openssh-tests`;
let work: string;
let home: string;

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

/** Runs one regress script; resolves with its exit status and output. Killed (by process group) on timeout. */
function runRegress(name: string, port: number): Promise<{ code: number | null; output: string }> {
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

for (const name of TESTS) {
  test(`OpenSSH regress: ${name}`, { skip, timeout: TIMEOUT_MS + 10_000 }, async (t) => {
    const started = Date.now();
    const { code, output } = await runRegress(name, await freePort());
    const failedLog = path.join(work, 'regress', 'failed-regress.log');
    const details = existsSync(failedLog) ? readFileSync(failedLog, 'utf8').slice(-4000) : '';
    assert.equal(code, 0, `${name} failed:\n${output}\n${details}`);
    assert.match(output, /^ok /m);
    t.diagnostic(`regress ${name}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });
}
