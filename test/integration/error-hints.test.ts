/**
 * tssh's hints after ssh's error text, against real 10.x sshds set up to fail in each way: no common
 * algorithm, Permission denied (key not authorized, encrypted key under BatchMode, key type refused, no
 * identities, agent unreachable), a changed host key, and timeouts at the banner and key exchange.
 * With -v the hints follow ssh's words; without -v and without a terminal, stderr is ssh's to the byte
 * (the 10.x ssh runs the same case as the oracle). The suggested option is then shown to connect.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { startSshd, type Sshd } from '../support/sshd.js';
import { isolatedEnv, makeTempDir, runClient, TSSH_BIN, waitFor, type ClientResult } from '../support/run.js';
import { openssh10IfBuilt } from '../support/openssh10.js';
import { startAgent } from '../support/agent.js';

const SSH = openssh10IfBuilt('ssh');
const DEBIAN_SSH = '/usr/bin/ssh';
const skip = SSH !== undefined ? false : 'no OpenSSH 10.x build (bash test/support/build-openssh.sh)';

let plain: Sshd; // default algorithms, an RSA user key too
let sha1Kex: Sshd; // only diffie-hellman-group14-sha1
let cbc: Sshd; // only aes128-cbc
let rsaSha1: Sshd; // only ssh-rsa host key signatures
let ed25519Only: Sshd; // PubkeyAcceptedAlgorithms ssh-ed25519
let sha1Rsa: Sshd; // PubkeyAcceptedAlgorithms ssh-rsa: SHA-1 RSA signatures only
let dir: string;
let home: string;
let env: NodeJS.ProcessEnv;

before(async () => {
  if (skip) return;
  dir = makeTempDir('tssh-hints-');
  home = makeTempDir('tssh-hints-home-');
  env = isolatedEnv(home);
  [plain, sha1Kex, cbc, rsaSha1, ed25519Only, sha1Rsa] = await Promise.all([
    startSshd({ release: '10', userKeyTypes: ['ed25519', 'rsa'] }),
    startSshd({ release: '10', kexAlgorithms: 'diffie-hellman-group14-sha1' }),
    startSshd({ release: '10', ciphers: 'aes128-cbc' }),
    startSshd({ release: '10', hostKeyTypes: ['rsa'], hostKeyAlgorithms: 'ssh-rsa' }),
    startSshd({ release: '10', userKeyTypes: ['ed25519', 'rsa'], extraConfig: ['PubkeyAcceptedAlgorithms ssh-ed25519'] }),
    startSshd({ release: '10', userKeyTypes: ['rsa'], extraConfig: ['PubkeyAcceptedAlgorithms ssh-rsa'] }),
  ]);
});
after(async () => {
  await Promise.all([plain?.stop(), sha1Kex?.stop(), cbc?.stop(), rsaSha1?.stop(), ed25519Only?.stop(), sha1Rsa?.stop()]);
  for (const d of [dir, home]) if (d) rmSync(d, { recursive: true, force: true });
});

const run = (bin: string, args: string[]): Promise<ClientResult> => runClient(bin, args, { env, timeoutMs: 30_000 });
const hints = (stderr: string): string[] => stderr.split('\n').filter((l) => l.startsWith('  hint: ')).map((l) => l.slice(8));
const withoutDebug = (stderr: string): string => stderr.split('\n').filter((l) => !l.startsWith('debug')).join('\n');

/**
 * Without -v (stderr a pipe) tssh prints ssh's text exactly; with -v the same text is followed by hints.
 * `oracle`: the ssh whose words tssh keeps for this case (the 10.x build unless said otherwise).
 */
async function expectPlainAndHinted(args: string[], oracle = SSH!): Promise<string[]> {
  const [tssh, ssh, verbose] = await Promise.all([run(TSSH_BIN, args), run(oracle, args), run(TSSH_BIN, ['-v', ...args])]);
  assert.equal(tssh.code, 255, tssh.stderr);
  // ssh names itself where tssh names itself ("ssh: connect to host ...").
  assert.equal(tssh.stderr, ssh.stderr.replace(/\r\n/g, '\n').replace(/^ssh: /gm, 'tssh: '), 'without -v and a terminal, stderr is what ssh prints');
  assert.equal(hints(tssh.stderr).length, 0);
  const lines = withoutDebug(verbose.stderr);
  const firstHint = lines.indexOf('  hint: ');
  assert.ok(firstHint > 0, `no hints after ssh's text:\n${lines}`);
  assert.ok(lines.slice(0, firstHint).endsWith(tssh.stderr), `ssh's text comes first, unchanged:\n${lines}`);
  return hints(verbose.stderr);
}

test('no common key exchange: both lists, the +option with its risk, and the option connects', { skip }, async () => {
  const h = await expectPlainAndHinted(sha1Kex.clientArgs().concat('true'));
  assert.ok(h.includes('key exchange: the server offers diffie-hellman-group14-sha1'), h.join('\n'));
  assert.ok(h.some((l) => l.startsWith('key exchange: tssh proposed mlkem768x25519-sha256,')), h.join('\n'));
  assert.ok(h.includes('to connect anyway: -oKexAlgorithms=+diffie-hellman-group14-sha1 (risk: SHA-1, open to collision attacks)'), h.join('\n'));
  const fixed = await run(TSSH_BIN, ['-oKexAlgorithms=+diffie-hellman-group14-sha1', ...sha1Kex.clientArgs(), 'echo connected']);
  assert.equal(fixed.stdout.toString(), 'connected\n', fixed.stderr);
});

test('no common cipher: -c aes128-cbc, CBC named as the risk, and it connects', { skip }, async () => {
  const h = await expectPlainAndHinted(cbc.clientArgs().concat('true'));
  assert.ok(h.includes('ciphers: the server offers aes128-cbc'), h.join('\n'));
  assert.ok(h.includes('to connect anyway: -c aes128-cbc (risk: CBC mode, open to plaintext-recovery attacks)'), h.join('\n'));
  const fixed = await run(TSSH_BIN, ['-c', 'aes128-cbc', ...cbc.clientArgs(), 'echo connected']);
  assert.equal(fixed.stdout.toString(), 'connected\n', fixed.stderr);
});

test('no common host key algorithm: -oHostKeyAlgorithms=+ssh-rsa with SHA-1 named, and it connects', { skip }, async () => {
  const h = await expectPlainAndHinted(rsaSha1.clientArgs().concat('true'));
  assert.ok(h.includes('host key algorithms: the server offers ssh-rsa'), h.join('\n'));
  assert.ok(h.includes('to connect anyway: -oHostKeyAlgorithms=+ssh-rsa (risk: SHA-1, open to collision attacks)'), h.join('\n'));
  const fixed = await run(TSSH_BIN, ['-oHostKeyAlgorithms=+ssh-rsa', ...rsaSha1.clientArgs(), 'echo connected']);
  assert.equal(fixed.stdout.toString(), 'connected\n', fixed.stderr);
});

/** A fresh key pair nobody authorized; `passphrase` encrypts it. */
function strayKey(name: string, passphrase = ''): string {
  const file = path.join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', name, '-f', file]);
  return file;
}

function fingerprintOf(file: string): string {
  return execFileSync('ssh-keygen', ['-l', '-f', file], { encoding: 'utf8' }).split(' ')[1]!;
}

/** clientArgs with the identity replaced by `identity` (or `IdentityFile none`). */
function argsWithIdentity(server: Sshd, identity: string | undefined): string[] {
  const args = server.clientArgs();
  const i = args.indexOf('-i');
  return identity === undefined ? [...args.slice(0, i), '-o', 'IdentityFile=none', ...args.slice(i + 2)] : [...args.slice(0, i + 1), identity, ...args.slice(i + 2)];
}

test('Permission denied, key not in authorized_keys: the offer, its refusal, the likely cause', { skip }, async () => {
  const key = strayKey('stray');
  const h = await expectPlainAndHinted([...argsWithIdentity(plain, key), 'true']);
  assert.ok(h.includes('agent: not used (no SSH_AUTH_SOCK or IdentityAgent)'), h.join('\n'));
  assert.ok(h.includes(`  ED25519 ${fingerprintOf(key)} ${key}: refused by the server`), h.join('\n'));
  assert.ok(h.some((l) => l.startsWith('likely cause: the server knows none of the offered keys: add the public key to ~')), h.join('\n'));
});

test('Permission denied, an authorized but encrypted key under BatchMode: accepted, not unlocked, and why', { skip }, async () => {
  const key = strayKey('locked', 'a passphrase');
  appendFileSync(path.join(plain.dir, 'authorized_keys'), readFileSync(`${key}.pub`));
  const h = await expectPlainAndHinted([...argsWithIdentity(plain, key), 'true']);
  assert.ok(h.includes(`  ED25519 ${fingerprintOf(key)} ${key}: not used: its private key could not be loaded`), h.join('\n'));
  assert.ok(h.some((l) => l.startsWith('likely cause: a key was skipped: an encrypted key is not unlocked under BatchMode')), h.join('\n'));
  assert.ok(!h.join('\n').includes('a passphrase'), 'no secret is shown');
});

test('Permission denied, key type the server does not accept: server-sig-algs named', { skip }, async () => {
  const h = await expectPlainAndHinted([...argsWithIdentity(ed25519Only, ed25519Only.userKeys.rsa!), '-oPubkeyAcceptedAlgorithms=rsa-sha2-512,rsa-sha2-256', 'true']);
  assert.ok(h.some((l) => /^ {2}RSA SHA256:\S+ \S+: /.test(l)), h.join('\n'));
  assert.ok(h.some((l) => l.startsWith('likely cause: ')), h.join('\n'));
});

test('Permission denied, RSA key and a server taking only SHA-1 RSA signatures: +ssh-rsa, and it connects', { skip }, async () => {
  const args = argsWithIdentity(sha1Rsa, sha1Rsa.userKeys.rsa!);
  const h = await expectPlainAndHinted([...args, 'true']);
  assert.ok(h.some((l) => l.endsWith('its server-sig-algs are ssh-rsa; to use the RSA key anyway: -oPubkeyAcceptedAlgorithms=+ssh-rsa (risk: SHA-1, open to collision attacks)')), h.join('\n'));
  const fixed = await run(TSSH_BIN, ['-oPubkeyAcceptedAlgorithms=+ssh-rsa', ...args, 'echo connected']);
  assert.equal(fixed.stdout.toString(), 'connected\n', fixed.stderr);
});

test('Permission denied with no identities and an unreachable agent', { skip }, async () => {
  const args = [...argsWithIdentity(plain, undefined), '-oIdentityAgent=' + path.join(dir, 'no-agent.sock'), 'true'];
  const h = await expectPlainAndHinted(args);
  assert.ok(h.some((l) => l.startsWith('agent: unreachable (')), h.join('\n'));
  assert.ok(h.includes('identities to try: 0'), h.join('\n'));
  assert.ok(h.some((l) => l.startsWith('likely cause: no identities at all')), h.join('\n'));
});

test('Permission denied through an agent: its keys are listed as the agent\'s, refused by the server', { skip }, async (t) => {
  const key = strayKey('in-agent');
  const agent = await startAgent(t, dir);
  await agent.add(key);
  // ssh_config's first value wins: IdentitiesOnly=yes from clientArgs is switched, not overridden.
  const args = [...argsWithIdentity(plain, undefined).map((a) => (a === 'IdentitiesOnly=yes' ? 'IdentitiesOnly=no' : a)), `-oIdentityAgent=${agent.socket}`, 'true'];
  const h = await expectPlainAndHinted(args);
  // IdentitiesOnly=yes (as clientArgs sets) leaves the agent's key out, and the hint says so.
  const only = await run(TSSH_BIN, ['-v', ...argsWithIdentity(plain, undefined), `-oIdentityAgent=${agent.socket}`, 'true']);
  assert.ok(hints(only.stderr).some((l) => l.includes('IdentitiesOnly=yes')), only.stderr);
  assert.ok(h.includes('agent: connected, 1 of its keys in the list to try'), h.join('\n'));
  assert.ok(h.some((l) => l.startsWith(`  ED25519 ${fingerprintOf(key)} `) && l.endsWith(' (agent): refused by the server')), h.join('\n'));
});

test('Permission denied for a user the server does not have: the user name is named as a cause', { skip }, async () => {
  const args = plain.clientArgs().map((a) => (a === plain.destination ? 'no-such-user@127.0.0.1' : a));
  const h = await expectPlainAndHinted([...args, 'true']);
  assert.ok(h.some((l) => l.endsWith('or check the user name (no-such-user)')), h.join('\n'));
});

test('unknown and revoked host keys: the offered fingerprint and what to do', { skip }, async () => {
  const empty = path.join(dir, 'known_hosts_empty');
  writeFileSync(empty, '');
  const withFile = (file: string): string[] => plain.clientArgs().map((a) => (a.startsWith('UserKnownHostsFile=') ? `UserKnownHostsFile=${file}` : a));
  const unknown = await expectPlainAndHinted([...withFile(empty), 'true']);
  assert.ok(unknown.some((l) => l.startsWith(`no known_hosts file holds a key for [127.0.0.1]:${plain.port}; the server offers ED25519 SHA256:`)), unknown.join('\n'));
  assert.ok(unknown.some((l) => l.includes('-oStrictHostKeyChecking=accept-new')), unknown.join('\n'));
  const revoked = path.join(dir, 'known_hosts_revoked');
  const hostKey = readFileSync(path.join(plain.dir, 'host_ed25519.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
  writeFileSync(revoked, `@revoked * ${hostKey}\n`);
  const h = await expectPlainAndHinted([...withFile(revoked), 'true']);
  assert.ok(h.some((l) => l.startsWith("the server's key ED25519 SHA256:") && l.includes('is marked revoked')), h.join('\n'));
});

test('changed host key: ssh\'s WARNING block unchanged, then the recorded and offered fingerprints', { skip }, async () => {
  const other = strayKey('other-host-key');
  const knownHosts = path.join(dir, 'known_hosts_changed');
  const recorded = execFileSync('cat', [`${other}.pub`], { encoding: 'utf8' }).split(' ').slice(0, 2).join(' ');
  writeFileSync(knownHosts, `[127.0.0.1]:${plain.port} ${recorded}\n`);
  const args = plain.clientArgs().map((a) => (a.startsWith('UserKnownHostsFile=') ? `UserKnownHostsFile=${knownHosts}` : a));
  // tssh's block is Debian's (the system ssh, as known-hosts.test.ts checks), which names the ssh-keygen -R
  // command; upstream 10.x leaves it out, so the hint does not repeat it.
  const h = await expectPlainAndHinted([...args, 'true'], DEBIAN_SSH);
  assert.ok(h.includes(`recorded for [127.0.0.1]:${plain.port} in ${knownHosts}:1: ED25519 ${fingerprintOf(other)}`), h.join('\n'));
  assert.ok(h.some((l) => l.startsWith('offered by the server now: ED25519 SHA256:')), h.join('\n'));
  assert.ok(!h.some((l) => l.includes('ssh-keygen -f')), 'the remove command is already in ssh\'s block: not repeated');
});

/** A TCP listener that accepts and then does `onConnection` (nothing: it never sends a banner). */
async function listener(onConnection: (socket: net.Socket) => void): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

const timeoutArgs = (port: number): string[] => ['-F', '/dev/null', '-p', String(port), '-oConnectTimeout=2', '-oBatchMode=yes', '-oUserKnownHostsFile=/dev/null', '-oGlobalKnownHostsFile=/dev/null', '127.0.0.1', 'true'];

test('timeout with no banner: the phase is the banner exchange', { skip }, async () => {
  const silent = await listener(() => undefined);
  try {
    const h = await expectPlainAndHinted(timeoutArgs(silent.port));
    assert.ok(h[0]!.startsWith('stalled in: banner exchange'), h.join('\n'));
  } finally {
    await silent.close();
  }
});

test('timeout after the banner: the phase is the key exchange', { skip }, async () => {
  const stalls = await listener((socket) => socket.write('SSH-2.0-OpenSSH_10.0 stalls\r\n'));
  try {
    const verbose = await run(TSSH_BIN, ['-v', ...timeoutArgs(stalls.port)]);
    assert.equal(verbose.code, 255);
    const h = hints(verbose.stderr);
    assert.ok(h[0]!.startsWith('stalled in: key exchange'), h.join('\n'));
    const quiet = await run(TSSH_BIN, timeoutArgs(stalls.port));
    assert.equal(hints(quiet.stderr).length, 0, quiet.stderr);
  } finally {
    await stalls.close();
  }
});

/**
 * A port whose accept queue is full: a listener (python3: Node accepts by itself) that never accepts,
 * with backlog 0, and filler connections occupying the queue, so a further SYN goes unanswered.
 */
async function fullAcceptQueue(): Promise<{ port: number; close(): void }> {
  const child = spawn('python3', ['-c', 'import socket,sys\ns=socket.socket();s.bind(("127.0.0.1",0));s.listen(0)\nprint(s.getsockname()[1],flush=True)\nsys.stdin.read()'], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const fillers: net.Socket[] = [];
  const close = (): void => {
    for (const f of fillers) f.destroy();
    if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
  };
  try {
    await waitFor(() => out.includes('\n'), 10_000, 'the listener to print its port');
    const port = Number(out.trim());
    let connected = 0;
    for (let i = 0; i < 3; i++) {
      const socket = net.connect(port, '127.0.0.1', () => connected++);
      socket.on('error', () => undefined);
      fillers.push(socket);
    }
    await waitFor(() => connected >= 1, 10_000, 'a filler connection to take the queue');
    return { port, close };
  } catch (err) {
    close();
    throw err;
  }
}

test('timeout in TCP connect: the phase is the connect, and ssh\'s line is unchanged', { skip }, async () => {
  const queue = await fullAcceptQueue();
  try {
    const h = await expectPlainAndHinted(timeoutArgs(queue.port));
    assert.ok(h[0]!.startsWith('stalled in: TCP connect'), h.join('\n'));
  } finally {
    queue.close();
  }
});
