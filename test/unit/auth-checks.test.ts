/**
 * User authentication, transcript by transcript: for each flow the whole -v log (what ssh -v prints
 * for the same exchange), the prompts, the requests on the wire and the final error, compared in
 * full, so a changed message, a skipped step or a reordered key shows (see test/mutation/).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileIdentity, runScripted, type Outcome } from './auth-fixtures.js';
import { MSG } from '../../src/wire/messages.js';
import { SshWriter, message } from '../../src/wire/writer.js';
import { fingerprint } from '../../src/hostkeys/fingerprint.js';
import { generateHostKeySigner } from '../../src/crypto/keys/index.js';
import type { AgentClient } from '../../src/agent/client.js';

const DUMP = process.env.TSSH_DUMP_TRANSCRIPTS === '1';

/** The log without the per-run parts (key fingerprints). */
function transcript(outcome: Outcome, fingerprints: Record<string, string> = {}): string[] {
  const lines = outcome.log;
  const masked = lines.map((l) => Object.entries(fingerprints).reduce((line, [fp, name]) => line.split(fp).join(name), l));
  if (DUMP) console.log(JSON.stringify(masked, null, 2));
  return masked;
}

test('publickey: a refused key, an accepted one signed, success', async () => {
  const a = fileIdentity('/keys/a');
  const b = fileIdentity('/keys/b');
  const outcome = await runScripted({ files: [a.identity, b.identity] }, async (server) => {
    server.failure('publickey,password');
    await server.refuse('publickey', 'publickey,password');
    await server.acceptKey();
    await server.request();
    server.success();
  });
  assert.equal(outcome.error, undefined);
  assert.deepEqual(transcript(outcome, { [fingerprint(a.key.publicKey.blob)]: 'FP-A', [fingerprint(b.key.publicKey.blob)]: 'FP-B' }), [
    'debug1: Will attempt key: /keys/a ED25519 FP-A explicit',
    'debug1: Will attempt key: /keys/b ED25519 FP-B explicit',
    'debug2: pubkey_prepare: done',
    'debug1: SSH2_MSG_SERVICE_ACCEPT received',
    'debug1: Authentications that can continue: publickey,password',
    'debug3: start over, passed a different list publickey,password',
    'debug1: Next authentication method: publickey',
    'debug1: Offering public key: /keys/a ED25519 FP-A explicit',
    'debug1: Authentications that can continue: publickey,password',
    'debug1: Offering public key: /keys/b ED25519 FP-B explicit',
    'debug1: Server accepts key: /keys/b ED25519 FP-B explicit',
  ]);
});

test('keyboard-interactive: name, instruction, two prompts, an empty round, success', async () => {
  const outcome = await runScripted({ answers: ['otp', 'pw'] }, async (server) => {
    server.failure('keyboard-interactive,password');
    await server.request();
    const info = new SshWriter().byte(MSG.USERAUTH_60).string('Login').string('Answer both.').string('').uint32(2);
    info.string('Token: ').boolean(true).string('Password: ').boolean(false);
    server.send(info.finish());
    await server.next();
    server.send(new SshWriter().byte(MSG.USERAUTH_60).string('').string('').string('').uint32(0).finish());
    await server.next();
    server.failure('keyboard-interactive,password');
    await server.request();
    server.success();
  });
  assert.equal(outcome.error, undefined);
  assert.deepEqual(outcome.asked, [
    { prompt: '(alice@example.org) Token: ', echo: true },
    { prompt: '(alice@example.org) Password: ', echo: false },
  ]);
  assert.deepEqual(transcript(outcome), [
    'debug2: pubkey_prepare: done',
    'debug1: SSH2_MSG_SERVICE_ACCEPT received',
    'debug1: Authentications that can continue: keyboard-interactive,password',
    'debug3: start over, passed a different list keyboard-interactive,password',
    'debug1: Next authentication method: keyboard-interactive',
    'debug2: userauth_kbdint',
    'debug2: input_userauth_info_req: num_prompts 2',
    'info: Login',
    'info: Answer both.',
    'debug2: input_userauth_info_req: num_prompts 0',
    'debug1: Authentications that can continue: keyboard-interactive,password',
    'debug2: userauth_kbdint',
  ]);
});

test('password: a wrong one, then a change request with a mismatch, then success', async () => {
  const outcome = await runScripted({ answers: ['wrong', 'old', 'old', 'new', 'typo', 'new', 'new'] }, async (server) => {
    server.failure('password');
    await server.request();
    server.failure('password');
    await server.request();
    server.send(message(MSG.USERAUTH_60).string('Password expired.').string('').finish());
    const change = await server.request();
    assert.equal(change.r.boolean(), true);
    assert.deepEqual([change.r.text(), change.r.text()], ['old', 'new']);
    server.success();
  });
  assert.equal(outcome.error, undefined);
  assert.deepEqual(transcript(outcome), [
    'debug2: pubkey_prepare: done',
    'debug1: SSH2_MSG_SERVICE_ACCEPT received',
    'debug1: Authentications that can continue: password',
    'debug3: start over, passed a different list password',
    'debug1: Next authentication method: password',
    'debug1: Authentications that can continue: password',
    'error: Permission denied, please try again.',
    'debug2: input_userauth_passwd_changereq',
    'info: Password expired.',
    'info: Mismatch; try again, EOF to quit.',
  ]);
});

test('partial success, then every method exhausted: Permission denied with the last list', async () => {
  const a = fileIdentity('/keys/a');
  const outcome = await runScripted({ files: [a.identity], policy: { numberOfPasswordPrompts: 1 }, answers: ['pw'] }, async (server) => {
    server.failure('publickey');
    await server.acceptKey();
    await server.request();
    server.failure('password,keyboard-interactive', true);
    await server.refuse('keyboard-interactive', 'password,keyboard-interactive');
    await server.refuse('password', 'password,keyboard-interactive');
  });
  assert.equal(outcome.error?.message, 'alice@example.org: Permission denied (password,keyboard-interactive).');
  assert.deepEqual(transcript(outcome, { [fingerprint(a.key.publicKey.blob)]: 'FP-A' }), [
    'debug1: Will attempt key: /keys/a ED25519 FP-A explicit',
    'debug2: pubkey_prepare: done',
    'debug1: SSH2_MSG_SERVICE_ACCEPT received',
    'debug1: Authentications that can continue: publickey',
    'debug3: start over, passed a different list publickey',
    'debug1: Next authentication method: publickey',
    'debug1: Offering public key: /keys/a ED25519 FP-A explicit',
    'debug1: Server accepts key: /keys/a ED25519 FP-A explicit',
    'verbose: Authenticated using "publickey" with partial success.',
    'debug1: Authentications that can continue: password,keyboard-interactive',
    'debug3: start over, passed a different list password,keyboard-interactive',
    'debug1: Next authentication method: keyboard-interactive',
    'debug2: userauth_kbdint',
    'debug1: Authentications that can continue: password,keyboard-interactive',
    'debug2: we did not send a packet, disable method',
    'debug1: Next authentication method: password',
    'debug1: Authentications that can continue: password,keyboard-interactive',
    'debug2: we did not send a packet, disable method',
    'debug1: No more authentication methods to try.',
  ]);
});

test('with every method switched off, the server\'s list is refused at once', async () => {
  const outcome = await runScripted({ policy: { publicKey: false, keyboardInteractive: false, password: false } }, async (server) => {
    server.failure('publickey');
  });
  assert.equal(outcome.error?.message, 'alice@example.org: Permission denied (publickey).');
  assert.deepEqual(transcript(outcome), [
    'debug2: pubkey_prepare: done',
    'debug1: SSH2_MSG_SERVICE_ACCEPT received',
    'debug1: Authentications that can continue: publickey',
    'debug3: start over, passed a different list publickey',
    'debug1: No more authentication methods to try.',
  ]);
});

/** An agent holding `key` (and a blob it cannot parse); signs with `key`; refuses session binding. */
function fakeAgent(key: ReturnType<typeof generateHostKeySigner>, calls: string[]): AgentClient {
  return {
    listIdentities: async () => [
      { blob: Buffer.from('not a key blob'), comment: 'broken' },
      { blob: key.publicKey.blob, comment: 'agent-key' },
    ],
    sign: async (_blob: Buffer, data: Buffer, algorithm: string) => {
      calls.push(`sign ${algorithm}`);
      return key.sign(algorithm, data);
    },
    bindSession: async (_binding: unknown, forwarding: boolean) => {
      calls.push(`bind forwarding=${forwarding}`);
      throw new Error('agent refused operation');
    },
    close: () => void calls.push('close'),
  } as unknown as AgentClient;
}

test('agent: binding refused is only logged, an unparsable agent key is skipped, the agent signs, then is closed', async () => {
  const agentKey = generateHostKeySigner('ssh-ed25519');
  const calls: string[] = [];
  const outcome = await runScripted({ openAgent: async () => fakeAgent(agentKey, calls) }, async (server) => {
    server.failure('publickey');
    const { blob } = await server.acceptKey();
    assert.ok(blob.equals(agentKey.publicKey.blob));
    await server.request();
    server.success();
  });
  assert.equal(outcome.error, undefined);
  assert.deepEqual(calls, ['bind forwarding=false', 'sign ssh-ed25519', 'close']);
  const log = transcript(outcome, { [fingerprint(agentKey.publicKey.blob)]: 'FP-AGENT' });
  assert.ok(log.includes('debug2: ssh_agent_bind_hostkey: agent refused operation'), log.join('\n'));
  assert.ok(log.includes('debug1: get_agent_identities: agent returned 2 keys'), log.join('\n'));
  assert.ok(log.some((l) => l.startsWith('debug1: pubkey_prepare: ignoring agent key "broken": ')), log.join('\n'));
  assert.ok(log.includes('debug1: Will attempt key: agent-key ED25519 FP-AGENT agent'), log.join('\n'));
});

test('agent: a socket that cannot be reached, or a list that fails, leaves the files to try', async () => {
  for (const [openAgent, expected] of [
    [async () => { throw new Error('No such file or directory'); }, 'debug1: get_agent_identities: ssh_get_authentication_socket: No such file or directory'],
    [async () => ({ ...fakeAgent(generateHostKeySigner('ssh-ed25519'), []), listIdentities: async () => { throw new Error('agent went away'); } }) as unknown as AgentClient, 'debug1: get_agent_identities: ssh_fetch_identitylist: agent went away'],
  ] as const) {
    const outcome = await runScripted({ openAgent, policy: { password: false, keyboardInteractive: false } }, async (server) => {
      server.failure('publickey');
    });
    assert.equal(outcome.error?.message, 'alice@example.org: Permission denied (publickey).');
    assert.ok(outcome.log.includes(expected), outcome.log.join('\n'));
  }
  // With publickey switched off the agent is not even opened.
  let opened = false;
  await runScripted({ openAgent: async () => ((opened = true), undefined), policy: { publicKey: false } }, async (server) => {
    server.failure('publickey');
  });
  assert.equal(opened, false);
});
