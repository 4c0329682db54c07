/**
 * Local forwarding against a real sshd: -L in its TCP and Unix-socket forms, -D as a SOCKS server for
 * curl, -W, LocalForward from ssh_config; integrity (sha256), concurrency, refused targets, memory.
 * Concurrent -L with a refused target, -D and -W run against OpenSSH 10.x's sshd too.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { startSshd, type Sshd } from '../support/sshd.js';
import { RELEASES, releaseLabel, type OpensshRelease } from '../support/releases.js';
import { freePort } from '../support/processes.js';
import { makeTempDir, runClient, TSSH_BIN } from '../support/run.js';
import {
  fetchHash,
  patternStream,
  roundTrip,
  sha256,
  startEchoServer,
  startHttpServer,
  startTssh,
  waitForListener,
  type LocalServer,
  type RunningTssh,
} from './forward-support.js';

const execFileAsync = promisify(execFile);
const MiB = 1024 * 1024;

let sshd: Sshd;
let sshd10: Sshd;
const server = (release: OpensshRelease): Sshd => (release === '10' ? sshd10 : sshd);
let web: LocalServer;
let dir: string;
const small = randomBytes(3 * MiB + 123);
const big = { size: 64 * MiB, sha256: '' };

before(async () => {
  const extraConfig = ['AllowTcpForwarding yes', 'AllowStreamLocalForwarding yes'];
  [sshd, sshd10] = await Promise.all([startSshd({ extraConfig }), startSshd({ release: '10', extraConfig })]);
  dir = makeTempDir('tssh-fwd-');
  const hash = createHash('sha256');
  for await (const chunk of patternStream(big.size)) hash.update(chunk as Buffer);
  big.sha256 = hash.digest('hex');
  web = await startHttpServer({ '/small': small, '/big': () => patternStream(big.size), '/huge': () => patternStream(1024 * MiB) });
});
after(async () => {
  await web?.close();
  await Promise.all([sshd?.stop(), sshd10?.stop()]);
});

/** Runs tssh -N with `forwards` until `body` is done, then stops it by pid. */
async function withForwards(forwards: string[], body: (tssh: RunningTssh) => Promise<void>, extra: string[] = [], via: Sshd = sshd): Promise<void> {
  const tssh = startTssh([...extra, '-N', ...forwards, ...via.clientArgs()]);
  try {
    await body(tssh);
  } finally {
    await tssh.stop();
  }
}

test('-L: 64 MiB pulled through the tunnel arrive intact (sha256)', { timeout: 60_000 }, async () => {
  const port = await freePort();
  await withForwards(['-L', `${port}:127.0.0.1:${web.port}`], async (tssh) => {
    await waitForListener(tssh, port);
    const got = await fetchHash(port, '/big');
    assert.equal(got.length, big.size);
    assert.equal(got.sha256, big.sha256);
  });
});

for (const release of RELEASES) {
  test(`${releaseLabel(release)} -L: 20 concurrent connections all round-trip, and a refused target disturbs none of them`, { timeout: 60_000 }, () => concurrentLocalForwards(server(release)));
}

async function concurrentLocalForwards(via: Sshd): Promise<void> {
  const echo = await startEchoServer();
  const port = await freePort();
  const refusedTarget = await freePort();
  const refusedPort = await freePort();
  try {
    await withForwards(['-L', `${port}:127.0.0.1:${echo.port}`, '-L', `${refusedPort}:127.0.0.1:${refusedTarget}`], async (tssh) => {
      await waitForListener(tssh, port);
      const payloads = Array.from({ length: 20 }, (_, i) => randomBytes(256 * 1024 + i));
      const refused = Array.from({ length: 3 }, () => roundTrip({ port: refusedPort }, Buffer.from('hello')).catch(() => Buffer.alloc(0)));
      const replies = await Promise.all(payloads.map((data) => roundTrip({ port }, data)));
      replies.forEach((reply, i) => assert.ok(reply.equals(payloads[i]!), `connection ${i} came back intact`));
      for (const reply of await Promise.all(refused)) assert.equal(reply.length, 0, 'a refused target closes its connection');
      assert.match(tssh.stderr(), /^channel \d+: open failed: connect failed: Connection refused$/m);
      // The tunnel still works afterwards.
      assert.ok((await roundTrip({ port }, Buffer.from('again'))).equals(Buffer.from('again')));
    }, [], via);
  } finally {
    await echo.close();
  }
}

test('-L with Unix sockets on either side, and an IPv6 bind address in brackets', { timeout: 60_000 }, async () => {
  const remoteSocket = path.join(dir, 'remote-echo.sock');
  const echo = await startEchoServer({ path: remoteSocket });
  const localSocket = path.join(dir, 'local.sock');
  const localSocket2 = path.join(dir, 'local2.sock');
  const tcpToUnix = await freePort();
  const v6Port = await freePort();
  try {
    await withForwards(
      ['-L', `${localSocket}:127.0.0.1:${web.port}`, '-L', `${tcpToUnix}:${remoteSocket}`, '-L', `${localSocket2}:${remoteSocket}`, '-L', `[::1]:${v6Port}:127.0.0.1:${web.port}`],
      async (tssh) => {
        await waitForListener(tssh, tcpToUnix);
        const data = randomBytes(MiB);
        assert.ok((await roundTrip({ port: tcpToUnix }, data)).equals(data), 'TCP → remote socket');
        assert.ok((await roundTrip({ path: localSocket2 }, data)).equals(data), 'local socket → remote socket');
        const viaSocket = await new Promise<Buffer>((resolve, reject) => {
          const socket = net.connect({ path: localSocket });
          const chunks: Buffer[] = [];
          socket.on('data', (chunk: Buffer) => chunks.push(chunk));
          socket.on('end', () => resolve(Buffer.concat(chunks)));
          socket.on('error', reject);
          socket.write('GET /small HTTP/1.0\r\n\r\n');
        });
        assert.equal(sha256(viaSocket.subarray(viaSocket.indexOf('\r\n\r\n') + 4)), sha256(small), 'local socket → remote TCP');
        const v6 = await fetchHash(v6Port, '/small', '::1');
        assert.equal(v6.sha256, sha256(small), 'listening on [::1]');
      },
    );
  } finally {
    await echo.close();
  }
});

/** The local addresses (hex, as /proc/net/tcp{,6} write them) listening on `port`. */
function listeningAddresses(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const lines = ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((file) => readFileSync(file, 'utf8').split('\n').slice(1));
  return lines
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields[1]?.endsWith(`:${hexPort}`) && fields[3] === '0A')
    .map((fields) => fields[1]!.split(':')[0]!)
    .sort();
}

test('-L binds the loopback addresses by default, every interface with -g', { timeout: 30_000 }, async () => {
  const port = await freePort();
  await withForwards(['-L', `${port}:127.0.0.1:${web.port}`], async (tssh) => {
    await waitForListener(tssh, port);
    assert.deepEqual(listeningAddresses(port), ['00000000000000000000000001000000', '0100007F'], '::1 and 127.0.0.1');
  });
  await withForwards(['-g', '-L', `${port}:127.0.0.1:${web.port}`], async (tssh) => {
    await waitForListener(tssh, port);
    assert.deepEqual(listeningAddresses(port), ['00000000', '00000000000000000000000000000000'], '0.0.0.0 and ::');
  });
  await withForwards(['-4', '-g', '-L', `${port}:127.0.0.1:${web.port}`], async (tssh) => {
    await waitForListener(tssh, port);
    assert.deepEqual(listeningAddresses(port), ['00000000'], '-4: IPv4 only');
  });
});

test('LocalForward from ssh_config', { timeout: 30_000 }, async () => {
  const port = await freePort();
  const config = path.join(dir, 'config-localforward');
  writeFileSync(config, `Host fwd-test\n  HostName 127.0.0.1\n  LocalForward ${port} 127.0.0.1:${web.port}\n`);
  const args = sshd.clientArgs().filter((a, i, all) => a !== '-F' && all[i - 1] !== '-F');
  const tssh = startTssh(['-F', config, '-N', ...args.slice(0, -1), `${sshd.user}@fwd-test`]);
  try {
    await waitForListener(tssh, port);
    assert.equal((await fetchHash(port, '/small')).sha256, sha256(small));
  } finally {
    await tssh.stop();
  }
});

for (const release of RELEASES) {
  test(`${releaseLabel(release)} -D: curl fetches a file intact through SOCKS5 (remote name lookup), SOCKS4 and SOCKS4a`, { timeout: 60_000 }, () => socksThroughCurl(server(release)));
}

async function socksThroughCurl(via: Sshd): Promise<void> {
  const port = await freePort();
  await withForwards(['-D', `127.0.0.1:${port}`], async (tssh) => {
    await waitForListener(tssh, port);
    // The -hostname and 4a modes send the name for the server to look up; the others an IPv4 address.
    for (const [mode, host] of [['--socks5-hostname', 'localhost'], ['--socks4', '127.0.0.1'], ['--socks4a', 'localhost'], ['--socks5', '127.0.0.1']] as const) {
      const { stdout } = await execFileAsync('curl', ['-sS', mode, `127.0.0.1:${port}`, `http://${host}:${web.port}/big`], { encoding: 'buffer', maxBuffer: 128 * MiB });
      assert.equal(stdout.length, big.size, mode);
      assert.equal(sha256(stdout), big.sha256, mode);
    }
    // A refused destination gets a SOCKS error (curl's 97), not a hang or a dropped tunnel.
    const closed = await freePort();
    await assert.rejects(execFileAsync('curl', ['-sS', '--socks5-hostname', `127.0.0.1:${port}`, `http://127.0.0.1:${closed}/`]), (err: { code?: number; stderr?: string }) => {
      assert.equal(err.code, 97);
      assert.match(String(err.stderr), /\(5\)/, 'SOCKS5 reply 5: connection refused');
      return true;
    });
    await assert.rejects(execFileAsync('curl', ['-sS', '--socks4', `127.0.0.1:${port}`, `http://127.0.0.1:${closed}/`]), /91/);
    const { stdout } = await execFileAsync('curl', ['-sS', '--socks5-hostname', `127.0.0.1:${port}`, `http://localhost:${web.port}/small`], { encoding: 'buffer', maxBuffer: 16 * MiB });
    assert.equal(sha256(stdout), sha256(small), 'the SOCKS server still serves after refusals');
  }, [], via);
}

for (const release of RELEASES) {
  test(`${releaseLabel(release)} -W: stdin and stdout become the connection to host:port; exit 0 when it ends`, { timeout: 30_000 }, () => stdioForwarding(server(release)));
}

async function stdioForwarding(via: Sshd): Promise<void> {
  const echo = await startEchoServer();
  try {
    const data = randomBytes(2 * MiB);
    const r = await runClient(TSSH_BIN, ['-W', `127.0.0.1:${echo.port}`, ...via.clientArgs()], { input: data, timeoutMs: 30_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.equals(data));
    const refused = await runClient(TSSH_BIN, ['-W', `127.0.0.1:${await freePort()}`, ...via.clientArgs()]);
    assert.equal(refused.code, 255);
    assert.match(refused.stderr, /^channel \d+: open failed: connect failed: Connection refused\nstdio forwarding failed\n$/);
  } finally {
    await echo.close();
  }
}

test('a slow reader on a fast tunnel keeps tssh memory bounded', { timeout: 60_000 }, async () => {
  const port = await freePort();
  await withForwards(['-L', `${port}:127.0.0.1:${web.port}`], async (tssh) => {
    await waitForListener(tssh, port);
    const rss = (): number => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${tssh.child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
    const before = rss();
    let peak = before;
    let received = 0;
    await new Promise<void>((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => socket.write('GET /huge HTTP/1.0\r\n\r\n'));
      socket.on('error', reject);
      // Read about 256 KiB every 50 ms (~5 MB/s) for 3 seconds while 1 GiB waits behind it.
      let taken = 0;
      socket.on('data', (chunk: Buffer) => {
        received += chunk.length;
        taken += chunk.length;
        if (taken >= 256 * 1024) socket.pause();
      });
      const timer = setInterval(() => {
        taken = 0;
        socket.resume();
        peak = Math.max(peak, rss());
      }, 50);
      setTimeout(() => {
        clearInterval(timer);
        socket.destroy();
        resolve();
      }, 3000);
    });
    assert.ok(received > 4 * MiB, `the reader got data (${received} bytes)`);
    // Without backpressure tssh would take what sshd sends (hundreds of MB/s) and grow by that much;
    // with it, growth levels off at the window plus the runtime's own working set.
    assert.ok(peak - before < 64, `tssh grew by ${Math.round(peak - before)} MB (from ${Math.round(before)} MB)`);
  });
});
