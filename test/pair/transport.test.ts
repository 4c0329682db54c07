import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HOST_KEY_NAMES, MAC_NAMES, SUPPORTED_CIPHER_NAMES, SUPPORTED_KEX_NAMES, SUPPORTED_MAC_NAMES } from '../../src/crypto/names.js';
import { cipherInfo } from '../../src/crypto/protection.js';
import { keyTypeOf, makePair, testPayload, waitUntil } from './pair-harness.js';
import { seededRandom } from '../support/memory-pair.js';

async function exchange(pair: ReturnType<typeof makePair>, count: number, maxSize: number, seed: number): Promise<void> {
  const random = seededRandom(seed);
  const sizes = Array.from({ length: count }, () => 5 + Math.floor(random() * maxSize));
  sizes.forEach((size, i) => pair.client.send(testPayload(i, size)));
  sizes.forEach((size, i) => pair.server.send(testPayload(i, size)));
  await waitUntil(() => pair.toServer.length === count && pair.toClient.length === count, 'all payloads', pair.client.closed);
  sizes.forEach((size, i) => {
    assert.deepEqual(pair.toServer[i], testPayload(i, size), `client→server payload ${i}`);
    assert.deepEqual(pair.toClient[i], testPayload(i, size), `server→client payload ${i}`);
  });
}

for (const kex of SUPPORTED_KEX_NAMES) {
  test(`pair: kex ${kex} completes and both sides agree on the session id`, async () => {
    const pair = makePair({ client: { kex: [kex] }, server: { kex: [kex] } });
    try {
      await Promise.all([pair.client.ready, pair.server.ready]);
      assert.equal(pair.client.negotiated?.kex, kex);
      assert.deepEqual(pair.client.sessionId, pair.server.sessionId);
      assert.ok(pair.client.negotiated?.strictKex, 'strict KEX negotiated');
      await exchange(pair, 5, 2000, 1);
    } finally {
      pair.close();
    }
  });
}

// ssh-rsa (SHA-1 signatures) is off by default but still works when asked for; so are ML-DSA and DSA.
for (const hostKey of [...HOST_KEY_NAMES, 'ssh-rsa', 'ssh-mldsa44-ed25519@openssh.com', 'ssh-dss']) {
  test(`pair: host key algorithm ${hostKey} is verified and handed to the policy`, async () => {
    const pair = makePair({ client: { hostKey: [hostKey], kex: ['curve25519-sha256'] }, server: { hostKey: [hostKey] } });
    try {
      await pair.client.ready;
      assert.equal(pair.client.negotiated?.hostKey, hostKey);
      assert.equal(pair.seenHostKey()?.type, keyTypeOf(hostKey));
    } finally {
      pair.close();
    }
  });
}

/** Every MAC with aes128-ctr; every other non-AEAD cipher with one MAC of each kind (etm, plain, UMAC, HMAC). */
const combos: Array<[string, string | undefined]> = [];
for (const cipher of SUPPORTED_CIPHER_NAMES) {
  if (cipherInfo(cipher)?.aead) combos.push([cipher, undefined]);
  else {
    const macs = cipher === 'aes128-ctr' ? SUPPORTED_MAC_NAMES : ['umac-64-etm@openssh.com', 'umac-128@openssh.com', 'hmac-sha1-96', 'hmac-md5-etm@openssh.com'];
    for (const mac of macs) combos.push([cipher, mac]);
  }
}
const serverFor = (cipher: string, mac: string | undefined): { ciphers: string[]; macs: string[] } => ({ ciphers: [cipher], macs: mac ? [mac] : [...MAC_NAMES] });

for (const [cipher, mac] of combos) {
  test(`pair: ${cipher}${mac ? ` + ${mac}` : ''} carries data intact with input split at random points`, async () => {
    const pair = makePair({
      client: { ciphers: [cipher], macs: mac ? [mac] : [...MAC_NAMES], kex: ['curve25519-sha256'] },
      server: serverFor(cipher, mac),
      pair: { splitSeed: cipher.length * 7 + (mac?.length ?? 0) },
    });
    try {
      await pair.client.ready;
      assert.equal(pair.client.negotiated?.clientToServer.cipher, cipher);
      assert.equal(pair.client.negotiated?.clientToServer.mac, mac);
      await exchange(pair, 60, 40_000, 7);
    } finally {
      pair.close();
    }
  });
}

test('pair: rekeys started by either side in the middle of a busy transfer lose and reorder nothing', async () => {
  const pair = makePair({ client: { kex: ['curve25519-sha256'], ciphers: ['aes128-ctr'], macs: ['hmac-sha2-256'] }, pair: { splitSeed: 99 } });
  try {
    await pair.client.ready;
    const total = 600;
    for (let i = 0; i < total; i++) {
      pair.client.send(testPayload(i, 3000));
      pair.server.send(testPayload(i, 3000));
      if (i === 100) pair.client.startRekey('test');
      if (i === 300) pair.server.startRekey('test');
    }
    await waitUntil(() => pair.toServer.length === total && pair.toClient.length === total, 'all payloads', pair.client.closed);
    for (let i = 0; i < total; i++) {
      assert.deepEqual(pair.toServer[i], testPayload(i, 3000));
      assert.deepEqual(pair.toClient[i], testPayload(i, 3000));
    }
    assert.ok(pair.client.keyExchanges >= 2, `client saw ${pair.client.keyExchanges} key exchanges`);
    // And once more after the transfer, waiting for it to finish.
    const before = pair.client.keyExchanges;
    pair.server.startRekey('test');
    await waitUntil(() => pair.client.keyExchanges > before, 'a server-initiated rekey', pair.client.closed);
  } finally {
    pair.close();
  }
});

/** The server's USERAUTH_SUCCESS, after which RekeyLimit applies (ssh never re-keys before it). */
async function authenticate(pair: ReturnType<typeof makePair>): Promise<void> {
  await pair.client.ready;
  const before = pair.toClient.length;
  pair.server.send(Buffer.from([52]));
  await waitUntil(() => pair.toClient.length > before, 'USERAUTH_SUCCESS', pair.client.closed);
  pair.toClient.length = 0;
}

test('pair: RekeyLimit in bytes triggers key re-exchanges during data', async () => {
  const pair = makePair({ client: { kex: ['curve25519-sha256'] }, rekeyBytes: 64 * 1024 });
  try {
    await authenticate(pair);
    for (let round = 0; round < 20; round++) {
      pair.toClient.length = 0;
      pair.toServer.length = 0;
      await exchange(pair, 10, 8000, round);
    }
    assert.ok(pair.client.keyExchanges >= 5, `only ${pair.client.keyExchanges} key exchanges for ~800 KB at a 64 KB limit`);
  } finally {
    pair.close();
  }
});

test('pair: RekeyLimit waits for user authentication, as ssh does (sshd refuses KEXINIT before it)', async () => {
  const pair = makePair({ client: { kex: ['curve25519-sha256'] }, rekeyBytes: 1024 });
  try {
    await pair.client.ready;
    await exchange(pair, 20, 2000, 3);
    assert.equal(pair.client.keyExchanges, 1, 'no re-exchange before USERAUTH_SUCCESS');
    assert.equal(pair.server.keyExchanges, 1);
    await authenticate(pair);
    pair.toServer.length = 0;
    await exchange(pair, 20, 2000, 4);
    assert.ok(pair.client.keyExchanges > 1, 'the limit applies once authenticated');
  } finally {
    pair.close();
  }
});

test('pair: a RekeyLimit smaller than a packet still moves one packet per exchange, in order', async () => {
  const pair = makePair({ client: { kex: ['curve25519-sha256'] }, rekeyBytes: 16 });
  try {
    await authenticate(pair);
    const before = pair.client.keyExchanges;
    await exchange(pair, 12, 3000, 9);
    // Each exchange lets at least one packet through (ssh_packet_need_rekeying's "one packet in or out").
    assert.ok(pair.client.keyExchanges - before >= 6, `only ${pair.client.keyExchanges - before} exchanges for 24 packets at a 16-byte limit`);
  } finally {
    pair.close();
  }
});

/** 40 KB that zlib squeezes to a few hundred bytes, in the local-extension range like testPayload. */
const COMPRESSIBLE = Buffer.concat([Buffer.from([200]), Buffer.alloc(40_000, 0x61)]);

/**
 * Whether each direction compresses now, read off the wire: what one COMPRESSIBLE payload costs the
 * sender in bytes written (about 40 KB plain, well under 2 KB compressed).
 */
async function compressing(pair: ReturnType<typeof makePair>): Promise<{ clientToServer: boolean; serverToClient: boolean }> {
  const cost = async (from: 'client' | 'server'): Promise<number> => {
    const sender = pair[from];
    const inbox = from === 'client' ? pair.toServer : pair.toClient;
    const expected = inbox.length + 1;
    const before = sender.bytesWritten;
    sender.send(COMPRESSIBLE);
    await waitUntil(() => inbox.length === expected, `${from}'s payload`, pair.client.closed);
    assert.deepEqual(inbox.at(-1), COMPRESSIBLE);
    return sender.bytesWritten - before;
  };
  const [c, s] = [await cost('client'), await cost('server')];
  for (const n of [c, s]) assert.ok(n < 2000 || n > 40_000, `a payload cost ${n} bytes: neither plain nor compressed`);
  pair.toClient.length = 0;
  pair.toServer.length = 0;
  return { clientToServer: c < 2000, serverToClient: s < 2000 };
}

test('pair: zlib compresses from NEWKEYS on, both ways, and carries data intact', async () => {
  const pair = makePair({ client: { compression: ['zlib'] }, server: { compression: ['zlib', 'none'] } });
  try {
    await pair.client.ready;
    assert.equal(pair.client.negotiated?.clientToServer.compression, 'zlib');
    assert.deepEqual(await compressing(pair), { clientToServer: true, serverToClient: true });
    await exchange(pair, 50, 20_000, 5);
  } finally {
    pair.close();
  }
});

test('pair: zlib@openssh.com starts with the first packet after USERAUTH_SUCCESS, both ways, and goes on after a rekey', async () => {
  const pair = makePair({ client: { compression: ['zlib@openssh.com'] }, server: { compression: ['zlib@openssh.com', 'none'] } });
  try {
    await pair.client.ready;
    assert.equal(pair.client.negotiated?.clientToServer.compression, 'zlib@openssh.com');
    assert.deepEqual(await compressing(pair), { clientToServer: false, serverToClient: false }, 'compressed before authentication');
    await exchange(pair, 5, 2000, 8);
    pair.server.send(Buffer.from([52])); // USERAUTH_SUCCESS: the server compresses what follows it, the client what it sends next
    await waitUntil(() => pair.toClient.at(-1)?.[0] === 52, 'USERAUTH_SUCCESS', pair.client.closed);
    assert.deepEqual(await compressing(pair), { clientToServer: true, serverToClient: true }, 'not compressed after USERAUTH_SUCCESS');
    await exchange(pair, 50, 20_000, 9);
    pair.client.startRekey('test');
    pair.toClient.length = 0;
    pair.toServer.length = 0;
    await exchange(pair, 50, 20_000, 10);
    assert.ok(pair.client.keyExchanges >= 2, 'the rekey ran');
    assert.deepEqual(await compressing(pair), { clientToServer: true, serverToClient: true }, 'not compressed after the rekey');
  } finally {
    pair.close();
  }
});

test('pair: a flipped bit after the handshake is a MAC failure, in OpenSSH\'s words, for every cipher', async () => {
  for (const [cipher, mac] of combos) {
    let flipAt = -1;
    const pair = makePair({
      client: { ciphers: [cipher], macs: mac ? [mac] : [...MAC_NAMES], kex: ['curve25519-sha256'] },
      server: serverFor(cipher, mac),
      pair: {
        tamperToClient: (chunk, offset) => {
          if (flipAt >= 0 && offset <= flipAt && flipAt < offset + chunk.length) chunk[flipAt - offset] ^= 0x10;
          return chunk;
        },
      },
    });
    try {
      await pair.client.ready;
      await exchange(pair, 3, 100, 2);
      // Flip a bit in the middle of the next big packet's body: past the length field, so every cipher
      // must catch it with its MAC or tag.
      flipAt = serverBytesSoFar(pair) + 5000;
      pair.server.send(testPayload(999, 20_000));
      // CBC with the MAC over the plaintext reads on to 256 KiB before failing (see packet-discard.test.ts).
      const discards = cipher.endsWith('-cbc') && !mac!.endsWith('-etm@openssh.com');
      if (discards) for (let i = 0; i < 13; i++) pair.server.send(testPayload(1000 + i, 20_000));
      const err = await pair.client.closed;
      assert.equal(err?.code, 'MAC', `${cipher} ${mac}: ${err?.message}`);
      // OpenSSH's words: MAC openers log "Corrupted MAC on input." first; AEAD ciphers only fail the dispatch.
      const fatal = 'ssh_dispatch_run_fatal: Connection to pair port 22: message authentication code incorrect';
      const logged = [...(mac ? ['Corrupted MAC on input.'] : []), ...(discards ? ['Finished discarding for pair port 22'] : [])];
      assert.equal(err?.message, [...logged, fatal].join('\n'));
    } finally {
      pair.close();
    }
  }
});

function serverBytesSoFar(pair: ReturnType<typeof makePair>): number {
  return pair.server.bytesWritten;
}

test('pair: no algorithm in common is "Unable to negotiate" style error naming the offer', async () => {
  const pair = makePair({ client: { ciphers: ['aes128-ctr'] }, server: { ciphers: ['aes256-gcm@openssh.com'] } });
  const err = await pair.client.closed;
  assert.equal(err?.code, 'NEGOTIATION');
  assert.match(err!.message, /no matching cipher found\. Their offer: aes256-gcm@openssh\.com/);
  pair.close();
});

test('pair: a chunk that brings no answer while one is awaited is acknowledged at once with an IGNORE', async () => {
  const pair = makePair({ client: { kex: ['curve25519-sha256'] } });
  try {
    await Promise.all([pair.client.ready, pair.server.ready]);
    let awaiting = false;
    pair.client.setHandler((p) => void pair.toClient.push(Buffer.from(p)), () => awaiting);

    const idle = pair.client.bytesWritten;
    pair.server.send(testPayload(1, 100));
    await waitUntil(() => pair.toClient.length === 1, 'the first payload', pair.client.closed);
    assert.equal(pair.client.bytesWritten, idle, 'nothing awaited: nothing sent back');

    awaiting = true;
    pair.server.send(testPayload(2, 100));
    await waitUntil(() => pair.toClient.length === 2, 'the second payload', pair.client.closed);
    assert.ok(pair.client.bytesWritten > idle, 'a reply is awaited: one IGNORE carries the acknowledgement');
    assert.deepEqual(pair.toServer, [], 'IGNORE stays inside the transport');
  } finally {
    pair.close();
  }
});
