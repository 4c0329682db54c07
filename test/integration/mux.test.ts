/**
 * Connection sharing against a real sshd: tssh master + tssh clients, tssh master + OpenSSH's ssh
 * (-O commands, -O proxy, and a passenger session it must refuse), OpenSSH master + tssh client,
 * ControlMaster auto with ControlPersist, stale sockets, and what happens when either side dies.
 * Every master a test starts is stopped by its pid.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { startSshd, type Sshd } from '../support/sshd.js';
import { openssh10 } from '../support/openssh10.js';
import { isAlive, stopTree } from '../support/processes.js';
import { isolatedEnv, makeTempDir, runClient, TSSH_BIN, waitFor } from '../support/run.js';

const SSH = openssh10('ssh');
let sshd: Sshd;
let dir: string;
let env: NodeJS.ProcessEnv;
/** Masters started by the tests, stopped in `after` whatever happened. */
const masters = new Set<number>();

before(async () => {
  sshd = await startSshd({ release: '10', extraConfig: ['AllowStreamLocalForwarding yes'] });
  dir = makeTempDir('tssh-mux-');
  env = isolatedEnv(makeTempDir('tssh-mux-home-'));
});

after(async () => {
  for (const pid of masters) if (isAlive(pid)) await stopTree(pid);
  await sshd?.stop();
});

let sockets = 0;
const socketPath = (): string => path.join(dir, `cm-${sockets++}`);
const run = (bin: string, args: string[], input?: string) => runClient(bin, [...sshd.clientOptions(), ...args], { env, timeoutMs: 60_000, ...(input !== undefined ? { input } : {}) });
const accepted = (): number => (sshd.readLog().match(/Accepted publickey for /g) ?? []).length;

/** `-O check`'s pid, or undefined when no master answers. */
async function masterPid(bin: string, ctl: string): Promise<number | undefined> {
  const r = await run(bin, ['-S', ctl, '-O', 'check', sshd.destination]);
  const pid = /Master running \(pid=(\d+)\)/.exec(r.stderr)?.[1];
  return pid === undefined ? undefined : Number(pid);
}

/** Starts a background master with `bin -M -S ctl -fN` and records its pid. */
async function startMaster(bin: string, ctl: string, extra: string[] = []): Promise<number> {
  const r = await run(bin, ['-M', '-S', ctl, '-f', '-N', ...extra, sshd.destination]);
  assert.equal(r.code, 0, r.stderr);
  const pid = await masterPid(bin, ctl);
  assert.ok(pid !== undefined, `no master on ${ctl}`);
  masters.add(pid);
  return pid;
}

async function stopMaster(bin: string, ctl: string, pid: number): Promise<void> {
  await run(bin, ['-S', ctl, '-O', 'exit', sshd.destination]);
  await waitFor(() => !isAlive(pid), 20_000, `master ${pid} to exit`);
  masters.delete(pid);
}

test('a tssh master serves tssh clients: stdio, exit status, no new login, socket mode 0600', async () => {
  const ctl = socketPath();
  const before = accepted();
  const pid = await startMaster(TSSH_BIN, ctl);
  assert.equal(statSync(ctl).mode & 0o777, 0o600);
  for (const status of [0, 3, 44]) {
    const r = await run(TSSH_BIN, ['-S', ctl, sshd.destination, `cat; echo err >&2; exit ${status}`], `data ${status}\n`);
    assert.deepEqual([r.stdout.toString(), r.stderr, r.code], [`data ${status}\n`, 'err\n', status]);
  }
  const killed = await run(TSSH_BIN, ['-S', ctl, sshd.destination, 'kill -TERM $$']);
  assert.equal(killed.code, 255);
  assert.equal(accepted() - before, 1, 'one login for the master, none for its clients');
  const check = await run(TSSH_BIN, ['-S', ctl, '-O', 'check', sshd.destination]);
  assert.deepEqual([check.stderr, check.code], [`Master running (pid=${pid})\r\n`, 0]);
  const exit = await run(TSSH_BIN, ['-S', ctl, '-O', 'exit', sshd.destination]);
  assert.deepEqual([exit.stderr, exit.code], ['Exit request sent.\r\n', 0]);
  await waitFor(() => !isAlive(pid), 20_000, 'the master to exit');
  masters.delete(pid);
  assert.equal(existsSync(ctl), false, 'the socket is removed');
});

test('-O without a master: ssh\'s words and 255, for tssh as for ssh', async () => {
  const ctl = socketPath();
  for (const bin of [TSSH_BIN, SSH]) {
    const r = await run(bin, ['-S', ctl, '-O', 'check', sshd.destination]);
    // ssh ends every log line with CR LF; tssh's log lines end with LF unless the terminal is raw.
    assert.deepEqual([r.stderr.replace(/\r\n/g, '\n'), r.code], [`Control socket connect(${ctl}): No such file or directory\n`, 255], bin);
  }
  const long = path.join(dir, 'x'.repeat(120));
  const tooLong = await run(TSSH_BIN, ['-S', long, '-O', 'check', sshd.destination]);
  assert.deepEqual([tooLong.stderr, tooLong.code], [`ControlPath too long ('${long}' >= 108 bytes)\n`, 255]);
});

test('OpenSSH\'s ssh -O check, conninfo, forward, cancel and exit against a tssh master', async () => {
  const ctl = socketPath();
  const pid = await startMaster(TSSH_BIN, ctl);
  const check = await run(SSH, ['-S', ctl, '-O', 'check', sshd.destination]);
  assert.deepEqual([check.stderr, check.code], [`Master running (pid=${pid})\r\n`, 0]);
  const info = await run(SSH, ['-S', ctl, '-O', 'conninfo', sshd.destination]);
  assert.equal(info.code, 0, info.stderr);
  assert.match(info.stdout.toString(), new RegExp(`^Connection information for \\S+ pid ${pid}\\r\\n  tcp 127\\.0\\.0\\.1:\\d+ -> 127\\.0\\.0\\.1:${sshd.port}\\r\\n  kexalgorithm mlkem768x25519-sha256\\r\\n`));
  // A remote forward of port 0: the master asks the server, ssh prints the allocated port.
  const forward = await run(SSH, ['-S', ctl, '-O', 'forward', '-R', `0:127.0.0.1:${sshd.port}`, sshd.destination]);
  assert.equal(forward.code, 0, forward.stderr);
  const port = Number(forward.stdout.toString().trim());
  assert.ok(port > 0);
  // The server's sshd now listens on that port and carries connections back to its own sshd.
  const banner = await firstLine(port);
  assert.match(banner, /^SSH-2\.0-OpenSSH_10/);
  const cancel = await run(SSH, ['-S', ctl, '-O', 'cancel', '-R', `${port}:127.0.0.1:${sshd.port}`, sshd.destination]);
  assert.equal(cancel.code, 0, cancel.stderr);
  const exit = await run(SSH, ['-S', ctl, '-O', 'exit', sshd.destination]);
  assert.deepEqual([exit.stderr, exit.code], ['Exit request sent.\r\n', 0]);
  await waitFor(() => !isAlive(pid), 20_000, 'the master to exit');
  masters.delete(pid);
});

test('OpenSSH\'s ssh -O proxy runs its session over a tssh master; a passenger session is refused and ssh connects itself', async () => {
  const ctl = socketPath();
  const pid = await startMaster(TSSH_BIN, ctl);
  const before = accepted();
  const proxied = await run(SSH, ['-S', ctl, '-O', 'proxy', sshd.destination, 'echo proxied; exit 6']);
  assert.deepEqual([proxied.stdout.toString(), proxied.code], ['proxied\n', 6]);
  assert.equal(accepted(), before, 'the proxy client used the master\'s login');
  // Plain `ssh -S` is a passenger: it passes its stdio descriptors, which Node cannot receive.
  const passenger = await run(SSH, ['-S', ctl, sshd.destination, 'echo on-its-own']);
  assert.equal(passenger.stdout.toString(), 'on-its-own\n');
  assert.equal(passenger.code, 0);
  assert.match(passenger.stderr, /^mux_client_request_session: session request failed: this master is tssh, which cannot receive file descriptors/m);
  assert.equal(accepted(), before + 1, 'refused, ssh logged in by itself');
  await stopMaster(TSSH_BIN, ctl, pid);
});

test('a tssh client over an OpenSSH master (proxy mode): stdio, status, -O check and exit', async () => {
  const ctl = socketPath();
  const pid = await startMaster(SSH, ctl);
  const before = accepted();
  const r = await run(TSSH_BIN, ['-S', ctl, sshd.destination, 'cat; echo err >&2; exit 5'], 'through ssh\n');
  assert.deepEqual([r.stdout.toString(), r.stderr, r.code], ['through ssh\n', 'err\n', 5]);
  const tty = await run(TSSH_BIN, ['-tt', '-S', ctl, sshd.destination, 'tty >/dev/null && echo tty-ok']);
  assert.match(tty.stdout.toString(), /tty-ok/);
  // ssh's mux client words for the end of a terminal session, compared with ssh's own.
  const theirs = await run(SSH, ['-tt', '-S', ctl, sshd.destination, 'true']);
  assert.equal(theirs.stderr, 'Shared connection to 127.0.0.1 closed.\r\n');
  assert.equal((await run(TSSH_BIN, ['-tt', '-S', ctl, sshd.destination, 'true'])).stderr, theirs.stderr);
  assert.equal(accepted(), before);
  const check = await run(TSSH_BIN, ['-S', ctl, '-O', 'check', sshd.destination]);
  assert.deepEqual([check.stderr, check.code], [`Master running (pid=${pid})\r\n`, 0]);
  await stopMaster(TSSH_BIN, ctl, pid);
});

test('ControlMaster auto + ControlPersist: the first command starts a background master, the next join it, and it goes when idle', async () => {
  const ctl = socketPath();
  const options = ['-o', 'ControlMaster=auto', '-o', `ControlPath=${ctl}`, '-o', 'ControlPersist=3'];
  const before = accepted();
  const first = await run(TSSH_BIN, [...options, sshd.destination, 'echo first']);
  assert.deepEqual([first.stdout.toString(), first.code], ['first\n', 0], first.stderr);
  const pid = await masterPid(TSSH_BIN, ctl);
  assert.ok(pid !== undefined, 'a master persists');
  masters.add(pid);
  for (let i = 0; i < 3; i++) assert.equal((await run(TSSH_BIN, [...options, sshd.destination, 'echo again'])).stdout.toString(), 'again\n');
  assert.equal(accepted() - before, 1, 'one login in all');
  await waitFor(() => !isAlive(pid), 30_000, 'the idle master to exit after ControlPersist');
  masters.delete(pid);
  assert.equal(existsSync(ctl), false);
});

test('a stale socket (no master behind it) is removed under ControlMaster auto, and a master takes its place', async () => {
  const ctl = socketPath();
  // A socket file nobody listens on any more: its listener was killed, as a crashed master is.
  const listener = spawn(process.execPath, ['-e', `require('node:net').createServer().listen(${JSON.stringify(ctl)})`], { stdio: 'ignore' });
  await waitFor(() => existsSync(ctl), 20_000, 'the listener\'s socket');
  listener.kill('SIGKILL');
  await new Promise((resolve) => listener.once('close', resolve));
  assert.ok(existsSync(ctl));
  const r = await run(TSSH_BIN, ['-o', 'ControlMaster=auto', '-o', `ControlPath=${ctl}`, '-o', 'ControlPersist=2', sshd.destination, 'echo fresh']);
  assert.equal(r.stdout.toString(), 'fresh\n', r.stderr);
  const pid = await masterPid(TSSH_BIN, ctl);
  assert.ok(pid !== undefined);
  masters.add(pid);
  await stopMaster(TSSH_BIN, ctl, pid);
});

test('-L given to a client is set up by the master and outlives the client until -O cancel', async () => {
  const ctl = socketPath();
  const pid = await startMaster(TSSH_BIN, ctl);
  const port = 20000 + (process.pid % 20000);
  const r = await run(TSSH_BIN, ['-S', ctl, '-L', `127.0.0.1:${port}:127.0.0.1:${sshd.port}`, sshd.destination, 'true']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(await firstLine(port), /^SSH-2\.0-OpenSSH_10/, 'the forward is up after the client left');
  const cancel = await run(TSSH_BIN, ['-S', ctl, '-O', 'cancel', '-L', `127.0.0.1:${port}:127.0.0.1:${sshd.port}`, sshd.destination]);
  assert.equal(cancel.code, 0, cancel.stderr);
  await assert.rejects(firstLine(port), /ECONNREFUSED/);
  await stopMaster(TSSH_BIN, ctl, pid);
});

test('a killed client closes only its channel; a killed master ends its clients with 255', async () => {
  const ctl = socketPath();
  const pid = await startMaster(TSSH_BIN, ctl);
  const child = spawnClient(['-S', ctl, sshd.destination, 'echo started; sleep 60']);
  await waitForOutput(child, 'started');
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('close', resolve));
  const after = await run(TSSH_BIN, ['-S', ctl, sshd.destination, 'echo still']);
  assert.equal(after.stdout.toString(), 'still\n', 'the master carries on');
  const orphan = spawnClient(['-S', ctl, sshd.destination, 'echo started; sleep 60']);
  await waitForOutput(orphan, 'started');
  const stderr: Buffer[] = [];
  orphan.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
  const exited = new Promise<number | null>((resolve) => orphan.once('close', resolve));
  process.kill(pid, 'SIGKILL');
  masters.delete(pid);
  assert.equal(await exited, 255);
  assert.match(Buffer.concat(stderr).toString(), /Control master terminated unexpectedly/);
});

test('50 clients at once through one master all succeed', async () => {
  const ctl = socketPath();
  const pid = await startMaster(TSSH_BIN, ctl);
  const results = await Promise.all(Array.from({ length: 50 }, (_, i) => run(TSSH_BIN, ['-S', ctl, sshd.destination, `echo ${i}`])));
  results.forEach((r, i) => assert.deepEqual([r.stdout.toString(), r.code], [`${i}\n`, 0], r.stderr));
  await stopMaster(TSSH_BIN, ctl, pid);
});

test('-S none means no control socket (mosh runs ssh -S none)', async () => {
  const r = await run(TSSH_BIN, ['-S', 'none', '-o', 'ControlMaster=auto', sshd.destination, 'echo direct']);
  assert.deepEqual([r.stdout.toString(), r.code], ['direct\n', 0], r.stderr);
});

function spawnClient(args: string[]): ChildProcess {
  return spawn(TSSH_BIN, [...sshd.clientOptions(), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
}

function waitForOutput(child: ChildProcess, text: string): Promise<void> {
  let seen = '';
  child.stdout!.on('data', (chunk: Buffer) => (seen += chunk.toString()));
  return waitFor(() => seen.includes(text), 30_000, `"${text}" from the client`);
}

/** The first line a TCP server on 127.0.0.1:port sends (an sshd's banner). */
function firstLine(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = '';
    socket.on('data', (chunk: Buffer) => {
      data += chunk.toString();
      if (data.includes('\n')) {
        socket.destroy();
        resolve(data.split('\n')[0]!);
      }
    });
    socket.on('error', reject);
    socket.setTimeout(10_000, () => (socket.destroy(), reject(new Error('no banner'))));
  });
}
