/**
 * The ssh-agent protocol and client against a fake agent on a Unix socket: framing, identity lists,
 * sign requests with the rsa-sha2 flags, adding keys with constraints, and agents that refuse, lie,
 * send garbage or die in the middle of a request (a clear error, never a hang).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AgentClient } from '../../src/agent/client.js';
import {
  AGENT_MSG,
  AgentFrameReader,
  addIdentityRequest,
  frame,
  parseIdentitiesAnswer,
  parseSignResponse,
  signFlagsFor,
  signRequest,
} from '../../src/agent/protocol.js';
import { generateHostKeySigner, parsePublicKeyBlob } from '../../src/crypto/keys/index.js';
import { SshReader } from '../../src/wire/reader.js';
import { SshWriter } from '../../src/wire/writer.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tssh-agent-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let sockets = 0;

/** A fake agent: `reply` maps each request payload to a reply payload, or 'hang-up' to drop the connection. */
async function fakeAgent(reply: (request: Buffer) => Buffer | 'hang-up'): Promise<{ path: string; requests: Buffer[]; close(): Promise<void> }> {
  const socketPath = path.join(dir, `agent-${sockets++}.sock`);
  const requests: Buffer[] = [];
  const server = net.createServer((conn) => {
    const frames = new AgentFrameReader();
    conn.on('data', (chunk) => {
      for (const request of frames.push(chunk)) {
        requests.push(request);
        const answer = reply(request);
        if (answer === 'hang-up') conn.destroy();
        else conn.write(frame(answer));
      }
    });
    conn.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return { path: socketPath, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function identitiesAnswer(keys: Array<{ blob: Buffer; comment: string }>): Buffer {
  const w = new SshWriter().byte(AGENT_MSG.IDENTITIES_ANSWER).uint32(keys.length);
  for (const key of keys) w.string(key.blob).string(key.comment);
  return Buffer.from(w.finish());
}

test('frames are length-prefixed and reassembled from any split', () => {
  const messages = [Buffer.from([11]), Buffer.alloc(70_000, 7), Buffer.from([6])];
  const wire = Buffer.concat(messages.map(frame));
  for (const step of [1, 3, 4096]) {
    const reader = new AgentFrameReader();
    const out: Buffer[] = [];
    for (let i = 0; i < wire.length; i += step) out.push(...reader.push(wire.subarray(i, i + step)));
    assert.deepEqual(out, messages);
  }
  const huge = Buffer.alloc(4);
  huge.writeUInt32BE(256 * 1024 + 1);
  assert.throws(() => new AgentFrameReader().push(huge), /communication with agent failed/);
});

test('identity lists, sign requests and replies encode as PROTOCOL.agent says', () => {
  const key = generateHostKeySigner('ssh-ed25519');
  const listed = parseIdentitiesAnswer(identitiesAnswer([{ blob: key.publicKey.blob, comment: 'me@host' }]));
  assert.equal(listed.length, 1);
  assert.ok(listed[0]!.blob.equals(key.publicKey.blob));
  assert.equal(listed[0]!.comment, 'me@host');
  assert.throws(() => parseIdentitiesAnswer(Buffer.from([AGENT_MSG.FAILURE])), /agent refused operation/);
  assert.throws(() => parseIdentitiesAnswer(Buffer.from([AGENT_MSG.IDENTITIES_ANSWER, 0, 0])), /communication with agent failed/);

  assert.equal(signFlagsFor('rsa-sha2-256'), 2);
  assert.equal(signFlagsFor('rsa-sha2-512-cert-v01@openssh.com'), 4);
  assert.equal(signFlagsFor('ssh-ed25519'), 0);
  const r = new SshReader(signRequest(Buffer.from('blob'), Buffer.from('data'), 4));
  assert.equal(r.byte(), AGENT_MSG.SIGN_REQUEST);
  assert.equal(r.text(), 'blob');
  assert.equal(r.text(), 'data');
  assert.equal(r.uint32(), 4);
  r.end();
  assert.throws(() => parseSignResponse(Buffer.from([AGENT_MSG.SSH2_FAILURE])), /agent refused operation/);

  const add = new SshReader(addIdentityRequest(Buffer.from('FIELDS'), 'c', { lifetimeSeconds: 300, confirm: true }));
  assert.equal(add.byte(), AGENT_MSG.ADD_ID_CONSTRAINED);
  assert.equal(add.raw(6).toString(), 'FIELDS');
  assert.equal(add.text(), 'c');
  assert.deepEqual([add.byte(), add.uint32(), add.byte()], [1, 300, 2]);
  add.end();
  assert.equal(addIdentityRequest(Buffer.from('F'), 'c')[0], AGENT_MSG.ADD_IDENTITY);
});

test('the client lists keys and signs through the agent with the rsa-sha2 flags', async () => {
  const rsa = generateHostKeySigner('ssh-rsa', 1024);
  const agent = await fakeAgent((request) => {
    const r = new SshReader(request);
    const type = r.byte();
    if (type === AGENT_MSG.REQUEST_IDENTITIES) return identitiesAnswer([{ blob: rsa.publicKey.blob, comment: 'rsa key' }]);
    r.string();
    const data = r.string();
    const flags = r.uint32();
    const algorithm = flags === 4 ? 'rsa-sha2-512' : flags === 2 ? 'rsa-sha2-256' : 'ssh-rsa';
    return Buffer.from(new SshWriter().byte(AGENT_MSG.SIGN_RESPONSE).string(rsa.sign(algorithm, data)).finish());
  });
  const client = await AgentClient.connect(agent.path);
  try {
    const [listed] = await client.listIdentities();
    assert.equal(listed!.comment, 'rsa key');
    const data = Buffer.from('session data');
    for (const algorithm of ['rsa-sha2-512', 'rsa-sha2-256']) {
      const signature = await client.sign(listed!.blob, data, algorithm, algorithm);
      assert.ok(parsePublicKeyBlob(listed!.blob).verify(algorithm, data, signature));
    }
    // Two requests in flight are answered in order.
    const [a, b] = await Promise.all([client.listIdentities(), client.listIdentities()]);
    assert.equal(a.length + b.length, 2);
  } finally {
    client.close();
    await agent.close();
  }
});

test('an agent answering with the wrong signature type is refused', async () => {
  const rsa = generateHostKeySigner('ssh-rsa', 1024);
  const agent = await fakeAgent(() => Buffer.from(new SshWriter().byte(AGENT_MSG.SIGN_RESPONSE).string(rsa.sign('ssh-rsa', Buffer.from('x'))).finish()));
  const client = await AgentClient.connect(agent.path);
  try {
    await assert.rejects(client.sign(rsa.publicKey.blob, Buffer.from('x'), 'rsa-sha2-512', 'rsa-sha2-512'), /agent returned a ssh-rsa signature instead of rsa-sha2-512/);
  } finally {
    client.close();
    await agent.close();
  }
});

test('an agent that dies mid-request fails that request and every later one, without hanging', async () => {
  const agent = await fakeAgent(() => 'hang-up');
  const client = await AgentClient.connect(agent.path);
  try {
    await assert.rejects(client.listIdentities(), (err: Error & { code?: string }) => err.code === 'AGENT' && err.message === 'communication with agent failed');
    await assert.rejects(client.sign(Buffer.from('k'), Buffer.from('d'), 'ssh-ed25519', 'ssh-ed25519'), /communication with agent failed/);
  } finally {
    client.close();
    await agent.close();
  }
});

test('garbage from the agent is a communication failure', async () => {
  const agent = await fakeAgent(() => Buffer.from([AGENT_MSG.SIGN_RESPONSE, 0xff, 0xff]));
  const client = await AgentClient.connect(agent.path);
  try {
    await assert.rejects(client.sign(Buffer.from('k'), Buffer.from('d'), 'ssh-ed25519', 'ssh-ed25519'), /communication with agent failed/);
    await assert.rejects(client.listIdentities(), /communication with agent failed/);
  } finally {
    client.close();
    await agent.close();
  }
});

test('connecting to a missing socket names the system error', async () => {
  await assert.rejects(AgentClient.connect(path.join(dir, 'nowhere.sock')), /No such file or directory/);
});
