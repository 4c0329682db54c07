/**
 * Remote forwarding, agent forwarding and -f against a real sshd: -R in its forms (with sha256
 * integrity), `-R 0` port allocation, -R as a remote SOCKS proxy, ExitOnForwardFailure, -A relaying
 * to a local ssh-agent, and `-f -N -L` going to the background once the tunnel is up. `-R 0`,
 * ExitOnForwardFailure and -A run against OpenSSH 10.x's sshd too.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { startSshd, type Sshd } from '../support/sshd.js';
import { RELEASES, releaseLabel, type OpensshRelease } from '../support/releases.js';
import { freePort, isAlive } from '../support/processes.js';
import { isolatedEnv, makeTempDir, runClient, TSSH_BIN, unixSocketAccepts, waitFor } from '../support/run.js';
import { fetchHash, patternStream, sha256, startHttpServer, type LocalServer } from './forward-support.js';

const execFileAsync = promisify(execFile);
const MiB = 1024 * 1024;

let sshd: Sshd;
let sshd10: Sshd;
const server = (release: OpensshRelease): Sshd => (release === '10' ? sshd10 : sshd);
let web: LocalServer;
let dir: string;
const small = randomBytes(MiB + 7);
let bigSha256 = '';

before(async () => {
  const extraConfig = ['AllowTcpForwarding yes', 'AllowStreamLocalForwarding yes', 'AllowAgentForwarding yes', 'GatewayPorts no'];
  [sshd, sshd10] = await Promise.all([startSshd({ extraConfig }), startSshd({ release: '10', extraConfig })]);
  dir = makeTempDir('tssh-rfwd-');
  const hash = createHash('sha256');
  for await (const chunk of patternStream(64 * MiB)) hash.update(chunk as Buffer);
  bigSha256 = hash.digest('hex');
  web = await startHttpServer({ '/small': small, '/big': () => patternStream(64 * MiB) });
});
after(async () => {
  await web?.close();
  await Promise.all([sshd?.stop(), sshd10?.stop()]);
});

const run = (args: string[], command: string, timeoutMs = 60_000, via: Sshd = sshd) => runClient(TSSH_BIN, [...args, ...via.clientArgs(), command], { timeoutMs });

test('-R: 64 MiB pulled by the server side through the tunnel arrive intact (sha256)', { timeout: 90_000 }, async () => {
  const port = await freePort();
  const r = await run(['-R', `${port}:127.0.0.1:${web.port}`], `curl -sS http://127.0.0.1:${port}/big | sha256sum`);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString().split(' ')[0], bigSha256);
});

for (const release of RELEASES) {
  test(`${releaseLabel(release)} -R 0:host:port: the server picks the port and tssh says which`, { timeout: 30_000 }, () => serverAllocatedPort(server(release)));
}

async function serverAllocatedPort(via: Sshd): Promise<void> {
  // The remote command learns nothing of the port; the test reads it from tssh's message and uses it
  // (the server listens on this machine's loopback).
  const child = spawn(TSSH_BIN, ['-R', `0:127.0.0.1:${web.port}`, ...via.clientArgs(), 'sleep 20'], { env: isolatedEnv(makeTempDir('tssh-home-')), stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  try {
    await waitFor(() => /Allocated port \d+ for remote forward to 127\.0\.0\.1:\d+\n/.test(stderr), 15_000, 'the Allocated port message');
    assert.match(stderr, new RegExp(`^Allocated port (\\d+) for remote forward to 127\\.0\\.0\\.1:${web.port}\\n$`));
    const port = Number(/Allocated port (\d+)/.exec(stderr)![1]);
    assert.equal((await fetchHash(port, '/small')).sha256, sha256(small));
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

test('-R [bind:]port without a target is a SOCKS proxy on the server side', { timeout: 30_000 }, async () => {
  const port = await freePort();
  const closed = await freePort();
  const r = await run(
    ['-R', `127.0.0.1:${port}`],
    `curl -sS --socks5-hostname 127.0.0.1:${port} http://localhost:${web.port}/small | sha256sum; curl -sS --socks4 127.0.0.1:${port} http://127.0.0.1:${closed}/; echo "curl $?"`,
  );
  const lines = r.stdout.toString().split('\n');
  assert.equal(lines[0]!.split(' ')[0], sha256(small), r.stderr);
  assert.equal(lines[1], 'curl 97', 'a refused target is a SOCKS error');
  assert.match(r.stderr, new RegExp(`connect_to 127\\.0\\.0\\.1 port ${closed}: failed\\.`));
});

test('-R with Unix sockets: remote socket to local port, and remote port to local socket', { timeout: 30_000 }, async () => {
  const remoteSocket = path.join(dir, 'remote.sock');
  const port = await freePort();
  const r = await run(
    ['-R', `${remoteSocket}:127.0.0.1:${web.port}`, '-o', 'StreamLocalBindUnlink=yes'],
    `curl -sS --unix-socket ${remoteSocket} http://x/small | sha256sum`,
  );
  assert.equal(r.stdout.toString().split(' ')[0], sha256(small), r.stderr);
  const localSocketServer = await startHttpServerOnSocket(path.join(dir, 'local-web.sock'));
  try {
    const r2 = await run(['-R', `${port}:${localSocketServer.path}`], `curl -sS http://127.0.0.1:${port}/small | sha256sum`);
    assert.equal(r2.stdout.toString().split(' ')[0], sha256(small), r2.stderr);
  } finally {
    await localSocketServer.close();
  }
});

async function startHttpServerOnSocket(socketPath: string): Promise<{ path: string; close(): Promise<void> }> {
  const http = await import('node:http');
  const server = http.createServer((_, response) => response.end(small));
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return { path: socketPath, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

for (const release of RELEASES) {
  test(`${releaseLabel(release)} ExitOnForwardFailure: a remote forward the server refuses ends tssh with 255`, { timeout: 30_000 }, () => exitOnForwardFailure(server(release)));
}

async function exitOnForwardFailure(via: Sshd): Promise<void> {
  // sshd's own address is taken, so the server cannot listen there.
  const failed = await run(['-o', 'ExitOnForwardFailure=yes', '-R', `127.0.0.1:${via.port}:127.0.0.1:${web.port}`], 'sleep 5', 60_000, via);
  assert.equal(failed.code, 255);
  assert.equal(failed.stderr, `Error: remote port forwarding failed for listen port ${via.port}\n`);
  const warned = await run(['-R', `127.0.0.1:${via.port}:127.0.0.1:${web.port}`], 'echo still here', 60_000, via);
  assert.equal(warned.code, 0);
  assert.equal(warned.stdout.toString(), 'still here\n');
  assert.equal(warned.stderr, `Warning: remote port forwarding failed for listen port ${via.port}\n`);
}

for (const release of RELEASES) {
  test(`${releaseLabel(release)} -A: the server side reaches the local agent through auth-agent@openssh.com`, { timeout: 30_000 }, () => agentForwarding(server(release)));
}

async function agentForwarding(via: Sshd): Promise<void> {
  const agentDir = makeTempDir('tssh-agent-');
  const socket = path.join(agentDir, 'agent.sock');
  const agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
  try {
    await waitFor(() => unixSocketAccepts(socket), 10_000, 'ssh-agent to listen');
    const env = { ...isolatedEnv(makeTempDir('tssh-home-')), SSH_AUTH_SOCK: socket }; // this test's own agent
    await execFileAsync('ssh-add', [via.userKey], { env });
    const fingerprint = (await execFileAsync('ssh-keygen', ['-lf', via.userKey])).stdout.split(' ')[1]!;
    const withAgent = await runClient(TSSH_BIN, ['-A', ...via.clientArgs(), 'ssh-add -l'], { env });
    assert.equal(withAgent.code, 0, withAgent.stderr);
    assert.match(withAgent.stdout.toString(), new RegExp(fingerprint.replace(/[+/]/g, '\\$&')));
    const without = await runClient(TSSH_BIN, [...via.clientArgs(), 'ssh-add -l; echo "status $?"'], { env });
    assert.match(without.stdout.toString(), /status 2/, 'no agent without -A');
  } finally {
    agent.kill('SIGTERM');
    await new Promise((resolve) => agent.once('exit', resolve));
  }
}

/** Pids of tssh processes whose command line contains `marker` (the -f child is not ours to wait for). */
function tsshPidsWith(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes('tssh') && cmdline.includes(marker)) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

test('-f -N -L: returns once the tunnel is up, which then works from the background', { timeout: 30_000 }, async () => {
  const port = await freePort();
  const spec = `${port}:127.0.0.1:${web.port}`;
  const r = await runClient(TSSH_BIN, ['-f', '-N', '-L', spec, ...sshd.clientArgs()], { timeoutMs: 20_000 });
  const background = tsshPidsWith(spec);
  try {
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.equal(background.length, 1, 'one background tssh');
    assert.equal((await fetchHash(port, '/small')).sha256, sha256(small));
  } finally {
    for (const pid of background) process.kill(pid, 'SIGTERM');
    await waitFor(() => background.every((pid) => !isAlive(pid)), 30_000, 'the background tssh to exit');
  }
  // With a failure and ExitOnForwardFailure the foreground reports it and exits 255; nothing stays behind.
  const failed = await runClient(TSSH_BIN, ['-f', '-N', '-o', 'ExitOnForwardFailure=yes', '-L', `127.0.0.1:${sshd.port}:127.0.0.1:1`, ...sshd.clientArgs()]);
  assert.equal(failed.code, 255);
  assert.match(failed.stderr, /Could not request local forwarding\.\n$/);
  assert.deepEqual(tsshPidsWith(`127.0.0.1:${sshd.port}:127.0.0.1:1`), []);
});
