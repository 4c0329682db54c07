import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { TsshError, DisconnectReason, NegotiationError, protocolError, asTsshError, type TimeoutPhase } from '../errors.js';
import type { Logger } from '../log.js';
import type { Timeline } from '../timeline.js';
import { MSG, msgName } from '../wire/messages.js';
import { SshReader } from '../wire/reader.js';
import { cText } from '../wire/text.js';
import { message } from '../wire/writer.js';
import { cipherInfo, noneOpener, noneSealer } from '../crypto/protection.js';
import type { HostKeySigner } from '../crypto/kex/types.js';
import type { PublicKey } from '../crypto/keys/types.js';
import { fingerprintSha256 } from '../crypto/keys/index.js';
import { IdentReader, LOCAL_IDENT } from './ident.js';
import { PacketDecoder, PacketEncoder } from './packet-codec.js';
import { CompressionSwitch } from './compression-switch.js';
import { PeerExtensions, clientExtInfo, serverExtInfo } from './ext-info.js';
import { ReclaimMeter } from './reclaim-meter.js';
import { NoCommonAlgorithm } from './kexinit.js';
import { KexRound, type AlgorithmPreferences, type KexOutcome, type Role } from './key-exchange.js';
import { disconnectError, describeSocketError } from './disconnect.js';
import { RekeyPolicy, type RekeyLimitOption } from './rekey-policy.js';
import { BareMessageOrder, ClientMessageOrder, type MessageOrder } from './message-order.js';
import { ConnectionFatal } from './fatal.js';
import type { PacketHandler, PacketTransport } from './contract.js';
import type { ConnectionFacts } from './connection-facts.js';

export type { PacketHandler } from './contract.js';

/** Bytes of our output waiting for the peer to read them before we stop reading its input. */
const MAX_UNSENT_REPLIES = 1024 * 1024;

export interface TransportConfig {
  role: Role;
  preferences: AlgorithmPreferences;
  /** For messages: "Connection closed by <host> port <port>". */
  peer: { host: string; port: number };
  log: Logger;
  rekeyLimit?: RekeyLimitOption;
  localVersion?: string;
  /** Server role: host keys by algorithm name. */
  hostKeys?: ReadonlyMap<string, HostKeySigner>;
  /** Client role: trust decision for the server's key (after its signature verified). */
  verifyHostKey?(key: PublicKey, algorithm: string): Promise<void>;
  /**
   * Client role: user authentication follows the first key exchange (SshClient always runs it), so the
   * server is held to OpenSSH's message order for it (message-order.ts). Without it every message after
   * the first key exchange goes to the handler (bare transports in tests).
   */
  authenticates?: boolean;
  /**
   * Called after every MiB moved either way (see ReclaimMeter): the CLI passes a garbage collection
   * there (cli/reclaim.ts), which frees spent packet buffers long before V8 would on its own.
   */
  reclaim?: () => void;
  /** --timing: banners, KEXINIT, the first key exchange and NEWKEYS are recorded here. */
  timeline?: Timeline;
}

/** Packets up to this size are written as one buffer (see writeWire). */
const SMALL_PACKET = 1024;


/**
 * The SSH transport (RFC 4253) over any Duplex: identification, binary packets, key exchange and rekeying,
 * EXT_INFO, IGNORE/DEBUG/UNIMPLEMENTED/DISCONNECT. Upper layers see an ordered stream of payloads and a
 * `send` that queues during key re-exchange; nothing is dropped and nothing is reordered.
 */
export class Transport implements PacketTransport {
  readonly role: Role;
  private readonly socket: Duplex;
  private readonly config: TransportConfig;
  private readonly log: Logger;
  private readonly localVersion: string;
  private peerVersion = '';
  private identReader: IdentReader | undefined;
  private readonly encoder = new PacketEncoder(noneSealer());
  private readonly decoder = new PacketDecoder(noneOpener());
  private kex: KexRound | undefined;
  private firstKexDone = false;
  private awaitingReply: () => boolean = () => false;
  private strictKex = false;
  /** The first key exchange's host key, its signature and H (the session id), kept for the connection's life. */
  private firstExchange: Readonly<{ hostKey: Buffer; sessionId: Buffer; signature: Buffer }> | undefined;
  private held: Array<{ payload: Buffer; padTo: number | undefined }> = [];
  private handler: PacketHandler | undefined;
  private processing = false;
  private finished = false;
  private corked = false;
  private readonly compression = new CompressionSwitch(this.encoder, this.decoder);
  private readonly order: MessageOrder;
  private readonly reclaimMeter: ReclaimMeter;
  private readonly rekey: RekeyPolicy;
  private readonly closedPromise: Promise<TsshError | undefined>;
  private resolveClosed!: (err: TsshError | undefined) => void;
  private readyResolve!: () => void;
  private readyReject!: (err: TsshError) => void;
  /** Resolves when the first key exchange completed (keys in use both ways). */
  readonly ready: Promise<void>;
  /** Extensions the peer announced in EXT_INFO (RFC 8308), e.g. 'server-sig-algs'. */
  private readonly extensions = new PeerExtensions();
  /** USERAUTH_SUCCESS was received (client): only then is a PING answered. */
  /** The negotiated algorithms of the latest key exchange. */
  negotiated: KexOutcome['negotiated'] | undefined;
  private drainWaiters: Array<() => void> = [];
  /** Completed key exchanges (the first one included), and when the latest one completed (epoch ms). */
  keyExchanges = 0;
  private lastKeyExchangeAt = 0;
  /** Bytes written to the stream so far, identification line included. */
  bytesWritten = 0;
  /** Bytes read from the stream so far. */
  bytesRead = 0;
  /**
   * The link's round trip (ms), from SERVICE_REQUEST to SERVICE_ACCEPT (a reply servers send at once);
   * 0 until measured. Channels size their receive windows from it (connection/window-tuner.ts).
   */
  roundTripMs = 0;
  private serviceRequestedAt: number | undefined;

  constructor(socket: Duplex, config: TransportConfig) {
    this.socket = socket;
    this.config = config;
    this.role = config.role;
    this.log = config.log;
    this.localVersion = config.localVersion ?? LOCAL_IDENT;
    this.order = config.role === 'client' && config.authenticates ? new ClientMessageOrder() : new BareMessageOrder();
    this.rekey = new RekeyPolicy(config.rekeyLimit, () => {
      if (this.rekeyDue()) this.startRekey('time limit');
    });
    this.reclaimMeter = new ReclaimMeter(config.reclaim);
    this.closedPromise = new Promise((resolve) => (this.resolveClosed = resolve));
    this.ready = new Promise((resolve, reject) => {
      this.readyResolve = resolve;
      this.readyReject = reject;
    });
    this.ready.catch(() => {}); // observed through `closed` as well
  }

  /** Settles once, with the error that ended the connection (undefined for a local, orderly close). */
  get closed(): Promise<TsshError | undefined> {
    return this.closedPromise;
  }

  get isClosed(): boolean {
    return this.finished;
  }

  get sessionId(): Buffer {
    if (!this.firstExchange) throw new TsshError('INTERNAL', 'no session id before the first key exchange');
    return this.firstExchange.sessionId;
  }

  /** The server signature algorithms from EXT_INFO, if the server sent them. */
  get serverSigAlgs(): string[] | undefined {
    return this.extensions.serverSigAlgs;
  }

  /**
   * The server's host key and its signature over the session identifier, from the first key exchange:
   * what host-bound authentication and agent session binding prove. Undefined before it completes.
   */
  get sessionBinding(): Readonly<{ hostKey: Buffer; sessionId: Buffer; signature: Buffer }> | undefined {
    return this.firstExchange;
  }

  /** The server offers publickey-hostbound-v00@openssh.com. */
  get hostBoundPublicKey(): boolean {
    return this.extensions.hostBoundPublicKey;
  }

  get remoteVersion(): string {
    return this.peerVersion;
  }

  /** How far the connection got: the phase a TimeoutError names when the peer stalls now. */
  get phase(): TimeoutPhase {
    if (!this.peerVersion) return 'banner';
    if (!this.firstKexDone) return 'kex';
    return this.order.authenticated ? 'keepalive' : 'auth';
  }

  /**
   * `awaitingReply` says whether the upper layer waits for an answer from the peer (see
   * nudgeAcknowledgement); by default it never does.
   */
  setHandler(handler: PacketHandler, awaitingReply: () => boolean = () => false): void {
    this.handler = handler;
    this.awaitingReply = awaitingReply;
    for (const resume of this.handlerWaiters.splice(0)) resume();
  }

  /** Deliveries waiting for the layer above to set its handler (input is held meanwhile). */
  private readonly handlerWaiters: Array<() => void> = [];

  start(): void {
    this.identReader = new IdentReader(this.role === 'client');
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('end', () => this.onPeerGone());
    this.socket.on('close', () => this.onPeerGone());
    this.socket.on('error', (err: NodeJS.ErrnoException) => this.fail(describeSocketError(err, this.config.peer, this.phase)));
    this.socket.on('drain', () => {
      this.releaseInput('output');
      this.flushDrainWaiters();
    });
    this.log.debug1(`Local version string ${this.localVersion}`);
    this.bytesWritten += this.localVersion.length + 2;
    this.socket.write(`${this.localVersion}\r\n`);
    this.config.timeline?.mark('banner-sent', { version: this.localVersion });
  }

  /**
   * The peer closed its end. Packets already received are handled first: a DISCONNECT that arrived
   * while an async step (the host-key check) held the input must still be what the user is told.
   */
  private onPeerGone(): void {
    this.peerGone = true;
    if (!this.processing) this.fail(this.closedByPeer());
  }

  private peerGone = false;

  private closedByPeer(): TsshError {
    const { host, port } = this.config.peer;
    if (!this.peerVersion) return new TsshError('CONNECTION_CLOSED', `kex_exchange_identification: Connection closed by remote host\nConnection closed by ${host} port ${port}`);
    return new TsshError('CONNECTION_CLOSED', `Connection closed by ${host} port ${port}`);
  }

  // ---- output ----

  /**
   * Sends one payload; during a key exchange, non-KEX messages wait until the new keys are in use.
   * `padTo` hides the payload's length (see PacketEncoder.encodeParts).
   */
  send(payload: Buffer, padTo?: number): void {
    if (this.finished) return;
    const type = payload[0]!;
    const kexMessage = type >= 20 && type <= 49 || type === MSG.DISCONNECT;
    // As ssh: the packet that would cross the limit starts the exchange and waits for the new keys.
    if (!kexMessage && this.rekeyDue(payload.length)) this.startRekey('data limit');
    // Once something is held, later messages queue behind it (between our NEWKEYS and the peer's too).
    if (this.kex && !kexMessage && (!this.kex.sentNewKeys || this.held.length > 0)) {
      this.held.push({ payload, padTo });
      return;
    }
    if (!this.kex && !this.firstKexDone && !kexMessage) {
      this.held.push({ payload, padTo });
      return;
    }
    this.writePacket(payload, padTo);
  }

  /**
   * Sends a non-key-exchange payload of `length` bytes that `write` fills in place inside the outgoing
   * packet (bulk channel data: one copy instead of two); otherwise the same as `send`.
   */
  sendInPlace(length: number, write: (packet: Buffer, offset: number) => void): void {
    if (this.finished) return;
    if (this.rekeyDue(length)) this.startRekey('data limit');
    if (this.held.length > 0 || (this.kex ? !this.kex.sentNewKeys : !this.firstKexDone)) {
      const payload = Buffer.allocUnsafe(length);
      write(payload, 0);
      this.send(payload);
      return;
    }
    this.writeWire(this.encoder.encodeInPlace(length, write));
  }

  /** Whether RekeyLimit (or the packet bound) asks for a key exchange now; never during one. */
  private rekeyDue(outgoing = 0): boolean {
    return this.firstKexDone && !this.kex && this.rekey.due(this.encoder.sinceRekey, this.decoder.sinceRekey, outgoing);
  }

  private writePacket(payload: Buffer, padTo?: number): void {
    const wire = this.encoder.encodeParts(payload, padTo);
    if (this.role === 'server' && payload[0] === MSG.USERAUTH_SUCCESS) this.onAuthenticated();
    if (payload[0] === MSG.SERVICE_REQUEST) this.serviceRequestedAt = performance.now();
    this.writeWire(wire);
  }

  private writeWire(wire: Buffer[]): void {
    // Batch every packet written in this tick into one socket write (no Nagle stalls, fewer syscalls).
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    let bytes = 0;
    for (const part of wire) bytes += part.length;
    // A small packet goes out as one buffer: a queued write costs ~100 bytes of heap whatever its size,
    // and replies queued behind a peer that does not read are mostly small packets in 3 parts each.
    if (bytes <= SMALL_PACKET && wire.length > 1) this.socket.write(Buffer.concat(wire, bytes));
    else for (const part of wire) this.socket.write(part);
    this.bytesWritten += bytes;
    this.reclaimMeter.packet(bytes);
  }

  /** True when the socket's outgoing buffer is over its high-water mark; wait with `whenDrained`. */
  get congested(): boolean {
    return this.socket.writableNeedDrain || this.held.length > 0;
  }

  whenDrained(callback: () => void): void {
    if (!this.congested) return callback();
    this.drainWaiters.push(callback);
  }

  private flushDrainWaiters(): void {
    if (this.congested) return;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }

  // ---- input ----

  private onData(chunk: Buffer): void {
    if (this.finished) return;
    this.bytesRead += chunk.length;
    this.reclaimMeter.received(chunk.length);
    try {
      if (this.identReader) {
        const ident = this.identReader.push(chunk);
        if (!ident) return;
        this.identReader = undefined;
        this.peerVersion = ident.version;
        this.config.timeline?.mark('banner-received', { version: cText(ident.version, 100) });
        ident.preBannerLines.forEach((line, n) => this.log.debug1(`kex_exchange_identification: banner line ${n}: ${line}`));
        const [, protocol, ...software] = ident.version.split('-');
        this.log.debug1(`Remote protocol version ${protocol}, remote software version ${cText(software.join('-'), 100)}`);
        this.beginKex();
        chunk = ident.rest;
      }
      const writtenBefore = this.bytesWritten;
      this.decoder.push(chunk);
      this.pump();
      if (this.bytesWritten === writtenBefore) this.nudgeAcknowledgement();
      // A peer that sends faster than it reads our answers (replies to a flood of requests) must not
      // make us queue output without bound: read no more until our output has drained. The bound is
      // far above what channel writes queue (they wait for drain), so bulk transfers both ways, where
      // the peer may itself stop reading while it cannot write, never stall on it.
      if (this.socket.writableLength > MAX_UNSENT_REPLIES) this.holdInput('output');
    } catch (err) {
      this.fail(asTsshError(err));
    }
  }

  /**
   * Measured against sshd (timestamps of ssh -vv and tssh -vv): after authentication sshd sends small
   * messages (hostkeys-00, DEBUG) and then the channel-open confirmation; Nagle holds the confirmation
   * until the earlier segment is acknowledged, and a client that has nothing to answer acknowledges
   * only after the kernel's delayed-ACK timer: ~40 ms lost per connect (ssh loses them too). While we
   * wait for a reply, answering such a chunk with an IGNORE carries the ACK out at once. Never during
   * bulk data, never more than one per chunk read.
   */
  private nudgeAcknowledgement(): void {
    if (!this.firstKexDone || this.kex || this.finished || this.held.length > 0 || !this.awaitingReply()) return;
    this.writePacket(message(MSG.IGNORE).string('').finish());
  }

  /** Why input is not being read: our output is backed up, or an async step (host-key check) runs. */
  private readonly inputHolds = new Set<'output' | 'async'>();

  private holdInput(reason: 'output' | 'async'): void {
    if (this.finished || this.inputHolds.has(reason)) return;
    this.inputHolds.add(reason);
    this.socket.pause();
  }

  private releaseInput(reason: 'output' | 'async'): void {
    if (!this.inputHolds.delete(reason) || this.inputHolds.size > 0 || this.finished) return;
    this.socket.resume();
  }

  /** Decodes and dispatches packets strictly in order; pauses while an async step (host-key policy) runs. */
  private pump(): void {
    if (this.processing || this.finished) return;
    this.processing = true;
    try {
      for (;;) {
        const payload = this.decoder.next();
        if (!payload) break;
        this.reclaimMeter.packet();
        const pending = this.dispatch(payload, (this.decoder.sequence - 1) >>> 0);
        if (this.rekeyDue()) this.startRekey('data limit');
        if (pending) {
          // Nothing more is decoded until it settles; leave further input in the kernel meanwhile.
          this.holdInput('async');
          pending.then(
            () => {
              this.releaseInput('async');
              this.processing = false;
              this.afterKexProgress();
              this.pump();
            },
            (err) => this.fail(asTsshError(err)),
          );
          return;
        }
      }
      this.processing = false;
      if (this.peerGone) this.fail(this.closedByPeer());
    } catch (err) {
      this.processing = false;
      this.fail(asTsshError(err));
    }
  }

  private dispatch(payload: Buffer, seq: number): Promise<void> | undefined {
    if (payload.length === 0) throw protocolError('empty packet');
    const type = payload[0]!;
    this.log.debug3(`receive packet: type ${type}`);
    // Strict KEX: nothing but key-exchange messages (and a DISCONNECT) until the first NEWKEYS.
    if (this.kex && !this.firstKexDone && this.kex.strictKex && !(type >= 20 && type <= 49) && type !== MSG.DISCONNECT) {
      throw new ConnectionFatal('PROTOCOL', `strict KEX violation: unexpected packet type ${type} (seqnr ${seq})`, [], 'disconnecting');
    }
    switch (type) {
      case MSG.DISCONNECT:
        throw disconnectError(payload, this.config.peer);
      case MSG.IGNORE:
        return undefined;
      case MSG.DEBUG:
        return this.onDebug(payload);
      case MSG.UNIMPLEMENTED:
        this.log.debug1(`Received SSH2_MSG_UNIMPLEMENTED for ${new SshReader(payload).raw(5).readUInt32BE(1)}`);
        return undefined;
      case MSG.PING:
        return this.onPing(payload);
      case MSG.PONG:
        new SshReader(payload, 'PONG').byte(); // nothing to do: our PINGs are chaff (cli/keystroke-timing.ts)
        return undefined;
      default:
        break;
    }
    if (type >= 20 && type <= 49 && this.kex && !this.kex.accepts(type)) return this.kexProtocolError(type, seq);
    const verdict = this.order.classify(type, this.kex !== undefined);
    switch (verdict) {
      case 'kex':
        return this.onKexMessage(payload, seq);
      case 'ext-info':
        this.extensions.receive(payload, this.log);
        return undefined;
      case 'ignore':
        this.log.debug2(`ignoring ${msgName(type)}`);
        return undefined;
      case 'kex-protocol-error':
        return this.kexProtocolError(type, seq);
      case 'dispatch-protocol-error':
        return this.unexpected(type, seq);
      case 'userauth-error':
        throw protocolError(`input_userauth_error: bad message during authentication: type ${type}`);
      case 'no-handler':
        throw new ConnectionFatal('PROTOCOL', `protocol error: rcvd type ${type}`, [], 'disconnected');
      case 'deliver':
        return this.deliver(payload, seq);
    }
  }

  private onKexMessage(payload: Buffer, seq: number): Promise<void> | undefined {
    if (payload[0] === MSG.NEWKEYS) return this.onNewKeys();
    if (!this.kex) this.beginKex();
    return this.runKexStep(payload, seq);
  }

  private deliver(payload: Buffer, seq: number): Promise<void> | undefined {
    // The layer above may not be there yet (authentication starts once the first exchange has settled):
    // the message waits for it, with the rest of the input, as it would in ssh's socket buffer.
    if (!this.handler) return new Promise<void>((resume) => this.handlerWaiters.push(resume)).then(() => this.deliver(payload, seq));
    const type = payload[0]!;
    if (type === MSG.USERAUTH_SUCCESS && this.role === 'client') this.onAuthenticated();
    if (type === MSG.SERVICE_ACCEPT && this.serviceRequestedAt !== undefined) {
      this.roundTripMs = performance.now() - this.serviceRequestedAt;
      this.serviceRequestedAt = undefined;
    }
    const handled = this.handler(payload, seq);
    if (handled === false) this.unexpected(type, seq);
    return handled instanceof Promise ? handled : undefined;
  }

  /** A message nobody here handles: logged, answered UNIMPLEMENTED, no harm done (ssh's dispatch_protocol_error). */
  reportUnexpected(type: number, seq: number): void {
    this.unexpected(type, seq);
  }

  /** SSH2_MSG_PING: answered with its data in a PONG, though not before authentication nor during a key exchange (as ssh). */
  private onPing(payload: Buffer): undefined {
    const r = new SshReader(payload, 'PING');
    r.byte();
    const data = Buffer.from(r.string());
    if (this.order.authenticated && this.kex === undefined) this.writePacket(message(MSG.PONG).string(data).finish());
    return undefined;
  }

  /**
   * Sends an SSH2_MSG_PING as ssh's keystroke chaff (the size of a one-byte CHANNEL_DATA), when the
   * server said it understands it and no key exchange is running; false when it was not sent.
   */
  sendChaff(): boolean {
    if (!this.extensions.ping || this.kex !== undefined || this.finished) return false;
    this.send(message(MSG.PING).string('PING!').finish());
    return true;
  }

  /** What ssh's ~I shows (packet.c connection_info_message): the stream, the algorithms, the traffic. */
  connectionFacts(): ConnectionFacts {
    const socket = this.socket as Partial<Socket>;
    const blockOf = (cipher: string | undefined): number => (cipher === undefined ? 8 : cipherInfo(cipher)?.blockSize ?? 8);
    const out = this.role === 'client' ? this.negotiated?.clientToServer : this.negotiated?.serverToClient;
    const inn = this.role === 'client' ? this.negotiated?.serverToClient : this.negotiated?.clientToServer;
    return {
      tcp: typeof socket.localPort === 'number' ? { local: `${socket.localAddress}:${socket.localPort}`, remote: `${socket.remoteAddress}:${socket.remotePort}` } : undefined,
      negotiated: this.negotiated,
      blockSize: { in: blockOf(inn?.cipher), out: blockOf(out?.cipher) },
      received: { ...this.decoder.sinceRekey, totalBytes: this.bytesRead },
      sent: { ...this.encoder.sinceRekey, totalBytes: this.bytesWritten },
      rekeyLimit: this.config.rekeyLimit,
      lastKeyExchangeAt: this.lastKeyExchangeAt,
    };
  }

  /** A key re-exchange is running (keystroke timing obfuscation pauses then). */
  get rekeying(): boolean {
    return this.kex !== undefined;
  }

  private unexpected(type: number, seq: number): undefined {
    this.log.info(`dispatch_protocol_error: type ${type} seq ${seq}`);
    this.writePacket(message(MSG.UNIMPLEMENTED).uint32(seq).finish());
    return undefined;
  }

  /**
   * A transport message out of place in a key exchange (ssh's kex_protocol_error): logged, answered
   * UNIMPLEMENTED and ignored; in the first exchange under strict KEX it ends the connection.
   */
  private kexProtocolError(type: number, seq: number): undefined {
    if (this.kex && !this.firstKexDone && this.kex.strictKex) {
      throw new ConnectionFatal('PROTOCOL', `strict KEX violation: unexpected packet type ${type} (seqnr ${seq})`, [], 'disconnecting');
    }
    this.log.error(`kex_protocol_error: type ${type} seq ${seq}`);
    this.writePacket(message(MSG.UNIMPLEMENTED).uint32(seq).finish());
    return undefined;
  }

  /** ssh logs the text at debug level whatever always_display says (a server must not write on our terminal). */
  private onDebug(payload: Buffer): undefined {
    const r = new SshReader(payload, 'DEBUG');
    r.byte();
    r.boolean(); // always_display
    this.log.debug1(`Remote: ${cText(r.string(), 900)}`);
    return undefined;
  }

  // ---- key exchange ----

  private beginKex(): void {
    if (this.firstKexDone) this.order.rekeyStarted();
    this.kex = new KexRound({
      role: this.role,
      isInitial: !this.firstKexDone,
      localVersion: this.localVersion,
      peerVersion: this.peerVersion,
      preferences: this.config.preferences,
      sessionId: this.firstExchange?.sessionId,
      ...(this.config.hostKeys ? { hostKeys: this.config.hostKeys } : {}),
      ...(this.firstExchange ? { initialHostKey: this.firstExchange.hostKey } : {}),
      send: (p) => this.writePacket(p),
      ...(this.config.verifyHostKey ? { verifyHostKey: this.config.verifyHostKey } : {}),
      log: this.log,
      // Rekeys are not part of the connect timeline.
      ...(this.config.timeline && !this.firstKexDone ? { timeline: this.config.timeline } : {}),
    });
    this.kex.sendKexInit();
    this.log.debug1('SSH2_MSG_KEXINIT sent');
  }

  /** Starts a key re-exchange (RekeyLimit reached, ~R, or a test). No-op while one is running. */
  startRekey(reason: string): void {
    // As ssh: never before authentication has completed.
    if (this.finished || this.kex || !this.firstKexDone || !this.order.authenticated) return;
    this.log.debug1(`rekeying: ${reason}`);
    this.beginKex();
  }

  private runKexStep(payload: Buffer, seq: number): Promise<void> | undefined {
    const kex = this.kex!;
    const wasNegotiated = kex.result;
    const step = kex.handle(payload, seq).catch((err: unknown) => {
      if (err instanceof NoCommonAlgorithm) {
        const { host, port } = this.config.peer;
        const [ours, theirs] = this.role === 'client' ? [err.client, err.server] : [err.server, err.client];
        throw new NegotiationError(err.kind, ours, theirs, `Unable to negotiate with ${host} port ${port}: ${err.message}`);
      }
      throw err;
    });
    return step.then(() => {
      if (!wasNegotiated && kex.result) this.logServerHostKey(kex.result);
      this.afterKexProgress();
    });
  }

  /** Once our side of the exchange is complete, NEWKEYS goes out and our outgoing keys change. */
  private afterKexProgress(): void {
    const kex = this.kex;
    if (!kex || !kex.readyToSendNewKeys || this.finished) return;
    const outcome = kex.result!;
    this.writePacket(message(MSG.NEWKEYS).finish());
    kex.markNewKeysSent();
    this.log.debug1('SSH2_MSG_NEWKEYS sent');
    if (!this.firstKexDone) this.config.timeline?.mark('newkeys-sent');
    // Strict KEX is decided by the first exchange and then applies to every NEWKEYS of the connection.
    this.strictKex ||= kex.strictKex;
    if (this.strictKex) this.encoder.resetSequence();
    this.encoder.setProtection(outcome.outgoing.sealer);
    this.compression.newKeys('outgoing', outcome.outgoing.algorithms.compression);
    if (!this.firstKexDone && this.role === 'server' && outcome.negotiated.peerWantsExtInfo) this.sendExtInfo();
    if (!this.firstKexDone && this.role === 'client' && outcome.negotiated.serverOffersExtInfo) this.writePacket(clientExtInfo());
    this.maybeFinishKex();
  }

  private onNewKeys(): undefined {
    if (!this.kex) throw protocolError('unexpected SSH2_MSG_NEWKEYS');
    const outcome = this.kex.receiveNewKeys();
    this.log.debug1('SSH2_MSG_NEWKEYS received');
    if (!this.firstKexDone) this.config.timeline?.mark('newkeys-received');
    if (!this.firstKexDone) this.order.firstNewKeys(outcome.negotiated.serverOffersExtInfo);
    this.strictKex ||= this.kex.strictKex;
    if (this.strictKex) this.decoder.resetSequence();
    this.decoder.setProtection(outcome.incoming.opener);
    this.compression.newKeys('incoming', outcome.incoming.algorithms.compression);
    this.maybeFinishKex();
    return undefined;
  }


  private maybeFinishKex(): void {
    const kex = this.kex;
    if (!kex || !kex.done) return;
    const outcome = kex.result!;
    this.negotiated = outcome.negotiated;
    this.kex = undefined;
    this.keyExchanges++;
    this.lastKeyExchangeAt = Date.now();
    if (!this.firstKexDone) {
      this.firstKexDone = true;
      const { exchangeHash, hostKey, signature } = outcome.result;
      this.firstExchange = { hostKey, sessionId: exchangeHash, signature };
      this.readyResolve();
    }
    this.rekey.reset(cipherInfo(outcome.outgoing.algorithms.cipher)?.blockSize ?? 8);
    // What waited during the exchange goes out, until a packet would cross the limit again: that one
    // and the rest wait for the next exchange (ssh_packet_send2).
    const held = this.held;
    this.held = [];
    for (let i = 0; i < held.length; i++) {
      const { payload, padTo } = held[i]!;
      if (this.rekeyDue(payload.length)) {
        this.held = held.slice(i);
        this.startRekey('data limit');
        break;
      }
      this.writePacket(payload, padTo);
    }
    if (this.rekeyDue()) this.startRekey('data limit');
    this.flushDrainWaiters();
  }

  private onAuthenticated(): void {
    this.compression.onAuthenticated();
    this.rekey.onAuthenticated();
  }

  private logServerHostKey(outcome: KexOutcome): void {
    if (this.role === 'client') this.log.debug1(`Server host key: ${outcome.hostKey.type} ${fingerprintSha256(outcome.hostKey.blob)}`);
  }

  private sendExtInfo(): void {
    const algs = [...this.config.hostKeys?.keys() ?? []];
    const sigAlgs = algs.includes('rsa-sha2-256') || algs.length > 0 ? this.config.preferences.hostKey : algs;
    this.writePacket(serverExtInfo(sigAlgs));
  }

  // ---- closing ----

  /** Sends DISCONNECT (best effort) and closes: an orderly local shutdown. */
  disconnect(reason: number = DisconnectReason.BY_APPLICATION, description = 'disconnected by user'): void {
    if (this.finished) return;
    try {
      if (this.firstKexDone || this.kex) this.writePacket(message(MSG.DISCONNECT).uint32(reason).string(description).string('').finish());
    } catch {
      // The connection is going away regardless.
    }
    this.finish(undefined);
  }

  /** Ends the connection because of an error; tells the peer why when the error carries a reason. */
  fail(err: TsshError): void {
    if (this.finished) return;
    if (err.disconnectReason !== undefined && this.peerVersion) {
      const description = err instanceof ConnectionFatal ? err.reason : err.message.split('\n')[0]!;
      try {
        this.writePacket(message(MSG.DISCONNECT).uint32(err.disconnectReason).string(description).string('').finish());
      } catch {
        // Best effort.
      }
    }
    this.finish(err instanceof ConnectionFatal ? err.forPeer(this.config.peer) : err);
  }

  private finish(err: TsshError | undefined): void {
    this.finished = true;
    this.rekey.stop();
    this.held = [];
    if (err) this.readyReject(err);
    else this.readyReject(new TsshError('CONNECTION_CLOSED', 'connection closed'));
    if (this.corked) {
      this.corked = false;
      this.socket.uncork();
    }
    // Let a final DISCONNECT flush, then release the socket.
    this.socket.end(() => this.socket.destroy());
    this.resolveClosed(err);
    for (const w of this.drainWaiters) w();
    this.drainWaiters = [];
  }

  get cipherBlockSize(): number {
    return this.negotiated ? cipherInfo(this.negotiated.clientToServer.cipher)?.blockSize ?? 8 : 8;
  }
}
