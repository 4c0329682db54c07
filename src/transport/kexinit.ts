import { randomBytes } from 'node:crypto';
import { TsshError, DisconnectReason, type NegotiationKind } from '../errors.js';
import { MSG } from '../wire/messages.js';
import { SshReader } from '../wire/reader.js';
import { SshWriter } from '../wire/writer.js';

/** The ten name-lists of a KEXINIT (RFC 4253 §7.1). */
export interface KexProposal {
  kex: string[];
  hostKey: string[];
  cipherCtoS: string[];
  cipherStoC: string[];
  macCtoS: string[];
  macStoC: string[];
  compressionCtoS: string[];
  compressionStoC: string[];
  languageCtoS: string[];
  languageStoC: string[];
}

export interface KexInit {
  cookie: Buffer;
  proposal: KexProposal;
  firstKexPacketFollows: boolean;
}

const LIST_ORDER: Array<keyof KexProposal> = [
  'kex', 'hostKey', 'cipherCtoS', 'cipherStoC', 'macCtoS', 'macStoC',
  'compressionCtoS', 'compressionStoC', 'languageCtoS', 'languageStoC',
];

export function encodeKexInit(proposal: KexProposal): Buffer {
  const w = new SshWriter(1024).byte(MSG.KEXINIT).raw(randomBytes(16));
  for (const key of LIST_ORDER) w.nameList(proposal[key]);
  return w.boolean(false).uint32(0).finish();
}

export function parseKexInit(payload: Buffer): KexInit {
  const r = new SshReader(payload, 'KEXINIT');
  r.byte();
  const cookie = r.raw(16);
  const proposal = {} as KexProposal;
  for (const key of LIST_ORDER) proposal[key] = r.nameList();
  const firstKexPacketFollows = r.boolean();
  r.uint32(); // reserved
  r.end();
  return { cookie, proposal, firstKexPacketFollows };
}

/** One direction's negotiated algorithms. */
export interface DirectionAlgorithms {
  cipher: string;
  /** undefined when the cipher is an AEAD (the MAC list is then not consulted). */
  mac: string | undefined;
  compression: string;
}

export interface Negotiated {
  kex: string;
  hostKey: string;
  clientToServer: DirectionAlgorithms;
  serverToClient: DirectionAlgorithms;
  /** Both sides offered strict KEX (Terrapin countermeasure). */
  strictKex: boolean;
  /** The client offered ext-info-c: it wants the server's EXT_INFO. */
  peerWantsExtInfo: boolean;
  /** The server offered ext-info-s: it takes the client's EXT_INFO, and may send another during authentication. */
  serverOffersExtInfo: boolean;
}

/** What the offers are called in OpenSSH's "Unable to negotiate" message. */
const WHAT: Record<NegotiationKind, string> = {
  kex: 'key exchange method',
  hostKey: 'host key type',
  cipher: 'cipher',
  mac: 'MAC',
  compression: 'compression method',
};

/** Nothing in common for one algorithm kind; the transport words it for its peer (transport.ts). */
export class NoCommonAlgorithm extends TsshError {
  constructor(
    readonly kind: NegotiationKind,
    readonly client: readonly string[],
    readonly server: readonly string[],
    /** The server's offer as OpenSSH prints it after "Their offer:". */
    readonly serverOffer: readonly string[],
  ) {
    super('NEGOTIATION', `no matching ${WHAT[kind]} found. Their offer: ${serverOffer.join(',')}`, {
      disconnectReason: DisconnectReason.KEY_EXCHANGE_FAILED,
    });
  }
}

/** RFC 4253 §7.1: the first algorithm on the client's list that the server also supports. */
function choose(client: string[], server: string[], kind: NegotiationKind, serverOffer = server): string {
  const found = client.find((name) => server.includes(name));
  if (found === undefined) throw new NoCommonAlgorithm(kind, client, server, serverOffer);
  return found;
}

/** Pseudo-algorithms that only signal support and must never be chosen. */
const SIGNALS = new Set(['ext-info-c', 'ext-info-s', 'kex-strict-c-v00@openssh.com', 'kex-strict-s-v00@openssh.com']);

export interface AeadQuery {
  isAead(cipher: string): boolean;
}

export function negotiate(client: KexProposal, server: KexProposal, ciphers: AeadQuery): Negotiated {
  const realKex = (list: string[]): string[] => list.filter((n) => !SIGNALS.has(n));
  const direction = (cipherC: string[], cipherS: string[], macC: string[], macS: string[], compC: string[], compS: string[]): DirectionAlgorithms => {
    const cipher = choose(cipherC, cipherS, 'cipher');
    const mac = ciphers.isAead(cipher) ? undefined : choose(macC, macS, 'mac');
    return { cipher, mac, compression: choose(compC, compS, 'compression') };
  };
  return {
    kex: choose(realKex(client.kex), realKex(server.kex), 'kex', server.kex),
    hostKey: choose(client.hostKey, server.hostKey, 'hostKey'),
    clientToServer: direction(client.cipherCtoS, server.cipherCtoS, client.macCtoS, server.macCtoS, client.compressionCtoS, server.compressionCtoS),
    serverToClient: direction(client.cipherStoC, server.cipherStoC, client.macStoC, server.macStoC, client.compressionStoC, server.compressionStoC),
    strictKex: client.kex.includes('kex-strict-c-v00@openssh.com') && server.kex.includes('kex-strict-s-v00@openssh.com'),
    peerWantsExtInfo: client.kex.includes('ext-info-c'),
    serverOffersExtInfo: server.kex.includes('ext-info-s'),
  };
}

/**
 * RFC 4253 §7: if the peer's guessed first KEX packet follows, it must be ignored when the guess was wrong
 * (kex or host-key algorithm differ from the first entries).
 */
export function guessWasWrong(client: KexProposal, server: KexProposal): boolean {
  return client.kex[0] !== server.kex[0] || client.hostKey[0] !== server.hostKey[0];
}
