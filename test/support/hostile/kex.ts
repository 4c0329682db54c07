/**
 * A key exchange in the server role for the hostile server, built from tssh's own KexRound so that it
 * speaks real SSH to real clients (tssh and OpenSSH's ssh), with hooks at the points where a
 * malicious server or a man in the middle would interfere.
 */
import { KexRound, type AlgorithmPreferences } from '../../../src/transport/key-exchange.js';
import type { HostKeySigner } from '../../../src/crypto/kex/types.js';
import { parseKexInit, type Negotiated } from '../../../src/transport/kexinit.js';
import { CIPHER_NAMES, COMPRESSION_NAMES, KEX_NAMES, MAC_NAMES } from '../../../src/crypto/names.js';
import { MSG } from '../../../src/wire/messages.js';
import { message } from '../../../src/wire/writer.js';
import type { ServerWire } from './wire.js';

export const SERVER_PREFERENCES: AlgorithmPreferences = {
  kex: KEX_NAMES.filter((k) => k !== 'mlkem768x25519-sha256'),
  hostKey: ['ssh-ed25519'],
  ciphers: [...CIPHER_NAMES],
  macs: [...MAC_NAMES],
  compression: COMPRESSION_NAMES.filter((c) => c !== 'zlib'),
};

export interface KexHooks {
  /** Replaces the server's algorithm lists (a KEXINIT with nothing in common, say). */
  preferences?: Partial<AlgorithmPreferences>;
  /** Runs right before the server's NEWKEYS goes out (inject a message there). */
  beforeNewKeys?(wire: ServerWire): void;
  /** Runs after the server's NEWKEYS, before waiting for the client's. */
  afterNewKeys?(wire: ServerWire): void;
  /** Strict KEX: keep counting sequence numbers across NEWKEYS instead of resetting them (a Terrapin-style desync). */
  skipSequenceReset?: boolean;
  /** false: play a server without strict KEX (before OpenSSH 9.6), so nothing is strict about the first exchange. */
  strictKex?: boolean;
  /** Rewrites each key-exchange message (30-49) the server sends: a forged reply, a bad signature. */
  rewriteKexMessage?(payload: Buffer): Buffer;
}

export interface KexState {
  /** The exchange hash of the first key exchange. */
  sessionId: Buffer;
  negotiated: Negotiated;
  /** The client asked for EXT_INFO (ext-info-c). */
  clientWantsExtInfo: boolean;
  /** Strict KEX was agreed in the first exchange: sequence numbers reset at every NEWKEYS of the connection. */
  strictKex: boolean;
}

/**
 * Runs one complete key exchange (first or re-exchange) as the server. With `rekey` it is a re-exchange
 * of a connection whose first exchange gave `sessionId` and `strictKex`; `peerKexinit` is the client's
 * KEXINIT when the client started it.
 */
export async function serverKex(
  wire: ServerWire,
  hostKey: HostKeySigner,
  hooks: KexHooks = {},
  rekey?: { sessionId: Buffer; strictKex: boolean; peerKexinit?: { payload: Buffer; seq: number } },
): Promise<KexState> {
  const preferences = { ...SERVER_PREFERENCES, ...hooks.preferences };
  const round = new KexRound({
    role: 'server',
    isInitial: rekey === undefined,
    localVersion: wire.serverIdent,
    peerVersion: wire.clientIdent,
    preferences,
    sessionId: rekey?.sessionId,
    hostKeys: new Map(preferences.hostKey.map((alg) => [alg, hostKey])),
    send: (payload) => wire.send(payload[0]! >= 30 && payload[0]! <= 49 && hooks.rewriteKexMessage ? hooks.rewriteKexMessage(payload) : payload),
    offerStrictKex: hooks.strictKex !== false,
  });
  round.sendKexInit();
  let pending = rekey?.peerKexinit;
  let negotiated: Negotiated | undefined;
  let clientWantsExtInfo = false;
  while (!round.done) {
    const received = pending ?? (await wire.receive());
    pending = undefined;
    const type = received.payload[0]!;
    if (type === MSG.KEXINIT) clientWantsExtInfo = parseKexInit(received.payload).proposal.kex.includes('ext-info-c');
    if (type === MSG.NEWKEYS) {
      const outcome = round.receiveNewKeys();
      wire.setIncoming(outcome.incoming.opener, rekey?.strictKex ?? round.strictKex);
      continue;
    }
    if (type === MSG.IGNORE || type === MSG.DEBUG) continue;
    // During a re-exchange the client may go on with its session (an EOF, say): not ours to answer here.
    if (rekey && (type < 20 || type >= 50)) continue;
    await round.handle(received.payload, received.seq);
    if (round.readyToSendNewKeys) {
      const outcome = round.result!;
      negotiated = outcome.negotiated;
      hooks.beforeNewKeys?.(wire);
      wire.send(message(MSG.NEWKEYS).finish());
      round.markNewKeysSent();
      wire.setOutgoing(outcome.outgoing.sealer, (rekey?.strictKex ?? round.strictKex) && !hooks.skipSequenceReset);
      hooks.afterNewKeys?.(wire);
    }
  }
  const sessionId = rekey?.sessionId ?? round.result!.result.exchangeHash;
  return { sessionId, negotiated: negotiated!, clientWantsExtInfo, strictKex: rekey?.strictKex ?? round.strictKex };
}
