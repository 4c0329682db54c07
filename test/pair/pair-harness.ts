import type { Duplex } from 'node:stream';
import { Transport } from '../../src/transport/transport.js';
import type { AlgorithmPreferences } from '../../src/transport/key-exchange.js';
import type { HostKeySigner } from '../../src/crypto/kex/types.js';
import type { PublicKey } from '../../src/crypto/keys/types.js';
import { generateHostKeySigner, keyTypeForAlgorithm } from '../../src/crypto/keys/index.js';
import { generateMlDsa44Ed25519, MLDSA44_ED25519 } from '../../src/crypto/keys/mldsa44-ed25519.js';
import { generateDsa } from '../../src/crypto/keys/dsa.js';
import { SoftSecurityKey, type SoftSkType } from '../support/soft-sk.js';
import { CIPHER_NAMES, COMPRESSION_NAMES, HOST_KEY_NAMES, KEX_NAMES, MAC_NAMES } from '../../src/crypto/names.js';
import { silentLogger } from '../../src/log.js';
import type { TsshError } from '../../src/errors.js';
import { memoryPair, type PairOptions } from '../support/memory-pair.js';

export const DEFAULTS: AlgorithmPreferences = {
  kex: [...KEX_NAMES],
  hostKey: [...HOST_KEY_NAMES],
  ciphers: [...CIPHER_NAMES],
  macs: [...MAC_NAMES],
  compression: ['none'],
};
export const ALL_COMPRESSION = [...COMPRESSION_NAMES];

type SignerType = Parameters<typeof generateHostKeySigner>[0] | SoftSkType | typeof MLDSA44_ED25519 | 'ssh-dss';
const signerCache = new Map<SignerType, HostKeySigner>();

export function keyTypeOf(algorithm: string): SignerType {
  return keyTypeForAlgorithm(algorithm) as SignerType;
}

function newSigner(type: SignerType): HostKeySigner {
  if (type === 'sk-ssh-ed25519@openssh.com' || type === 'sk-ecdsa-sha2-nistp256@openssh.com') return new SoftSecurityKey(type);
  if (type === MLDSA44_ED25519) return generateMlDsa44Ed25519();
  if (type === 'ssh-dss') return generateDsa();
  return generateHostKeySigner(type);
}

function signerFor(algorithm: string): HostKeySigner {
  const type = keyTypeOf(algorithm);
  let signer = signerCache.get(type);
  if (!signer) {
    signer = newSigner(type);
    signerCache.set(type, signer);
  }
  return signer;
}

export interface Pair {
  client: Transport;
  server: Transport;
  /** Payloads each side received above the transport layer, in order. */
  toClient: Buffer[];
  toServer: Buffer[];
  seenHostKey: () => PublicKey | undefined;
  streams: [Duplex, Duplex];
  close(): void;
}

/** A client and a server Transport joined in memory, both started; await `ready` on each. */
export function makePair(opts: { client?: Partial<AlgorithmPreferences>; server?: Partial<AlgorithmPreferences>; pair?: PairOptions; rekeyBytes?: number } = {}): Pair {
  const streams = memoryPair(opts.pair);
  const serverPrefs = { ...DEFAULTS, ...opts.server };
  const hostKeys = new Map(serverPrefs.hostKey.map((alg) => [alg, signerFor(alg)] as const));
  let seen: PublicKey | undefined;
  const peer = { host: 'pair', port: 22 };
  const rekeyLimit = opts.rekeyBytes ? { bytes: opts.rekeyBytes, seconds: undefined } : undefined;
  const server = new Transport(streams[1], { role: 'server', preferences: serverPrefs, peer, log: silentLogger, hostKeys, ...(rekeyLimit ? { rekeyLimit } : {}) });
  const client = new Transport(streams[0], {
    role: 'client',
    preferences: { ...DEFAULTS, ...opts.client },
    peer,
    log: silentLogger,
    ...(rekeyLimit ? { rekeyLimit } : {}),
    verifyHostKey: async (key) => {
      seen = key;
    },
  });
  const toClient: Buffer[] = [];
  const toServer: Buffer[] = [];
  client.setHandler((p) => void toClient.push(Buffer.from(p)));
  server.setHandler((p) => void toServer.push(Buffer.from(p)));
  server.start();
  client.start();
  return {
    client,
    server,
    toClient,
    toServer,
    seenHostKey: () => seen,
    streams,
    close() {
      client.disconnect();
      server.disconnect();
    },
  };
}

/** A payload in the local-extension message range (RFC 4250: 192-255) carrying an index and filler. */
export function testPayload(index: number, size: number): Buffer {
  const p = Buffer.alloc(Math.max(size, 5));
  p[0] = 200;
  p.writeUInt32BE(index, 1);
  for (let i = 5; i < p.length; i++) p[i] = (index * 31 + i) & 0xff;
  return p;
}

export async function waitUntil(condition: () => boolean, what: string, closed?: Promise<TsshError | undefined>, deadlineMs = 10_000): Promise<void> {
  const start = Date.now();
  let failure: TsshError | undefined;
  void closed?.then((e) => (failure = e));
  while (!condition()) {
    if (failure) throw new Error(`${what}: connection failed: ${failure.message}`);
    if (Date.now() - start > deadlineMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}
