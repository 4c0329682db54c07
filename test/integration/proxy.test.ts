/**
 * Getting to the server: ProxyJump with one and two hops between two real sshds (each hop configured
 * from ssh_config), ProxyCommand with its tokens, ServerAlive* noticing a frozen network path, and the
 * TCP options (ConnectionAttempts, BindAddress, AddressFamily, ConnectTimeout).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { startSshd, type Sshd } from '../support/sshd.js';
import { freePort } from '../support/processes.js';
import { harnessHostDefaults } from '../support/client-config.js';
import { makeTempDir, runClient, TSSH_BIN, waitFor } from '../support/run.js';
import { startTssh } from './forward-support.js';

let a: Sshd;
let b: Sshd;
let dir: string;
let config: string;

before(async () => {
  [a, b] = await Promise.all([startSshd({ extraConfig: ['AllowTcpForwarding yes'] }), startSshd({ extraConfig: ['AllowTcpForwarding yes'] })]);
  dir = makeTempDir('tssh-proxy-');
  config = path.join(dir, 'config');
  // The jump hosts are configured only here: ssh applies the command line's -o options to the
  // destination, never to the hops.
  writeFileSync(
    config,
    [
      'Host hop-a',
      '  HostName 127.0.0.1',
      `  Port ${a.port}`,
      'Host hop-b',
      '  HostName 127.0.0.1',
      `  Port ${b.port}`,
      'Host hop-b-via-a',
      '  HostName 127.0.0.1',
      `  Port ${b.port}`,
      '  ProxyJump hop-a',
      ...harnessHostDefaults([a, b]),
    ].join('\n'),
  );
});
after(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

/** The address of the current connection as the server sees it: which sshd answered. */
const whichServer = 'echo "$SSH_CONNECTION" | cut -d" " -f4';

test('ProxyJump, one hop: reach sshd B through sshd A', { timeout: 30_000 }, async () => {
  const r = await runClient(TSSH_BIN, ['-F', config, '-J', 'hop-a', '-p', String(b.port), `${b.user}@127.0.0.1`, whichServer]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString().trim(), String(b.port));
  assert.match(a.readLog(), new RegExp(`direct-tcpip|connect to 127\\.0\\.0\\.1 port ${b.port}`), 'the hop carried the connection');
});

test('ProxyJump, two hops, in user@host:port and ssh:// forms', { timeout: 40_000 }, async () => {
  const hops = `ssh://${a.user}@127.0.0.1:${a.port},${b.user}@127.0.0.1:${b.port}`;
  const r = await runClient(TSSH_BIN, ['-F', config, '-J', hops, '-p', String(a.port), `${a.user}@127.0.0.1`, whichServer], { timeoutMs: 40_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString().trim(), String(a.port));
});

test("a jump host's own ProxyJump from ssh_config is followed", { timeout: 40_000 }, async () => {
  const r = await runClient(TSSH_BIN, ['-F', config, '-J', 'hop-b-via-a', 'hop-a', whichServer], { timeoutMs: 40_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString().trim(), String(a.port));
});

test('ProxyJump to a destination the hop cannot reach: a clean failure, 255', { timeout: 30_000 }, async () => {
  const closed = await freePort();
  const r = await runClient(TSSH_BIN, ['-F', config, '-J', 'hop-a', '-p', String(closed), '127.0.0.1', 'true']);
  assert.equal(r.code, 255);
  assert.match(r.stderr, /channel \d+: open failed: connect failed: Connection refused\nstdio forwarding failed\n/);
  assert.match(r.stderr, /Connection closed by UNKNOWN port 65535\n$/);
});

test('ProxyCommand "nc %h %p", with %r %n and %% expanded for the shell', { timeout: 30_000 }, async () => {
  const tokens = path.join(dir, 'tokens');
  const proxy = `sh -c 'echo "%h %p %r %n %%" > ${tokens}; exec nc %h %p'`;
  const r = await runClient(TSSH_BIN, ['-o', `ProxyCommand=${proxy}`, ...b.clientOptions(), `${b.user}@127.0.0.1`, whichServer]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString().trim(), String(b.port));
  assert.equal(readFileSync(tokens, 'utf8'), `127.0.0.1 ${b.port} ${b.user} 127.0.0.1 %\n`);
  const direct = await runClient(TSSH_BIN, ['-o', 'ProxyCommand=none', ...b.clientArgs(), 'echo direct']);
  assert.equal(direct.stdout.toString(), 'direct\n', direct.stderr);
  const failing = await runClient(TSSH_BIN, ['-o', 'ProxyCommand=false', ...b.clientArgs(), 'true']);
  assert.equal(failing.code, 255);
  assert.equal(failing.stderr, 'kex_exchange_identification: Connection closed by remote host\nConnection closed by UNKNOWN port 65535\n');
});

test('ConnectTimeout covers the banner through a ProxyCommand that never speaks', { timeout: 30_000 }, async () => {
  const started = Date.now();
  const r = await runClient(TSSH_BIN, ['-o', 'ProxyCommand=sleep 30', '-o', 'ConnectTimeout=1', ...b.clientArgs(), 'true']);
  assert.equal(r.code, 255);
  assert.equal(r.stderr, 'Connection timed out during banner exchange\nConnection to UNKNOWN port 65535 timed out\n');
  // The message proves the timer fired; the bound only says it fired before the command itself ended.
  assert.ok(Date.now() - started < 25_000);
});

/** A TCP relay to `port` that can be frozen: it then stops passing bytes either way, like a dead path. */
async function startFreezableRelay(port: number): Promise<{ port: number; freeze(): void; close(): void }> {
  let frozen = false;
  const sockets: net.Socket[] = [];
  const server = net.createServer((inbound) => {
    const outbound = net.connect({ host: '127.0.0.1', port });
    sockets.push(inbound, outbound);
    for (const [from, to] of [[inbound, outbound], [outbound, inbound]] as const) {
      from.on('data', (chunk: Buffer) => {
        if (!frozen) to.write(chunk);
      });
      from.on('error', () => to.destroy());
      from.on('close', () => to.destroy());
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    freeze: () => (frozen = true),
    close: () => {
      server.close();
      for (const socket of sockets) socket.destroy();
    },
  };
}

test('ServerAliveInterval/CountMax: a frozen path ends tssh with 255 within interval × (count + 1)', { timeout: 30_000 }, async () => {
  const relay = await startFreezableRelay(b.port);
  const knownHosts = path.join(dir, 'known_hosts_relay');
  writeFileSync(knownHosts, readFileSync(b.knownHosts, 'utf8').replaceAll(`[127.0.0.1]:${b.port}`, `[127.0.0.1]:${relay.port}`));
  const args = b.clientArgs().map((arg) => (arg === String(b.port) ? String(relay.port) : arg.startsWith('UserKnownHostsFile=') ? `UserKnownHostsFile=${knownHosts}` : arg));
  const tssh = startTssh(['-o', 'ServerAliveInterval=1', '-o', 'ServerAliveCountMax=2', ...args, 'echo up; sleep 60']);
  try {
    let stdout = '';
    tssh.child.stdout!.on('data', (chunk) => (stdout += chunk));
    await waitFor(() => stdout.includes('up'), 15_000, 'the remote command to start');
    // Idle but healthy: the keepalives are answered, the connection stays.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    assert.equal(tssh.child.exitCode, null, `still connected: ${tssh.stderr()}`);
    relay.freeze();
    const frozenAt = Date.now();
    const code = await tssh.exited;
    const elapsed = Date.now() - frozenAt;
    assert.equal(code, 255);
    assert.equal(tssh.stderr(), 'Timeout, server 127.0.0.1 not responding.\n');
    // At least CountMax unanswered intervals (a load-proof lower bound); well before the remote sleep ends.
    assert.ok(elapsed >= 2 * 1000 && elapsed < 20_000, `noticed after ${elapsed} ms`);
  } finally {
    await tssh.stop();
    relay.close();
  }
});

test('ConnectionAttempts, BindAddress and AddressFamily shape the TCP connection', { timeout: 30_000 }, async () => {
  const closed = await freePort();
  const started = Date.now();
  const retried = await runClient(TSSH_BIN, ['-v', '-o', 'ConnectionAttempts=2', '-p', String(closed), '-F', '/dev/null', '127.0.0.1', 'true']);
  assert.equal(retried.code, 255);
  assert.equal(retried.stderr.match(/debug1: Connecting to 127\.0\.0\.1 \[127\.0\.0\.1\] port \d+\./g)?.length, 2);
  assert.match(retried.stderr, /debug1: Trying again\.\.\./);
  assert.ok(Date.now() - started >= 1000, 'one second between attempts');
  const bound = await runClient(TSSH_BIN, ['-b', '127.0.0.1', ...b.clientArgs(), 'echo "$SSH_CLIENT" | cut -d" " -f1']);
  assert.equal(bound.stdout.toString(), '127.0.0.1\n', bound.stderr);
  const badBind = await runClient(TSSH_BIN, ['-b', '192.0.2.1', ...b.clientArgs(), 'true']);
  assert.equal(badBind.code, 255);
  assert.equal(badBind.stderr, `bind 192.0.2.1: Cannot assign requested address\ntssh: connect to host 127.0.0.1 port ${b.port}: failure\n`);
  const v6 = await runClient(TSSH_BIN, ['-6', ...b.clientArgs(), 'true']);
  assert.equal(v6.code, 255);
  assert.equal(v6.stderr, 'tssh: Could not resolve hostname 127.0.0.1: Address family for hostname not supported\n');
  const v4 = await runClient(TSSH_BIN, ['-4', ...b.clientArgs(), 'echo v4']);
  assert.equal(v4.stdout.toString(), 'v4\n', v4.stderr);
});
