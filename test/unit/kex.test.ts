import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPrivateKey, randomBytes } from 'node:crypto';
import { x25519 } from '@noble/curves/ed25519.js';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { TsshError } from '../../src/errors.js';
import { SUPPORTED_KEX_NAMES } from '../../src/crypto/names.js';
import { createKexClient, createKexServer, gexPreferredBits, kexHash, type KexHashPrefix, type KexResult } from '../../src/crypto/kex/index.js';
import { x25519SharedSecret } from '../../src/crypto/kex/x25519.js';
import { generateHostKeySigner, parsePublicKeyBlob, type GeneratedKeyType } from '../../src/crypto/keys/index.js';
import { SshReader } from '../../src/wire/reader.js';

// Encoders written out by hand so the exchange hash is checked independently of SshWriter.
const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const str = (b: Uint8Array | string): Buffer => {
  const bytes = typeof b === 'string' ? Buffer.from(b) : Buffer.from(b);
  return Buffer.concat([u32(bytes.length), bytes]);
};
const toBig = (b: Uint8Array): bigint => (b.length ? BigInt('0x' + Buffer.from(b).toString('hex')) : 0n);
/** mpint content (two's complement, minimal) of a non-negative integer. */
function mpintContent(v: bigint): Buffer {
  if (v === 0n) return Buffer.alloc(0);
  let hex = v.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  const bytes = Buffer.from(hex, 'hex');
  return bytes[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes;
}
const mpint = (v: bigint): Buffer => str(mpintContent(v));
function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  base %= mod;
  for (; exp > 0n; exp >>= 1n, base = (base * base) % mod) if (exp & 1n) result = (result * base) % mod;
  return result;
}

const prefix: KexHashPrefix = {
  clientVersion: 'SSH-2.0-tssh_0.1',
  serverVersion: 'SSH-2.0-OpenSSH_9.2p1 Debian-2',
  clientKexinit: Buffer.concat([Buffer.from([20]), randomBytes(200)]),
  serverKexinit: Buffer.concat([Buffer.from([20]), randomBytes(180)]),
};
const HASH_BYTES = { sha1: 20, sha256: 32, sha384: 48, sha512: 64 };

function manualHash(name: string, hostKey: Buffer, fields: Buffer[], k: Buffer): Buffer {
  const parts = [str(prefix.clientVersion), str(prefix.serverVersion), str(prefix.clientKexinit), str(prefix.serverKexinit), str(hostKey), ...fields, k];
  return createHash(kexHash(name)).update(Buffer.concat(parts)).digest();
}

const HOST_KEY_TYPES: GeneratedKeyType[] = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'ssh-rsa'];
const hostKeys = new Map(HOST_KEY_TYPES.map((t) => [t, generateHostKeySigner(t)]));
const algorithmFor = (t: GeneratedKeyType): string => (t === 'ssh-rsa' ? 'rsa-sha2-512' : t);

/** Runs a client and a server against each other in memory. */
function runPair(name: string, keyType: GeneratedKeyType): { client: KexResult; server: KexResult } {
  const client = createKexClient(name, prefix);
  const server = createKexServer(name, prefix, hostKeys.get(keyType)!, algorithmFor(keyType));
  let toServer = client.start().send;
  let clientResult: KexResult | undefined;
  let serverResult: KexResult | undefined;
  for (let round = 0; round < 4 && !clientResult; round++) {
    const toClient = toServer.flatMap((m) => {
      const step = server.handle(m);
      serverResult ??= step.result;
      return step.send;
    });
    toServer = toClient.flatMap((m) => {
      const step = client.handle(m);
      clientResult ??= step.result;
      return step.send;
    });
  }
  assert.ok(clientResult && serverResult, 'both sides finished');
  return { client: clientResult, server: serverResult };
}

for (const [i, name] of SUPPORTED_KEX_NAMES.entries()) {
  const keyTypes = [HOST_KEY_TYPES[i % HOST_KEY_TYPES.length]!, ...(i === 0 ? HOST_KEY_TYPES.slice(1) : [])];
  for (const keyType of keyTypes) {
    test(`${name} with ${keyType}: client and server agree and the signature verifies`, () => {
      const { client, server } = runPair(name, keyType);
      assert.ok(client.sharedSecret.equals(server.sharedSecret));
      assert.ok(client.exchangeHash.equals(server.exchangeHash));
      assert.equal(client.hash, kexHash(name));
      assert.equal(client.exchangeHash.length, HASH_BYTES[client.hash]);
      assert.ok(client.hostKey.equals(hostKeys.get(keyType)!.publicBlob));
      assert.ok(client.signature.equals(server.signature));
      const hostKey = parsePublicKeyBlob(client.hostKey);
      assert.equal(hostKey.verify(algorithmFor(keyType), client.exchangeHash, client.signature), true);
      // K is an mpint, except for the hybrid methods where it is a string: the SHA-256 or SHA-512 digest.
      const k = new SshReader(client.sharedSecret);
      if (name.startsWith('mlkem')) assert.equal(k.string().length, 32);
      else if (name.startsWith('sntrup')) assert.equal(k.string().length, 64);
      else assert.ok(k.mpint() > 0n);
      k.end();
    });
  }
}

/** An independent peer built on noble / bigint arithmetic, as the other side of a single-round-trip method. */
interface IndependentPeer {
  asServer(clientValue: Buffer): { serverValue: Buffer; k: Buffer };
  asClient(): { clientValue: Buffer; finish(serverValue: Buffer): Buffer };
}

function ecPeer(keygen: () => Uint8Array, pub: (sk: Uint8Array) => Uint8Array, shared: (sk: Uint8Array, p: Buffer) => Uint8Array, kOf: (s: Uint8Array) => Buffer): IndependentPeer {
  return {
    asServer(clientValue) {
      const sk = keygen();
      return { serverValue: Buffer.from(pub(sk)), k: kOf(shared(sk, clientValue)) };
    },
    asClient() {
      const sk = keygen();
      return { clientValue: Buffer.from(pub(sk)), finish: (sv) => kOf(shared(sk, sv)) };
    },
  };
}

const mpintOfBytes = (b: Uint8Array): Buffer => mpint(toBig(b));
const nistPeer = (c: typeof p256): IndependentPeer =>
  ecPeer(() => c.utils.randomSecretKey(), (sk) => c.getPublicKey(sk, false), (sk, p) => c.getSharedSecret(sk, p, true).subarray(1), mpintOfBytes);

/** floor(pi * 2^bits) by Machin's formula, with guard bits. */
function piFixed(bits: number): bigint {
  const guard = 64n;
  const one = 1n << (BigInt(bits) + guard);
  const arctanInverse = (x: bigint): bigint => {
    let sum = 0n;
    let power = one / x;
    for (let k = 1n, sign = 1n; power !== 0n; k += 2n, sign = -sign, power /= x * x) sum += (sign * power) / k;
    return sum;
  };
  return (16n * arctanInverse(5n) - 4n * arctanInverse(239n)) >> guard;
}

/**
 * RFC 3526 primes (and RFC 2409's 1024-bit Oakley group 2) from their definition:
 * p = 2^b - 2^(b-64) - 1 + 2^64 * (floor(2^(b-130) pi) + c).
 */
function rfc3526Prime(bits: 1024 | 2048 | 4096 | 8192): bigint {
  const c = { 1024: 129093n, 2048: 124476n, 4096: 240904n, 8192: 4743158n }[bits];
  const b = BigInt(bits);
  return (1n << b) - (1n << (b - 64n)) - 1n + (1n << 64n) * (piFixed(bits - 130) + c);
}

function dhPeer(bits: 1024 | 2048 | 4096 | 8192): IndependentPeer {
  const p = rfc3526Prime(bits);
  const keygen = (): bigint => toBig(randomBytes(32));
  return {
    asServer(clientValue) {
      const y = keygen();
      return { serverValue: mpintContent(modPow(2n, y, p)), k: mpint(modPow(toBig(clientValue), y, p)) };
    },
    asClient() {
      const x = keygen();
      return { clientValue: mpintContent(modPow(2n, x, p)), finish: (sv) => mpint(modPow(toBig(sv), x, p)) };
    },
  };
}

const mlkemPeer: IndependentPeer = {
  asServer(clientValue) {
    const { cipherText, sharedSecret } = ml_kem768.encapsulate(clientValue.subarray(0, 1184));
    const sk = x25519.utils.randomSecretKey();
    const ecdh = x25519.getSharedSecret(sk, clientValue.subarray(1184));
    const k = str(createHash('sha256').update(sharedSecret).update(ecdh).digest());
    return { serverValue: Buffer.concat([cipherText, x25519.getPublicKey(sk)]), k };
  },
  asClient() {
    const kem = ml_kem768.keygen();
    const sk = x25519.utils.randomSecretKey();
    return {
      clientValue: Buffer.concat([kem.publicKey, x25519.getPublicKey(sk)]),
      finish(sv) {
        const kemShared = ml_kem768.decapsulate(sv.subarray(0, 1088), kem.secretKey);
        return str(createHash('sha256').update(kemShared).update(x25519.getSharedSecret(sk, sv.subarray(1088))).digest());
      },
    };
  },
};

const curve25519Peer = ecPeer(() => x25519.utils.randomSecretKey(), (sk) => x25519.getPublicKey(sk), (sk, p) => x25519.getSharedSecret(sk, p), mpintOfBytes);
const INDEPENDENT: Record<string, IndependentPeer | undefined> = {
  'mlkem768x25519-sha256': mlkemPeer,
  'curve25519-sha256': curve25519Peer,
  'curve25519-sha256@libssh.org': curve25519Peer,
  'ecdh-sha2-nistp256': nistPeer(p256),
  'ecdh-sha2-nistp384': nistPeer(p384),
  'ecdh-sha2-nistp521': nistPeer(p521),
  'diffie-hellman-group14-sha256': dhPeer(2048),
  'diffie-hellman-group16-sha512': dhPeer(4096),
  'diffie-hellman-group18-sha512': dhPeer(8192),
  'diffie-hellman-group14-sha1': dhPeer(2048),
  'diffie-hellman-group1-sha1': dhPeer(1024),
};

for (const [name, peer] of Object.entries(INDEPENDENT)) {
  test(`${name}: client matches an independent server (noble / bigint) and a hand-built exchange hash`, () => {
    const hostKey = hostKeys.get('ssh-ed25519')!;
    const client = createKexClient(name, prefix);
    const [init] = client.start().send;
    const r = new SshReader(init!);
    assert.equal(r.byte(), 30);
    const clientValue = Buffer.from(r.string());
    r.end();
    const { serverValue, k } = peer!.asServer(clientValue);
    const h = manualHash(name, hostKey.publicBlob, [str(clientValue), str(serverValue)], k);
    const reply = Buffer.concat([Buffer.from([31]), str(hostKey.publicBlob), str(serverValue), str(hostKey.sign('ssh-ed25519', h))]);
    const { result, send } = client.handle(reply);
    assert.deepEqual(send, []);
    assert.ok(result!.sharedSecret.equals(k), 'K');
    assert.ok(result!.exchangeHash.equals(h), 'H');
  });

  test(`${name}: server matches an independent client`, () => {
    const hostKey = hostKeys.get('ecdsa-sha2-nistp256')!;
    const server = createKexServer(name, prefix, hostKey, 'ecdsa-sha2-nistp256');
    const { clientValue, finish } = peer!.asClient();
    const { send, result } = server.handle(Buffer.concat([Buffer.from([30]), str(clientValue)]));
    const r = new SshReader(send[0]!);
    assert.equal(r.byte(), 31);
    assert.ok(r.string().equals(hostKey.publicBlob));
    const serverValue = Buffer.from(r.string());
    const signature = Buffer.from(r.string());
    r.end();
    const k = finish(serverValue);
    const h = manualHash(name, hostKey.publicBlob, [str(clientValue), str(serverValue)], k);
    assert.ok(result!.sharedSecret.equals(k), 'K');
    assert.ok(result!.exchangeHash.equals(h), 'H');
    assert.equal(parsePublicKeyBlob(hostKey.publicBlob).verify('ecdsa-sha2-nistp256', h, signature), true);
  });
}

for (const name of ['diffie-hellman-group-exchange-sha256', 'diffie-hellman-group-exchange-sha1']) {
  test(`${name}: both roles against bigint arithmetic, H over min||n||max||p||g`, () => {
    const hostKey = hostKeys.get('ssh-rsa')!;
    const client = createKexClient(name, prefix, { gexPreferredBits: 4000 });
    const [request] = client.start().send;
    assert.ok(request!.equals(Buffer.concat([Buffer.from([34]), u32(2048), u32(4000), u32(8192)])));
    // Server role picks the RFC 3526 group nearest to 4000 bits: 4096.
    const server = createKexServer(name, prefix, hostKey, 'rsa-sha2-256');
    const [groupMsg] = server.handle(request!).send;
    const g = new SshReader(groupMsg!);
    assert.equal(g.byte(), 31);
    const p = g.mpint();
    assert.equal(g.mpint(), 2n);
    g.end();
    assert.equal(p, rfc3526Prime(4096));
    const [init] = client.handle(groupMsg!).send;
    const i = new SshReader(init!);
    assert.equal(i.byte(), 32);
    const e = i.mpint();
    i.end();
    // Answer as an independent server and check the client's K and H.
    const y = toBig(randomBytes(32));
    const f = modPow(2n, y, p);
    const k = mpint(modPow(e, y, p));
    const fields = [u32(2048), u32(4000), u32(8192), mpint(p), mpint(2n), mpint(e), mpint(f)];
    const h = manualHash(name, hostKey.publicBlob, fields, k);
    const reply = Buffer.concat([Buffer.from([33]), str(hostKey.publicBlob), mpint(f), str(hostKey.sign('rsa-sha2-256', h))]);
    const result = client.handle(reply).result!;
    assert.ok(result.sharedSecret.equals(k));
    assert.ok(result.exchangeHash.equals(h));
    // And the server role against an independent client on the same group.
    const x = toBig(randomBytes(32));
    const { send, result: serverResult } = server.handle(Buffer.concat([Buffer.from([32]), mpint(modPow(2n, x, p))]));
    const r = new SshReader(send[0]!);
    assert.equal(r.byte(), 33);
    r.string();
    const serverF = r.mpint();
    const sig = r.string();
    r.end();
    const serverK = mpint(modPow(serverF, x, p));
    const serverH = manualHash(name, hostKey.publicBlob, [u32(2048), u32(4000), u32(8192), mpint(p), mpint(2n), mpint(modPow(2n, x, p)), mpint(serverF)], serverK);
    assert.ok(serverResult!.sharedSecret.equals(serverK));
    assert.ok(serverResult!.exchangeHash.equals(serverH));
    assert.equal(parsePublicKeyBlob(hostKey.publicBlob).verify('rsa-sha2-256', serverH, sig), true);
  });
}

test('group exchange server picks the nearest RFC 3526 group within [min, max]', () => {
  const cases: [number, number, number, number][] = [
    [2048, 3072, 8192, 3072],
    [2048, 2048, 2048, 2048],
    [2048, 7000, 8192, 6144],
    [2048, 7500, 8192, 8192],
    [1024, 1024, 2048, 2048],
    [3000, 5000, 9000, 4096],
    [6144, 8192, 100000, 8192],
  ];
  for (const [min, n, max, expected] of cases) {
    const server = createKexServer('diffie-hellman-group-exchange-sha256', prefix, hostKeys.get('ssh-ed25519')!, 'ssh-ed25519');
    const [group] = server.handle(Buffer.concat([Buffer.from([34]), u32(min), u32(n), u32(max)])).send;
    const r = new SshReader(group!);
    r.byte();
    assert.equal(r.mpint().toString(2).length, expected, `${min} ${n} ${max}`);
  }
});

test('gexPreferredBits follows OpenSSH dh_estimate', () => {
  // aes128-ctr + hmac-sha1 needs 20 bytes; aes128-gcm 16; aes256-ctr/hmac-sha2-256 32; chacha20-poly1305 64.
  assert.deepEqual([10, 14, 16, 20, 24, 32, 64].map(gexPreferredBits), [2048, 2048, 3072, 7680, 7680, 8192, 8192]);
});

test('RFC 7748 §6.1 X25519 known answer through the kex helper', () => {
  const alicePrivate = createPrivateKey({
    key: {
      kty: 'OKP',
      crv: 'X25519',
      d: Buffer.from('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a', 'hex').toString('base64url'),
      x: Buffer.from('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a', 'hex').toString('base64url'),
    },
    format: 'jwk',
  });
  const bobPublic = Buffer.from('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f', 'hex');
  assert.equal(x25519SharedSecret(alicePrivate, bobPublic).toString('hex'), '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742');
});

test('kexHash and unknown names', () => {
  const expected: Record<string, string> = {
    'diffie-hellman-group1-sha1': 'sha1',
    'diffie-hellman-group14-sha1': 'sha1',
    'diffie-hellman-group14-sha256': 'sha256',
    'diffie-hellman-group16-sha512': 'sha512',
    'diffie-hellman-group18-sha512': 'sha512',
    'diffie-hellman-group-exchange-sha1': 'sha1',
    'diffie-hellman-group-exchange-sha256': 'sha256',
    'ecdh-sha2-nistp256': 'sha256',
    'ecdh-sha2-nistp384': 'sha384',
    'ecdh-sha2-nistp521': 'sha512',
    'mlkem768nistp256-sha256': 'sha256',
    'curve25519-sha256': 'sha256',
    'curve25519-sha256@libssh.org': 'sha256',
    'sntrup761x25519-sha512': 'sha512',
    'sntrup761x25519-sha512@openssh.com': 'sha512',
    'mlkem768x25519-sha256': 'sha256',
  };
  assert.deepEqual(Object.fromEntries(SUPPORTED_KEX_NAMES.map((n) => [n, kexHash(n)])), expected);
  for (const fn of [() => createKexClient('diffie-hellman-group15-sha1', prefix), () => kexHash('nope')]) {
    assert.throws(fn, (e: unknown) => e instanceof TsshError);
  }
  assert.throws(
    () => createKexServer('nope', prefix, hostKeys.get('ssh-ed25519')!, 'ssh-ed25519'),
    (e: unknown) => e instanceof TsshError,
  );
});

test('group exchange logs what ssh -vv logs: the request sizes and the bits set in each public value', () => {
  const client = createKexClient('diffie-hellman-group-exchange-sha1', prefix, { gexPreferredBits: 3072 });
  const server = createKexServer('diffie-hellman-group-exchange-sha1', prefix, hostKeys.get('ssh-ed25519')!, 'ssh-ed25519');
  const start = client.start();
  assert.deepEqual(start.log, [{ level: 1, text: 'SSH2_MSG_KEX_DH_GEX_REQUEST(2048<3072<8192) sent' }]);
  const group = client.handle(server.handle(start.send[0]!).send[0]!);
  const e = new SshReader(group.send[0]!.subarray(1)).mpint();
  const ones = (v: bigint): number => [...v.toString(2)].filter((bit) => bit === '1').length;
  assert.deepEqual(group.log, [
    { level: 1, text: 'SSH2_MSG_KEX_DH_GEX_GROUP received' },
    { level: 2, text: `bits set: ${ones(e)}/3072` },
    { level: 1, text: 'SSH2_MSG_KEX_DH_GEX_INIT sent' },
  ]);
  const reply = server.handle(group.send[0]!).send[0]!;
  const r = new SshReader(reply.subarray(1));
  r.string();
  const f = r.mpint();
  assert.deepEqual(client.handle(reply).log, [
    { level: 1, text: 'SSH2_MSG_KEX_DH_GEX_REPLY received' },
    { level: 2, text: `bits set: ${ones(f)}/3072` },
  ]);
});
