/**
 * The key exchange's own security checks, each by a server that breaks it: a host-key signature over
 * the exchange hash that does not verify (in the first exchange and in a re-exchange), and a
 * re-exchange that presents another host key, properly signed. tssh must refuse each with ssh's
 * words and status; ssh 9.2 and 10.3 run against the same server as the reference.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runClient, TSSH_BIN } from '../support/run.js';
import { openssh10 } from '../support/openssh10.js';
import { startHostileServer, type HostileScript, type KexHooks } from '../support/hostile-server.js';
import { serverKex } from '../support/hostile/kex.js';
import { generateHostKeySigner } from '../../src/crypto/keys/index.js';
import type { HostKeySigner } from '../../src/crypto/kex/types.js';

const CLIENTS = [TSSH_BIN, '/usr/bin/ssh', openssh10('ssh')];

/** Flips the last byte of the server's exchange reply: inside the signature blob of an ed25519 key. */
const breakSignature: KexHooks = {
  rewriteKexMessage: (payload) => {
    const copy = Buffer.from(payload);
    copy[copy.length - 1]! ^= 0x01;
    return copy;
  },
};

/** A session that the server re-keys (with `hostKey`, `hooks`) before it prints "ok". */
function rekeyedSession(hooks: KexHooks, hostKey?: HostKeySigner): HostileScript {
  return async (peer) => {
    const conn = await peer.handshake();
    await conn.authenticate();
    const channel = await conn.acceptSession();
    await serverKex(peer.wire, hostKey ?? peer.hostKey, hooks, { sessionId: conn.kex.sessionId, strictKex: conn.kex.strictKex });
    conn.serveInBackground();
    await channel.finish('ok\n', 0);
  };
}

async function run(bin: string, script: HostileScript): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const server = await startHostileServer(script);
  try {
    // stdin stays open, so no client sends EOF in the middle of the server's re-exchange.
    const r = await runClient(bin, [...server.clientArgs(), 'cmd'], { timeoutMs: 20_000, keepStdinOpen: true });
    return { code: r.code, stdout: r.stdout.toString(), stderr: r.stderrBytes.toString('latin1').replace(/\r\n/g, '\n').replaceAll(`port ${server.port}`, 'port <P>') };
  } finally {
    await server.stop();
  }
}

describe('key exchange checks', { concurrency: 3 }, () => {
  const INCORRECT_SIGNATURE = { code: 255, stdout: '', stderr: 'ssh_dispatch_run_fatal: Connection to 127.0.0.1 port <P>: incorrect signature\n' };
  const cases: Array<[string, HostileScript]> = [
    ['the first exchange', async (peer) => {
      await peer.handshake(breakSignature).catch(() => undefined);
      await peer.wire.closed;
    }],
    ['a re-exchange', rekeyedSession(breakSignature)],
  ];
  for (const [where, script] of cases) {
    test(`a host-key signature over the exchange hash that does not verify, in ${where}, is refused as ssh refuses it`, async () => {
      for (const bin of CLIENTS) assert.deepEqual(await run(bin, script), INCORRECT_SIGNATURE, bin);
    });
  }

  test('a re-exchange that presents another host key, signed by it, is refused: Host key verification failed.', async () => {
    const otherKey = generateHostKeySigner('ssh-ed25519');
    const script = rekeyedSession({}, otherKey);
    const tssh = await run(TSSH_BIN, script);
    assert.deepEqual(tssh, { code: 255, stdout: '', stderr: 'Host key verification failed.\n' });
    for (const bin of CLIENTS.slice(1)) {
      // ssh looks the new key up in known_hosts again; 9.2 and 10.3 do it under a freed host name, so
      // only their last line and status are theirs to compare.
      const ssh = await run(bin, script);
      assert.deepEqual([ssh.code, ssh.stdout, ssh.stderr.split('\n').at(-2)], [255, '', 'Host key verification failed.'], `${bin}: ${ssh.stderr}`);
    }
  });

  test('a re-exchange with the same host key goes on (the control case)', async () => {
    for (const bin of CLIENTS) assert.deepEqual(await run(bin, rekeyedSession({})), { code: 0, stdout: 'ok\n', stderr: '' }, bin);
  });
});
