/**
 * The key-exchange round's checks and the peer-value checks, each by its exact outcome: the signals
 * that go only into the first KEXINIT, strict KEX's "KEXINIT first" rule, a second KEXINIT, messages
 * out of order, first_kex_packet_follows, NEWKEYS bookkeeping, the keys of each direction (and the
 * session id they are derived with), the policy call, and the DH / X25519 / ECDH value checks' words.
 * (The signature over H and the same-host-key-on-rekey checks have hostile tests of their own.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getDiffieHellman } from 'node:crypto';
import { TsshError } from '../../src/errors.js';
import { KexRound, type AlgorithmPreferences, type KexRoundContext } from '../../src/transport/key-exchange.js';
import { deriveDirectionKeys } from '../../src/transport/key-derivation.js';
import { parseKexInit } from '../../src/transport/kexinit.js';
import { createKexClient, createKexServer, gexPreferredBits, type KexHashPrefix } from '../../src/crypto/kex/index.js';
import { createSealer, cipherInfo, macInfo } from '../../src/crypto/protection.js';
import { generateHostKeySigner } from '../../src/crypto/keys/index.js';
import type { PublicKey } from '../../src/crypto/keys/types.js';
import { SshReader } from '../../src/wire/reader.js';
import { SshWriter } from '../../src/wire/writer.js';

const hostKey = generateHostKeySigner('ssh-ed25519');
const PREFS: AlgorithmPreferences = {
  kex: ['curve25519-sha256'],
  hostKey: ['ssh-ed25519'],
  ciphers: ['aes128-ctr'],
  macs: ['hmac-sha2-256'],
  compression: ['none'],
};

function fails(fn: () => unknown, code: string, message: string): void {
  assert.throws(fn, (err: unknown) => err instanceof TsshError && err.code === code && err.message === message, message);
}
async function rejects(promise: Promise<unknown>, code: string, message: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof TsshError, String(err));
    assert.equal(err.message, message);
    assert.equal(err.code, code);
    return true;
  });
}

interface Rounds {
  client: KexRound;
  server: KexRound;
  toServer: Buffer[];
  toClient: Buffer[];
  asked: Array<{ key: PublicKey; algorithm: string }>;
  /** Delivers queued messages both ways (with each sender's sequence numbers) until nothing moves. */
  pump(): Promise<void>;
}

function rounds(options: { client?: Partial<AlgorithmPreferences>; server?: Partial<AlgorithmPreferences>; isInitial?: boolean; sessionId?: Buffer; firstSeq?: number } = {}): Rounds {
  const toServer: Buffer[] = [];
  const toClient: Buffer[] = [];
  const asked: Rounds['asked'] = [];
  const common = { isInitial: options.isInitial ?? true, sessionId: options.sessionId };
  const client = new KexRound({
    ...common,
    role: 'client',
    localVersion: 'SSH-2.0-client',
    peerVersion: 'SSH-2.0-server',
    preferences: { ...PREFS, ...options.client },
    send: (p) => void toServer.push(p),
    verifyHostKey: async (key, algorithm) => void asked.push({ key, algorithm }),
    ...(options.isInitial === false ? { initialHostKey: hostKey.publicBlob } : {}),
  } satisfies KexRoundContext);
  const server = new KexRound({
    ...common,
    role: 'server',
    localVersion: 'SSH-2.0-server',
    peerVersion: 'SSH-2.0-client',
    preferences: { ...PREFS, ...options.server },
    hostKeys: new Map([['ssh-ed25519', hostKey]]),
    send: (p) => void toClient.push(p),
  });
  let clientSeq = options.firstSeq ?? 0;
  let serverSeq = options.firstSeq ?? 0;
  return {
    client,
    server,
    toServer,
    toClient,
    asked,
    async pump() {
      while (toServer.length > 0 || toClient.length > 0) {
        if (toServer.length > 0) await server.handle(toServer.shift()!, clientSeq++);
        if (toClient.length > 0) await client.handle(toClient.shift()!, serverSeq++);
      }
    },
  };
}

test('a complete round: each side\'s outgoing keys are the other\'s incoming keys, and the policy is asked once, after', async () => {
  const r = rounds();
  r.client.sendKexInit();
  r.server.sendKexInit();
  assert.equal(r.client.started, true);
  await r.pump();
  const [c, s] = [r.client.result!, r.server.result!];
  assert.ok(c && s);
  assert.deepEqual(c.result.exchangeHash, s.result.exchangeHash);
  assert.deepEqual(r.asked.map((a) => [a.key.type, a.algorithm]), [['ssh-ed25519', 'ssh-ed25519']]);
  assert.deepEqual(c.hostKey.blob, hostKey.publicBlob);
  // Packets sealed with one side's outgoing keys open with the other's incoming keys, both ways.
  const packet = Buffer.alloc(32, 7);
  packet.writeUInt32BE(28, 0);
  packet[4] = 10;
  assert.deepEqual(s.incoming.opener.open(3, c.outgoing.sealer.seal(3, packet)), packet.subarray(4));
  assert.deepEqual(c.incoming.opener.open(3, s.outgoing.sealer.seal(3, packet)), packet.subarray(4));
  assert.deepEqual(c.outgoing.algorithms, c.negotiated.clientToServer);
  assert.deepEqual(c.incoming.algorithms, c.negotiated.serverToClient);
  assert.deepEqual(s.outgoing.algorithms, s.negotiated.serverToClient);
  // NEWKEYS bookkeeping: ready to send once, done only when both NEWKEYS have gone each way.
  assert.equal(r.client.readyToSendNewKeys, true);
  assert.equal(r.client.sentNewKeys, false);
  r.client.markNewKeysSent();
  assert.equal(r.client.readyToSendNewKeys, false);
  assert.equal(r.client.sentNewKeys, true);
  assert.equal(r.client.done, false);
  assert.equal(r.client.receiveNewKeys(), c);
  assert.equal(r.client.done, true);
  fails(() => r.client.receiveNewKeys(), 'PROTOCOL', 'unexpected NEWKEYS');
});

test('NEWKEYS before the exchange finished is "unexpected NEWKEYS"', async () => {
  const r = rounds();
  r.client.sendKexInit();
  assert.equal(r.client.readyToSendNewKeys, false);
  fails(() => r.client.receiveNewKeys(), 'PROTOCOL', 'unexpected NEWKEYS');
});

test('keys are derived with the session id of the first exchange on a rekey (RFC 4253 §7.2)', async () => {
  const sessionId = Buffer.alloc(32, 0x5a);
  const r = rounds({ isInitial: false, sessionId });
  r.client.sendKexInit();
  await r.pump();
  const c = r.client.result!;
  assert.deepEqual(r.asked, [], 'a rekey presenting the first key does not ask the policy again');
  const lengths = (d: { cipher: string; mac?: string | undefined }) => ({ ivLength: cipherInfo(d.cipher)!.ivLength, keyLength: cipherInfo(d.cipher)!.keyLength, macKeyLength: d.mac ? macInfo(d.mac)!.keyLength : 0 });
  const expected = deriveDirectionKeys(c.result.hash, c.result.sharedSecret, c.result.exchangeHash, sessionId, lengths(c.negotiated.clientToServer), lengths(c.negotiated.serverToClient));
  const packet = Buffer.alloc(32, 1);
  packet.writeUInt32BE(28, 0);
  packet[4] = 10;
  const reference = createSealer('aes128-ctr', 'hmac-sha2-256', expected.clientToServer).seal(0, packet);
  assert.deepEqual(c.outgoing.sealer.seal(0, packet), reference);
});

test('ext-info-c and the strict-KEX markers go into the first KEXINIT only; a server offers only host keys it has', async () => {
  const first = rounds({ server: { hostKey: ['ecdsa-sha2-nistp256', 'ssh-ed25519'] } });
  first.client.sendKexInit();
  first.server.sendKexInit();
  const clientOffer = parseKexInit(first.toServer[0]!).proposal;
  const serverOffer = parseKexInit(first.toClient[0]!).proposal;
  assert.deepEqual(clientOffer.kex, ['curve25519-sha256', 'ext-info-c', 'kex-strict-c-v00@openssh.com']);
  assert.deepEqual(serverOffer.kex, ['curve25519-sha256', 'kex-strict-s-v00@openssh.com']);
  assert.deepEqual(serverOffer.hostKey, ['ssh-ed25519']);
  assert.deepEqual(clientOffer.cipherStoC, ['aes128-ctr']);
  assert.deepEqual(clientOffer.macStoC, ['hmac-sha2-256']);
  assert.deepEqual(clientOffer.compressionStoC, ['none']);
  assert.deepEqual([clientOffer.languageCtoS, clientOffer.languageStoC], [[], []]);
  const rekey = rounds({ isInitial: false, sessionId: Buffer.alloc(32) });
  rekey.client.sendKexInit();
  rekey.client.sendKexInit(); // once only
  rekey.server.sendKexInit();
  assert.equal(rekey.toServer.length, 1);
  assert.deepEqual(parseKexInit(rekey.toServer[0]!).proposal.kex, ['curve25519-sha256']);
  assert.deepEqual(parseKexInit(rekey.toClient[0]!).proposal.kex, ['curve25519-sha256']);
});

test('strict KEX: the first KEXINIT must be the first packet; without strict KEX, or on a rekey, it need not be', async () => {
  const strict = rounds({ firstSeq: 1 });
  strict.server.sendKexInit();
  await rejects(strict.client.handle(strict.toClient.shift()!, 1), 'PROTOCOL', 'strict KEX violation: KEXINIT was not the first packet');
  const relaxed = rounds({ firstSeq: 1, server: { kex: ['curve25519-sha256'] } });
  // A server without kex-strict-s: build its KEXINIT as a rekey would (no markers), delivered at seq 1.
  const plain = rounds({ isInitial: false, sessionId: Buffer.alloc(32) });
  plain.server.sendKexInit();
  await relaxed.client.handle(plain.toClient.shift()!, 1);
  assert.equal(relaxed.client.strictKex, false);
  const rekey = rounds({ isInitial: false, sessionId: Buffer.alloc(32), firstSeq: 9 });
  rekey.client.sendKexInit();
  await rekey.pump();
  assert.ok(rekey.client.result);
  const negotiatedStrict = rounds();
  negotiatedStrict.client.sendKexInit();
  negotiatedStrict.server.sendKexInit();
  await negotiatedStrict.pump();
  assert.equal(negotiatedStrict.client.strictKex, true);
});

test('a second KEXINIT, or a method message before KEXINIT or after the result, is a protocol error', async () => {
  const r = rounds();
  r.server.sendKexInit();
  const kexinit = r.toClient.shift()!;
  await r.client.handle(kexinit, 0);
  await rejects(r.client.handle(kexinit, 1), 'PROTOCOL', 'received a second KEXINIT during key exchange');
  const early = rounds();
  await rejects(early.client.handle(Buffer.from([31, 0, 0, 0, 0]), 0), 'PROTOCOL', 'unexpected key exchange message 31');
  const late = rounds();
  late.client.sendKexInit();
  late.server.sendKexInit();
  await late.pump();
  await rejects(late.client.handle(Buffer.from([31, 0, 0, 0, 0]), 7), 'PROTOCOL', 'unexpected key exchange message 31');
});

/** The server's KEXINIT with first_kex_packet_follows set. */
function withGuess(kexinit: Buffer): Buffer {
  const copy = Buffer.from(kexinit);
  copy[copy.length - 5] = 1;
  return copy;
}

test('first_kex_packet_follows: a wrong guess\'s packet is ignored, a right guess\'s is not', async () => {
  // Wrong guess: the server's first kex method is not the client's.
  const wrong = rounds({ server: { kex: ['ecdh-sha2-nistp256', 'curve25519-sha256'] }, client: { kex: ['curve25519-sha256', 'ecdh-sha2-nistp256'] } });
  wrong.server.sendKexInit();
  await wrong.client.handle(withGuess(wrong.toClient.shift()!), 0);
  await wrong.client.handle(Buffer.from([31, 0, 0, 0, 0]), 1); // the guessed packet: dropped unread
  await assert.rejects(wrong.client.handle(Buffer.from([31, 0, 0, 0, 0]), 2), TsshError, 'only the one guessed packet is dropped');
  // Right guess: the next packet is the real reply and is parsed (here: a malformed one).
  const right = rounds();
  right.server.sendKexInit();
  await right.client.handle(withGuess(right.toClient.shift()!), 0);
  await assert.rejects(right.client.handle(Buffer.from([31, 0, 0, 0, 0]), 1), TsshError);
});

test('group exchange asks for the group size the negotiated cipher and MAC need (OpenSSH kex_choose_conf)', async () => {
  for (const [cipher, mac, bytes] of [['aes256-ctr', 'hmac-sha2-512', 64], ['aes128-ctr', 'hmac-sha1', 20], ['aes192-ctr', 'hmac-sha1', 24]] as const) {
    const r = rounds({ client: { kex: ['diffie-hellman-group-exchange-sha256'], ciphers: [cipher], macs: [mac] }, server: { kex: ['diffie-hellman-group-exchange-sha256'], ciphers: [cipher], macs: [mac] } });
    r.server.sendKexInit();
    await r.client.handle(r.toClient.shift()!, 0);
    const request = r.toServer.find((p) => p[0] === 34)!;
    const reader = new SshReader(request);
    reader.byte();
    const [min, n, max] = [reader.uint32(), reader.uint32(), reader.uint32()];
    assert.deepEqual([min, n, max], [2048, gexPreferredBits(bytes), 8192], `${cipher} + ${mac}`);
  }
});

// ---- peer values ----

const prefix: KexHashPrefix = { clientVersion: 'SSH-2.0-c', serverVersion: 'SSH-2.0-s', clientKexinit: Buffer.from([20]), serverKexinit: Buffer.from([20]) };

/** The client's view of a server reply whose public value was replaced by `value`. */
function replyWith(name: string, value: Buffer): () => unknown {
  const client = createKexClient(name, prefix);
  const [init] = client.start().send;
  const [reply] = createKexServer(name, prefix, hostKey, 'ssh-ed25519').handle(init!).send;
  const r = new SshReader(reply!);
  r.byte();
  const blob = r.string();
  r.string();
  const signature = r.string();
  const forged = new SshWriter().byte(31).string(blob).string(value).string(signature).finish();
  return () => client.handle(forged);
}

const mpint = (v: bigint): Buffer => new SshWriter().mpint(v).finish().subarray(4);

test('DH values: out of range, too few bits set, or negative, each in its own words', () => {
  const p = BigInt('0x' + getDiffieHellman('modp14').getPrime('hex'));
  const name = 'diffie-hellman-group14-sha256';
  for (const v of [0n, 1n, p - 1n, p, p + 5n]) fails(replyWith(name, mpint(v)), 'KEX', 'invalid peer public DH value: out of range');
  fails(replyWith(name, mpint(1n << 100n)), 'KEX', 'invalid peer public DH value (1/2048)');
  fails(replyWith(name, mpint((1n << 100n) | (1n << 50n) | 2n)), 'KEX', 'invalid peer public DH value (3/2048)');
  // Four bits set is enough (OpenSSH dh_pub_is_valid); the exchange then completes (its signature fails later).
  const four = replyWith(name, mpint((1n << 100n) | (1n << 50n) | 2n | (1n << 70n)));
  assert.ok((four() as { result?: unknown }).result);
  assert.ok((replyWith(name, mpint(p - 2n))() as { result?: unknown }).result, 'p-2 is in range');
  // Leading zero bytes are not value bits: a small value padded out is still out of range.
  fails(replyWith(name, Buffer.from([0, 0, 1])), 'KEX', 'invalid peer public DH value: out of range');
  fails(replyWith(name, mpint(2n)), 'KEX', 'invalid peer public DH value (1/2048)');
  fails(replyWith(name, Buffer.from([0x80, 1])), 'PROTOCOL', 'negative DH value');
});

test('X25519 and ECDH public values: wrong length, low order, off the curve, compressed', () => {
  fails(replyWith('curve25519-sha256', Buffer.alloc(31, 9)), 'KEX', 'invalid X25519 public key length 31');
  fails(replyWith('curve25519-sha256', Buffer.alloc(32)), 'KEX', 'invalid X25519 public key (shared secret is zero)');
  const n = 32;
  const offCurve = Buffer.concat([Buffer.from([4]), Buffer.alloc(2 * n, 1)]);
  fails(replyWith('ecdh-sha2-nistp256', offCurve), 'KEX', 'ecdh-sha2-nistp256: invalid public point');
  fails(replyWith('ecdh-sha2-nistp256', Buffer.concat([Buffer.from([2]), Buffer.alloc(n, 1)])), 'KEX', 'ecdh-sha2-nistp256: invalid public point');
  fails(replyWith('ecdh-sha2-nistp384', Buffer.concat([Buffer.from([5]), Buffer.alloc(96, 1)])), 'KEX', 'ecdh-sha2-nistp384: invalid public point');
});

/** A group-exchange client that has sent its request, and the GROUP message it is then given. */
function gexGroup(p: Buffer, g: Buffer): () => unknown {
  const client = createKexClient('diffie-hellman-group-exchange-sha256', prefix);
  client.start();
  return () => client.handle(new SshWriter().byte(31).string(p).string(g).finish());
}

test('group exchange: the offered group must be positive, odd, in the asked size range, with 1 < g < p-1', () => {
  const p = BigInt('0x' + getDiffieHellman('modp15').getPrime('hex'));
  fails(gexGroup(Buffer.concat([Buffer.from([0x80]), mpint(p)]), mpint(2n)), 'PROTOCOL', 'negative DH group value');
  fails(gexGroup(mpint(p), Buffer.from([0x82])), 'PROTOCOL', 'negative DH group value');
  fails(gexGroup(mpint(p - 1n), mpint(2n)), 'KEX', 'DH_GEX group is invalid');
  for (const g of [0n, 1n, p - 1n, p]) fails(gexGroup(mpint(p), mpint(g)), 'KEX', 'DH_GEX group is invalid');
  const small = BigInt('0x' + getDiffieHellman('modp2').getPrime('hex'));
  fails(gexGroup(mpint(small), mpint(2n)), 'KEX', 'DH_GEX group out of range: 1024 !< 2048 !< 8192');
  for (const g of [2n, p - 2n]) {
    const step = gexGroup(mpint(p), mpint(g))() as { send: Buffer[] };
    assert.equal(step.send[0]![0], 32, `g = ${g === 2n ? '2' : 'p-2'}: the INIT follows`);
  }
});

test('each exchange expects only its next message, and nothing once it has its result', () => {
  const client = createKexClient('curve25519-sha256', prefix);
  assert.equal(client.expects(31), false, 'before start');
  const [init] = client.start().send;
  assert.equal(client.expects(31), true);
  assert.equal(client.expects(30), false);
  const [reply] = createKexServer('curve25519-sha256', prefix, hostKey, 'ssh-ed25519').handle(init!).send;
  client.handle(reply!);
  assert.equal(client.expects(31), false, 'after the reply');
  const gex = createKexClient('diffie-hellman-group-exchange-sha256', prefix);
  assert.equal(gex.expects(31), false, 'before start');
  gex.start();
  assert.deepEqual([31, 32, 33].map((t) => gex.expects(t)), [true, false, false]);
  const p = BigInt('0x' + getDiffieHellman('modp14').getPrime('hex'));
  gex.handle(new SshWriter().byte(31).string(mpint(p)).string(mpint(2n)).finish());
  assert.deepEqual([31, 32, 33].map((t) => gex.expects(t)), [false, false, true]);
  fails(() => gex.handle(new SshWriter().byte(31).string(mpint(p)).string(mpint(2n)).finish()), 'PROTOCOL', 'diffie-hellman-group-exchange-sha256: unexpected SSH_MSG_KEX_31 (type 31) during key exchange');
  fails(() => gex.start(), 'PROTOCOL', 'diffie-hellman-group-exchange-sha256: key exchange already started');
});
