/**
 * Bounded memory in every phase of a connection, with a server that floods: while tssh is blocked on
 * a prompt (the host-key question during the key exchange, a password during authentication) it
 * must stop reading, as ssh does by not reading at all, so the flood backs up in the server instead
 * of growing tssh; before the version line its limits hold; in a session a stalled stderr stops the
 * window. Peak RSS comes from /proc/<pid>/status (VmHWM); "backed up" means the server's socket has
 * more than 1 MB it cannot send.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeTempDir, TSSH_BIN, waitFor } from '../support/run.js';
import { startHostileServer, type ServerWire } from '../support/hostile-server.js';
import { ClientProcess } from '../support/hostile/client-process.js';
import { MSG } from '../../src/wire/messages.js';
import { message } from '../../src/wire/writer.js';
import { pattern } from './scenario.js';

/** Node's own footprint is ~60 MB; a client that buffers the flood passes this within a second. */
const RSS_BOUND_MB = 200;
/** A client that takes this much of a flood while blocked is reading, not held back. */
const FLOOD_LIMIT = 64 * 1024 * 1024;
/** How long a flood goes on (as fast as the client drains it) before its total is judged. */
const FLOOD_MS = 2000;

/** An SSH_ASKPASS that answers `answer` only once the test releases it (until then the client is blocked on it). */
function blockingAskpass(answer: string): { env: NodeJS.ProcessEnv; release(): void; asked(): boolean; dispose(): void } {
  const dir = makeTempDir('tssh-askpass-');
  const program = path.join(dir, 'askpass');
  writeFileSync(program, `#!/bin/sh\n: > '${dir}/asked'\nwhile [ ! -e '${dir}/release' ]; do sleep 0.05; done\necho '${answer}'\n`);
  chmodSync(program, 0o700);
  const release = (): void => writeFileSync(path.join(dir, 'release'), '');
  return {
    env: { SSH_ASKPASS: program, SSH_ASKPASS_REQUIRE: 'force' },
    release,
    asked: () => existsSync(path.join(dir, 'asked')),
    dispose: () => {
      release();
      // The client's askpass child sees the release and ends within one poll; the directory can go.
      setTimeout(() => rmSync(dir, { recursive: true, force: true }), 500).unref();
    },
  };
}

/**
 * Sends `packet` for FLOOD_MS as fast as the client takes it (waiting whenever our socket backs up),
 * or until FLOOD_LIMIT. A client that stopped reading leaves the total at what the socket buffers hold.
 */
async function flood(wire: ServerWire, packet: () => Buffer): Promise<{ backedUp: boolean; sentMb: number }> {
  const deadline = Date.now() + FLOOD_MS;
  let sent = 0;
  while (!wire.isClosed && sent < FLOOD_LIMIT && Date.now() < deadline) {
    const p = packet();
    wire.send(p);
    sent += p.length;
    if (wire.backlogged()) {
      await Promise.race([wire.drained(), new Promise((resolve) => setTimeout(resolve, deadline - Date.now()).unref())]);
    }
  }
  return { backedUp: sent < FLOOD_LIMIT && !wire.isClosed, sentMb: Math.round(sent / 2 ** 20) };
}

const bigBanner = (): Buffer => message(MSG.USERAUTH_BANNER).string(Buffer.alloc(32 * 1024, 'b')).string('').finish();
const bigIgnore = (): Buffer => message(MSG.IGNORE).string(pattern(32 * 1024, 5)).finish();

// ssh 9.2 runs the same floods: the reference for "stops reading".
for (const [label, bin] of [['tssh', TSSH_BIN], ['OpenSSH ssh', 'ssh']] as const) {
  test(`${label}: blocked on the password prompt while the server floods banners: stops reading, memory stays bounded`, { timeout: 90_000 }, async (t) => {
    const askpass = blockingAskpass('secret');
    let flooded: { backedUp: boolean; sentMb: number } | undefined;
    let password = '';
    const server = await startHostileServer(async (peer) => {
      const conn = await peer.handshake();
      const { wire } = peer;
      await wire.expect(MSG.SERVICE_REQUEST);
      wire.send(message(MSG.SERVICE_ACCEPT).string('ssh-userauth').finish());
      await wire.expect(MSG.USERAUTH_REQUEST);
      wire.send(message(MSG.USERAUTH_FAILURE).string('password').boolean(false).finish());
      await waitFor(askpass.asked, 20_000, 'the client to ask for the password');
      flooded = await flood(wire, bigBanner);
      askpass.release();
      const request = await wire.expect(MSG.USERAUTH_REQUEST);
      password = request.payload.subarray(-6).toString('latin1');
      wire.send(message(MSG.USERAUTH_SUCCESS).finish());
      const channel = await conn.acceptSession();
      conn.serveInBackground();
      await channel.finish('ok\n', 0);
    });
    const output: Buffer[] = [];
    const client = new ClientProcess(bin, ['-q', '-o', 'BatchMode=no', '-o', 'PreferredAuthentications=password', ...server.clientArgs(), 'cmd'], (c) => output.push(c), askpass.env);
    try {
      await waitFor(() => flooded !== undefined || client.exited !== undefined, 60_000, 'the flood to end');
      const peak = client.peakRssMb();
      t.diagnostic(`${label}: ${flooded?.sentMb} MB taken while blocked, peak RSS ${peak} MB`);
      assert.ok(flooded?.backedUp, `${label} kept reading ${flooded?.sentMb} MB while blocked on the prompt (peak RSS ${peak} MB): ${client.stderr}`);
      assert.ok(peak < RSS_BOUND_MB, `peak RSS ${peak} MB`);
      // Nothing was lost on the way: the answer, then the session.
      const exit = await client.exit(30_000);
      assert.deepEqual(exit, { code: 0, signal: null }, client.stderr);
      assert.equal(password, 'secret');
      assert.equal(Buffer.concat(output).toString(), 'ok\n');
    } finally {
      await client.stop();
      await server.stop();
      askpass.dispose();
    }
  });

  test(`${label}: blocked on the host-key question while the server floods: stops reading, memory stays bounded`, { timeout: 90_000 }, async (t) => {
    const askpass = blockingAskpass('no');
    let flooded: { backedUp: boolean; sentMb: number } | undefined;
    const server = await startHostileServer(async (peer) => {
      await peer.handshake({
        afterNewKeys: (wire) => {
          void (async () => {
            await waitFor(askpass.asked, 20_000, 'the client to ask about the host key');
            flooded = await flood(wire, bigIgnore);
            askpass.release();
          })();
        },
      });
    });
    const dir = makeTempDir('tssh-memory-');
    const client = new ClientProcess(bin, ['-o', 'StrictHostKeyChecking=ask', '-o', 'BatchMode=no', ...server.clientArgs().map((a) => (a.startsWith('UserKnownHostsFile=') ? `UserKnownHostsFile=${dir}/known_hosts` : a)), 'cmd'], undefined, askpass.env);
    try {
      await waitFor(() => flooded !== undefined || client.exited !== undefined, 60_000, 'the flood to end');
      const peak = client.peakRssMb();
      t.diagnostic(`${label}: ${flooded?.sentMb} MB taken while blocked, peak RSS ${peak} MB`);
      assert.ok(flooded?.backedUp, `${label} kept reading ${flooded?.sentMb} MB while asking about the host key (peak RSS ${peak} MB): ${client.stderr}`);
      assert.ok(peak < RSS_BOUND_MB, `peak RSS ${peak} MB`);
      const exit = await client.exit(30_000);
      assert.deepEqual(exit, { code: 255, signal: null });
      assert.match(client.stderr, /Host key verification failed\.\r?\n$/);
    } finally {
      await client.stop();
      await server.stop();
      askpass.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('lines before the version line, at the most ssh accepts: memory stays bounded, the exchange fails as in ssh', { timeout: 60_000 }, async (t) => {
  const server = await startHostileServer(async ({ wire }) => {
    const line = `${'x'.repeat(8000)}\r\n`;
    for (let i = 0; i < 1023 && !wire.isClosed; i++) {
      wire.writeRaw(line);
      if (wire.backlogged()) await wire.drained();
    }
    // Then one line that never ends.
    while (!wire.isClosed) {
      wire.writeRaw('y'.repeat(64 * 1024));
      await wire.drained();
    }
  });
  const client = new ClientProcess(TSSH_BIN, [...server.clientArgs(), 'cmd']);
  try {
    const exit = await client.exit(30_000);
    assert.deepEqual(exit, { code: 255, signal: null });
    assert.match(client.stderr, /^kex_exchange_identification: banner line too long\r?\nbanner exchange: Connection to 127\.0\.0\.1 port \d+: invalid format\r?\n$/);
    const peak = client.peakRssMb();
    t.diagnostic(`peak RSS ${peak} MB`);
    assert.ok(peak < RSS_BOUND_MB, `peak RSS ${peak} MB`);
  } finally {
    await client.stop();
    await server.stop();
  }
});

test('a session flooding stderr into a consumer that stalls: the window stops the server, memory stays bounded', { timeout: 60_000 }, async (t) => {
  const block = pattern(1024 * 1024, 9);
  const total = 32 * block.length;
  let written = 0;
  const server = await startHostileServer(async (peer) => {
    const conn = await peer.handshake();
    await conn.authenticate();
    const channel = await conn.acceptSession();
    conn.serveInBackground();
    for (let i = 0; i < 32; i++) {
      await channel.write(block, { extended: true });
      written += block.length;
    }
    await channel.finish('', 0);
  });
  const client = new ClientProcess(TSSH_BIN, [...server.clientArgs(), 'cmd']);
  try {
    client.stallStderr();
    await waitFor(() => written > 0 || client.exited !== undefined, 20_000, 'the server to start writing');
    // As long as stderr is stalled the server must stay stuck at a closed window; watch it stay stuck.
    const since = Date.now();
    await waitFor(() => Date.now() - since >= 1500 || written === total, 10_000, 'the observation period');
    const stalledPeak = client.peakRssMb();
    assert.ok(written < total, `the server sent all ${total >> 20} MB into a stalled stderr (peak RSS ${stalledPeak} MB)`);
    client.resumeStderr();
    const exit = await client.exit(30_000);
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.equal(written, total);
    const peak = client.peakRssMb();
    t.diagnostic(`${written >> 20} MB written, peak RSS ${peak} MB (${stalledPeak} MB while stalled)`);
    assert.ok(peak < RSS_BOUND_MB, `peak RSS ${peak} MB (${stalledPeak} MB while stalled)`);
  } finally {
    await client.stop();
    await server.stop();
  }
});
