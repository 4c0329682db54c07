/**
 * What OpenSSH 10.x's client does beyond 9.2, side by side with the 10.x ssh as the oracle against the
 * 10.x sshd: RefuseConnection, the post-quantum warning (WarnWeakCrypto), VersionAddendum,
 * RequiredRSASize for host and user keys, IdentityFile none, ChannelTimeout, -Z against the keys ssh
 * says it will attempt, and Match version/command with tokens in SetEnv on a real connection.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { startSshd, type Sshd } from '../support/sshd.js';
import { isolatedEnv, makeTempDir, PQ_WARNING, runClient, TSSH_BIN, type ClientResult } from '../support/run.js';
import { startAgent } from '../support/agent.js';
import { openssh10IfBuilt } from '../support/openssh10.js';

const execFileAsync = promisify(execFile);
const SSH = openssh10IfBuilt('ssh');
const skip = SSH !== undefined ? false : 'no OpenSSH 10.x build (bash test/support/build-openssh.sh)';

let server: Sshd; // 10.x, default algorithms, an RSA user key too, AcceptEnv for the SetEnv tests
let classical: Sshd; // 10.x offering only curve25519-sha256
let rsaHost: Sshd; // 10.x with only a 2048-bit RSA host key
let dir: string;

before(async () => {
  if (skip) return;
  dir = makeTempDir('tssh-openssh10-');
  [server, classical, rsaHost] = await Promise.all([
    startSshd({ release: '10', userKeyTypes: ['rsa'], extraConfig: ['AcceptEnv TSSH_*'] }),
    startSshd({ release: '10', kexAlgorithms: 'curve25519-sha256' }),
    startSshd({ release: '10', hostKeyTypes: ['rsa'] }),
  ]);
});
after(async () => {
  await Promise.all([server?.stop(), classical?.stop(), rsaHost?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Runs tssh and the 10.x ssh with the same arguments (and environment) at the same time. */
async function both(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ tssh: ClientResult; ssh: ClientResult }> {
  const home = makeTempDir('tssh-home-');
  try {
    const fullEnv = { ...isolatedEnv(home), ...env };
    const [tssh, ssh] = await Promise.all([runClient(TSSH_BIN, args, { env: fullEnv, timeoutMs: 30_000 }), runClient(SSH!, args, { env: fullEnv, timeoutMs: 30_000 })]);
    return { tssh, ssh };
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

/** ssh ends its log lines with CR LF when stderr is not a terminal only sometimes; compare the text. */
const text = (stderr: string): string => stderr.replace(/\r\n/g, '\n');

function configFile(body: string): string {
  const file = path.join(dir, `config-${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, body, { mode: 0o600 });
  return file;
}

test('RefuseConnection: the message and 255 before any connection, from a file or -o', { skip }, async () => {
  const file = configFile('Host 127.0.0.1\n  RefuseConnection "this host is retired"\n');
  const before = server.readLog().split('\n').length;
  const withFile = server.clientArgs().map((arg) => (arg === '/dev/null' ? file : arg));
  for (const args of [[...withFile, 'true'], ['-o', 'RefuseConnection=maintenance', ...server.clientArgs(), 'true']]) {
    const { tssh, ssh } = await both(args);
    assert.equal(tssh.code, 255);
    assert.equal(ssh.code, 255);
    assert.equal(text(tssh.stderr), text(ssh.stderr));
    assert.match(tssh.stderr, /line \d+: RefuseConnection: (this host is retired|maintenance)\n$/);
  }
  assert.ok(!server.readLog().split('\n').slice(before).some((line) => line.includes('Connection from')), 'nothing connected');
});

test('WarnWeakCrypto: the three-line warning when a server picks a non-PQ kex from the default list', { skip }, async () => {
  const warning = PQ_WARNING;
  const weak = await both([...classical.clientArgs(), 'echo ok']);
  assert.equal(weak.ssh.code, 0);
  assert.equal(text(weak.ssh.stderr), warning);
  assert.equal(weak.tssh.code, 0);
  assert.equal(text(weak.tssh.stderr), warning);
  assert.equal(weak.tssh.stdout.toString(), 'ok\n');
  // Not with no-pq-kex or no, not when KexAlgorithms was chosen (even as +list), not with -q, not when PQ.
  for (const extra of [['-o', 'WarnWeakCrypto=no-pq-kex'], ['-o', 'WarnWeakCrypto=no'], ['-o', 'KexAlgorithms=+diffie-hellman-group14-sha256'], ['-q']]) {
    const quiet = await both([...extra, ...classical.clientArgs(), 'echo ok']);
    assert.deepEqual([quiet.tssh.code, quiet.tssh.stderr], [0, ''], extra.join(' '));
    assert.deepEqual([quiet.ssh.code, quiet.ssh.stderr], [0, ''], `ssh ${extra.join(' ')}`);
  }
  const pq = await both([...server.clientArgs(), 'echo ok']);
  assert.deepEqual([pq.tssh.stderr, pq.ssh.stderr], ['', '']);
});

test('VersionAddendum: appended to the version string the server sees, tokens expanded; none adds nothing', { skip }, async () => {
  const seen = async (bin: string, extra: string[]): Promise<string> => {
    const mark = server.readLog().length;
    const result = await runClient(bin, [...extra, ...server.clientArgs(), 'true']);
    assert.equal(result.code, 0, result.stderr);
    const version = /remote software version (.*?)( \[preauth\])?$/m.exec(server.readLog().slice(mark));
    assert.ok(version, 'the server logged the client version');
    return version[1]!.trim();
  };
  assert.equal(await seen(TSSH_BIN, ['-o', 'VersionAddendum=from %r at %h']), `tssh_0.1.0 from ${server.user} at 127.0.0.1`);
  assert.equal(await seen(SSH!, ['-o', 'VersionAddendum=from %r at %h']), `OpenSSH_10.3 from ${server.user} at 127.0.0.1`);
  assert.equal(await seen(TSSH_BIN, ['-o', 'VersionAddendum=none']), 'tssh_0.1.0');
});

test('RequiredRSASize: a 2048-bit RSA host key is refused under 3072, as ssh refuses it', { skip }, async () => {
  const accepted = await both([...rsaHost.clientArgs(), 'echo ok']);
  assert.deepEqual([accepted.tssh.code, accepted.ssh.code], [0, 0]);
  const refused = await both(['-o', 'RequiredRSASize=3072', ...rsaHost.clientArgs(), 'echo ok']);
  assert.equal(refused.ssh.code, 255);
  assert.equal(refused.tssh.code, 255);
  assert.equal(text(refused.tssh.stderr), 'Bad server host key: Invalid key length\n');
  assert.equal(text(refused.tssh.stderr), text(refused.ssh.stderr));
  assert.equal(refused.tssh.stdout.toString(), '');
});

test('RequiredRSASize: a short RSA user key is reported and not offered; IdentityFile none offers nothing', { skip }, async () => {
  const rsaKey = server.userKeys.rsa!;
  const common = ['-p', String(server.port), '-o', 'IdentitiesOnly=yes', '-o', `UserKnownHostsFile=${server.knownHosts}`, '-o', 'GlobalKnownHostsFile=/dev/null', '-o', 'BatchMode=yes', '-F', '/dev/null'];
  const ok = await both([...common, '-i', rsaKey, server.destination, 'echo rsa']);
  assert.deepEqual([ok.tssh.code, ok.ssh.code, ok.tssh.stdout.toString()], [0, 0, 'rsa\n']);
  const short = await both([...common, '-o', 'RequiredRSASize=4096', '-i', rsaKey, server.destination, 'echo rsa']);
  assert.equal(short.ssh.code, 255);
  assert.equal(short.tssh.code, 255);
  assert.equal(text(short.tssh.stderr), text(short.ssh.stderr));
  assert.match(short.tssh.stderr, /^load pubkey ".*": Invalid key length\n.*Permission denied \(publickey\)\.\n$/s);
  const none = await both([...common, '-o', 'IdentityFile=none', server.destination, 'echo none']);
  assert.deepEqual([none.tssh.code, none.ssh.code], [255, 255]);
  assert.equal(text(none.tssh.stderr), text(none.ssh.stderr));
});

test('ChannelTimeout: an idle session is closed after its timeout, with 255 and ssh\'s VERBOSE line', { skip }, async () => {
  const started = Date.now();
  const { tssh, ssh } = await both(['-o', 'ChannelTimeout=session=2', '-o', 'LogLevel=VERBOSE', ...server.clientArgs(), 'sleep 20; echo late']);
  assert.ok(Date.now() - started < 15_000, 'closed well before the command would have ended');
  for (const r of [tssh, ssh]) {
    assert.equal(r.code, 255);
    assert.equal(r.stdout.toString(), '');
    assert.match(text(r.stderr), /^channel 0: closing after 2 seconds of inactivity$/m);
  }
  // Traffic keeps a channel alive: output every second outlives a 2 s timeout.
  const busy = await both(['-o', 'ChannelTimeout=session=2', ...server.clientArgs(), 'for i in 1 2 3 4; do echo $i; sleep 1; done']);
  assert.deepEqual([busy.tssh.code, busy.tssh.stdout.toString()], [0, '1\n2\n3\n4\n']);
  assert.deepEqual([busy.ssh.code, busy.ssh.stdout.toString()], [0, '1\n2\n3\n4\n']);
});

test('Match version and command pick blocks on a real connection; SetEnv values take tokens', { skip }, async () => {
  const file = configFile(
    [
      'Match version OpenSSH_10.*',
      '  SetEnv TSSH_VERSION_MATCHED=yes TSSH_TOKENS=%r@%h:%p',
      'Match command "printenv*"',
      '  SendEnv TSSH_FROM_CLIENT',
      '',
    ].join('\n'),
  );
  const args = server.clientArgs().map((arg) => (arg === '/dev/null' ? file : arg));
  const { tssh, ssh } = await both([...args, 'printenv TSSH_VERSION_MATCHED TSSH_TOKENS TSSH_FROM_CLIENT'], { TSSH_FROM_CLIENT: 'sent' });
  const expected = `yes\n${server.user}@127.0.0.1:${server.port}\nsent\n`;
  assert.equal(ssh.stdout.toString(), expected, ssh.stderr);
  assert.equal(tssh.stdout.toString(), expected, tssh.stderr);
});

test('-Z lists the keys in the order and form ssh -v says it will attempt them (OpenSSH 10.5 option)', { skip }, async (t) => {
  const { socket, add } = await startAgent(t, dir);
  const agentOnly = path.join(dir, 'agent-only');
  await execFileAsync('ssh-keygen', ['-q', '-t', 'ecdsa', '-N', '', '-C', 'agent-only-key', '-f', agentOnly]);
  await add(agentOnly, server.userKeys.rsa!);
  const env = { SSH_AUTH_SOCK: socket };
  const cases = [
    ['-o', `IdentityFile=${server.userKey}`, '-o', `IdentityFile=${server.userKeys.rsa}`, '-o', 'IdentityFile=/no/such/key'],
    ['-o', `IdentityFile=${server.userKey}`, '-o', 'IdentitiesOnly=yes', '-o', 'FingerprintHash=md5'],
    ['-o', `IdentityFile=${server.userKeys.rsa}`, '-o', 'RequiredRSASize=4096', '-o', 'PubkeyAcceptedAlgorithms=-ecdsa*'],
  ];
  for (const options of cases) {
    const common = ['-p', String(server.port), '-o', `UserKnownHostsFile=${server.knownHosts}`, '-o', 'GlobalKnownHostsFile=/dev/null', '-o', 'BatchMode=yes', '-F', '/dev/null', ...options, server.destination];
    const home = makeTempDir('tssh-home-');
    try {
      const fullEnv = { ...isolatedEnv(home), ...env };
      const [listed, ssh] = await Promise.all([runClient(TSSH_BIN, ['-Z', ...common], { env: fullEnv }), runClient(SSH!, ['-v', ...common, 'true'], { env: fullEnv })]);
      assert.equal(listed.code, 0, listed.stderr);
      const attempts = text(ssh.stderr)
        .split('\n')
        .filter((line) => line.startsWith('debug1: Will attempt key: '))
        .map((line) => line.slice('debug1: Will attempt key: '.length));
      assert.ok(attempts.length > 0, ssh.stderr);
      assert.deepEqual(listed.stdout.toString().trimEnd().split('\n'), attempts, options.join(' '));
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  }
});
