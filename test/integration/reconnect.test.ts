/**
 * tssh --reconnect -N against a real sshd: the server killed and started again on its port (-L through
 * the same, still-bound local port; -R requested again), a frozen path only ServerAlive notices, and
 * an impostor key after the restart (exit 255 with ssh's host-key error, no retry).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort, isAlive, stopTree } from '../support/processes.js';
import { isolatedEnv, makeTempDir, runClient, TSSH_BIN, waitFor, type ClientResult } from '../support/run.js';
import { startSshd, type Sshd } from '../support/sshd.js';
import { roundTrip, startEchoServer, startTssh, type LocalServer, type RunningTssh } from './forward-support.js';
import { probe, restartSshd, startFreezableRelay } from './reconnect-support.js';

const PAYLOAD = Buffer.from('through the tunnel\n');

/** Waits until `port` echoes PAYLOAD back (tssh exiting fails the wait). */
async function waitForTraffic(tssh: RunningTssh, port: number, what: string): Promise<void> {
  await waitFor(
    async () => {
      if (tssh.child.exitCode !== null) throw new Error(`tssh exited (${tssh.child.exitCode}): ${tssh.stderr()}`);
      return (await roundTrip({ port }, PAYLOAD).catch(() => Buffer.alloc(0))).equals(PAYLOAD);
    },
    20_000,
    what,
    50,
  );
}

interface Fixture {
  echo: LocalServer;
  sshd: Sshd;
  /** Registers something to stop in teardown (run newest first, before the sshd and echo server). */
  later<T extends { stop(): Promise<void> } | { close(): Promise<void> }>(thing: T): T;
}

/** An echo server and an sshd for `body`; whatever it registers with later() is stopped by pid afterwards. */
async function withServers(body: (fixture: Fixture) => Promise<void>): Promise<void> {
  const echo = await startEchoServer();
  const sshd = await startSshd();
  const stops: Array<() => Promise<void>> = [];
  const later = <T extends { stop(): Promise<void> } | { close(): Promise<void> }>(thing: T): T => {
    stops.push(() => ('stop' in thing ? thing.stop() : thing.close()));
    return thing;
  };
  try {
    await body({ echo, sshd, later });
  } finally {
    for (const stop of stops.reverse()) await stop();
    await sshd.stop();
    await echo.close();
  }
}

/** Waits for a line in tssh's stderr; a timeout shows what it did say. */
const logged = (tssh: RunningTssh, text: string | RegExp, what: string): Promise<void> =>
  waitFor(() => (typeof text === 'string' ? tssh.stderr().includes(text) : text.test(tssh.stderr())), 20_000, what, 20).catch((err: Error) => {
    throw new Error(`${err.message}; tssh said:\n${tssh.stderr()}`);
  });

test('--reconnect: sshd killed and started again on its port; -L keeps its port bound through the gap, -R is requested again', { timeout: 90_000 }, async () => {
  await withServers(async ({ echo, sshd, later }) => {
    const [localPort, remotePort] = [await freePort(), await freePort()];
    const tssh = later(startTssh(['--reconnect', '-N', '-L', `${localPort}:127.0.0.1:${echo.port}`, '-R', `${remotePort}:127.0.0.1:${echo.port}`, ...sshd.clientArgs()]));
    await waitForTraffic(tssh, localPort, '-L traffic on the first connection');
    await waitForTraffic(tssh, remotePort, '-R traffic on the first connection');

    await stopTree(sshd.pid); // the listener and the session process holding the -R port
    await logged(tssh, /connection to 127\.0\.0\.1 lost \([^\n]+\); reconnecting in \d+\.\d s \(attempt 1\)/, 'the lost line');
    // During the gap the port is still tssh's: accepted, then closed (not refused as a vanished port would be).
    assert.equal(await probe(localPort), 'closed');

    later(await restartSshd(sshd));
    await waitForTraffic(tssh, localPort, '-L traffic through the same local port after the restart');
    await waitForTraffic(tssh, remotePort, '-R traffic after the restart (requested again)');
    assert.match(tssh.stderr(), /tssh: reconnected to 127\.0\.0\.1 after \d+\.\d s/);

    await tssh.stop();
    assert.equal(await tssh.exited, 0, 'SIGTERM ends it with 0, as plain -N');
  });
});

test('--reconnect: a frozen path (no FIN, no RST) is noticed by ServerAlive, then the tunnel comes back; -R is asked again until the server lets the old one go', { timeout: 90_000 }, async () => {
  await withServers(async ({ echo, sshd, later }) => {
    const relay = later(await startFreezableRelay(sshd.port));
    const [localPort, remotePort] = [await freePort(), await freePort()];
    // Through the relay's port, so the key is looked up under the sshd's name in known_hosts.
    const [, , ...rest] = sshd.clientOptions();
    const tssh = later(startTssh([
      '--reconnect', '-N', '-L', `${localPort}:127.0.0.1:${echo.port}`, '-R', `${remotePort}:127.0.0.1:${echo.port}`,
      '-p', String(relay.port), '-o', `HostKeyAlias=[127.0.0.1]:${sshd.port}`,
      '-o', 'ServerAliveInterval=1', '-o', 'ServerAliveCountMax=2',
      ...rest, sshd.destination,
    ]));
    await waitForTraffic(tssh, localPort, 'traffic on the first connection');
    relay.freeze();
    await logged(tssh, 'connection to 127.0.0.1 lost (Timeout, server 127.0.0.1 not responding); reconnecting in', 'ServerAlive to notice');
    await logged(tssh, 'tssh: reconnected to 127.0.0.1 after', 'the reconnect');
    await waitForTraffic(tssh, localPort, 'traffic on the new connection');
    assert.equal(relay.connections, 2);
    // The server's old session still holds the -R port: refused for now, asked for again.
    await logged(tssh, `Warning: remote port forwarding failed for listen port ${remotePort}`, 'the refused -R');
    relay.dropFrozen();
    await logged(tssh, `Remote port forwarding for listen port ${remotePort} is up again`, 'the -R asked for again');
    await waitForTraffic(tssh, remotePort, '-R traffic on the new connection');
  });
});

test('--reconnect: a different host key after the restart stops it for good: host-key error, 255, no retry', { timeout: 90_000 }, async () => {
  await withServers(async ({ echo, sshd, later }) => {
    const localPort = await freePort();
    const tssh = later(startTssh(['--reconnect', '-N', '-L', `${localPort}:127.0.0.1:${echo.port}`, ...sshd.clientArgs()]));
    await waitForTraffic(tssh, localPort, 'traffic on the first connection');
    await stopTree(sshd.pid);
    later(await restartSshd(sshd, { newHostKey: true }));
    assert.equal(await tssh.exited, 255);
    assert.match(tssh.stderr(), /WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!/);
    assert.match(tssh.stderr(), /Host key verification failed\./);
    assert.doesNotMatch(tssh.stderr(), /reconnected/);
    assert.equal((tssh.stderr().match(/reconnecting in/g) ?? []).length, 1, 'one wait, one attempt, then the stop');
    assert.equal(await probe(localPort), 'refused', 'the listener went with it');
  });
});

test('--reconnect with StrictHostKeyChecking=no: an impostor key would switch the forwards off, so it stops (255) instead', { timeout: 90_000 }, async () => {
  await withServers(async ({ echo, sshd, later }) => {
    const localPort = await freePort();
    const tssh = later(startTssh(['-o', 'StrictHostKeyChecking=no', '--reconnect', '-N', '-L', `${localPort}:127.0.0.1:${echo.port}`, ...sshd.clientArgs()]));
    await waitForTraffic(tssh, localPort, 'traffic on the first connection');
    await stopTree(sshd.pid);
    later(await restartSshd(sshd, { newHostKey: true }));
    assert.equal(await tssh.exited, 255);
    assert.match(tssh.stderr(), /Host key for 127\.0\.0\.1 has changed; --reconnect does not go on with forwarding disabled\./);
    assert.doesNotMatch(tssh.stderr(), /reconnected/);
  });
});

test('--reconnect: a refused login after the restart stops it for good: Permission denied, 255, no retry', { timeout: 90_000 }, async () => {
  await withServers(async ({ echo, sshd, later }) => {
    const localPort = await freePort();
    const tssh = later(startTssh(['--reconnect', '-N', '-L', `${localPort}:127.0.0.1:${echo.port}`, ...sshd.clientArgs()]));
    await waitForTraffic(tssh, localPort, 'traffic on the first connection');
    await stopTree(sshd.pid);
    later(await restartSshd(sshd, { refuseLogin: true }));
    assert.equal(await tssh.exited, 255);
    assert.match(tssh.stderr(), /Permission denied \(publickey\)\./);
    assert.equal((tssh.stderr().match(/reconnecting in/g) ?? []).length, 1, 'one wait, one attempt, then the stop');
  });
});

test('Reconnect yes in ssh_config: SIGTERM while it waits to reconnect ends it at once with 0, the listener closed', { timeout: 60_000 }, async () => {
  await withServers(async ({ echo, sshd, later }) => {
    const localPort = await freePort();
    // The ssh_config form, as a file shared with OpenSSH writes it (ssh -G accepts the file too).
    const config = path.join(sshd.dir, 'tunnel_config');
    writeFileSync(config, 'IgnoreUnknown Reconnect\nHost 127.0.0.1\n  Reconnect yes\n');
    assert.equal(spawnSync('ssh', ['-G', '-F', config, '127.0.0.1'], { stdio: 'ignore' }).status, 0, 'OpenSSH accepts the file');
    const tssh = later(startTssh(['-N', '-L', `${localPort}:127.0.0.1:${echo.port}`, ...sshd.clientArgs(), '-F', config]));
    await waitForTraffic(tssh, localPort, 'traffic on the first connection');
    await stopTree(sshd.pid); // and no sshd again: tssh keeps waiting and failing
    await logged(tssh, 'reconnect to 127.0.0.1 failed (connect to host 127.0.0.1 port', 'a failed attempt');
    const signalled = performance.now();
    tssh.child.kill('SIGTERM');
    assert.equal(await tssh.exited, 0);
    assert.ok(performance.now() - signalled < 1500, 'not after the backoff wait');
    assert.equal(await probe(localPort), 'refused');
  });
});

test('-f --reconnect -N: the foreground returns 0 once the forwards are up; the background copy reconnects', { timeout: 90_000 }, async () => {
  await withServers(async ({ echo, sshd, later }) => {
    const localPort = await freePort();
    const home = makeTempDir('tssh-home-');
    later({ stop: () => rm(home, { recursive: true, force: true }) });
    const foreground = spawnSync(TSSH_BIN, ['-f', '--reconnect', '-N', '-L', `${localPort}:127.0.0.1:${echo.port}`, ...sshd.clientArgs()], { env: isolatedEnv(home), encoding: 'utf8', timeout: 20_000 });
    assert.equal(foreground.status, 0, foreground.stderr);
    // The background copy is found by the port it listens on, and stopped by that pid.
    const pid = Number(/pid=(\d+)/.exec(execFileSync('ss', ['-ltnpH', `sport = :${localPort}`], { encoding: 'utf8' }))?.[1]);
    assert.ok(pid > 0);
    later({ stop: () => stopTree(pid) });
    assert.equal((await roundTrip({ port: localPort }, PAYLOAD)).toString(), PAYLOAD.toString());
    await stopTree(sshd.pid);
    later(await restartSshd(sshd));
    await waitFor(async () => (await roundTrip({ port: localPort }, PAYLOAD).catch(() => Buffer.alloc(0))).equals(PAYLOAD), 20_000, 'traffic after the restart', 50);
    assert.ok(isAlive(pid));
  });
});

test('--reconnect -N -M -S: the master heals; a client that comes during the gap waits for it; -O exit ends it with 0', { timeout: 90_000 }, async () => {
  await withServers(async ({ sshd, later }) => {
    const socket = path.join(sshd.dir, 'master.sock');
    const master = later(startTssh(['--reconnect', '-N', '-M', '-S', socket, ...sshd.clientArgs()]));
    await waitFor(() => {
      if (master.child.exitCode !== null) throw new Error(`the master exited (${master.child.exitCode}): ${master.stderr()}`);
      return existsSync(socket);
    }, 20_000, 'the control socket');
    const overMaster = (...command: string[]): Promise<ClientResult> => runClient(TSSH_BIN, ['-S', socket, ...sshd.clientArgs(), ...command], { timeoutMs: 40_000 });
    const logins = (): number => (sshd.readLog().match(/Accepted publickey/g) ?? []).length;
    const before = await overMaster('echo', 'before');
    assert.deepEqual([before.code, before.stdout.toString()], [0, 'before\n'], before.stderr);

    await stopTree(sshd.pid);
    await logged(master, /connection to 127\.0\.0\.1 lost \([^\n]+\); reconnecting in/, 'the lost line');
    const during = overMaster('echo', 'during');
    later(await restartSshd(sshd));
    await logged(master, /tssh: reconnected to 127\.0\.0\.1 after \d+\.\d s/, 'the reconnected line');
    const waited = await during;
    assert.deepEqual([waited.code, waited.stdout.toString()], [0, 'during\n'], waited.stderr);
    const after = await overMaster('echo', 'after');
    assert.deepEqual([after.code, after.stdout.toString()], [0, 'after\n'], after.stderr);
    // Three sessions, two logins: the master's, before and after the restart (sshd appends to one log).
    assert.equal(logins(), 2, sshd.readLog().slice(-3000));

    const exit = await overMaster('-O', 'exit');
    assert.equal(exit.code, 0, exit.stderr);
    assert.equal(await master.exited, 0);
    assert.equal(existsSync(socket), false, 'the socket is removed');
  });
});
