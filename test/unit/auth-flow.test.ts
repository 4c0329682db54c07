/**
 * The userauth state machine against a scripted server (./auth-fixtures.ts): method order,
 * query-then-sign, partial success, password change, keyboard-interactive, banners, BatchMode and the
 * host-key verdict, agent failures, and that no secret reaches the log.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileIdentity, runScripted } from './auth-fixtures.js';
import { generateHostKeySigner, parsePublicKeyBlob } from '../../src/crypto/keys/index.js';
import { publicKeySignedData } from '../../src/auth/publickey.js';
import { MSG } from '../../src/wire/messages.js';
import { SshReader } from '../../src/wire/reader.js';
import { SshWriter, message } from '../../src/wire/writer.js';
import type { AgentClient } from '../../src/agent/client.js';

test('keys are offered first; only the key the server accepts is loaded and signed with', async () => {
  const a = fileIdentity('/keys/a');
  const b = fileIdentity('/keys/b');
  const outcome = await runScripted({ files: [a.identity, b.identity] }, async (server) => {
    server.failure('publickey,password');
    const queryA = await server.request();
    assert.equal(queryA.method, 'publickey');
    assert.equal(queryA.r.boolean(), false);
    server.failure('publickey,password');
    const queryB = await server.request();
    assert.equal(queryB.r.boolean(), false);
    const algorithm = queryB.r.text();
    const blob = queryB.r.string();
    assert.ok(blob.equals(b.key.publicKey.blob));
    server.send(message(MSG.USERAUTH_60).string(algorithm).string(blob).finish());
    const signed = await server.request();
    assert.equal(signed.r.boolean(), true);
    assert.equal(signed.r.text(), algorithm);
    assert.ok(signed.r.string().equals(blob));
    const signature = signed.r.string();
    const data = publicKeySignedData(server.sessionId, 'alice', algorithm, blob);
    assert.ok(parsePublicKeyBlob(blob).verify(algorithm, data, signature), 'signature verifies');
    server.success();
  });
  assert.equal(outcome.error, undefined);
  assert.equal(outcome.method, 'publickey');
  assert.equal(a.identity.loads, 0, 'the refused key was never loaded');
  assert.equal(b.identity.loads, 1);
  assert.ok(outcome.log.some((l) => l.startsWith('debug1: Server accepts key: /keys/b ED25519 SHA256:')));
});

test('a key without a known public half is loaded and signed at once ("Trying private key")', async () => {
  const a = fileIdentity('/keys/pem', false);
  const outcome = await runScripted({ files: [a.identity] }, async (server) => {
    server.failure('publickey');
    const signed = await server.request();
    assert.equal(signed.r.boolean(), true, 'no query first');
    server.success();
  });
  assert.equal(outcome.error, undefined);
  assert.ok(outcome.log.includes('debug1: Trying private key: /keys/pem'));
});

test('partial success moves on to the next method (AuthenticationMethods publickey,password)', async () => {
  const a = fileIdentity('/keys/a');
  const outcome = await runScripted({ files: [a.identity], answers: ['hunter2'] }, async (server) => {
    server.failure('publickey');
    const query = await server.request();
    query.r.boolean();
    const algorithm = query.r.text();
    const blob = query.r.string();
    server.send(message(MSG.USERAUTH_60).string(algorithm).string(blob).finish());
    await server.request();
    server.failure('password', true);
    const password = await server.request();
    assert.equal(password.method, 'password');
    assert.equal(password.r.boolean(), false);
    assert.equal(password.r.text(), 'hunter2');
    server.success();
  });
  assert.equal(outcome.error, undefined);
  assert.equal(outcome.method, 'password');
  assert.deepEqual(outcome.asked, [{ prompt: "alice@example.org's password: ", echo: false }]);
  assert.ok(outcome.log.includes('verbose: Authenticated using "publickey" with partial success.'));
  assert.ok(!outcome.log.some((l) => l.includes('hunter2')), 'the password is never logged');
});

test('NumberOfPasswordPrompts bounds password tries, then Permission denied lists the methods', async () => {
  const outcome = await runScripted({ policy: { numberOfPasswordPrompts: 2 }, answers: ['one', 'two'] }, async (server) => {
    server.failure('password');
    for (const expected of ['one', 'two']) {
      const request = await server.request();
      request.r.boolean();
      assert.equal(request.r.text(), expected);
      server.failure('password');
    }
  });
  assert.equal(outcome.error?.message, 'alice@example.org: Permission denied (password).');
  assert.equal(outcome.asked.length, 2);
  assert.equal(outcome.log.filter((l) => l === 'error: Permission denied, please try again.').length, 1);
});

test('a password change request is answered with the old and the new password', async () => {
  const outcome = await runScripted({ answers: ['old-pw', 'old-pw', 'new-pw', 'typo', 'new-pw', 'new-pw'] }, async (server) => {
    server.failure('password');
    const first = await server.request();
    first.r.boolean();
    assert.equal(first.r.text(), 'old-pw');
    server.send(message(MSG.USERAUTH_60).string('Your password has expired.').string('').finish());
    const change = await server.request();
    assert.equal(change.method, 'password');
    assert.equal(change.r.boolean(), true);
    assert.equal(change.r.text(), 'old-pw');
    assert.equal(change.r.text(), 'new-pw');
    server.success();
  });
  assert.equal(outcome.error, undefined);
  assert.deepEqual(
    outcome.asked.map((a) => a.prompt),
    [
      "alice@example.org's password: ",
      "Enter alice@example.org's old password: ",
      "Enter alice@example.org's new password: ",
      "Retype alice@example.org's new password: ",
      "Enter alice@example.org's new password: ",
      "Retype alice@example.org's new password: ",
    ],
  );
  assert.ok(outcome.log.includes('info: Your password has expired.'));
  assert.ok(outcome.log.includes('info: Mismatch; try again, EOF to quit.'));
});

test('a refused password change (EOF at the new password) ends cleanly with Permission denied', async () => {
  const outcome = await runScripted({ answers: ['pw', 'pw', undefined] }, async (server) => {
    server.failure('password');
    await server.request();
    server.send(message(MSG.USERAUTH_60).string('').string('').finish());
  });
  assert.equal(outcome.error?.message, 'alice@example.org: Permission denied (password).');
});

test('keyboard-interactive shows name and instruction and asks each prompt with its echo flag', async () => {
  const outcome = await runScripted({ answers: ['alice-otp', 's3cret'] }, async (server) => {
    server.failure('keyboard-interactive');
    const request = await server.request();
    assert.equal(request.method, 'keyboard-interactive');
    assert.equal(request.r.text(), ''); // language
    assert.equal(request.r.text(), ''); // submethods
    const info = new SshWriter().byte(MSG.USERAUTH_60).string('Two-step login').string('Answer both.').string('').uint32(2);
    info.string('Token: ').boolean(true).string('Password: ').boolean(false);
    server.send(info.finish());
    const response = new SshReader(await server.next());
    assert.equal(response.byte(), MSG.USERAUTH_INFO_RESPONSE);
    assert.equal(response.uint32(), 2);
    assert.equal(response.text(), 'alice-otp');
    assert.equal(response.text(), 's3cret');
    // A round with no prompts still gets an (empty) answer.
    server.send(new SshWriter().byte(MSG.USERAUTH_60).string('').string('').string('').uint32(0).finish());
    const empty = new SshReader(await server.next());
    assert.equal(empty.byte(), MSG.USERAUTH_INFO_RESPONSE);
    assert.equal(empty.uint32(), 0);
    server.success();
  });
  assert.equal(outcome.error, undefined);
  assert.equal(outcome.method, 'keyboard-interactive');
  assert.deepEqual(outcome.asked, [
    { prompt: '(alice@example.org) Token: ', echo: true },
    { prompt: '(alice@example.org) Password: ', echo: false },
  ]);
  assert.ok(outcome.log.includes('info: Two-step login'));
  assert.ok(outcome.log.includes('info: Answer both.'));
  assert.ok(!outcome.log.some((l) => l.includes('s3cret')));
});

test('banners are passed on as sent, at any point (what shows them makes them safe: vis.ts)', async () => {
  const outcome = await runScripted({ policy: { batchMode: true } }, async (server) => {
    server.banner('Welcome\x1b[31m\r\nAuthorized use only\r\n');
    server.failure('publickey');
  });
  assert.deepEqual(outcome.banners, ['Welcome\x1b[31m\r\nAuthorized use only\r\n']);
  assert.equal(outcome.error?.message, 'alice@example.org: Permission denied (publickey).');
});

test('BatchMode and an untrusted host key never ask for passwords', async () => {
  for (const policy of [{ batchMode: true }, { passwordAuthDisabled: true }]) {
    const outcome = await runScripted({ policy }, async (server) => {
      server.failure('password,keyboard-interactive');
    });
    assert.equal(outcome.error?.message, 'alice@example.org: Permission denied (password,keyboard-interactive).');
    assert.deepEqual(outcome.asked, []);
  }
});

test('PreferredAuthentications sets the order: password before publickey', async () => {
  const a = fileIdentity('/keys/a');
  const outcome = await runScripted({ files: [a.identity], policy: { preferred: ['password', 'publickey'] }, answers: ['pw'] }, async (server) => {
    server.failure('publickey,password');
    const first = await server.request();
    assert.equal(first.method, 'password');
    server.failure('publickey,password');
    const second = await server.request();
    assert.equal(second.method, 'password');
    server.failure('publickey,password');
    const third = await server.request();
    assert.equal(third.method, 'password');
    server.failure('publickey,password');
    const fourth = await server.request();
    assert.equal(fourth.method, 'publickey');
    server.failure('publickey,password');
  });
  assert.equal(outcome.error?.message, 'alice@example.org: Permission denied (publickey,password).');
});

test('an agent that fails while signing is reported and the next key is tried', async () => {
  const agentKey = generateHostKeySigner('ssh-ed25519');
  const file = fileIdentity('/keys/file');
  const brokenAgent = {
    listIdentities: async () => [{ blob: agentKey.publicKey.blob, comment: 'agent-key' }],
    sign: async () => {
      throw Object.assign(new Error('communication with agent failed'), { code: 'AGENT' });
    },
    close: () => undefined,
  } as unknown as AgentClient;
  const outcome = await runScripted({ files: [file.identity], openAgent: async () => brokenAgent }, async (server) => {
    server.failure('publickey');
    const agentQuery = await server.request();
    agentQuery.r.boolean();
    const algorithm = agentQuery.r.text();
    const blob = agentQuery.r.string();
    assert.ok(blob.equals(agentKey.publicKey.blob), 'agent keys come before files the agent does not hold');
    server.send(message(MSG.USERAUTH_60).string(algorithm).string(blob).finish());
    const fileQuery = await server.request();
    fileQuery.r.boolean();
    fileQuery.r.text();
    assert.ok(fileQuery.r.string().equals(file.key.publicKey.blob));
    server.failure('publickey');
  });
  assert.equal(outcome.error?.message, 'alice@example.org: Permission denied (publickey).');
  assert.ok(outcome.log.includes('error: sign_and_send_pubkey: signing failed for ED25519 "agent-key" from agent: communication with agent failed'));
});

test('a server that breaks the protocol during authentication is a clean error', async () => {
  const outcome = await runScripted({}, async (server) => {
    server.send(message(MSG.CHANNEL_DATA).uint32(0).string('x').finish());
  });
  assert.equal(outcome.error?.name, 'TsshError');
  assert.match(outcome.error!.message, /bad message during authentication/);
});
