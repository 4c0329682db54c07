import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Transport } from '../../src/transport/transport.js';
import { memoryPair } from '../support/memory-pair.js';
import { silentLogger } from '../../src/log.js';
import { generateHostKeySigner } from '../../src/crypto/keys/index.js';
import { DEFAULTS, testPayload, waitUntil } from './pair-harness.js';

const PREFERENCES = { ...DEFAULTS, hostKey: ['ssh-ed25519'], kex: ['curve25519-sha256'] };

/** A client/server pair like makePair's, with a reclaim counter on the client. */
function pairWithReclaim(): { client: Transport; server: Transport; toServer: Buffer[]; toClient: Buffer[]; reclaims: () => number; close(): void } {
  const [a, b] = memoryPair();
  const peer = { host: 'pair', port: 22 };
  const hostKeys = new Map([['ssh-ed25519', generateHostKeySigner('ssh-ed25519')]]);
  let reclaims = 0;
  const server = new Transport(b, { role: 'server', preferences: PREFERENCES, peer, log: silentLogger, hostKeys });
  const client = new Transport(a, { role: 'client', preferences: PREFERENCES, peer, log: silentLogger, verifyHostKey: async () => {}, reclaim: () => void reclaims++ });
  const toServer: Buffer[] = [];
  const toClient: Buffer[] = [];
  server.setHandler((p) => void toServer.push(Buffer.from(p)));
  client.setHandler((p) => void toClient.push(Buffer.from(p)));
  server.start();
  client.start();
  return { client, server, toServer, toClient, reclaims: () => reclaims, close: () => (client.disconnect(), server.disconnect()) };
}

test('pair: payloads written in place, sent before and after the key exchange, arrive intact and in order', async () => {
  const pair = pairWithReclaim();
  try {
    const sizes = [40_000, 9, 32_768, 1, 70_000];
    const sendInPlace = (i: number): void => {
      const p = testPayload(i, sizes[i]!);
      pair.client.sendInPlace(p.length, (packet, offset) => p.copy(packet, offset));
    };
    sendInPlace(0); // before NEWKEYS: held, then sent with the new keys
    pair.client.send(testPayload(1, sizes[1]!));
    await pair.client.ready;
    for (let i = 2; i < sizes.length; i++) sendInPlace(i);
    await waitUntil(() => pair.toServer.length === sizes.length, 'all payloads', pair.client.closed);
    sizes.forEach((size, i) => assert.deepEqual(pair.toServer[i], testPayload(i, size), `payload ${i}`));
  } finally {
    pair.close();
  }
});

test('pair: the transport calls reclaim about once per MiB moved either way', async () => {
  const pair = pairWithReclaim();
  try {
    await pair.client.ready;
    const before = pair.reclaims();
    // 4 MiB up and 4 MiB down in 32 KiB payloads.
    for (let i = 0; i < 128; i++) pair.client.send(testPayload(i, 32 * 1024));
    for (let i = 0; i < 128; i++) pair.server.send(testPayload(i, 32 * 1024));
    await waitUntil(() => pair.toServer.length === 128 && pair.toClient.length === 128, 'all payloads', pair.client.closed);
    const reclaims = pair.reclaims() - before;
    assert.ok(reclaims >= 7 && reclaims <= 9, `${reclaims} reclaims for 8 MiB`);
  } finally {
    pair.close();
  }
});
