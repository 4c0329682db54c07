import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { writeFileSync, readFileSync, existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { startSshd, type Sshd } from '../support/sshd.js';
import { RELEASES, releaseLabel, type OpensshRelease } from '../support/releases.js';
import { runClient, TSSH_BIN, makeTempDir, isolatedEnv } from '../support/run.js';
import { freePort } from '../support/processes.js';

/** OpenSSH 9.2's sshd; the tests marked with a release run against 10.x's too. */
let sshd: Sshd;
let sshd10: Sshd;
const server = (release: OpensshRelease): Sshd => (release === '10' ? sshd10 : sshd);
before(async () => {
  [sshd, sshd10] = await Promise.all([startSshd(), startSshd({ release: '10' })]);
});
after(async () => {
  await Promise.all([sshd?.stop(), sshd10?.stop()]);
});

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');
const run = (command: string, opts: { input?: Buffer | string; extra?: string[]; timeoutMs?: number; via?: Sshd } = {}) =>
  runClient(TSSH_BIN, [...(opts.extra ?? []), ...(opts.via ?? sshd).clientArgs(), command], { ...(opts.input !== undefined ? { input: opts.input } : {}), timeoutMs: opts.timeoutMs ?? 30_000 });

for (const release of RELEASES) {
  const label = releaseLabel(release);
  test(`${label} stdout and stderr stay separate`, async () => {
    const r = await run('echo out; echo err >&2', { via: server(release) });
    assert.equal(r.stdout.toString(), 'out\n');
    assert.equal(r.stderr, 'err\n');
    assert.equal(r.code, 0);
  });

  test(`${label} exit statuses 0, 1 and 42 come back; a command killed by a signal exits 255`, async () => {
    for (const status of [0, 1, 42]) assert.equal((await run(`exit ${status}`, { via: server(release) })).code, status);
    assert.equal((await run('kill -9 $$', { via: server(release) })).code, 255);
  });

  test(`${label} binary data round-trips through cat both ways`, async () => {
    const data = randomBytes(3 * 1024 * 1024 + 17);
    const r = await run('cat', { input: data, via: server(release) });
    assert.ok(r.stdout.equals(data));
  });
}

test('command arguments are joined with single spaces, as ssh does', async () => {
  // Like ssh, the words are joined and the remote shell splits them again: the quoting is not kept.
  const r = await runClient(TSSH_BIN, [...sshd.clientArgs(), 'echo', 'a', 'b   c']);
  assert.equal(r.stdout.toString(), 'a b c\n');
});

test('64 MiB piped up arrives intact (sha256)', async () => {
  const data = randomBytes(64 * 1024 * 1024);
  const r = await run('sha256sum', { input: data, timeoutMs: 60_000 });
  assert.equal(r.stdout.toString().split(' ')[0], sha256(data));
  assert.equal(r.code, 0);
});

test('64 MiB piped down arrives intact (sha256)', async () => {
  const file = path.join(sshd.dir, 'down.bin');
  const data = randomBytes(64 * 1024 * 1024);
  writeFileSync(file, data);
  const r = await run(`cat ${file}`, { timeoutMs: 60_000 });
  assert.equal(r.stdout.length, data.length);
  assert.equal(sha256(r.stdout), sha256(data));
});

test('-n gives the remote command an immediate EOF', async () => {
  const r = await runClient(TSSH_BIN, ['-n', ...sshd.clientArgs(), 'wc -c'], { input: 'ignored' });
  assert.equal(r.stdout.toString().trim(), '0');
});

test('12 parallel connections all succeed', async () => {
  const results = await Promise.all(Array.from({ length: 12 }, (_, i) => run(`echo ${i}`)));
  results.forEach((r, i) => {
    assert.equal(r.stdout.toString(), `${i}\n`, r.stderr);
    assert.equal(r.code, 0);
  });
});

test('20 sequential connections all succeed', async () => {
  for (let i = 0; i < 20; i++) {
    const r = await run(`echo ${i}`);
    assert.equal(r.stdout.toString(), `${i}\n`, r.stderr);
  }
});

test('SetEnv reaches the remote command when sshd accepts it', async () => {
  const server = await startSshd({ extraConfig: ['AcceptEnv TSSH_*'] });
  try {
    const r = await runClient(TSSH_BIN, ['-o', 'SetEnv=TSSH_X=hello', ...server.clientArgs(), 'echo $TSSH_X']);
    assert.equal(r.stdout.toString(), 'hello\n', r.stderr);
  } finally {
    await server.stop();
  }
});

test('a 1 GB download into a slow reader stays under 200 MB RSS', { timeout: 120_000 }, async () => {
  const child = spawn('bash', ['-c', `"$0" "$@" | (sleep 4; cat >/dev/null)`, TSSH_BIN, ...sshd.clientArgs(), 'head -c 1000000000 /dev/zero'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: isolatedEnv(makeTempDir('tssh-home-')),
  });
  let peakKb = 0;
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const poll = setInterval(() => {
    for (const pid of tsshPids(child.pid!)) {
      const status = safeRead(`/proc/${pid}/status`);
      const match = /VmHWM:\s+(\d+) kB/.exec(status);
      if (match) peakKb = Math.max(peakKb, Number(match[1]));
    }
  }, 50);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearInterval(poll);
  assert.equal(code, 0, stderr);
  assert.ok(peakKb > 0, 'measured the tssh process');
  assert.ok(peakKb < 200 * 1024, `peak RSS ${Math.round(peakKb / 1024)} MB`);
});

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** The node process running bin/tssh under the given shell. */
function tsshPids(shellPid: number): number[] {
  const pids: number[] = [];
  const children = safeRead(`/proc/${shellPid}/task/${shellPid}/children`).trim().split(/\s+/).filter(Boolean);
  for (const pid of children) {
    const cmdline = safeRead(`/proc/${pid}/cmdline`);
    if (cmdline.includes('tssh')) pids.push(Number(pid));
  }
  return pids;
}

test('connection refused: one clear line, exit 255', async () => {
  const port = await freePort();
  const r = await runClient(TSSH_BIN, ['-p', String(port), '-F', '/dev/null', '127.0.0.1', 'true']);
  assert.equal(r.code, 255);
  assert.equal(r.stderr, `tssh: connect to host 127.0.0.1 port ${port}: Connection refused\n`);
});

test('unresolvable host: one clear line, exit 255', async () => {
  const r = await runClient(TSSH_BIN, ['-F', '/dev/null', 'no-such-host.invalid', 'true']);
  assert.equal(r.code, 255);
  assert.match(r.stderr, /^tssh: Could not resolve hostname no-such-host\.invalid: .+\n$/);
});

test('a bad port number is refused before connecting', async () => {
  for (const port of ['0', 'abc', '70000']) {
    const r = await runClient(TSSH_BIN, ['-p', port, '-F', '/dev/null', '127.0.0.1', 'true']);
    assert.equal(r.code, 255);
    assert.equal(r.stderr, `Bad port '${port}'\n`);
  }
});

test('garbage from the server: one clear line, exit 255', async () => {
  const server = net.createServer((socket) => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const port = (server.address() as net.AddressInfo).port;
    const r = await runClient(TSSH_BIN, ['-p', String(port), '-F', '/dev/null', '127.0.0.1', 'true']);
    assert.equal(r.code, 255);
    assert.equal(r.stderr.trim().split('\n').length <= 2, true, r.stderr);
    assert.match(r.stderr, /kex_exchange_identification|Connection closed by 127\.0\.0\.1/);
    assert.doesNotMatch(r.stderr, /at .*\.js:\d+/, 'no stack trace');
  } finally {
    server.close();
  }
});

test('StrictHostKeyChecking=yes with an unknown host key fails verification', async () => {
  const home = makeTempDir('tssh-home-');
  const known = path.join(home, 'known_hosts');
  writeFileSync(known, '');
  const args = sshd.clientArgs().map((a) => (a.startsWith('UserKnownHostsFile=') ? `UserKnownHostsFile=${known}` : a));
  const r = await runClient(TSSH_BIN, [...args, 'true']);
  assert.equal(r.code, 255);
  assert.match(r.stderr, /No ED25519 host key is known for \[127\.0\.0\.1\]:\d+ and you have requested strict checking\.\nHost key verification failed\.\n$/);
});

test('StrictHostKeyChecking=accept-new records the key in OpenSSH format, then trusts it', async () => {
  const home = makeTempDir('tssh-home-');
  const known = path.join(home, 'known_hosts');
  const args = sshd.clientArgs()
    .map((a) => (a.startsWith('UserKnownHostsFile=') ? `UserKnownHostsFile=${known}` : a))
    .map((a) => (a === 'StrictHostKeyChecking=yes' ? 'StrictHostKeyChecking=accept-new' : a));
  const first = await runClient(TSSH_BIN, [...args, 'echo one']);
  assert.equal(first.stdout.toString(), 'one\n', first.stderr);
  assert.match(first.stderr, /Warning: Permanently added '\[127\.0\.0\.1\]:\d+' \(ED25519\) to the list of known hosts\./);
  assert.ok(existsSync(known));
  // ssh-keygen, the oracle, finds the line tssh wrote.
  const found = await new Promise<string>((resolve) => {
    const kg = spawn('ssh-keygen', ['-F', `[127.0.0.1]:${sshd.port}`, '-f', known]);
    let out = '';
    kg.stdout.on('data', (d) => (out += d));
    kg.on('exit', () => resolve(out));
  });
  assert.match(found, /ssh-ed25519 AAAA/);
  const second = await runClient(TSSH_BIN, [...args, 'echo two']);
  assert.equal(second.stdout.toString(), 'two\n');
  assert.equal(second.stderr, '');
});

test('a key the server does not accept: "Permission denied (publickey)." and 255', async () => {
  const dir = makeTempDir('tssh-key-');
  const key = path.join(dir, 'stranger');
  await new Promise<void>((resolve, reject) => {
    const kg = spawn('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    kg.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ssh-keygen exited ${code}`))));
  });
  const args = sshd.clientArgs().map((a) => (a === sshd.userKey ? key : a));
  const r = await runClient(TSSH_BIN, [...args, 'true']);
  assert.equal(r.code, 255);
  assert.equal(r.stderr, `${sshd.user}@127.0.0.1: Permission denied (publickey).\n`);
});
