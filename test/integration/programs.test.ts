/**
 * Real programs that drive ssh, with tssh installed as their `ssh` (first on PATH, as a user who made
 * tssh their ssh has it) against a real OpenSSH 10.x sshd: git, rsync, git-annex (which shares its
 * connection through `-S .git/annex/ssh/...` with ControlMaster auto and ControlPersist yes, then
 * `-O stop`), ansible (ControlMaster auto, ControlPersist 60s) and mosh (`ssh -n -tt -S none -o
 * ProxyCommand=...`, then its own UDP session) in a real pseudo-terminal. The programs read the
 * host alias `box` from the isolated HOME's ~/.ssh/config, as they would a user's.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startSshd, type Sshd } from '../support/sshd.js';
import { isAlive, stopTree } from '../support/processes.js';
import { PtyShell } from '../support/pty.js';
import { isolatedEnv, makeTempDir, runClient, TSSH_BIN } from '../support/run.js';

const PROGRAMS = ['git', 'rsync', 'git-annex', 'ansible', 'mosh', 'mosh-server'] as const;
const missing = PROGRAMS.filter((p) => !['/usr/bin', '/usr/local/bin'].some((dir) => existsSync(path.join(dir, p))));
const skip = missing.length > 0 ? `not installed: ${missing.join(', ')} (test/support/install-deps.sh installs them)` : false;

let sshd: Sshd;
let home: string;
let work: string;
let env: NodeJS.ProcessEnv;
/** Control sockets the programs' masters listen on; each master is stopped by its pid in `after`. */
const controlSockets = new Set<string>();

before(async () => {
  if (skip) return;
  sshd = await startSshd({ release: '10' });
  home = makeTempDir('tssh-programs-home-');
  work = makeTempDir('tssh-programs-');
  const options = sshd.clientOptions();
  const knownHosts = options.find((o) => o.startsWith('UserKnownHostsFile='))!.slice('UserKnownHostsFile='.length);
  mkdirSync(path.join(home, '.ssh'), { mode: 0o700 });
  writeFileSync(
    path.join(home, '.ssh', 'config'),
    [
      'Host box',
      '  HostName 127.0.0.1',
      `  Port ${sshd.port}`,
      `  User ${sshd.user}`,
      `  IdentityFile ${sshd.userKey}`,
      '  IdentitiesOnly yes',
      `  UserKnownHostsFile ${knownHosts}`,
      '  GlobalKnownHostsFile /dev/null',
      '  StrictHostKeyChecking yes',
      '  BatchMode yes',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  writeFileSync(path.join(home, '.gitconfig'), '[user]\n\tname = tssh test\n\temail = test@example.invalid\n[init]\n\tdefaultBranch = main\n');
  const bin = path.join(home, 'bin');
  mkdirSync(bin);
  writeFileSync(path.join(bin, 'ssh'), `#!/bin/sh\nexec ${TSSH_BIN} "$@"\n`, { mode: 0o755 });
  env = isolatedEnv(home, { PATH: `${bin}:${process.env.PATH}`, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', GIT_CONFIG_NOSYSTEM: '1', ANSIBLE_NOCOLOR: '1', ANSIBLE_LOCAL_TEMP: path.join(home, '.ansible', 'tmp') });
});

after(async () => {
  if (skip) return;
  for (const socket of controlSockets) {
    const pid = await masterPid(socket);
    if (pid !== undefined && isAlive(pid)) await stopTree(pid);
  }
  await sshd?.stop();
});

const logins = (): number => (sshd.readLog().match(/Accepted publickey for /g) ?? []).length;
const sh = (script: string, timeoutMs = 60_000) => runClient('/bin/sh', ['-c', script], { env, timeoutMs });
const q = (word: string): string => `'${word.replace(/'/g, `'\\''`)}'`;

async function masterPid(socket: string): Promise<number | undefined> {
  if (!existsSync(socket)) return undefined;
  const r = await runClient(TSSH_BIN, ['-S', socket, '-O', 'check', 'box'], { env });
  const pid = /Master running \(pid=(\d+)\)/.exec(r.stderr)?.[1];
  return pid === undefined ? undefined : Number(pid);
}

test('git clone and push over tssh', { skip }, async () => {
  const bare = path.join(work, 'origin.git');
  const clone = path.join(work, 'clone');
  const r = await sh(`git init -q --bare ${q(bare)} && git clone -q box:${q(bare)} ${q(clone)} 2>/dev/null && cd ${q(clone)} && echo content > file && git add file && git commit -qm first && git push -q origin main && git --git-dir=${q(bare)} show main:file`);
  assert.deepEqual([r.stdout.toString(), r.code], ['content\n', 0], r.stderr);
});

test('rsync through a shared connection: two runs, one login, the files intact', { skip }, async () => {
  const socket = path.join(work, 'rsync-cm');
  controlSockets.add(socket);
  const source = path.join(work, 'rsync-src');
  mkdirSync(path.join(source, 'sub'), { recursive: true });
  writeFileSync(path.join(source, 'a'), Buffer.alloc(300_000, 'a'));
  writeFileSync(path.join(source, 'sub', 'b'), 'b\n');
  const rsh = `ssh -o ControlMaster=auto -o ControlPath=${socket} -o ControlPersist=60`;
  const before = logins();
  for (const target of ['dst1', 'dst2']) {
    const r = await sh(`rsync -a -e ${q(rsh)} ${q(`${source}/`)} box:${q(path.join(work, target))}/`);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(readFileSync(path.join(work, target, 'a')), readFileSync(path.join(source, 'a')));
    assert.equal(readFileSync(path.join(work, target, 'sub', 'b'), 'utf8'), 'b\n');
  }
  assert.equal(logins() - before, 1, 'the second rsync used the master');
  const pid = await masterPid(socket);
  assert.ok(pid !== undefined, 'ControlPersist keeps the master');
  const exit = await runClient(TSSH_BIN, ['-S', socket, '-O', 'exit', 'box'], { env });
  assert.equal(exit.code, 0, exit.stderr);
});

test('git-annex copies to an ssh remote with its connection caching, and does not mark the remote annex-ignore', { skip }, async () => {
  const remote = path.join(work, 'annex-remote');
  const local = path.join(work, 'annex-local');
  const setup = await sh(`git init -q ${q(remote)} && git -C ${q(remote)} annex init -q remote && git clone -q box:${q(remote)} ${q(local)} 2>/dev/null && cd ${q(local)} && git annex init -q local && seq 1 20000 > data && git annex add -q data && git commit -qm data`, 120_000);
  assert.equal(setup.code, 0, setup.stderr);
  const before = logins();
  const copy = await sh(`cd ${q(local)} && git annex copy --to origin data`, 120_000);
  assert.equal(copy.code, 0, copy.stderr);
  assert.match(copy.stdout.toString(), /copy data \(to origin\.\.\.\)[\s\S]*ok/);
  assert.equal(logins() - before, 1, 'one login for the whole copy');
  const ignored = await sh(`git -C ${q(local)} config --get remote.origin.annex-ignore`);
  assert.equal(ignored.stdout.toString(), '', 'the remote stays enabled');
  const objects = await sh(`find ${q(path.join(remote, '.git', 'annex', 'objects'))} -type f -name 'SHA256E-s*'`);
  assert.equal(objects.stdout.toString().trim().split('\n').length, 1, 'the content arrived');
  // git-annex ends its cached connection itself (-O stop): nothing may be left listening.
  const socketDir = path.join(local, '.git', 'annex', 'ssh');
  for (const name of readdirSync(socketDir).filter((n) => !n.endsWith('.lock'))) controlSockets.add(path.join(socketDir, name));
  for (const socket of controlSockets) if (socket.startsWith(socketDir)) assert.equal(await masterPid(socket), undefined, `${socket} still has a master`);
});

test('ansible ping with its default ssh_args (ControlMaster auto, ControlPersist 60s): two runs, one login', { skip }, async () => {
  const before = logins();
  for (let run = 0; run < 2; run++) {
    const r = await sh(`ansible all -i box, -m ping`, 120_000);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout.toString(), /^box \| SUCCESS => \{[\s\S]*"ping": "pong"/m);
  }
  assert.equal(logins() - before, 1, 'the second run used the master ansible left');
  const cp = path.join(home, '.ansible', 'cp');
  const sockets = readdirSync(cp).map((name) => path.join(cp, name));
  assert.equal(sockets.length, 1);
  for (const socket of sockets) controlSockets.add(socket);
  assert.ok((await masterPid(sockets[0]!)) !== undefined);
});

test('mosh starts its server through tssh (-S none, ProxyCommand) and runs a command in its own session', { skip }, async () => {
  const marker = `mosh-ran-${process.pid}`;
  const shell = await PtyShell.start({ env, columns: 100, rows: 30 });
  try {
    const mark = shell.mark();
    shell.type(`mosh box -- sh -c 'echo ${marker}-$((6*7)); sleep 1'; echo "mosh-exit=$?"\r`);
    await shell.waitFor(`${marker}-42`, { after: mark, timeoutMs: 60_000, what: 'the command run by mosh-server' });
    await shell.waitFor('mosh-exit=0', { after: mark, timeoutMs: 60_000, what: 'mosh to exit 0' });
  } finally {
    await shell.close();
    // mosh-server detaches from sshd: a failed run could leave it behind, so stop any with our marker.
    for (const pid of processesWith(marker)) await stopTree(pid);
  }
});

/** Pids of processes whose command line contains `text` (read from /proc). */
function processesWith(text: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name) && Number(name) !== process.pid)
    .filter((name) => {
      try {
        return readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(text);
      } catch {
        return false;
      }
    })
    .map(Number);
}
