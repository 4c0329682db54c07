/**
 * Proves the test harness with OpenSSH's own ssh as the client, so that a failing tssh integration
 * test points at tssh and not at the harness.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dropbearSkipReason, startDropbear } from './dropbear.js';
import { descendantPids, isAlive } from './processes.js';
import { isolatedEnv, makeTempDir, REPO_ROOT, runClient, TSSH_BIN, waitFor } from './run.js';
import { sshdConfig, sshdVersion, startSshd } from './sshd.js';
import { openssh10 } from './openssh10.js';

const SSH = 'ssh';

/** Snapshot of the real ~/.ssh, to show that no harness step wrote to it. */
function realSshDirState(): string {
  const dir = path.join(homedir(), '.ssh');
  if (!existsSync(dir)) return 'absent';
  const stat = statSync(dir);
  return `${stat.mtimeMs}`;
}

test('sshd restricted to curve25519 + aes128-gcm runs commands and reports exit status', async () => {
  const before = realSshDirState();
  const sshd = await startSshd({ kexAlgorithms: 'curve25519-sha256', ciphers: 'aes128-gcm@openssh.com' });
  let stopped = false;
  try {
    const hi = await runClient(SSH, [...sshd.clientArgs(), 'echo hi']);
    assert.equal(hi.stderr, '');
    assert.equal(hi.stdout.toString(), 'hi\n');
    assert.equal(hi.code, 0);

    const status = await runClient(SSH, [...sshd.clientArgs(), 'exit 42']);
    assert.equal(status.code, 42);

    const log = sshd.readLog();
    assert.match(log, /kex: algorithm: curve25519-sha256/);
    assert.match(log, /kex: client->server cipher: aes128-gcm@openssh\.com/);
    assert.match(log, new RegExp(`Accepted publickey for ${sshd.user} from 127\\.0\\.0\\.1`));

    const pid = sshd.pid;
    assert.ok(isAlive(pid));
    await sshd.stop();
    stopped = true;
    assert.equal(isAlive(pid), false, `sshd pid ${pid} still running after stop()`);
    assert.equal(existsSync(sshd.dir), false);
    await sshd.stop(); // idempotent
    assert.equal(realSshDirState(), before);
  } finally {
    if (!stopped) await sshd.stop();
  }
});

test('the OpenSSH 10.x sshd runs beside 9.2 and speaks mlkem768x25519-sha256 with its own ssh', async () => {
  assert.equal(sshdVersion('10').major, 10);
  const sshd = await startSshd({ release: '10', kexAlgorithms: 'mlkem768x25519-sha256' });
  try {
    const r = await runClient(openssh10('ssh'), [...sshd.clientArgs(), 'echo hi; exit 3']);
    assert.equal(r.stdout.toString(), 'hi\n');
    assert.equal(r.code, 3);
    assert.match(sshd.readLog(), /kex: algorithm: mlkem768x25519-sha256/);
    assert.match(sshd.readLog(), /OpenSSH_10\./);
  } finally {
    await sshd.stop();
  }
});

test('the server-side restriction is real: a client offering another cipher is refused', async () => {
  const sshd = await startSshd({ ciphers: 'aes128-gcm@openssh.com' });
  try {
    const result = await runClient(SSH, ['-c', 'aes256-ctr', ...sshd.clientArgs(), 'true']);
    assert.equal(result.code, 255);
    assert.match(result.stderr, /no matching cipher found/);
  } finally {
    await sshd.stop();
  }
});

test('several host key types: known_hosts and fingerprints agree with ssh-keygen and ssh', async () => {
  const sshd = await startSshd({ hostKeyTypes: ['ed25519', 'ecdsa384', 'rsa'], userKeyTypes: ['ecdsa256', 'rsa'] });
  try {
    const listed = execFileSync('ssh-keygen', ['-l', '-f', sshd.knownHosts], { encoding: 'utf8' });
    const fingerprints = [...listed.matchAll(/SHA256:\S+/g)].map((m) => m[0]);
    assert.deepEqual(fingerprints, sshd.hostKeyFingerprints);
    assert.equal(readFileSync(sshd.knownHosts, 'utf8').split('\n').filter(Boolean).length, 3);
    assert.ok(readFileSync(sshd.knownHosts, 'utf8').startsWith(`[127.0.0.1]:${sshd.port} ssh-ed25519 `));

    // Each host key is accepted on its own, and each user key type logs in.
    for (const [hostKeyAlgorithm, userKey] of [
      ['ecdsa-sha2-nistp384', sshd.userKeys.ecdsa256!],
      ['rsa-sha2-512', sshd.userKeys.rsa!],
      ['ssh-ed25519', sshd.userKey],
    ] as const) {
      const result = await runClient(SSH, [
        '-o', `HostKeyAlgorithms=${hostKeyAlgorithm}`, '-i', userKey, ...sshd.clientArgs(), 'echo ok',
      ]);
      assert.equal(result.stdout.toString(), 'ok\n', result.stderr);
      assert.equal(result.code, 0);
    }
  } finally {
    await sshd.stop();
  }
});

test('runClient carries stdin and binary stdout intact', async () => {
  const sshd = await startSshd();
  try {
    const input = randomBytes(1 << 20);
    const result = await runClient(SSH, [...sshd.clientArgs(), 'cat'], { input });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      createHash('sha256').update(result.stdout).digest('hex'),
      createHash('sha256').update(input).digest('hex'),
    );
  } finally {
    await sshd.stop();
  }
});

test('extraConfig lines reach sshd and win over the harness defaults', async () => {
  const sshd = await startSshd({ extraConfig: ['AcceptEnv TSSH_TEST_VAR', 'PermitUserEnvironment no'] });
  try {
    const result = await runClient(SSH, ['-o', 'SetEnv=TSSH_TEST_VAR=passed', ...sshd.clientArgs(), 'echo $TSSH_TEST_VAR']);
    assert.equal(result.stdout.toString(), 'passed\n', result.stderr);
  } finally {
    await sshd.stop();
  }
});

test('runClient kills a client that outlives its deadline and says so', async () => {
  await assert.rejects(runClient('sleep', ['30'], { timeoutMs: 200 }), (err: Error) => {
    assert.match(err.message, /did not finish within 200 ms \(killed pid (\d+)\)/);
    const pid = Number(/killed pid (\d+)/.exec(err.message)![1]);
    assert.equal(isAlive(pid), false);
    return true;
  });
});

test('waitFor polls until true and names what it waited for on expiry', async () => {
  let calls = 0;
  await waitFor(() => ++calls === 3, 30_000, 'three calls');
  assert.equal(calls, 3);
  await assert.rejects(waitFor(() => false, 50, 'never'), /timed out after 50 ms waiting for never/);
});

test('isolatedEnv hides the agent and the real home; TSSH_BIN is in the repo', () => {
  const home = '/nonexistent-home';
  const env = isolatedEnv(home, { EXTRA: '1' });
  assert.equal(env.HOME, home);
  assert.equal(env.SSH_AUTH_SOCK, undefined);
  assert.equal(env.EXTRA, '1');
  assert.ok(existsSync(path.join(REPO_ROOT, 'package.json')));
  assert.equal(TSSH_BIN, path.join(REPO_ROOT, 'bin', 'tssh'));
  const temp = makeTempDir('tssh-check-');
  assert.equal(statSync(temp).mode & 0o777, 0o700);
  rmSync(temp, { recursive: true });
});

test('a test process that forgets stop() still ends, and leaves no sshd behind', async () => {
  const moduleUrl = new URL('./sshd.js', import.meta.url).href;
  const script = `
    import { startSshd } from ${JSON.stringify(moduleUrl)};
    const sshd = await startSshd();
    console.log(JSON.stringify({ pid: sshd.pid, dir: sshd.dir }));`;
  const result = await runClient(process.execPath, ['--input-type=module', '-e', script]);
  assert.equal(result.code, 0, result.stderr);
  const { pid, dir } = JSON.parse(result.stdout.toString()) as { pid: number; dir: string };
  await waitFor(() => !isAlive(pid), 5000, `orphan sshd ${pid} to exit`);
  assert.equal(existsSync(dir), false);
});

test('Dropbear serves the same shape without touching the real ~/.ssh', { skip: dropbearSkipReason() }, async () => {
  const before = realSshDirState();
  const server = await startDropbear({ hostKeyTypes: ['ed25519', 'ecdsa256'] });
  try {
    const result = await runClient(SSH, [...server.clientArgs(), 'echo hi; exit 7']);
    assert.equal(result.stdout.toString(), 'hi\n', `${result.stderr}\n${server.readLog()}`);
    assert.equal(result.code, 7);
    const banner = await runClient(SSH, ['-v', ...server.clientArgs(), 'true']);
    assert.match(banner.stderr, /Remote protocol version 2\.0, remote software version dropbear/);
  } finally {
    await server.stop();
  }
  assert.equal(realSshDirState(), before);
});

test('sshdConfig puts restrictions and extras before the defaults and Match blocks last', () => {
  const lines = sshdConfig({
    port: 2222,
    hostKeys: ['/k/host'],
    authorizedKeys: '/k/auth',
    opts: { ciphers: 'aes128-ctr', extraConfig: ['PrintMotd yes', 'Match User nobody', 'X11Forwarding no'] },
    versionSpecific: ['PerSourcePenalties no'],
  });
  const at = (line: string): number => lines.indexOf(line);
  assert.ok(at('Ciphers aes128-ctr') > 0 && at('Ciphers aes128-ctr') < at('Port 2222'));
  assert.ok(at('PrintMotd yes') < at('PrintMotd no'), 'the extra value must come first to win');
  assert.ok(at('PerSourcePenalties no') < at('Match User nobody'));
  assert.deepEqual(lines.slice(-2), ['Match User nobody', 'X11Forwarding no']);
  assert.ok(lines.includes('AuthorizedKeysFile /k/auth') && lines.includes('HostKey /k/host'));
  const { major } = sshdVersion();
  assert.ok(major >= 7);
});

test('a start-up failure reports the sshd log and removes the temp dir', async () => {
  await assert.rejects(startSshd({ ciphers: 'no-such-cipher' }), (err: Error) => {
    assert.match(err.message, /sshd exited during start-up[\s\S]*no-such-cipher/);
    const logPath = /--- log (\S+)/.exec(err.message)![1]!;
    assert.equal(existsSync(path.dirname(logPath)), false);
    return true;
  });
});

test('stop() also ends the per-connection sshd processes of a live session', async () => {
  const sshd = await startSshd();
  const client = spawn(SSH, [...sshd.clientArgs(), 'sleep 60'], { env: isolatedEnv(sshd.dir), stdio: 'ignore' });
  try {
    const commandOf = (pid: number): string => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'latin1').replaceAll('\0', ' ').trim();
      } catch {
        return '';
      }
    };
    await waitFor(() => descendantPids(sshd.pid).some((pid) => commandOf(pid) === 'sleep 60'), 10_000, 'the remote sleep');
    const sessionPids = descendantPids(sshd.pid);
    const clientExit = new Promise<number | null>((resolve) => client.once('exit', (code) => resolve(code)));
    await sshd.stop();
    assert.deepEqual(sessionPids.filter(isAlive), []);
    assert.equal(await clientExit, 255);
  } finally {
    if (client.exitCode === null && client.signalCode === null) client.kill('SIGKILL');
  }
});
