/**
 * The library against a real OpenSSH sshd: every call of the public API, and the typed errors a
 * Node developer catches.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync, writeFileSync } from 'node:fs';
import {
  AuthError,
  ChannelOpenError,
  connect,
  HostKeyError,
  NegotiationError,
  resolveConfig,
  TimeoutError,
  TsshError,
  type Connection,
} from '../../src/index.js';
import { startSshd, type Sshd } from '../support/sshd.js';
import { generateKey } from '../support/keys.js';
import { makeTempDir, waitFor } from '../support/run.js';
import { echoThrough, knownHostsFile, libraryOptions, roundTrip, startEcho } from './support.js';

const execFileAsync = promisify(execFile);
let sshd: Sshd;
let conn: Connection;
let echo: Awaited<ReturnType<typeof startEcho>>;

before(async () => {
  [sshd, echo] = await Promise.all([startSshd({ extraConfig: ['AllowStreamLocalForwarding yes', 'GatewayPorts no'] }), startEcho()]);
  conn = await connect(sshd.destination, libraryOptions(sshd));
});

after(async () => {
  await conn?.close();
  await echo?.close();
  await sshd?.stop();
});

test('exec collects stdout, stderr and the exit status; stdin can be given', async () => {
  const r = await conn.exec('echo out; echo err >&2; exit 7');
  assert.equal(r.stdout.toString(), 'out\n');
  assert.equal(r.stderr.toString(), 'err\n');
  assert.equal(r.code, 7);
  assert.equal(r.signal, null);
  const fed = await conn.exec('wc -c', { stdin: Buffer.alloc(100_000, 1) });
  assert.equal(fed.stdout.toString().trim(), '100000');
  const killed = await conn.exec('kill -KILL $$');
  assert.deepEqual([killed.code, killed.signal], [null, 'KILL']);
});

test('spawn streams stdin and stdout both ways and reports the exit', async () => {
  const p = await conn.spawn('sha256sum');
  const data = randomBytes(1 << 20);
  const out: Buffer[] = [];
  p.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  p.stdin.end(data);
  const exit = await p.exit;
  assert.deepEqual(exit, { code: 0, signal: null });
  assert.equal(Buffer.concat(out).toString().split(' ')[0], createHash('sha256').update(data).digest('hex'));
});

test('shell runs in a pseudo-terminal of the size asked for, and resize reaches it', async () => {
  const s = await conn.shell({ term: 'xterm-256color', cols: 100, rows: 30 });
  let output = '';
  s.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  s.stdin.write('stty size; echo "T=$TERM"\n');
  await waitFor(() => output.includes('30 100') && output.includes('T=xterm-256color'), 10_000, 'the stty size output');
  s.resize(120, 40);
  s.stdin.write('stty size\n');
  await waitFor(() => output.includes('40 120'), 10_000, 'the resized stty output');
  s.stdin.write('exit 3\n');
  assert.deepEqual(await s.exit, { code: 3, signal: null });
});

test('forwardLocal listens on a chosen port and carries connections to the target', async () => {
  const t = await conn.forwardLocal({ listen: '127.0.0.1:0', to: `127.0.0.1:${echo.port}` });
  assert.ok(t.port !== undefined && t.port > 0);
  const data = randomBytes(200_000);
  assert.deepEqual(await echoThrough(t.port, data), data);
  await t.close();
  await assert.rejects(echoThrough(t.port, data), /ECONNREFUSED/);
});

test('forwardRemote gets a port from the server and brings its connections back', async () => {
  const t = await conn.forwardRemote({ listen: 0, to: `127.0.0.1:${echo.port}` });
  assert.ok(t.port !== undefined && t.port > 0);
  const data = randomBytes(50_000);
  // sshd listens on 127.0.0.1 (GatewayPorts no) on this same machine.
  assert.deepEqual(await echoThrough(t.port, data), data);
  await t.close();
  await waitFor(async () => (await echoThrough(t.port!, Buffer.from('x')).then(() => false, () => true)), 10_000, 'the remote listener to go away');
});

test('forwardDynamic is a SOCKS proxy whose connections leave from the server', async () => {
  const web = http.createServer((_, res) => res.end('through socks'));
  await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
  try {
    const t = await conn.forwardDynamic({ listen: 0 });
    const port = (web.address() as net.AddressInfo).port;
    const { stdout } = await execFileAsync('curl', ['-s', '--max-time', '20', '--socks5-hostname', `127.0.0.1:${t.port}`, `http://127.0.0.1:${port}/`]);
    assert.equal(stdout, 'through socks');
    await t.close();
  } finally {
    web.close();
  }
});

test('openDirect is a stream to host:port from the server; a refused target is a ChannelOpenError', async () => {
  const stream = await conn.openDirect(`127.0.0.1:${echo.port}`);
  const data = randomBytes(10_000);
  assert.deepEqual(await roundTrip(stream, data), data);
  stream.destroy();
  const closed = net.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const err = await conn.openDirect({ host: '127.0.0.1', port }).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof ChannelOpenError, String(err));
  assert.equal(err.reason, 2);
  assert.match(err.message, /open failed: connect failed: Connection refused/);
});

test('info says who the connection is with and what the key exchange chose', () => {
  assert.equal(conn.info.port, sshd.port);
  assert.equal(conn.info.user, sshd.user);
  assert.equal(conn.info.hostKeyFingerprint, sshd.hostKeyFingerprints[0]);
  assert.equal(conn.info.kex, 'sntrup761x25519-sha512'); // sshd 9.2 has no mlkem768x25519
});

test('resolveConfig honours an ssh_config file: Host aliases, HostName, Port, User', async () => {
  const dir = makeTempDir('tssh-lib-cfg-');
  const config = `${dir}/config`;
  writeFileSync(config, `Host db\n  HostName 127.0.0.1\n  Port ${sshd.port}\n  User ${sshd.user}\n`);
  const profile = resolveConfig('db', { config, home: dir, env: {} });
  assert.deepEqual([profile.hostName, profile.port, profile.user], ['127.0.0.1', sshd.port, sshd.user]);
  const viaAlias = await connect('db', { ...libraryOptions(sshd), config });
  try {
    assert.equal((await viaAlias.exec('echo alias')).stdout.toString(), 'alias\n');
  } finally {
    await viaAlias.close();
  }
});

test('close() ends the connection; closed settles clean and close is emitted once', async () => {
  const c = await connect(sshd.destination, libraryOptions(sshd));
  let events = 0;
  c.on('close', () => events++);
  await c.close();
  assert.equal(await c.closed, undefined);
  await c.close(); // idempotent
  assert.equal(events, 1);
});

test('unknown host key: HostKeyError status unknown, unless the policy accepts it', async () => {
  const empty = knownHostsFile('');
  const err = await connect(sshd.destination, libraryOptions(sshd, { options: { UserKnownHostsFile: empty } })).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof HostKeyError, String(err));
  assert.equal(err.status, 'unknown');
  assert.equal(err.fingerprint, sshd.hostKeyFingerprints[0]);
  assert.equal(err.host, `[127.0.0.1]:${sshd.port}`);
  assert.equal(err.message, 'Host key verification failed.');

  const asked: string[] = [];
  const accepted = await connect(sshd.destination, libraryOptions(sshd, { options: { UserKnownHostsFile: empty }, knownHosts: (key) => (asked.push(key.fingerprint), true) }));
  await accepted.close();
  assert.deepEqual(asked, [sshd.hostKeyFingerprints[0]]);
  assert.match(readFileSync(empty, 'utf8'), new RegExp(`^\\[127\\.0\\.0\\.1\\]:${sshd.port} ssh-ed25519 `));

  const fresh = knownHostsFile('');
  const acceptNew = await connect(sshd.destination, libraryOptions(sshd, { options: { UserKnownHostsFile: fresh }, knownHosts: 'accept-new' }));
  await acceptNew.close();
  assert.match(readFileSync(fresh, 'utf8'), /ssh-ed25519 /);
});

test('changed host key: HostKeyError status changed with the known_hosts line, whatever the policy', async () => {
  const other = await generateKey(makeTempDir('tssh-lib-key-'), 'other', 'ed25519');
  const line = `[127.0.0.1]:${sshd.port} ${readFileSync(`${other.privatePath}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')}\n`;
  const file = knownHostsFile(`# first line\n${line}`);
  for (const knownHosts of ['accept-new', () => true] as const) {
    const err = await connect(sshd.destination, libraryOptions(sshd, { options: { UserKnownHostsFile: file }, knownHosts })).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof HostKeyError, String(err));
    assert.deepEqual([err.status, err.file, err.line], ['changed', file, 2]);
  }
});

test('revoked host key: HostKeyError status revoked', async () => {
  const hostKey = readFileSync(sshd.knownHosts, 'utf8').split('\n')[0]!.split(' ').slice(1).join(' ');
  const file = knownHostsFile(`@revoked * ${hostKey}\n${readFileSync(sshd.knownHosts, 'utf8')}`);
  const err = await connect(sshd.destination, libraryOptions(sshd, { options: { UserKnownHostsFile: file } })).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof HostKeyError, String(err));
  assert.equal(err.status, 'revoked');
});

test('a key the server does not accept: AuthError with the methods left', async () => {
  const stranger = await generateKey(makeTempDir('tssh-lib-key-'), 'stranger', 'ed25519');
  const err = await connect(sshd.destination, libraryOptions(sshd, { identityFiles: [stranger.privatePath] })).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof AuthError, String(err));
  assert.equal(err.user, sshd.user);
  assert.deepEqual(err.methodsLeft, ['publickey']);
  assert.equal(err.message, `${sshd.user}@127.0.0.1: Permission denied (publickey).`);
  // What publickey did, as data: the one key offered and refused, no agent.
  assert.deepEqual(err.publicKey?.agent, { state: 'unused' });
  assert.equal(err.publicKey?.identities, 1);
  assert.deepEqual(
    err.publicKey?.attempts.map((a) => [a.label, a.source, a.keyType, a.outcome]),
    [[stranger.privatePath, 'file', 'ssh-ed25519', 'refused']],
  );
  assert.match(err.publicKey?.attempts[0]?.fingerprint ?? '', /^SHA256:/);
});

test('no common cipher: NegotiationError with both lists', async () => {
  const restricted = await startSshd({ ciphers: 'aes256-ctr' });
  try {
    const err = await connect(restricted.destination, libraryOptions(restricted, { options: { Ciphers: 'aes128-gcm@openssh.com' } })).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof NegotiationError, String(err));
    assert.equal(err.kind, 'cipher');
    assert.deepEqual(err.ours, ['aes128-gcm@openssh.com']);
    assert.deepEqual(err.theirs, ['aes256-ctr']);
    assert.equal(err.message, `Unable to negotiate with 127.0.0.1 port ${restricted.port}: no matching cipher found. Their offer: aes256-ctr`);
  } finally {
    await restricted.stop();
  }
});

test('the server going away ends `closed` with the error, and the close event carries it', async () => {
  const own = await startSshd();
  try {
    const c = await connect(own.destination, libraryOptions(own));
    const event = new Promise<unknown>((resolve) => c.once('close', resolve));
    await own.stop();
    const error = await c.closed;
    assert.ok(error instanceof TsshError);
    assert.equal(error.code, 'CONNECTION_CLOSED');
    assert.equal(await event, error);
  } finally {
    await own.stop();
  }
});

test('an AbortSignal stops connecting; a silent server times out as TimeoutError', async () => {
  const silent = net.createServer(() => {});
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const port = (silent.address() as net.AddressInfo).port;
  try {
    const controller = new AbortController();
    const connecting = connect(`127.0.0.1:${port}`, { config: false, home: makeTempDir('tssh-lib-home-'), env: {}, signal: controller.signal });
    setImmediate(() => controller.abort());
    const aborted = await connecting.then(() => undefined, (e: unknown) => e);
    assert.ok(aborted instanceof TsshError, String(aborted));
    assert.equal(aborted.code, 'ABORTED');

    const timedOut = await connect(`127.0.0.1:${port}`, { config: false, home: makeTempDir('tssh-lib-home-'), env: {}, options: { ConnectTimeout: 1 } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(timedOut instanceof TimeoutError, String(timedOut));
    assert.equal(timedOut.phase, 'banner');
  } finally {
    silent.close();
  }
});
