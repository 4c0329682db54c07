/**
 * Faults around a session, with OpenSSH's ssh as the reference for each: the local end of a pipe
 * closing early (`tssh host yes | head -1`) and the server's side of a session killed outright (both
 * against a real sshd), and a dropped connection while -L listens (against the hostile server).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { startSshd, type Sshd } from '../support/sshd.js';
import { isolatedEnv, makeTempDir, TSSH_BIN, waitFor } from '../support/run.js';
import { descendantPids, freePort, isAlive } from '../support/processes.js';
import { startHostileServer } from '../support/hostile-server.js';
import { MSG } from '../../src/wire/messages.js';
import { message } from '../../src/wire/writer.js';
import { shellQuote } from '../support/pty.js';
import { ClientProcess } from '../support/hostile/client-process.js';

let sshd: Sshd;
before(async () => {
  sshd = await startSshd();
});
after(async () => {
  await sshd?.stop();
});

const CLIENTS = [['tssh', TSSH_BIN], ['OpenSSH ssh', 'ssh']] as const;

/** Runs a bash pipeline; resolves with its output, or rejects (after killing it by pid) past `ms`. */
function pipeline(line: string, ms: number): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', line], { env: isolatedEnv(makeTempDir('tssh-home-')), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      for (const pid of [...descendantPids(child.pid!), child.pid!]) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
      reject(new Error(`still running after ${ms} ms: ${line}\nstderr: ${stderr}`));
    }, ms);
    child.on('close', () => {
      clearTimeout(timer);
      resolve({ stdout, stderr });
    });
  });
}

for (const [label, bin] of CLIENTS) {
  test(`${label}: \`host yes | head -1\` exits promptly and quietly when the pipe closes`, async () => {
    const command = [bin, ...sshd.clientArgs(), 'yes'].map(shellQuote).join(' ');
    // `yes` never ends by itself: a client that missed the closed pipe is killed (and the test fails) at 30 s.
    const r = await pipeline(`${command} | head -1; echo "status=\${PIPESTATUS[0]}"`, 30_000);
    // The remote `yes` dies of SIGPIPE once the channel closes: no exit status, so 255, as ssh does.
    assert.equal(r.stdout, 'y\nstatus=255\n');
    assert.equal(r.stderr, '', 'no EPIPE report, no stack trace');
  });

  test(`${label}: the server side of the session killed mid-transfer`, async () => {
    const before = new Set(descendantPids(sshd.pid));
    let output = '';
    const client = new ClientProcess(bin, [...sshd.clientArgs(), 'echo started; exec sleep 60'], (chunk) => (output += chunk.toString()));
    try {
      await waitFor(() => output === 'started\n', 60_000, 'the remote command to start');
      const session = descendantPids(sshd.pid).filter((pid) => !before.has(pid));
      assert.ok(session.length > 0, 'found the session processes');
      for (const pid of session) process.kill(pid, 'SIGKILL');
      await waitFor(() => session.every((pid) => !isAlive(pid)), 30_000, 'the session processes to die');
      const exit = await client.exit(30_000);
      assert.deepEqual(exit, { code: 255, signal: null });
      assert.equal(client.stderr, 'Connection to 127.0.0.1 closed by remote host.\r\n');
    } finally {
      await client.stop();
    }
  });
}

/** True if something accepts TCP connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

for (const [label, bin] of CLIENTS) {
  test(`${label}: -L with a refused forward, then the server drops the connection: no listener left, no hang`, async () => {
    let forwardsRefused = 0;
    const server = await startHostileServer(async (peer) => {
      const conn = await peer.handshake();
      await conn.authenticate();
      conn.serveInBackground();
      await waitFor(() => (conn.counts.get(MSG.CHANNEL_OPEN) ?? 0) > 0 || peer.wire.isClosed, 60_000, 'a forwarded connection');
      forwardsRefused++;
      await waitFor(() => closedLocally, 30_000, 'the refused local connection to be closed');
      peer.wire.send(message(MSG.DISCONNECT).uint32(11).string('maintenance').string('').finish());
      peer.wire.end();
      await peer.wire.closed;
    });
    let closedLocally = false;
    const port = await freePort();
    const client = new ClientProcess(bin, ['-N', '-L', `${port}:127.0.0.1:9`, ...server.clientArgs()]);
    try {
      await waitFor(() => listening(port), 10_000, `the client to listen on port ${port}`);
      const local = net.connect({ host: '127.0.0.1', port });
      local.on('error', () => undefined);
      local.on('close', () => (closedLocally = true));
      const exit = await client.exit(60_000);
      assert.equal(forwardsRefused, 1);
      assert.deepEqual(exit, { code: 255, signal: null }, client.stderr);
      assert.match(client.stderr, /channel \d+: open failed: administratively prohibited: hostile server: sessions only\r?\n/);
      assert.match(client.stderr, /Received disconnect from 127\.0\.0\.1 port \d+:11: maintenance\r?\nDisconnected from 127\.0\.0\.1 port \d+\r?\n$/);
      assert.equal(await listening(port), false, 'the forwarding listener is gone');
    } finally {
      await client.stop();
      await server.stop();
    }
  });
}
