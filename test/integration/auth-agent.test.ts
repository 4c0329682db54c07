/**
 * ssh-agent against a real sshd: keys and certificates held by a real `ssh-agent` log in with no key
 * file given (RSA through the rsa-sha2 sign flags), IdentityAgent (none, a path, $VAR), IdentitiesOnly,
 * AddKeysToAgent, our ADD_IDENTITY encoding for every key type, and an agent that dies mid-request.
 * Agent keys, an agent-held certificate and host-bound agent keys run against OpenSSH 10.x's sshd too.
 */
import { test, before, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { startSshd, type Sshd, type SshdOptions } from '../support/sshd.js';
import { opensshClient, RELEASES, releaseLabel, type OpensshRelease } from '../support/releases.js';
import { isolatedEnv, makeTempDir, runClient, TSSH_BIN } from '../support/run.js';
import { startAgent as startSharedAgent } from '../support/agent.js';
import { AgentClient } from '../../src/agent/client.js';
import { AGENT_MSG, AgentFrameReader, frame } from '../../src/agent/protocol.js';
import { parsePrivateKey, parsePublicKeyBlob } from '../../src/crypto/keys/index.js';
import { SshWriter } from '../../src/wire/writer.js';

const execFileAsync = promisify(execFile);
let sshd: Sshd;
let sshd10: Sshd;
const server = (release: OpensshRelease): Sshd => (release === '10' ? sshd10 : sshd);
let dir: string;

before(async () => {
  dir = makeTempDir('tssh-auth-agent-');
  await execFileAsync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'ca')]);
  const options: SshdOptions = { userKeyTypes: ['rsa', 'ecdsa256'], extraConfig: [`TrustedUserCAKeys ${path.join(dir, 'ca.pub')}`] };
  [sshd, sshd10] = await Promise.all([startSshd(options), startSshd({ ...options, release: '10' })]);
});
after(async () => {
  await Promise.all([sshd?.stop(), sshd10?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A real ssh-agent on a private socket (test/support/agent.ts). */
const startAgent = (t: { after(fn: () => Promise<void>): void }) => startSharedAgent(t, dir);

/** tssh without key files unless given; the agent comes from `env` only. */
function tssh(extra: string[], env: NodeJS.ProcessEnv, via: Sshd = sshd) {
  return client(TSSH_BIN, extra, env, via);
}

/** The same for `bin` (tssh, or ssh as the oracle). */
function client(bin: string, extra: string[], env: NodeJS.ProcessEnv, via: Sshd = sshd) {
  const args = [
    ...extra,
    '-p', String(via.port),
    '-o', 'BatchMode=yes',
    '-o', `UserKnownHostsFile=${via.knownHosts}`,
    '-o', 'GlobalKnownHostsFile=/dev/null',
    '-o', 'StrictHostKeyChecking=yes',
    '-F', '/dev/null',
    via.destination,
    'echo authenticated',
  ];
  return runClient(bin, args, { env: { ...isolatedEnv(makeTempDir('tssh-home-')), ...env }, timeoutMs: 30_000 });
}

for (const release of RELEASES) {
  test(`${releaseLabel(release)} keys held by ssh-agent log in with no key file given; RSA signs through rsa-sha2-512`, (t) => agentKeys(server(release), t));
}

async function agentKeys(via: Sshd, t: TestContext): Promise<void> {
  const agent = await startAgent(t);
  await agent.add(via.userKeys.rsa!);
  const r = await tssh(['-v'], { SSH_AUTH_SOCK: agent.socket }, via);
  assert.equal(r.stdout.toString(), 'authenticated\n', r.stderr);
  assert.match(r.stderr, /debug1: get_agent_identities: agent returned 1 keys/);
  assert.match(r.stderr, /debug1: Server accepts key: \S+ RSA SHA256:\S+ agent/);
  assert.match(via.readLog(), /userauth_pubkey: .*pkalg rsa-sha2-512/);
}

for (const release of RELEASES) {
  test(`${releaseLabel(release)} a certificate held by the agent is used (CA in TrustedUserCAKeys)`, (t) => agentCertificate(server(release), t));
}

async function agentCertificate(via: Sshd, t: TestContext): Promise<void> {
  const key = path.join(via.dir, 'agent-cert-key'); // per server: each release's test makes its own
  await execFileAsync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
  await execFileAsync('ssh-keygen', ['-q', '-s', path.join(dir, 'ca'), '-I', 'agent-cert', '-n', via.user, `${key}.pub`]);
  const agent = await startAgent(t);
  assert.match(await agent.add(key), /Certificate added/);
  const r = await tssh(['-v'], { SSH_AUTH_SOCK: agent.socket }, via);
  assert.equal(r.stdout.toString(), 'authenticated\n', r.stderr);
  assert.match(r.stderr, /Server accepts key: \S+ ED25519-CERT SHA256:\S+ agent/);
}

test('IdentityAgent: none ignores SSH_AUTH_SOCK; a path or $VAR names the socket', async (t) => {
  const agent = await startAgent(t);
  await agent.add(sshd.userKey);
  const none = await tssh(['-o', 'IdentityAgent=none'], { SSH_AUTH_SOCK: agent.socket });
  assert.equal(none.code, 255);
  assert.match(none.stderr, /Permission denied \(publickey\)\.$/m);
  const byPath = await tssh(['-o', `IdentityAgent=${agent.socket}`], {});
  assert.equal(byPath.stdout.toString(), 'authenticated\n', byPath.stderr);
  const byVariable = await tssh(['-o', 'IdentityAgent=$MY_AGENT'], { MY_AGENT: agent.socket });
  assert.equal(byVariable.stdout.toString(), 'authenticated\n', byVariable.stderr);
});

test('IdentitiesOnly keeps agent keys that are not named with -i out', async (t) => {
  const agent = await startAgent(t);
  await agent.add(sshd.userKey);
  const stranger = path.join(dir, 'stranger');
  await execFileAsync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', stranger]);
  const r = await tssh(['-i', stranger, '-o', 'IdentitiesOnly=yes'], { SSH_AUTH_SOCK: agent.socket });
  assert.equal(r.code, 255);
  const without = await tssh(['-i', stranger], { SSH_AUTH_SOCK: agent.socket });
  assert.equal(without.stdout.toString(), 'authenticated\n', without.stderr);
});

test('AddKeysToAgent yes hands the key loaded from its file to the agent', async (t) => {
  const agent = await startAgent(t);
  assert.match(await agent.list(), /The agent has no identities/);
  const r = await tssh(['-i', sshd.userKey, '-o', 'AddKeysToAgent=yes'], { SSH_AUTH_SOCK: agent.socket });
  assert.equal(r.stdout.toString(), 'authenticated\n', r.stderr);
  const fingerprint = (await execFileAsync('ssh-keygen', ['-l', '-f', `${sshd.userKey}.pub`])).stdout.split(' ')[1]!;
  assert.ok((await agent.list()).includes(`256 ${fingerprint} `), 'the agent now holds the key');
});

test('our ADD_IDENTITY encoding of every key type is what ssh-agent expects, and it signs with them', async (t) => {
  const agent = await startAgent(t);
  const client = await AgentClient.connect(agent.socket);
  try {
    for (const type of ['ed25519', 'ecdsa256', 'rsa'] as const) {
      const file = sshd.userKeys[type]!;
      const key = parsePrivateKey(readFileSync(file), file);
      await client.addIdentity(key.agentFields(), `added-${type}`, { lifetimeSeconds: 600 });
      const expected = (await execFileAsync('ssh-keygen', ['-l', '-f', `${file}.pub`])).stdout.split(' ')[1]!;
      assert.match(await agent.list(), new RegExp(`${expected.replace(/[+/]/g, '\\$&')} added-${type} `));
      const data = Buffer.from(`data for ${type}`);
      const algorithm = type === 'rsa' ? 'rsa-sha2-256' : key.type;
      const signature = await client.sign(key.publicKey.blob, data, algorithm, algorithm);
      assert.ok(parsePublicKeyBlob(key.publicKey.blob).verify(algorithm, data, signature), `${type} agent signature verifies`);
    }
  } finally {
    client.close();
  }
});

test('an agent that dies mid-request: a clear error, then the next key logs in', async () => {
  const rsaBlob = Buffer.from(readFileSync(`${sshd.userKeys.rsa!}.pub`, 'utf8').split(' ')[1]!, 'base64');
  const socket = path.join(dir, 'dying-agent.sock');
  const server = net.createServer((conn) => {
    const frames = new AgentFrameReader();
    conn.on('error', () => undefined);
    conn.on('data', (chunk) => {
      for (const request of frames.push(chunk)) {
        if (request[0] === AGENT_MSG.EXTENSION) {
          conn.write(frame(Buffer.from([AGENT_MSG.FAILURE]))); // no session-bind, as older agents
          continue;
        }
        if (request[0] !== AGENT_MSG.REQUEST_IDENTITIES) {
          conn.destroy(); // dies while asked to sign
          return;
        }
        conn.write(frame(Buffer.from(new SshWriter().byte(AGENT_MSG.IDENTITIES_ANSWER).uint32(1).string(rsaBlob).string('dying key').finish())));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  try {
    const r = await tssh(['-i', sshd.userKey], { SSH_AUTH_SOCK: socket });
    assert.equal(r.stdout.toString(), 'authenticated\n', r.stderr);
    assert.equal(r.stderr, 'sign_and_send_pubkey: signing failed for RSA "dying key" from agent: communication with agent failed\n');
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

for (const release of RELEASES) {
  test(`${releaseLabel(release)} a key the agent holds only for this host (ssh-add -h) signs after session-bind; one for another host does not`, (t) => hostBoundAgentKey(server(release), t, opensshClient(release)));
}

async function hostBoundAgentKey(via: Sshd, t: TestContext, ssh: string): Promise<void> {
  // ssh-add finds the destination's host keys by name in -H files: name the server plainly.
  const hostKeys = path.join(via.dir, 'destination_known_hosts');
  writeFileSync(hostKeys, readFileSync(via.knownHosts, 'utf8').replace(/^\[127\.0\.0\.1\]:\d+ /gm, '127.0.0.1 '));
  const otherHost = path.join(via.dir, 'other-host-key');
  await execFileAsync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', otherHost]);
  writeFileSync(path.join(via.dir, 'other_known_hosts'), `elsewhere ${readFileSync(`${otherHost}.pub`, 'utf8')}`);

  const bound = await startAgent(t);
  await bound.add('-H', hostKeys, '-h', '127.0.0.1', via.userKey);
  for (const bin of [TSSH_BIN, ssh]) {
    const r = await client(bin, [], { SSH_AUTH_SOCK: bound.socket }, via);
    assert.equal(r.stdout.toString(), 'authenticated\n', `${bin}: ${r.stderr}`);
  }
  assert.match(via.readLog(), /method publickey-hostbound-v00@openssh\.com/);

  const elsewhere = await startAgent(t);
  await elsewhere.add('-H', path.join(via.dir, 'other_known_hosts'), '-h', 'elsewhere', via.userKey);
  const refused = await tssh([], { SSH_AUTH_SOCK: elsewhere.socket }, via);
  assert.equal(refused.code, 255);
  assert.match(refused.stderr, /Permission denied \(publickey\)\.$/m);
}
