/**
 * EXT_INFO out of place (AsyncSSH CVE-2023-46445 is this class) is never used: its server-sig-algs
 * does not decide how tssh signs. With ext-info-s offered tssh sends ssh 10's own EXT_INFO. And key
 * re-exchanges wait for authentication to end, as in ssh. Each against ssh 9.2 and 10.3.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { isolatedEnv, makeTempDir, runClient, TSSH_BIN, waitFor } from '../support/run.js';
import { generateKey } from '../support/keys.js';
import { startHostileServer, type HostileScript, type KexHooks, type ServerWire } from '../support/hostile-server.js';
import type { Received } from '../support/hostile/wire.js';
import { MSG } from '../../src/wire/messages.js';
import { SshReader } from '../../src/wire/reader.js';
import { message } from '../../src/wire/writer.js';
import { extInfo, NOT_STRICT, OFFERS_EXT_INFO_IN_AUTH, SSH10, SSH92, tolerant } from './ordering-support.js';

describe('EXT_INFO and re-exchanges', { concurrency: 3 }, () => {
  /** A server that records every USERAUTH_REQUEST's method and algorithm, and refuses them all. */
  function recordingAuth(hooks: KexHooks, service: (wire: ServerWire) => void, seen: string[]): HostileScript {
    return async (peer) => {
      await peer.handshake(hooks);
      const expect = tolerant(peer.wire);
      await expect(MSG.SERVICE_REQUEST);
      service(peer.wire);
      peer.wire.send(message(MSG.SERVICE_ACCEPT).string('ssh-userauth').finish());
      for (;;) {
        const r = new SshReader((await expect(MSG.USERAUTH_REQUEST)).payload);
        r.byte();
        r.text();
        r.text();
        const method = r.text();
        seen.push(method === 'publickey' ? `publickey ${(r.boolean(), r.text())}` : method);
        peer.wire.send(message(MSG.USERAUTH_FAILURE).string('publickey').boolean(false).finish());
      }
    };
  }

  for (const [where, hooks, service] of [
    ['before NEWKEYS (no strict KEX)', { ...NOT_STRICT, beforeNewKeys: (w: ServerWire) => w.send(extInfo('rsa-sha2-256')) }, () => undefined],
    ['after the one that counts', { afterNewKeys: (w: ServerWire) => w.send(extInfo('rsa-sha2-512')) }, (w: ServerWire) => w.send(extInfo('rsa-sha2-256'))],
  ] as const) {
    test(`an injected EXT_INFO ${where}: its server-sig-algs is not used to sign`, async () => {
      const dir = makeTempDir('tssh-ordering-');
      try {
        const key = await generateKey(dir, 'id_rsa', 'rsa');
        const flags = ['-i', key.privatePath, '-o', 'IdentitiesOnly=yes'];
        const algorithms = new Map<string, string[]>();
        for (const bin of [TSSH_BIN, SSH92, SSH10]) {
          const seen: string[] = [];
          const server = await startHostileServer(recordingAuth(hooks, service, seen));
          try {
            await runClient(bin, [...flags, ...server.clientArgs(), 'cmd'], { env: isolatedEnv(dir), timeoutMs: 20_000 });
          } finally {
            await server.stop();
          }
          algorithms.set(bin, seen);
        }
        const tssh = algorithms.get(TSSH_BIN)!;
        assert.ok(!tssh.includes('publickey rsa-sha2-256'), `tssh signed as the injected server-sig-algs said: ${tssh.join(', ')}`);
        assert.deepEqual(tssh, algorithms.get(SSH92), 'differs from ssh 9.2');
        assert.deepEqual(tssh, algorithms.get(SSH10), 'differs from ssh 10.3');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  test('with ext-info-s offered, tssh sends the EXT_INFO ssh 10 sends (ext-info-in-auth@openssh.com)', async () => {
    const sent = new Map<string, string>();
    for (const bin of [TSSH_BIN, SSH10]) {
      let extInfoFromClient = '';
      const server = await startHostileServer(async (peer) => {
        await peer.handshake(OFFERS_EXT_INFO_IN_AUTH);
        const r = await peer.wire.expect();
        extInfoFromClient = r.payload.toString('hex');
        peer.wire.destroy();
      });
      try {
        await runClient(bin, [...server.clientArgs(), 'cmd'], { timeoutMs: 20_000 });
      } finally {
        await server.stop();
      }
      sent.set(bin, extInfoFromClient);
    }
    assert.equal(sent.get(TSSH_BIN), message(MSG.EXT_INFO).uint32(1).string('ext-info-in-auth@openssh.com').string('0').finish().toString('hex'));
    assert.equal(sent.get(TSSH_BIN), sent.get(SSH10));
  });

  test('no key re-exchange before authentication has completed, whatever RekeyLimit says (as ssh)', async () => {
    for (const bin of [TSSH_BIN, SSH92, SSH10]) {
      const fromClient: number[] = [];
      const server = await startHostileServer(async (peer) => {
        await peer.handshake();
        const { wire } = peer;
        const record = async (): Promise<Received> => {
          const r = await wire.receive();
          fromClient.push(r.payload[0]!);
          return r;
        };
        while ((await record()).payload[0] !== MSG.SERVICE_REQUEST);
        wire.send(message(MSG.SERVICE_ACCEPT).string('ssh-userauth').finish());
        while ((await record()).payload[0] !== MSG.USERAUTH_REQUEST);
        // 64 KB from the server during authentication: four times the limit.
        for (let i = 0; i < 64; i++) wire.send(message(MSG.USERAUTH_BANNER).string(Buffer.alloc(1000, 'b')).string('').finish());
        wire.send(message(MSG.USERAUTH_FAILURE).string('publickey').boolean(false).finish());
        for (;;) await record();
      });
      try {
        const r = await runClient(bin, ['-q', '-o', 'RekeyLimit=16K', ...server.clientArgs(), 'cmd'], { timeoutMs: 20_000 });
        assert.equal(r.code, 255, r.stderr);
        assert.ok(!fromClient.includes(MSG.KEXINIT), `${bin} started a key exchange during authentication: ${fromClient.join(',')}`);
      } finally {
        await server.stop();
      }
    }
  });

  test('a RekeyLimit time that passes during authentication re-keys right after it, as ssh does', async () => {
    for (const bin of [TSSH_BIN, SSH92, SSH10]) {
      let kexinitBeforeSuccess = false;
      const server = await startHostileServer(async (peer) => {
        const conn = await peer.handshake();
        const keyed = Date.now();
        const { wire } = peer;
        await tolerant(wire)(MSG.SERVICE_REQUEST);
        wire.send(message(MSG.SERVICE_ACCEPT).string('ssh-userauth').finish());
        await tolerant(wire)(MSG.USERAUTH_REQUEST);
        // Authentication outlasts the one-second limit.
        await waitFor(() => Date.now() - keyed > 1500, 5000, 'the rekey time limit to pass');
        kexinitBeforeSuccess = conn.counts.get(MSG.KEXINIT) !== undefined;
        wire.send(message(MSG.USERAUTH_SUCCESS).finish());
        const channel = await conn.acceptSession();
        conn.serveInBackground();
        await waitFor(() => (conn.counts.get(MSG.KEXINIT) ?? 0) >= 1, 10_000, 'the client to re-key');
        await channel.finish('ok\n', 0);
      });
      try {
        const r = await runClient(bin, ['-o', 'RekeyLimit=default 1', ...server.clientArgs(), 'cmd'], { timeoutMs: 20_000, keepStdinOpen: true });
        assert.deepEqual([r.code, r.stdout.toString(), r.stderr], [0, 'ok\n', ''], bin);
        assert.equal(kexinitBeforeSuccess, false, `${bin} re-keyed during authentication`);
      } finally {
        await server.stop();
      }
    }
  });
});
