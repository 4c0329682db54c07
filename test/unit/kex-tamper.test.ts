import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getDiffieHellman, randomBytes } from 'node:crypto';
import { TsshError } from '../../src/errors.js';
import { SUPPORTED_KEX_NAMES } from '../../src/crypto/names.js';
import { createKexClient, createKexServer, type KexClient, type KexHashPrefix } from '../../src/crypto/kex/index.js';
import { generateHostKeySigner } from '../../src/crypto/keys/index.js';
import { SshReader } from '../../src/wire/reader.js';
import { SshWriter } from '../../src/wire/writer.js';
import { MSG } from '../../src/wire/messages.js';
import { KexRound } from '../../src/transport/key-exchange.js';

// Every malformed or hostile key-exchange message must end in a TsshError (KEX or PROTOCOL), never
// in a raw exception and never in a result.

const prefix: KexHashPrefix = {
  clientVersion: 'SSH-2.0-client',
  serverVersion: 'SSH-2.0-server',
  clientKexinit: Buffer.from([20, 1, 2, 3]),
  serverKexinit: Buffer.from([20, 4, 5, 6]),
};
const hostKey = generateHostKeySigner('ssh-ed25519');
const newServer = (name: string) => createKexServer(name, prefix, hostKey, 'ssh-ed25519');

function rejects(fn: () => unknown, code: 'KEX' | 'PROTOCOL', what: string): void {
  assert.throws(fn, (e: unknown) => e instanceof TsshError && e.code === code, what);
}

const SINGLE = SUPPORTED_KEX_NAMES.filter((n) => !n.startsWith('diffie-hellman-group-exchange-'));
/** The KEM halves' sizes in the hybrid methods (the X25519 half is 32 bytes). */
const HYBRID: Record<string, { publicBytes: number; ciphertextBytes: number } | undefined> = {
  'mlkem768x25519-sha256': { publicBytes: 1184, ciphertextBytes: 1088 },
  'sntrup761x25519-sha512': { publicBytes: 1158, ciphertextBytes: 1039 },
  'sntrup761x25519-sha512@openssh.com': { publicBytes: 1158, ciphertextBytes: 1039 },
};
const P14 = BigInt('0x' + getDiffieHellman('modp14').getPrime('hex'));
const mpintContent = (v: bigint): Buffer => {
  const w = new SshWriter().mpint(v).finish();
  return w.subarray(4);
};

/** Public values a hostile peer could send in place of a valid one, by method family. */
function badValues(name: string): [string, Buffer][] {
  if (name.startsWith('curve25519')) {
    const one = Buffer.alloc(32);
    one[0] = 1;
    return [['31 bytes', randomBytes(31)], ['33 bytes', randomBytes(33)], ['zero point', Buffer.alloc(32)], ['order-4 point u=1', one], ['empty', Buffer.alloc(0)]];
  }
  if (name.startsWith('ecdh')) {
    const n = { 'ecdh-sha2-nistp256': 32, 'ecdh-sha2-nistp384': 48, 'ecdh-sha2-nistp521': 66 }[name]!;
    const offCurve = Buffer.concat([Buffer.from([4]), Buffer.alloc(2 * n, 1)]);
    const compressed = Buffer.concat([Buffer.from([2]), randomBytes(n)]);
    const huge = Buffer.concat([Buffer.from([4]), Buffer.alloc(2 * n, 0xff)]);
    return [['off-curve point', offCurve], ['compressed point', compressed], ['coordinates >= p', huge], ['infinity', Buffer.from([0])], ['short', offCurve.subarray(1)]];
  }
  if (HYBRID[name]) return [];
  const modp = name.includes('group14') ? 'modp14' : name.includes('group16') ? 'modp16' : name.includes('group18') ? 'modp18' : 'modp2';
  const p = BigInt('0x' + getDiffieHellman(modp).getPrime('hex'));
  return [
    ['f = 0', mpintContent(0n)],
    ['f = 1', mpintContent(1n)],
    ['f = 2 (one bit set)', mpintContent(2n)],
    ['f = 2^100', mpintContent(1n << 100n)],
    ['f = p - 1', mpintContent(p - 1n)],
    ['f = p', mpintContent(p)],
    ['f = p + 12345', mpintContent(p + 12345n)],
  ];
}

function validReply(name: string): { client: KexClient; reply: Buffer; init: Buffer } {
  const client = createKexClient(name, prefix);
  const [init] = client.start().send;
  const [reply] = newServer(name).handle(init!).send;
  return { client, reply: reply!, init: init! };
}

function splitReply(reply: Buffer): { hostKeyBlob: Buffer; value: Buffer; sig: Buffer } {
  const r = new SshReader(reply);
  r.byte();
  return { hostKeyBlob: r.string(), value: r.string(), sig: r.string() };
}

const message = (type: number, ...fields: Buffer[]): Buffer => {
  const w = new SshWriter().byte(type);
  for (const f of fields) w.string(f);
  return w.finish();
};

for (const name of SINGLE) {
  test(`${name}: client rejects malformed and hostile replies`, () => {
    for (const [what, value] of badValues(name)) {
      const { client, reply } = validReply(name);
      const { hostKeyBlob, sig } = splitReply(reply);
      rejects(() => client.handle(message(31, hostKeyBlob, value, sig)), 'KEX', what);
    }
    const hybrid = HYBRID[name];
    if (hybrid) {
      const size = hybrid.ciphertextBytes + 32;
      for (const [what, length] of [['short', size - 1], ['long', size + 1]] as const) {
        const { client, reply } = validReply(name);
        const { hostKeyBlob, value, sig } = splitReply(reply);
        const resized = Buffer.concat([value, Buffer.alloc(2)]).subarray(0, length);
        rejects(() => client.handle(message(31, hostKeyBlob, resized, sig)), 'KEX', what);
      }
      const { client, reply } = validReply(name);
      const { hostKeyBlob, value, sig } = splitReply(reply);
      const zeroX25519 = Buffer.concat([value.subarray(0, hybrid.ciphertextBytes), Buffer.alloc(32)]);
      rejects(() => client.handle(message(31, hostKeyBlob, zeroX25519, sig)), 'KEX', 'zero X25519 part');
    }
    const structural: [string, (reply: Buffer) => Buffer][] = [
      ['trailing byte', (r) => Buffer.concat([r, Buffer.from([0])])],
      ['truncated', (r) => r.subarray(0, r.length - 1)],
      ['wrong type', (r) => Buffer.concat([Buffer.from([32]), r.subarray(1)])],
      ['KEXINIT', (r) => Buffer.concat([Buffer.from([20]), r.subarray(1)])],
      ['empty', () => Buffer.alloc(0)],
      ['type only', () => Buffer.from([31])],
    ];
    for (const [what, mutate] of structural) {
      const { client, reply } = validReply(name);
      rejects(() => client.handle(mutate(reply)), 'PROTOCOL', what);
    }
    // Out of sequence: a reply before start, a second reply after the result.
    const early = createKexClient(name, prefix);
    rejects(() => early.handle(validReply(name).reply), 'PROTOCOL', 'reply before start');
    const { client, reply } = validReply(name);
    assert.ok(client.handle(reply).result);
    rejects(() => client.handle(reply), 'PROTOCOL', 'second reply');
    assert.throws(() => client.start(), TsshError);
  });

  test(`${name}: server rejects malformed and hostile init messages`, () => {
    for (const [what, value] of badValues(name)) {
      rejects(() => newServer(name).handle(message(30, value)), 'KEX', what);
    }
    const hybridInit = HYBRID[name];
    if (hybridInit) {
      const { init } = validReply(name);
      const value = new SshReader(init.subarray(1)).string();
      rejects(() => newServer(name).handle(message(30, value.subarray(1))), 'KEX', 'short C_INIT');
      rejects(() => newServer(name).handle(message(30, Buffer.concat([value.subarray(0, hybridInit.publicBytes), Buffer.alloc(32)]))), 'KEX', 'zero X25519');
    }
    if (name.startsWith('mlkem')) {
      const { init } = validReply(name);
      const value = new SshReader(init.subarray(1)).string();
      // A 12-bit coefficient >= q = 3329 fails the FIPS 203 modulus check.
      const unreduced = Buffer.from(value);
      unreduced[0] = 0xff;
      unreduced[1] = 0x0f;
      rejects(() => newServer(name).handle(message(30, unreduced)), 'KEX', 'unreduced ML-KEM key');
    }
    const { init } = validReply(name);
    rejects(() => newServer(name).handle(Buffer.concat([init, Buffer.from([0])])), 'PROTOCOL', 'trailing byte');
    rejects(() => newServer(name).handle(init.subarray(0, init.length - 1)), 'PROTOCOL', 'truncated');
    rejects(() => newServer(name).handle(Buffer.concat([Buffer.from([31]), init.subarray(1)])), 'PROTOCOL', 'wrong type');
    const server = newServer(name);
    server.handle(init);
    rejects(() => server.handle(init), 'PROTOCOL', 'second init');
  });
}

test('DH values encoded as negative mpints are a protocol error', () => {
  const { client, reply } = validReply('diffie-hellman-group14-sha256');
  const { hostKeyBlob, sig } = splitReply(reply);
  rejects(() => client.handle(message(31, hostKeyBlob, Buffer.from([0x80, 1, 2, 3]), sig)), 'PROTOCOL', 'negative f');
  rejects(() => newServer('diffie-hellman-group14-sha256').handle(message(30, Buffer.from([0xff]))), 'PROTOCOL', 'negative e');
});

test('DH values with redundant leading zeros are accepted and hashed canonically', () => {
  const name = 'diffie-hellman-group14-sha256';
  const client = createKexClient(name, prefix);
  const [init] = client.start().send;
  const { send, result: serverResult } = newServer(name).handle(init!);
  const { hostKeyBlob, value, sig } = splitReply(send[0]!);
  const padded = Buffer.concat([Buffer.alloc(2), value]);
  const clientResult = client.handle(message(31, hostKeyBlob, padded, sig)).result!;
  assert.ok(clientResult.exchangeHash.equals(serverResult!.exchangeHash));
  assert.ok(clientResult.sharedSecret.equals(serverResult!.sharedSecret));
});

const GEX = 'diffie-hellman-group-exchange-sha256';

function gexClientAtGroup(): KexClient {
  const client = createKexClient(GEX, prefix);
  client.start();
  return client;
}

test('group exchange client rejects bad groups and out-of-order messages', () => {
  const group = (p: bigint | Buffer, g: bigint | Buffer): Buffer => {
    const w = new SshWriter().byte(31);
    typeof p === 'bigint' ? w.mpint(p) : w.string(p);
    typeof g === 'bigint' ? w.mpint(g) : w.string(g);
    return w.finish();
  };
  const oddOf = (bits: number): bigint => (1n << BigInt(bits - 1)) | BigInt('0x' + randomBytes(bits / 8).toString('hex')) | 1n;
  const bad: [string, Buffer, 'KEX' | 'PROTOCOL'][] = [
    ['1024-bit p', group(oddOf(1024), 2n), 'KEX'],
    ['2040-bit p', group(oddOf(2040), 2n), 'KEX'],
    ['8200-bit p', group(oddOf(8200), 2n), 'KEX'],
    ['even p', group(P14 + 1n, 2n), 'KEX'],
    ['g = 1', group(P14, 1n), 'KEX'],
    ['g = 0', group(P14, 0n), 'KEX'],
    ['g = p - 1', group(P14, P14 - 1n), 'KEX'],
    ['negative p', group(Buffer.from([0x80, 1]), 2n), 'PROTOCOL'],
    ['trailing byte', Buffer.concat([group(P14, 2n), Buffer.from([0])]), 'PROTOCOL'],
    ['truncated', group(P14, 2n).subarray(0, 100), 'PROTOCOL'],
    ['REPLY instead of GROUP', Buffer.concat([Buffer.from([33]), group(P14, 2n).subarray(1)]), 'PROTOCOL'],
  ];
  for (const [what, msg, code] of bad) rejects(() => gexClientAtGroup().handle(msg), code, what);
  rejects(() => createKexClient(GEX, prefix).handle(group(P14, 2n)), 'PROTOCOL', 'GROUP before start');

  // A good group, then a hostile f in the reply.
  for (const f of [0n, 1n, P14 - 1n, P14]) {
    const client = gexClientAtGroup();
    assert.equal(client.handle(group(P14, 2n)).send[0]![0], 32);
    const reply = new SshWriter().byte(33).string(hostKey.publicBlob).mpint(f).string(Buffer.alloc(8)).finish();
    rejects(() => client.handle(reply), 'KEX', `f = ${f}`);
  }
  const client = gexClientAtGroup();
  client.handle(group(P14, 2n));
  rejects(() => client.handle(group(P14, 2n)), 'PROTOCOL', 'second GROUP');
});

test('group exchange server rejects bad requests and out-of-order messages', () => {
  const request = (min: number, n: number, max: number): Buffer => new SshWriter().byte(34).uint32(min).uint32(n).uint32(max).finish();
  for (const [min, n, max] of [[4096, 3072, 8192], [2048, 8192, 4096], [3000, 2000, 1000], [1024, 1024, 1024], [8200, 9000, 10000]] as const) {
    rejects(() => newServer(GEX).handle(request(min, n, max)), 'KEX', `${min} ${n} ${max}`);
  }
  rejects(() => newServer(GEX).handle(Buffer.concat([request(2048, 3072, 8192), Buffer.from([0])])), 'PROTOCOL', 'trailing');
  rejects(() => newServer(GEX).handle(new SshWriter().byte(32).mpint(5n).finish()), 'PROTOCOL', 'INIT before REQUEST');
  rejects(() => newServer(GEX).handle(new SshWriter().byte(30).uint32(2048).finish()), 'PROTOCOL', 'old-style request');
  for (const e of [0n, 1n, P14 - 1n, P14 + 2n]) {
    const server = newServer(GEX);
    server.handle(request(2048, 2048, 2048));
    rejects(() => server.handle(new SshWriter().byte(32).mpint(e).finish()), 'KEX', `e = ${e}`);
  }
});

/** One key exchange of `name` (client and server KexRound) where `tamper` may rewrite what the server sends. */
async function exchangeThroughTamper(name: string, tamper: (payload: Buffer) => Buffer): Promise<{ accepted: boolean; trusted: boolean; tampered: boolean }> {
  const preferences = { kex: [name], hostKey: ['ssh-ed25519'], ciphers: ['aes128-ctr'], macs: ['hmac-sha2-256'], compression: ['none'] };
  const toServer: Buffer[] = [];
  const toClient: Buffer[] = [];
  let trusted = false;
  const common = { isInitial: true, preferences, sessionId: undefined };
  const server = new KexRound({ ...common, role: 'server', localVersion: 'SSH-2.0-server', peerVersion: 'SSH-2.0-client', hostKeys: new Map([['ssh-ed25519', hostKey]]), send: (p) => toClient.push(p) });
  const client = new KexRound({
    ...common,
    role: 'client',
    localVersion: 'SSH-2.0-client',
    peerVersion: 'SSH-2.0-server',
    send: (p) => toServer.push(p),
    verifyHostKey: async () => void (trusted = true),
  });
  client.sendKexInit();
  server.sendKexInit();
  let tampered = false;
  for (let round = 0; round < 8 && (toServer.length > 0 || toClient.length > 0) && !client.result; round++) {
    for (const m of toServer.splice(0)) await server.handle(m, 0);
    for (const m of toClient.splice(0)) {
      // The KEXINIT passes untouched (negotiation has its own tests); everything after it may be tampered with.
      const sent = m[0] === MSG.KEXINIT ? m : tamper(m);
      tampered ||= !sent.equals(m);
      if (client.accepts(sent[0]!)) await client.handle(sent, 0);
    }
  }
  return { accepted: client.result !== undefined, trusted, tampered };
}

test('seeded mutations of the server\'s replies are never accepted: a result only when nothing changed, else a TsshError', async () => {
  let seed = 42;
  const rand = (n: number): number => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed % n;
  };
  const mutate = (m: Buffer): Buffer => {
    const mutated = Buffer.from(m.subarray(0, m.length - (rand(4) === 0 ? rand(m.length) : 0)));
    for (let j = rand(3); j >= 0 && mutated.length > 1; j--) mutated[1 + rand(mutated.length - 1)] = rand(256);
    return mutated;
  };
  let rejected = 0;
  for (const name of SUPPORTED_KEX_NAMES) {
    const iterations = /group1[68]|exchange/.test(name) ? 3 : 20;
    for (let i = 0; i < iterations; i++) {
      try {
        const outcome = await exchangeThroughTamper(name, mutate);
        // Untampered (the mutation changed nothing), the exchange completes and the key is trusted.
        assert.equal(outcome.accepted, !outcome.tampered, `${name}: a tampered reply was ${outcome.accepted ? 'accepted' : 'silently dropped'}`);
        assert.equal(outcome.trusted, !outcome.tampered, `${name}: the host-key policy saw a key whose signature did not verify`);
      } catch (e) {
        assert.ok(e instanceof TsshError, `${name}: raw ${String(e)}`);
        rejected++;
      }
    }
  }
  assert.ok(rejected > 0, 'no mutation was rejected at all');
});

test('only the signature stands between a tampered exchange hash and acceptance: each byte of it counts', async () => {
  // Flip one byte of the signature of a valid reply (its last byte): the exchange must fail with
  // ssh's "incorrect signature", in every method.
  for (const name of SUPPORTED_KEX_NAMES) {
    const flipLast = (m: Buffer): Buffer => {
      if (m[0] !== 31 && m[0] !== 33) return m;
      const copy = Buffer.from(m);
      copy[copy.length - 1]! ^= 1;
      return copy;
    };
    const lastIsReply = (m: Buffer): Buffer => (name.includes('exchange') && m[0] === 31 ? m : flipLast(m));
    await assert.rejects(exchangeThroughTamper(name, lastIsReply), (e: unknown) => e instanceof TsshError && e.message === 'incorrect signature', name);
  }
});
