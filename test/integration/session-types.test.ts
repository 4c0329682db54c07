/**
 * Session kinds without a local terminal, side by side with OpenSSH's ssh as the oracle: -tt with a
 * pipe, -t without a terminal, a server refusing the pty, RemoteCommand, -s subsystems, signals and
 * a server going away during an exec session. -tt, the refused pty and the server going away run
 * against OpenSSH 10.x's sshd too, with its own ssh as the oracle.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { startSshd, type Sshd } from '../support/sshd.js';
import { opensshClient, RELEASES, releaseLabel, type OpensshRelease } from '../support/releases.js';
import { isolatedEnv, makeTempDir, runClient, TSSH_BIN, waitFor } from '../support/run.js';
import { rmSync } from 'node:fs';

const SSH = '/usr/bin/ssh';
let server: Sshd;
let noTty: Sshd;
let server10: Sshd;
let noTty10: Sshd;
before(async () => {
  [server, noTty, server10, noTty10] = await Promise.all([
    startSshd({ extraConfig: ['AcceptEnv TSSH_ORDER'] }),
    startSshd({ extraConfig: ['PermitTTY no'] }),
    startSshd({ release: '10' }),
    startSshd({ release: '10', extraConfig: ['PermitTTY no'] }),
  ]);
});
after(async () => {
  await Promise.all([server?.stop(), noTty?.stop(), server10?.stop(), noTty10?.stop()]);
});

/** A release's servers and its own ssh. */
interface Peers {
  server: Sshd;
  noTty: Sshd;
  ssh: string;
}
const peers = (release: OpensshRelease): Peers =>
  release === '10' ? { server: server10, noTty: noTty10, ssh: opensshClient('10') } : { server, noTty, ssh: SSH };

/** Runs tssh and ssh (by default 9.2's) with the same arguments and stdin. */
async function both(target: Sshd, args: string[], input = '', ssh = SSH) {
  const argv = [...target.clientOptions(), ...args.slice(0, -1), target.destination, args.at(-1)!];
  const [tssh, oracle] = await Promise.all([runClient(TSSH_BIN, argv, { input }), runClient(ssh, argv, { input })]);
  return { tssh, ssh: oracle };
}

for (const release of RELEASES) {
  test(`${releaseLabel(release)} -tt with stdin from a pipe: a remote pty, the exit status, "Connection to ... closed."`, () => ttyOverPipe(peers(release)));
}

async function ttyOverPipe(peers: Peers): Promise<void> {
  const { tssh, ssh } = await both(peers.server, ['-tt', 'tty; exit 5'], '', peers.ssh);
  for (const r of [tssh, ssh]) {
    assert.match(r.stdout.toString(), /^\/dev\/pts\/\d+\r\n$/);
    assert.equal(r.code, 5);
    assert.equal(r.stderr, 'Connection to 127.0.0.1 closed.\r\n');
  }
  // -q hides the closing message.
  const quiet = await runClient(TSSH_BIN, ['-q', '-tt', ...peers.server.clientArgs(), 'exit 0']);
  assert.equal(quiet.stderr, '');
}

test('-t without a terminal on stdin runs the command without a pty and says so', async () => {
  const { tssh, ssh } = await both(server, ['-t', 'tty; echo status=$?']);
  for (const r of [tssh, ssh]) {
    assert.equal(r.stdout.toString(), 'not a tty\nstatus=1\n');
    assert.match(r.stderr, /^Pseudo-terminal will not be allocated because stdin is not a terminal\.\r?\n$/);
    assert.equal(r.code, 0);
  }
});

for (const release of RELEASES) {
  test(`${releaseLabel(release)} a server refusing the pty: fatal with -tt and RequestTTY=force, as in ssh`, () => refusedPty(peers(release)));
}

async function refusedPty(peers: Peers): Promise<void> {
  for (const flag of ['-tt', '-oRequestTTY=force']) {
    const { tssh, ssh } = await both(peers.noTty, [flag, 'echo never'], '', peers.ssh);
    for (const r of [tssh, ssh]) {
      assert.equal(r.code, 255);
      assert.equal(r.stdout.toString(), '');
      assert.match(r.stderr, /^PTY allocation request failed on channel 0\r?\n$/);
    }
  }
}

test('RemoteCommand with tokens; with a command line too it is refused', async () => {
  const { tssh, ssh } = await both(server, ['-o', 'RemoteCommand=echo %r@%h:%p', '-T', '']);
  assert.equal(tssh.stdout.toString(), ssh.stdout.toString());
  assert.equal(tssh.stdout.toString(), `${server.user}@127.0.0.1:${server.port}\n`);
  const refused = await runClient(TSSH_BIN, ['-o', 'RemoteCommand=true', ...server.clientArgs(), 'ls']);
  assert.equal(refused.code, 255);
  assert.equal(refused.stderr, 'Cannot execute command-line and remote command.\n');
});

test('SendEnv goes first and SetEnv last, so SetEnv wins, as in ssh 9.2', async () => {
  const args = ['-o', 'SendEnv=TSSH_ORDER', '-o', 'SetEnv=TSSH_ORDER=from-setenv', ...server.clientArgs(), 'echo $TSSH_ORDER'];
  const env = isolatedEnv(makeTempDir('tssh-home-'), { TSSH_ORDER: 'from-sendenv' });
  try {
    const [tssh, ssh] = await Promise.all([runClient(TSSH_BIN, args, { env }), runClient(SSH, args, { env })]);
    assert.equal(ssh.stdout.toString(), 'from-setenv\n');
    assert.equal(tssh.stdout.toString(), 'from-setenv\n');
  } finally {
    rmSync(env.HOME!, { recursive: true, force: true });
  }
});

test('-s runs a subsystem: the sftp server answers SSH_FXP_INIT with its VERSION', async () => {
  const home = makeTempDir('tssh-home-');
  try {
    const child = spawn(TSSH_BIN, ['-s', ...server.clientArgs(), 'sftp'], { env: isolatedEnv(home), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = Buffer.alloc(0);
    child.stdout.on('data', (chunk: Buffer) => (stdout = Buffer.concat([stdout, chunk])));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // uint32 length 5, SSH_FXP_INIT (1), version 3. Stdin stays open until the answer is in: sftp-server
    // stops at end-of-file without handling what it has not read yet.
    child.stdin.write(Buffer.from([0, 0, 0, 5, 1, 0, 0, 0, 3]));
    await waitFor(() => stdout.length >= 4 && stdout.length >= stdout.readUInt32BE(0) + 4, 15_000, 'the VERSION packet');
    child.stdin.end();
    assert.equal(await exited, 0);
    assert.deepEqual([...stdout.subarray(4, 9)], [2, 0, 0, 0, 3]); // SSH_FXP_VERSION 3
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
  const missing = await runClient(TSSH_BIN, ['-s', ...server.clientArgs()]);
  assert.equal(missing.code, 255);
  assert.match(missing.stderr, /^You must specify a subsystem to invoke\.\nusage: tssh /);
});

for (const release of RELEASES) {
  test(`${releaseLabel(release)} the server going away during an exec session: ssh message and 255`, () => serverGoesAway(peers(release)));
}

async function serverGoesAway(peers: Peers): Promise<void> {
  // `cat` first: once the client's EOF is read, nothing is left unread in sshd's socket, whose close
  // would otherwise be a reset ("Connection reset by peer") rather than an end of stream.
  const { tssh, ssh } = await both(peers.server, ['cat >/dev/null; kill -9 $PPID; sleep 5'], '', peers.ssh);
  for (const [name, r] of [['tssh', tssh], ['ssh', ssh]] as const) {
    assert.equal(r.code, 255, name);
    assert.equal(r.stderr, 'Connection to 127.0.0.1 closed by remote host.\r\n', name);
  }
}

test('SIGTERM or SIGINT to tssh during an exec session: exit 255, remote side hung up', async () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    const home = makeTempDir('tssh-home-');
    try {
      const child = spawn(TSSH_BIN, [...server.clientArgs(), 'echo started; sleep 30'], { env: isolatedEnv(home), stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      await waitFor(() => stdout.includes('started'), 15_000, 'the remote command to start');
      child.kill(signal);
      const code = await Promise.race([exited, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 10_000).unref())]);
      if (code === 'timeout') child.kill('SIGKILL');
      assert.equal(code, 255, signal);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }
});
