/**
 * Hostile servers that attack resources rather than parsers: a window that never opens, a data
 * flood into a stalled consumer, data beyond the window, floods of channel and global requests (read,
 * and never read).
 * tssh must neither hang nor spin nor grow without bound: peak RSS comes from /proc/<pid>/status.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { TSSH_BIN, waitFor } from '../support/run.js';
import { startHostileServer, type HostileServer, type ServerChannel, type ServerConnection } from '../support/hostile-server.js';
import { ClientProcess } from '../support/hostile/client-process.js';
import { MSG } from '../../src/wire/messages.js';
import { message } from '../../src/wire/writer.js';
import { pattern } from './scenario.js';

/** Node's own footprint is ~60 MB; anything that buffers a flood blows far past this. */
const RSS_BOUND_MB = 200;

/** CPU seconds (user + system) a process used so far. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** A server whose script reaches a running session and hands it to `body`. */
async function sessionServer(body: (channel: ServerChannel, conn: ServerConnection) => Promise<void>, window?: number): Promise<{ server: HostileServer; session: Promise<ServerChannel> }> {
  let found!: (channel: ServerChannel) => void;
  const session = new Promise<ServerChannel>((resolve) => (found = resolve));
  const server = await startHostileServer(async (peer) => {
    const conn = await peer.handshake(window === undefined ? {} : { window });
    await conn.authenticate();
    const channel = await conn.acceptSession();
    conn.serveInBackground();
    found(channel);
    await body(channel, conn);
    await peer.wire.closed;
  });
  return { server, session };
}

for (const [label, bin] of [['tssh', TSSH_BIN], ['OpenSSH ssh', 'ssh']] as const) {
  test(`${label}: a window that never opens: waits without spinning or growing, exits 255 on SIGTERM`, async () => {
    const { server, session } = await sessionServer(async () => undefined, 0);
    const client = new ClientProcess(bin, [...server.clientArgs(), 'cat']);
    try {
      const channel = await session;
      // Offer far more input than any buffer holds; the pipe stops taking it once the client stops reading.
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      let offered = 0;
      while (offered < 64 * 1024 * 1024 && client.child.stdin.write(chunk)) offered += chunk.length;
      const cpuBefore = cpuSeconds(client.pid);
      const watchedSince = Date.now();
      // OpenSSH waits for window as long as it takes; so must tssh. Watch it wait.
      await waitFor(() => Date.now() - watchedSince >= 1500 || client.exited !== undefined, 30_000, 'the observation period');
      assert.equal(client.exited, undefined, `the client gave up on its own: ${client.stderr}`);
      assert.equal(channel.receivedBytes, 0, 'nothing may be sent into a zero window');
      assert.ok(cpuSeconds(client.pid) - cpuBefore < 0.5, 'waiting must not spin');
      const peak = client.peakRssMb();
      assert.ok(peak < RSS_BOUND_MB, `peak RSS ${peak} MB`);
      client.signal('SIGTERM');
      const exit = await client.exit(60_000);
      assert.deepEqual(exit, { code: 255, signal: null }, client.stderr);
      assert.equal(client.stderr, '');
    } finally {
      await client.stop();
      await server.stop();
    }
  });
}

test('a data flood into a consumer that stalls: memory stays bounded, every byte arrives in order', { timeout: 240_000 }, async () => {
  const block = pattern(1024 * 1024, 11);
  const blocks = 256;
  let mismatchAt = -1;
  let received = 0;
  const verify = (chunk: Buffer): void => {
    for (let i = 0; i < chunk.length && mismatchAt < 0; ) {
      const offset = received % block.length;
      const n = Math.min(chunk.length - i, block.length - offset);
      if (!chunk.subarray(i, i + n).equals(block.subarray(offset, offset + n))) mismatchAt = received;
      received += n;
      i += n;
    }
  };
  const { server, session } = await sessionServer(async (channel) => {
    for (let i = 0; i < blocks; i++) await channel.write(block);
    channel.exitStatus(0);
    channel.eof();
    channel.close();
  });
  const client = new ClientProcess(TSSH_BIN, [...server.clientArgs(), 'flood'], verify);
  try {
    client.stallStdout();
    const channel = await session;
    // Stalled: the server must run out of window (tssh stops granting), not tssh out of memory.
    await waitFor(() => channel.clientWindow === 0, 120_000, 'the server to exhaust the window of a stalled client');
    const stalledPeak = client.peakRssMb();
    client.resumeStdout();
    const exit = await client.exit(120_000);
    assert.deepEqual(exit, { code: 0, signal: null }, client.stderr);
    assert.equal(mismatchAt, -1, `output differs from what was sent at byte ${mismatchAt}`);
    assert.equal(received, blocks * block.length);
    const peak = client.peakRssMb();
    assert.ok(peak < RSS_BOUND_MB, `peak RSS ${peak} MB (${stalledPeak} MB while stalled)`);
  } finally {
    await client.stop();
    await server.stop();
  }
});

test('floods of channel and global requests are all answered, with bounded memory', { timeout: 240_000 }, async () => {
  // 40,000 requests: enough that queued answers would show in RSS, few enough to stay far inside the file's limit when loaded.
  const count = 20_000;
  const { server, session } = await sessionServer(async (channel, conn) => {
    const channelRequest = message(MSG.CHANNEL_REQUEST).uint32(channel.clientId).string('keepalive@openssh.com').boolean(true).finish();
    const globalRequest = message(MSG.GLOBAL_REQUEST).string('keepalive@openssh.com').boolean(true).finish();
    for (let i = 0; i < count; i++) {
      conn.wire.send(channelRequest);
      conn.wire.send(globalRequest);
      if (i % 1000 === 999) await conn.wire.drained();
    }
    await waitFor(() => (conn.counts.get(MSG.CHANNEL_FAILURE) ?? 0) === count && (conn.counts.get(MSG.REQUEST_FAILURE) ?? 0) === count, 120_000, 'every request answered');
    await channel.finish('all answered\n', 0);
  });
  const output: Buffer[] = [];
  const client = new ClientProcess(TSSH_BIN, [...server.clientArgs(), 'flood'], (chunk) => output.push(chunk));
  try {
    await session;
    const exit = await client.exit(120_000);
    assert.deepEqual(exit, { code: 0, signal: null }, client.stderr);
    assert.equal(Buffer.concat(output).toString(), 'all answered\n');
    const peak = client.peakRssMb();
    assert.ok(peak < RSS_BOUND_MB, `peak RSS ${peak} MB`);
  } finally {
    await client.stop();
    await server.stop();
  }
});

test('a server that floods requests and never reads the answers: tssh stops reading instead of queueing', { timeout: 240_000 }, async () => {
  let backlogged = false;
  const { server, session } = await sessionServer(async (channel, conn) => {
    conn.wire.socket.pause(); // never read the client's answers
    const request = message(MSG.CHANNEL_REQUEST).uint32(channel.clientId).string('keepalive@openssh.com').boolean(true).finish();
    // Paced so that a client that keeps reading keeps up: only one that stopped reading lets our own
    // output back up, which is the proof that it throttled instead of queueing its answers.
    while (!conn.wire.isClosed && !conn.wire.backlogged(2 * 1024 * 1024)) {
      for (let i = 0; i < 2000; i++) conn.wire.send(request);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    backlogged = true;
    conn.wire.socket.resume();
    await conn.wire.drained();
    await channel.finish('done\n', 0);
  });
  const client = new ClientProcess(TSSH_BIN, [...server.clientArgs(), 'flood']);
  try {
    await session;
    await waitFor(() => backlogged || client.exited !== undefined, 120_000, 'the server to be backed up by a client that stopped reading');
    const peak = client.peakRssMb();
    assert.ok(backlogged, `tssh exited: ${client.stderr}`);
    assert.ok(peak < RSS_BOUND_MB, `peak RSS ${peak} MB`);
    const exit = await client.exit(60_000);
    assert.deepEqual(exit, { code: 0, signal: null }, client.stderr);
  } finally {
    await client.stop();
    await server.stop();
  }
});

test('data beyond the window the client granted ends the connection; what came before is intact', async () => {
  const sent = pattern(3 * 1024 * 1024, 5);
  const received: Buffer[] = [];
  const { server, session } = await sessionServer(async (channel) => {
    await channel.write(sent, { ignoreWindow: true }).catch(() => undefined);
  });
  const client = new ClientProcess(TSSH_BIN, [...server.clientArgs(), 'flood'], (chunk) => received.push(chunk));
  try {
    // A stalled reader grants no more window, so the 3 MB certainly overrun the 2 MB granted.
    client.stallStdout();
    await session;
    await waitFor(() => client.exited !== undefined || /rcvd too much data/.test(client.stderr), 120_000, 'tssh to notice the overrun');
    client.resumeStdout();
    const exit = await client.exit(60_000);
    assert.deepEqual(exit, { code: 255, signal: null });
    // OpenSSH drops such data and carries on (its output then has holes); tssh stops instead.
    assert.match(client.stderr, /^channel 0: rcvd too much data \d+, win \d+\r?\n$/);
    const output = Buffer.concat(received);
    assert.ok(output.length < sent.length && sent.subarray(0, output.length).equals(output), 'output is an exact prefix of what was sent');
  } finally {
    await client.stop();
    await server.stop();
  }
});
