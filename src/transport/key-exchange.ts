import { TsshError, DisconnectReason, protocolError } from '../errors.js';
import { MSG } from '../wire/messages.js';
import { createKexClient, createKexServer, gexPreferredBits } from '../crypto/kex/index.js';
import type { HostKeySigner, KexClient, KexResult, KexServer, KexStep } from '../crypto/kex/types.js';
import { parsePublicKeyBlob } from '../crypto/keys/index.js';
import type { PublicKey } from '../crypto/keys/types.js';
import { cipherInfo, cipherSecurityBytes, createOpener, createSealer, macInfo } from '../crypto/protection.js';
import type { PacketOpener, PacketSealer } from '../crypto/cipher/types.js';
import { EXT_INFO_C, KEX_STRICT_C, KEX_STRICT_S } from '../crypto/names.js';
import { deriveDirectionKeys, type KeyLengths } from './key-derivation.js';
import { ConnectionFatal } from './fatal.js';
import type { Logger } from '../log.js';
import { timed, type Timeline, type TimelineDetail, type TimelineSpan } from '../timeline.js';
import { fingerprintSha256 } from '../crypto/keys/index.js';
import { encodeKexInit, guessWasWrong, negotiate, parseKexInit, type DirectionAlgorithms, type KexProposal, type Negotiated } from './kexinit.js';

export type Role = 'client' | 'server';

/** The local algorithm preferences, already filtered by configuration. */
export interface AlgorithmPreferences {
  kex: string[];
  hostKey: string[];
  ciphers: string[];
  macs: string[];
  compression: string[];
}

/** Everything a finished key exchange hands to the transport. */
export interface KexOutcome {
  negotiated: Negotiated;
  result: KexResult;
  hostKey: PublicKey;
  /** Keys for what we send and what we receive (role-dependent directions already resolved). */
  outgoing: { sealer: PacketSealer; algorithms: DirectionAlgorithms };
  incoming: { opener: PacketOpener; algorithms: DirectionAlgorithms };
}

export interface KexRoundContext {
  role: Role;
  isInitial: boolean;
  localVersion: string;
  peerVersion: string;
  preferences: AlgorithmPreferences;
  /** The session identifier (H of the first exchange); undefined during the first exchange. */
  sessionId: Buffer | undefined;
  /** Server role: host keys by algorithm. */
  hostKeys?: ReadonlyMap<string, HostKeySigner>;
  /** Client role: the server key of the first exchange; a rekey must present the same key. */
  initialHostKey?: Buffer;
  send(payload: Buffer): void;
  /** Client role: policy check (known_hosts); runs after the signature verified. Throws to refuse. */
  verifyHostKey?(key: PublicKey, algorithm: string): Promise<void>;
  /** Where the exchange's debug lines go (ssh's wording, e.g. the DH-GEX request sizes). */
  log?: Logger;
  /** Offer strict KEX in the first KEXINIT (default). Only test servers that play an older peer turn it off. */
  offerStrictKex?: boolean;
  /** --timing: KEXINIT, our arithmetic apart from the wait for the server, and the host-key check. */
  timeline?: Timeline;
}

/** OpenSSH kex_choose_conf (dh_need): the largest cipher security, block, IV or MAC key size sizes the DH-GEX group. */
function neededKeyBytes(n: Negotiated): number {
  let need = 0;
  for (const d of [n.clientToServer, n.serverToClient]) {
    const c = cipherInfo(d.cipher);
    const mac = d.mac ? (macInfo(d.mac)?.keyLength ?? 0) : 0;
    need = Math.max(need, cipherSecurityBytes(d.cipher), c?.blockSize ?? 0, c?.ivLength ?? 0, mac);
  }
  return need;
}

const aead = { isAead: (name: string) => cipherInfo(name)?.aead ?? false };

/**
 * One key exchange, initial or rekey (RFC 4253 §7-8): KEXINIT both ways, the negotiated method's
 * messages, host-key signature verification, then NEWKEYS. The transport routes messages 20-49 here.
 */
export class KexRound {
  private localKexinit: Buffer | undefined;
  private peerKexinit: Buffer | undefined;
  private negotiated: Negotiated | undefined;
  private method: KexClient | KexServer | undefined;
  private ignoreNextKexPacket = false;
  private outcome: KexOutcome | undefined;
  private newKeysReceived = false;
  private newKeysSent = false;
  /** --timing: waiting for the server's next key-exchange message. */
  private waiting: TimelineSpan | undefined;

  constructor(private readonly ctx: KexRoundContext) {}

  get started(): boolean {
    return this.localKexinit !== undefined;
  }

  get strictKex(): boolean {
    return this.negotiated?.strictKex ?? false;
  }

  get result(): KexOutcome | undefined {
    return this.outcome;
  }

  /** Both NEWKEYS exchanged: the round is over. */
  get done(): boolean {
    return this.newKeysSent && this.newKeysReceived;
  }

  get sentNewKeys(): boolean {
    return this.newKeysSent;
  }

  /** Sends our KEXINIT (once). */
  sendKexInit(): void {
    if (this.localKexinit) return;
    this.localKexinit = encodeKexInit(this.buildProposal());
    this.ctx.send(this.localKexinit);
    this.ctx.timeline?.mark('kexinit-sent');
  }

  private buildProposal(): KexProposal {
    const p = this.ctx.preferences;
    const kex = [...p.kex];
    // Signals go in the first KEXINIT only (OpenSSH >= 9.5 behaviour; strict KEX is decided there).
    const strict = this.ctx.offerStrictKex === false ? [] : [this.ctx.role === 'client' ? KEX_STRICT_C : KEX_STRICT_S];
    if (this.ctx.isInitial) kex.push(...(this.ctx.role === 'client' ? [EXT_INFO_C] : []), ...strict);
    const hostKey = this.ctx.role === 'server' ? p.hostKey.filter((alg) => this.ctx.hostKeys?.has(alg)) : p.hostKey;
    return {
      kex,
      hostKey,
      cipherCtoS: p.ciphers,
      cipherStoC: p.ciphers,
      macCtoS: p.macs,
      macStoC: p.macs,
      compressionCtoS: p.compression,
      compressionStoC: p.compression,
      languageCtoS: [],
      languageStoC: [],
    };
  }

  /**
   * Whether a message of `type` (20-49) has its place in the exchange now. ssh ignores one that has not
   * (kex_protocol_error): a second KEXINIT, a NEWKEYS before ours went out, a method message that is
   * not the one awaited. The first key-exchange packet after a wrong guess is always taken (to be dropped).
   */
  accepts(type: number): boolean {
    if (type === MSG.KEXINIT) return this.peerKexinit === undefined;
    if (type === MSG.NEWKEYS) return this.newKeysSent && !this.newKeysReceived;
    if (!this.method || this.outcome) return false;
    if (this.ignoreNextKexPacket || this.ctx.role === 'server') return true;
    return (this.method as KexClient).expects(type);
  }

  /**
   * Handles a message of type 20-49 (not NEWKEYS: see `receiveNewKeys`). Resolves once any resulting
   * async work (the host-key policy) is complete; the transport holds further input until then.
   */
  async handle(payload: Buffer, peerSequence: number): Promise<void> {
    const type = payload[0]!;
    if (type === MSG.KEXINIT) return this.receiveKexInit(payload, peerSequence);
    if (!this.method || this.outcome) throw protocolError(`unexpected key exchange message ${type}`);
    if (this.ignoreNextKexPacket) {
      this.ignoreNextKexPacket = false;
      return;
    }
    this.waiting?.end();
    const compute = this.ctx.timeline?.begin('kex-compute', { algorithm: this.negotiated!.kex });
    let step: KexStep;
    try {
      step = this.method.handle(payload);
    } catch (err) {
      compute?.end({ error: (err as Error).message }, 'failed');
      throw err;
    }
    await this.afterStep(step, compute);
  }

  private async receiveKexInit(payload: Buffer, peerSequence: number): Promise<void> {
    if (this.peerKexinit) throw protocolError('received a second KEXINIT during key exchange');
    this.peerKexinit = Buffer.from(payload);
    this.sendKexInit();
    const peer = parseKexInit(this.peerKexinit);
    const local = parseKexInit(this.localKexinit!);
    const [client, server] = this.ctx.role === 'client' ? [local, peer] : [peer, local];
    try {
      this.negotiated = negotiate(client.proposal, server.proposal, aead);
    } catch (err) {
      this.ctx.timeline?.mark('kexinit-received', { error: (err as Error).message });
      throw err;
    }
    this.logNegotiated(this.negotiated);
    if (this.negotiated.strictKex && this.ctx.isInitial && peerSequence !== 0) {
      throw new ConnectionFatal('PROTOCOL', 'strict KEX violation: KEXINIT was not the first packet', [], 'disconnecting');
    }
    if (peer.firstKexPacketFollows && guessWasWrong(client.proposal, server.proposal)) this.ignoreNextKexPacket = true;
    const prefix = {
      clientVersion: this.ctx.role === 'client' ? this.ctx.localVersion : this.ctx.peerVersion,
      serverVersion: this.ctx.role === 'client' ? this.ctx.peerVersion : this.ctx.localVersion,
      clientKexinit: this.ctx.role === 'client' ? this.localKexinit! : this.peerKexinit,
      serverKexinit: this.ctx.role === 'client' ? this.peerKexinit : this.localKexinit!,
    };
    this.ctx.timeline?.mark('kexinit-received', { kex: this.negotiated.kex, hostKey: this.negotiated.hostKey, cipher: this.negotiated.serverToClient.cipher });
    if (this.ctx.role === 'client') {
      const compute = this.ctx.timeline?.begin('kex-compute', { algorithm: this.negotiated.kex });
      const method = createKexClient(this.negotiated.kex, prefix, { gexPreferredBits: gexPreferredBits(neededKeyBytes(this.negotiated)) });
      this.method = method;
      await this.afterStep(method.start(), compute);
    } else {
      const signer = this.ctx.hostKeys?.get(this.negotiated.hostKey);
      if (!signer) throw new TsshError('KEX', `no host key for ${this.negotiated.hostKey}`);
      this.method = createKexServer(this.negotiated.kex, prefix, signer, this.negotiated.hostKey);
    }
  }

  /** As ssh (kex_choose_conf): what was agreed, before the method's first message goes out. */
  private logNegotiated(n: Negotiated): void {
    const log = this.ctx.log;
    if (!log) return;
    log.debug1(`kex: algorithm: ${n.kex}`);
    log.debug1(`kex: host key algorithm: ${n.hostKey}`);
    const describe = (d: DirectionAlgorithms): string => `cipher: ${d.cipher} MAC: ${d.mac ?? '<implicit>'} compression: ${d.compression}`;
    log.debug1(`kex: server->client ${describe(n.serverToClient)}`);
    log.debug1(`kex: client->server ${describe(n.clientToServer)}`);
  }

  private async afterStep(step: KexStep, compute?: TimelineSpan): Promise<void> {
    for (const payload of step.send) this.ctx.send(payload);
    for (const line of step.log ?? []) {
      if (line.level === 1) this.ctx.log?.debug1(line.text);
      else this.ctx.log?.debug2(line.text);
    }
    if (!step.result) {
      compute?.end();
      this.waiting = this.ctx.timeline?.begin('kex-wait', { algorithm: this.negotiated!.kex });
      return;
    }
    const negotiated = this.negotiated!;
    const hostKey = parsePublicKeyBlob(step.result.hostKey);
    if (this.ctx.role === 'client') await this.verifyServer(hostKey, step.result, compute);
    this.outcome = this.deriveOutcome(negotiated, step.result, hostKey);
  }

  /**
   * Signature over H first, then the trust policy: a key is never trusted before it proved possession.
   * A re-exchange must present the very key of the first exchange. (ssh looks a different one up in
   * known_hosts again; 9.2 and 10.3 do it under a freed host name, so whatever they print first,
   * they end with "Host key verification failed.", as tssh does without asking.)
   */
  private async verifyServer(hostKey: PublicKey, result: KexResult, compute?: TimelineSpan): Promise<void> {
    const algorithm = this.negotiated!.hostKey;
    if (!hostKey.verify(algorithm, result.exchangeHash, result.signature)) {
      compute?.end({ error: 'incorrect signature' }, 'failed');
      throw new ConnectionFatal('KEX', 'incorrect signature', [], 'dispatch', DisconnectReason.KEY_EXCHANGE_FAILED);
    }
    compute?.end();
    if (this.ctx.initialHostKey) {
      if (!this.ctx.initialHostKey.equals(result.hostKey)) {
        throw new TsshError('HOSTKEY', 'Host key verification failed.', { disconnectReason: DisconnectReason.HOST_KEY_NOT_VERIFIABLE });
      }
      return;
    }
    const check = this.ctx.verifyHostKey;
    if (check === undefined) return;
    const detail: TimelineDetail = this.ctx.timeline ? { algorithm, fingerprint: fingerprintSha256(result.hostKey) } : {};
    await timed(this.ctx.timeline, 'host-key', detail, () => check(hostKey, algorithm));
  }

  private deriveOutcome(negotiated: Negotiated, result: KexResult, hostKey: PublicKey): KexOutcome {
    const sessionId = this.ctx.sessionId ?? result.exchangeHash;
    const lengths = (d: DirectionAlgorithms): KeyLengths => {
      const c = cipherInfo(d.cipher)!;
      return { ivLength: c.ivLength, keyLength: c.keyLength, macKeyLength: d.mac ? macInfo(d.mac)!.keyLength : 0 };
    };
    const keys = deriveDirectionKeys(result.hash, result.sharedSecret, result.exchangeHash, sessionId, lengths(negotiated.clientToServer), lengths(negotiated.serverToClient));
    const client = this.ctx.role === 'client';
    const out = client ? negotiated.clientToServer : negotiated.serverToClient;
    const inc = client ? negotiated.serverToClient : negotiated.clientToServer;
    const outKeys = client ? keys.clientToServer : keys.serverToClient;
    const incKeys = client ? keys.serverToClient : keys.clientToServer;
    const outcome: KexOutcome = {
      negotiated,
      result,
      hostKey,
      outgoing: { sealer: createSealer(out.cipher, out.mac, outKeys), algorithms: out },
      incoming: { opener: createOpener(inc.cipher, inc.mac, incKeys), algorithms: inc },
    };
    return outcome;
  }

  /** Ready to send NEWKEYS: our side of the exchange completed (and, for a client, verified). */
  get readyToSendNewKeys(): boolean {
    return this.outcome !== undefined && !this.newKeysSent;
  }

  markNewKeysSent(): void {
    this.newKeysSent = true;
  }

  receiveNewKeys(): KexOutcome {
    if (!this.outcome || this.newKeysReceived) throw protocolError('unexpected NEWKEYS');
    this.newKeysReceived = true;
    return this.outcome;
  }
}
