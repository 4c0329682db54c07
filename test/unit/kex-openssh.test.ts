import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { KEX_NAMES } from '../../src/crypto/names.js';
import { createKexClient, createKexServer, type KexResult } from '../../src/crypto/kex/index.js';
import { generateHostKeySigner, parseOpenSSHPublicKey, parsePublicKeyBlob, type GeneratedKeyType } from '../../src/crypto/keys/index.js';
import { SshWriter } from '../../src/wire/writer.js';

// OpenSSH as the oracle for the exchange hash: `sshd -i` signs H for our client, and `ssh` checks the
// signature our server role makes. Both stop right after the key exchange (no NEWKEYS crypto needed).

const SSHD = '/usr/sbin/sshd';
const SSH = '/usr/bin/ssh';
const skip = !existsSync(SSHD) || !existsSync(SSH) ? 'OpenSSH not installed' : false;
const OPENSSH_KEX = KEX_NAMES.filter((n) => n !== 'mlkem768x25519-sha256'); // OpenSSH 9.2 predates it
const dir = mkdtempSync(join(tmpdir(), 'tssh-kex-openssh-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** Reads SSH identification lines and unencrypted binary packets (RFC 4253 §6) from a stream. */
class PlainPackets {
  private buf = Buffer.alloc(0);
  private wake: (() => void) | undefined;
  private closed = false;

  constructor(input: Readable, private readonly output: Writable) {
    input.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake?.();
    });
    input.on('close', () => {
      this.closed = true;
      this.wake?.();
    });
  }

  private async more(): Promise<void> {
    if (this.closed) throw new Error('peer closed the connection');
    await new Promise<void>((resolve) => (this.wake = resolve));
  }

  async line(): Promise<string> {
    for (;;) {
      const end = this.buf.indexOf('\r\n');
      if (end >= 0) {
        const line = this.buf.subarray(0, end).toString('latin1');
        this.buf = this.buf.subarray(end + 2);
        if (line.startsWith('SSH-')) return line;
      } else {
        await this.more();
      }
    }
  }

  async packet(): Promise<Buffer> {
    for (;;) {
      if (this.buf.length >= 4 && this.buf.length >= 4 + this.buf.readUInt32BE(0)) {
        const length = this.buf.readUInt32BE(0);
        const padding = this.buf[4]!;
        const payload = Buffer.from(this.buf.subarray(5, 4 + length - padding));
        this.buf = this.buf.subarray(4 + length);
        return payload;
      }
      await this.more();
    }
  }

  send(payload: Buffer): void {
    let padding = 8 - ((5 + payload.length) % 8);
    if (padding < 4) padding += 8;
    const header = Buffer.alloc(5);
    header.writeUInt32BE(1 + payload.length + padding);
    header[4] = padding;
    this.output.write(Buffer.concat([header, payload, randomBytes(padding)]));
  }
}

function kexinit(kex: string, hostKeyAlgorithm: string): Buffer {
  const w = new SshWriter().byte(20).raw(randomBytes(16)).nameList([kex]).nameList([hostKeyAlgorithm]);
  for (const list of [['aes128-ctr'], ['aes128-ctr'], ['hmac-sha2-256'], ['hmac-sha2-256'], ['none'], ['none'], [], []]) w.nameList(list);
  return Buffer.from(w.boolean(false).uint32(0).finish());
}

const HOST_KEYS: { keygen: string[]; type: GeneratedKeyType; algorithms: string[] }[] = [
  { keygen: ['-t', 'ed25519'], type: 'ssh-ed25519', algorithms: ['ssh-ed25519'] },
  { keygen: ['-t', 'ecdsa', '-b', '256'], type: 'ecdsa-sha2-nistp256', algorithms: ['ecdsa-sha2-nistp256'] },
  { keygen: ['-t', 'ecdsa', '-b', '384'], type: 'ecdsa-sha2-nistp384', algorithms: ['ecdsa-sha2-nistp384'] },
  { keygen: ['-t', 'ecdsa', '-b', '521'], type: 'ecdsa-sha2-nistp521', algorithms: ['ecdsa-sha2-nistp521'] },
  { keygen: ['-t', 'rsa', '-b', '2048'], type: 'ssh-rsa', algorithms: ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] },
];

/** Every kex at least once and every host-key algorithm at least once, without the full product. */
function combinations(): { kex: string; hostKey: (typeof HOST_KEYS)[number]; algorithm: string }[] {
  const algorithms = HOST_KEYS.flatMap((hostKey) => hostKey.algorithms.map((algorithm) => ({ hostKey, algorithm })));
  const count = Math.max(OPENSSH_KEX.length, algorithms.length);
  return Array.from({ length: count }, (_, i) => ({ kex: OPENSSH_KEX[i % OPENSSH_KEX.length]!, ...algorithms[i % algorithms.length]! }));
}

function kill(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

for (const { kex, hostKey, algorithm } of combinations()) {
  test(`our ${kex} client against sshd -i with a ${algorithm} host key`, { skip, timeout: 60_000 }, async () => {
    const keyPath = join(dir, `host-${hostKey.type}`);
    if (!existsSync(keyPath)) execFileSync('ssh-keygen', [...hostKey.keygen, '-N', '', '-q', '-f', keyPath], { timeout: 30_000 });
    const config = join(dir, 'sshd_config');
    writeFileSync(config, `HostKey ${keyPath}\nUsePAM no\nStrictModes no\nPidFile none\nLogLevel ERROR\n`);
    const sshd = spawn(SSHD, ['-i', '-e', '-f', config, '-o', `HostKeyAlgorithms=${algorithm}`], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    sshd.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      const wire = new PlainPackets(sshd.stdout!, sshd.stdin!);
      sshd.stdin!.write('SSH-2.0-tssh_kextest\r\n');
      const serverVersion = await wire.line();
      const clientKexinit = kexinit(kex, algorithm);
      wire.send(clientKexinit);
      const serverKexinit = await wire.packet();
      assert.equal(serverKexinit[0], 20, stderr);
      const client = createKexClient(kex, { clientVersion: 'SSH-2.0-tssh_kextest', serverVersion, clientKexinit, serverKexinit });
      for (const m of client.start().send) wire.send(m);
      let result: KexResult | undefined;
      while (!result) {
        const step = client.handle(await wire.packet());
        for (const m of step.send) wire.send(m);
        result = step.result;
      }
      const expected = parseOpenSSHPublicKey(readFileSync(keyPath + '.pub', 'utf8'));
      assert.ok(result.hostKey.equals(expected.blob));
      assert.equal(parsePublicKeyBlob(result.hostKey).verify(algorithm, result.exchangeHash, result.signature), true, 'sshd signed our H');
    } finally {
      kill(sshd);
    }
  });
}

/** Accepts one connection and plays the server side of the key exchange up to NEWKEYS. */
async function serveOnce(server: Server, kex: string, algorithm: string, type: GeneratedKeyType): Promise<number> {
  const signer = generateHostKeySigner(type);
  const socket = await new Promise<Socket>((resolve) => server.once('connection', resolve));
  try {
    const wire = new PlainPackets(socket, socket);
    socket.write('SSH-2.0-tssh_kextest_server\r\n');
    const clientVersion = await wire.line();
    const serverKexinit = kexinit(kex, algorithm);
    wire.send(serverKexinit);
    let clientKexinit = await wire.packet();
    while (clientKexinit[0] !== 20) clientKexinit = await wire.packet();
    const kexServer = createKexServer(kex, { clientVersion, serverVersion: 'SSH-2.0-tssh_kextest_server', clientKexinit, serverKexinit }, signer, algorithm);
    for (;;) {
      const step = kexServer.handle(await wire.packet());
      for (const m of step.send) wire.send(m);
      if (step.result) break;
    }
    wire.send(Buffer.from([21]));
    // ssh sends NEWKEYS only after the host-key signature over H has verified.
    return (await wire.packet())[0]!;
  } finally {
    socket.destroy();
  }
}

for (const { kex, hostKey, algorithm } of combinations()) {
  test(`OpenSSH ssh accepts our ${kex} server signing with ${algorithm}`, { skip, timeout: 60_000 }, async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const home = mkdtempSync(join(dir, 'home-'));
    const args = ['-F', '/dev/null', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'GlobalKnownHostsFile=/dev/null', '-o', 'BatchMode=yes', '-o', `KexAlgorithms=${kex}`, '-o', `HostKeyAlgorithms=${algorithm}`, '-o', 'ConnectTimeout=20', '-p', String(port), 'nobody@127.0.0.1', 'true'];
    const ssh = spawn(SSH, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home } });
    let stderr = '';
    ssh.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      const next = await Promise.race([
        serveOnce(server, kex, algorithm, hostKey.type),
        new Promise<never>((_, reject) => ssh.once('exit', () => reject(new Error(`ssh exited: ${stderr}`)))),
      ]);
      assert.equal(next, 21, `expected NEWKEYS from ssh; stderr: ${stderr}`);
    } finally {
      kill(ssh);
      server.close();
    }
  });
}
