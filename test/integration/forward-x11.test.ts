/**
 * X11 forwarding (-X / -Y) against a real sshd: the remote X client gets a fake cookie, tssh swaps it
 * for the real one on the way to the local display, a wrong cookie never reaches the display, and the
 * failure cases print what ssh prints (OpenSSH's `ssh` runs the same cases as the oracle). The local
 * "X server" is a TCP listener on 127.0.0.1:6000+N that records the setup packet it receives and
 * answers with the cookie it saw; the remote X client is a small node script.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { startSshd, type Sshd } from '../support/sshd.js';
import { isolatedEnv, makeTempDir, runClient, TSSH_BIN, type ClientResult } from '../support/run.js';

const SSH = '/usr/bin/ssh';
/**
 * Trusted -X. Debian's ssh defaults ForwardX11Trusted to yes; OpenSSH (10.x, and tssh, which follows
 * it) to no, which makes plain -X untrusted: these cases ask for trusted forwarding explicitly.
 */
const TRUSTED_X = ['-X', '-o', 'ForwardX11Trusted=yes'];
let sshd: Sshd;
let refusing: Sshd;
let dir: string;
let xclient: string;

/** A fake local X server on display `number`: what each connection's setup carried, in order. */
interface FakeDisplay {
  number: number;
  cookies: string[];
  close(): Promise<void>;
}

/** Listens on the first free TCP display at or above :50 (sshd's own displays start at :10). */
async function startFakeDisplay(): Promise<FakeDisplay> {
  const cookies: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let buffer = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      buffer = Buffer.concat([buffer, chunk]);
      if (buffer.length < 12) return;
      const protoLength = buffer.readUInt16LE(6);
      const dataLength = buffer.readUInt16LE(8);
      const dataAt = 12 + ((protoLength + 3) & ~3);
      const end = dataAt + ((dataLength + 3) & ~3);
      if (buffer.length < end) return;
      // Answers the setup with what it saw and hangs up (xauth, too, then gives up at once).
      const cookie = buffer.subarray(dataAt, dataAt + dataLength).toString('hex');
      cookies.push(cookie);
      socket.end(`display saw ${cookie} then ${buffer.subarray(end).toString()}`);
      socket.removeListener('data', onData);
    };
    socket.on('data', onData);
    socket.on('error', () => socket.destroy());
  });
  for (let number = 50; number < 100; number++) {
    const listening = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(6000 + number, '127.0.0.1', () => resolve(true));
    });
    if (listening) {
      const close = (): Promise<void> => {
        for (const socket of sockets) socket.destroy();
        return new Promise((resolve) => server.close(() => resolve()));
      };
      return { number, cookies, close };
    }
  }
  throw new Error('no free X display port in 6050..6099');
}

/** Runs `body` with a fake display that is closed afterwards, whatever happens. */
async function withFakeDisplay(body: (display: FakeDisplay) => Promise<void>): Promise<void> {
  const display = await startFakeDisplay();
  try {
    await body(display);
  } finally {
    await display.close();
  }
}

/** The remote X client: connects to $DISPLAY with the cookie xauth has for it (or a wrong one), says hello. */
const XCLIENT = `
import net from 'node:net';
import { execFileSync } from 'node:child_process';
const display = process.env.DISPLAY;
if (!display) { console.log('no DISPLAY'); process.exit(0); }
const number = Number(display.split(':')[1].split('.')[0]);
const cookie = process.argv[2] === 'wrong'
  ? Buffer.alloc(16, 7)
  : Buffer.from(execFileSync('xauth', ['list', 'unix:' + number]).toString().trim().split(/\\s+/)[2], 'hex');
const proto = Buffer.from('MIT-MAGIC-COOKIE-1');
const head = Buffer.alloc(12);
head[0] = 0x6c; head.writeUInt16LE(11, 2); head.writeUInt16LE(proto.length, 6); head.writeUInt16LE(cookie.length, 8);
const pad = (b) => Buffer.concat([b, Buffer.alloc((4 - (b.length % 4)) % 4)]);
const attempt = () => new Promise((resolve) => {
  const socket = net.connect(6000 + number, '127.0.0.1');
  // Like a real X client, it does not half-close (ssh can drop an X11 setup that arrives with EOF).
  socket.write(Buffer.concat([head, pad(proto), pad(cookie), Buffer.from('hello')]));
  let reply = '';
  socket.on('data', (d) => (reply += d));
  socket.on('error', () => {});
  socket.on('close', () => resolve('remote cookie ' + cookie.toString('hex') + '; ' + (reply || 'closed')));
});
console.log(await attempt());
// 'later': a second connection once ForwardX11Timeout (2 s in that test) has passed.
if (process.argv[2] === 'later') setTimeout(async () => console.log(await attempt()), 3500);
`;

before(async () => {
  dir = makeTempDir('tssh-x11-');
  xclient = path.join(dir, 'xclient.mjs');
  writeFileSync(xclient, XCLIENT);
  // sshd's xauth writes the fake cookie for the session to XAUTHORITY: the test's file, not ~/.Xauthority.
  // It exists from the start, or sshd's xauth says so on the first session's stderr.
  const remoteFile = path.join(dir, 'remote-Xauthority');
  execFileSync('xauth', ['-f', remoteFile, 'add', 'unix:999', 'MIT-MAGIC-COOKIE-1', '00']);
  const remoteAuthority = `SetEnv SHLVL=1 XAUTHORITY=${remoteFile}`;
  [sshd, refusing] = await Promise.all([
    startSshd({ extraConfig: ['X11Forwarding yes', 'X11UseLocalhost yes', remoteAuthority] }),
    startSshd({ extraConfig: ['X11Forwarding no'] }),
  ]);
});
after(async () => {
  await Promise.all([sshd?.stop(), refusing?.stop()]);
  if (dir) execFileSync('rm', ['-rf', dir]);
});

/** The local side's environment: DISPLAY on the fake server, and an XAUTHORITY holding `cookie` (if any). */
function localEnv(display: FakeDisplay, cookie?: string): NodeJS.ProcessEnv {
  const authority = path.join(dir, `local-Xauthority-${randomBytes(4).toString('hex')}`);
  if (cookie !== undefined) execFileSync('xauth', ['-f', authority, 'add', `127.0.0.1:${display.number}`, 'MIT-MAGIC-COOKIE-1', cookie]);
  return { ...isolatedEnv(makeTempDir('tssh-home-')), DISPLAY: `127.0.0.1:${display.number}.0`, XAUTHORITY: authority };
}

function run(bin: string, server: Sshd, args: string[], env: NodeJS.ProcessEnv, mode = 'right'): Promise<ClientResult> {
  return runClient(bin, [...args, ...server.clientArgs(), `${process.execPath} ${xclient} ${mode}`], { env, timeoutMs: 20_000 });
}

const text = (stderr: string): string => stderr.replace(/\r\n/g, '\n').replace(/^ssh: /gm, 'tssh: ');

test('-Y: the remote X client reaches the local display, which sees the real cookie; the server only ever had a fake one', () =>
  withFakeDisplay(async (display) => {
    const real = randomBytes(16).toString('hex');
    const r = await run(TSSH_BIN, sshd, ['-Y', '-v'], localEnv(display, real));
    assert.equal(r.code, 0, r.stderr);
    const match = /^remote cookie ([0-9a-f]{32}); display saw ([0-9a-f]{32}) then hello\n$/.exec(r.stdout.toString());
    assert.ok(match, `${r.stdout.toString()}\n${r.stderr}`);
    assert.equal(match[2], real, 'the real cookie was swapped in');
    assert.notEqual(match[1], real, 'the server never saw the real cookie');
    assert.deepEqual(display.cookies, [real]);
    assert.match(r.stderr, /debug1: Requesting X11 forwarding with authentication spoofing\./);
    assert.match(r.stderr, /debug1: client_request_x11: request from 127\.0\.0\.1 \d+\n/);
    assert.match(sshd.readLog(), /x11-req/);
  }));

test('a remote X client with the wrong cookie never reaches the display, as with ssh', () =>
  withFakeDisplay(async (display) => {
    const env = localEnv(display, randomBytes(16).toString('hex'));
    const t = await run(TSSH_BIN, sshd, TRUSTED_X, env, 'wrong');
    const s = await run(SSH, sshd, TRUSTED_X, env, 'wrong');
    assert.equal(t.code, 0, t.stderr);
    assert.equal(t.stdout.toString(), `remote cookie ${'07'.repeat(16)}; closed\n`);
    assert.equal(t.stdout.toString(), s.stdout.toString());
    assert.equal(t.stderr, 'X11 connection rejected because of wrong authentication.\n');
    assert.equal(text(t.stderr), text(s.stderr));
    assert.deepEqual(display.cookies, []);
  }));

test('no xauth data for the display: a made-up cookie and ssh\'s warning; untrusted forwarding gives up instead', () =>
  withFakeDisplay(async (display) => {
    const env = localEnv(display); // an XAUTHORITY without this display
    const t = await run(TSSH_BIN, sshd, TRUSTED_X, env);
    const s = await run(SSH, sshd, TRUSTED_X, env);
    assert.equal(t.code, 0, t.stderr);
    assert.equal(t.stderr, 'Warning: No xauth data; using fake authentication data for X11 forwarding.\n');
    assert.equal(text(t.stderr), text(s.stderr));
    assert.match(t.stdout.toString(), /; display saw [0-9a-f]{32} then hello\n$/);

    // Untrusted (plain -X in OpenSSH and tssh): xauth cannot generate a cookie with this fake server,
    // so no X11 at all (no DISPLAY remotely).
    const untrusted = ['-X', '-o', 'ForwardX11Trusted=no'];
    const plain = await run(TSSH_BIN, sshd, ['-X'], env);
    assert.equal(plain.stdout.toString(), 'no DISPLAY\n');
    const tu = await run(TSSH_BIN, sshd, untrusted, env);
    const su = await run(SSH, sshd, untrusted, env);
    assert.equal(tu.code, 0, tu.stderr);
    assert.equal(tu.stdout.toString(), 'no DISPLAY\n');
    assert.equal(tu.stderr, 'Warning: untrusted X11 forwarding setup failed: xauth key data not generated\n');
    assert.equal(text(tu.stderr), text(su.stderr));
  }));

test('a server that refuses X11 forwarding: "X11 forwarding request failed", the command still runs', () =>
  withFakeDisplay(async (display) => {
    const env = localEnv(display, randomBytes(16).toString('hex'));
    const t = await run(TSSH_BIN, refusing, ['-Y'], env);
    const s = await run(SSH, refusing, ['-Y'], env);
    assert.equal(t.code, 0, t.stderr);
    assert.equal(t.stdout.toString(), 'no DISPLAY\n');
    assert.equal(t.stderr, 'X11 forwarding request failed on channel 0\n');
    assert.equal(text(t.stderr), text(s.stderr));
  }));

test('-x and -Y -x: no X11 forwarding; an invalid DISPLAY is refused with ssh\'s words', () =>
  withFakeDisplay(async (display) => {
    const env = localEnv(display, randomBytes(16).toString('hex'));
    const off = await run(TSSH_BIN, sshd, ['-Y', '-x'], env);
    assert.equal(off.stdout.toString(), 'no DISPLAY\n', off.stderr);
    const bad = { ...env, DISPLAY: 'host;rm -rf:0' };
    const t = await run(TSSH_BIN, sshd, ['-Y'], bad);
    const s = await run(SSH, sshd, ['-Y'], bad);
    assert.equal(t.stdout.toString(), 'no DISPLAY\n');
    assert.equal(t.stderr, 'DISPLAY "host;rm -rf:0" invalid; disabling X11 forwarding\n');
    assert.equal(text(t.stderr), text(s.stderr));
  }));

test('untrusted -X: xauth generates the cookie (same command as ssh); after ForwardX11Timeout new X11 connections are refused', () =>
  withFakeDisplay(async (display) => {
    const cookie = randomBytes(16).toString('hex');
    const log = path.join(dir, 'fake-xauth.log');
    // A stand-in for xauth: a real one needs an X server with the SECURITY extension to generate.
    const fakeXauth = path.join(dir, 'fake-xauth');
    writeFileSync(fakeXauth, `#!/bin/sh\necho "$@" >> '${log}'\ncase "$*" in *generate*) exit 0;; *list*) echo "host/unix:${display.number}  MIT-MAGIC-COOKIE-1  ${cookie}";; esac\n`, { mode: 0o755 });
    const env = localEnv(display);
    const args = ['-X', '-v', '-o', 'ForwardX11Trusted=no', '-o', 'ForwardX11Timeout=2', '-o', `XAuthLocation=${fakeXauth}`];
    const runs: Record<string, { result: ClientResult; xauth: string }> = {};
    for (const [name, bin] of [['tssh', TSSH_BIN], ['ssh', SSH]] as const) {
      writeFileSync(log, '');
      const result = await run(bin, sshd, args, env, 'later');
      runs[name] = { result, xauth: readFileSync(log, 'utf8').replace(/\/tmp\/ssh-\w+\/xauthfile/g, 'FILE') };
    }
    const t = runs.tssh!;
    assert.equal(t.result.code, 0, t.result.stderr);
    assert.equal(t.xauth, `-f FILE generate 127.0.0.1:${display.number}.0 MIT-MAGIC-COOKIE-1 untrusted timeout 62\n-f FILE list 127.0.0.1:${display.number}.0\n`);
    assert.equal(t.xauth, runs.ssh!.xauth);
    const lines = t.result.stdout.toString().split('\n');
    assert.match(lines[0]!, new RegExp(`; display saw ${cookie} then hello$`));
    assert.match(lines[1]!, /; closed$/, 'the second connection came after the timeout');
    const outcomes = (r: ClientResult): string => r.stdout.toString().replace(/remote cookie \w+/g, 'remote cookie C');
    assert.equal(outcomes(t.result), outcomes(runs.ssh!.result), `ssh: the same two outcomes\n${runs.ssh!.result.stderr}`);
    assert.deepEqual(display.cookies, [cookie, cookie], 'one connection from each client reached the display');
    assert.match(t.result.stderr, /Rejected X11 connection after ForwardX11Timeout expired\n/);
    assert.match(runs.ssh!.result.stderr, /Rejected X11 connection after ForwardX11Timeout expired/);
  }));
