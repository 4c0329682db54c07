/**
 * Many channels over one connection: 100 sessions at once through tssh's own client library against
 * the hostile server in echo mode, each carrying distinct data both ways, one of them with a consumer
 * that stalls. Every byte must come back on its own channel, and a stalled channel must hold up
 * nobody else (each channel's window is its own backpressure).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SshClient } from '../../src/client.js';
import { silentLogger } from '../../src/log.js';
import { CIPHER_NAMES, KEX_NAMES, MAC_NAMES } from '../../src/crypto/names.js';
import type { Session } from '../../src/connection/session.js';
import { TsshError } from '../../src/errors.js';
import { startHostileServer } from '../support/hostile-server.js';
import { waitFor } from '../support/run.js';
import { pattern } from './scenario.js';

const CHANNELS = 100;
const BYTES_PER_CHANNEL = 256 * 1024;
/** More than a window (2 MB): the server must wait for the stalled reader, on that channel only. */
const STALLED_BYTES = 8 * 1024 * 1024;

/** Writes `data` into the session and collects what comes back until the channel closes. */
async function roundTrip(session: Session, data: Buffer, stalled?: Promise<void>): Promise<Buffer> {
  const received: Buffer[] = [];
  const channel = session.channel;
  if (stalled) {
    channel.pause();
    void stalled.then(() => channel.on('data', (chunk: Buffer) => received.push(chunk)).resume());
  } else {
    channel.on('data', (chunk: Buffer) => received.push(chunk));
  }
  channel.end(data);
  const exit = await session.exit;
  assert.equal(exit.status, 0);
  return Buffer.concat(received);
}

test(`${CHANNELS} concurrent channels over one connection, one of them stalled, carry their own data intact`, { timeout: 240_000 }, async () => {
  const server = await startHostileServer(async (peer) => {
    const conn = await peer.handshake({ echo: true });
    await conn.authenticate();
    conn.serveInBackground();
    await peer.wire.closed;
  });
  const client = await SshClient.connect({
    host: '127.0.0.1',
    port: server.port,
    user: 'hostile',
    preferences: { kex: [...KEX_NAMES], hostKey: ['ssh-ed25519'], ciphers: [...CIPHER_NAMES], macs: [...MAC_NAMES], compression: ['none'] },
    verifyHostKey: async (key) => {
      if (!key.blob.equals(server.hostKey.publicBlob)) throw new TsshError('HOSTKEY', 'Host key verification failed.');
    },
    auth: {
      files: [],
      certificates: [],
      identitiesOnly: true,
      acceptedAlgorithms: [],
      policy: { publicKey: false, password: false, keyboardInteractive: false, batchMode: true, numberOfPasswordPrompts: 0 },
      prompter: { ask: async () => undefined },
      onBanner: () => undefined,
    },
    log: silentLogger,
  });
  try {
    let release!: () => void;
    const stalled = new Promise<void>((resolve) => (release = resolve));
    const sessions = await Promise.all(Array.from({ length: CHANNELS }, () => client.exec('cat')));
    assert.equal(client.connection.channelCount, CHANNELS);
    const inputs = sessions.map((_, i) => pattern(i === 0 ? STALLED_BYTES : BYTES_PER_CHANNEL, i + 1));
    const finished = new Set<number>();
    const results = sessions.map((session, i) => roundTrip(session, inputs[i]!, i === 0 ? stalled : undefined).finally(() => finished.add(i)));
    // Everyone else finishes while channel 0's reader is stalled (and its echo waits for window).
    await waitFor(() => finished.size === CHANNELS - 1, 40_000, `${CHANNELS - 1} channels to finish past a stalled one`);
    assert.ok(!finished.has(0), 'the stalled channel cannot have finished');
    release();
    const outputs = await Promise.all(results);
    outputs.forEach((output, i) => assert.ok(output.equals(inputs[i]!), `channel ${i}: ${output.length} bytes back, differing`));
    assert.equal(client.connection.channelCount, 0, 'every channel was released');
  } finally {
    client.close();
    await server.stop();
  }
});
