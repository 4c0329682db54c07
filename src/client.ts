import type { Duplex } from 'node:stream';
import { Socket } from 'node:net';
import { TsshError, DisconnectReason, TimeoutError, abortedError, asTsshError } from './errors.js';
import type { Logger } from './log.js';
import type { Timeline } from './timeline.js';
import type { PublicKey } from './crypto/keys/types.js';
import { Transport } from './transport/transport.js';
import type { PacketTransport } from './transport/contract.js';
import { Inbox } from './auth/inbox.js';
import type { AlgorithmPreferences } from './transport/key-exchange.js';
import type { RekeyLimitOption } from './transport/rekey-policy.js';
import { UserAuth, type AuthOptions } from './auth/userauth.js';
import { Connection, type GlobalRequestHandler } from './connection/connection.js';
import { Session } from './connection/session.js';
import type { ChannelTimeoutEntry } from './connection/channel-timeouts.js';
import { dialTcp } from './net/dial.js';
import { startServerAliveChecks } from './connection/keepalive.js';

/** What the layers above use of the transport: the contract, plus rekeying (~R) and what was negotiated. */
export type ClientTransport = PacketTransport & Pick<Transport, 'startRekey' | 'negotiated' | 'sendChaff' | 'rekeying' | 'connectionFacts'>;

/** User-authentication settings; the client fills in user, host and log. */
export type ClientAuthOptions = Omit<AuthOptions, 'user' | 'host' | 'log'>;

/** What the host-key policy decided beyond "trusted": continuing past a changed key disables password auth. */
export interface HostKeyVerdict {
  passwordAuthDisabled?: boolean;
}

export interface ClientOptions {
  /** Where to connect, and the name used in messages. */
  host: string;
  port: number;
  user: string;
  preferences: AlgorithmPreferences;
  rekeyLimit?: RekeyLimitOption;
  /** ConnectTimeout in ms: bounds TCP connect, banner and key exchange (not the host-key prompt). */
  connectTimeoutMs?: number;
  /** Trust policy for the server's host key, called after its signature over the exchange hash verified. Throws to refuse. */
  verifyHostKey(key: PublicKey, algorithm: string, peerAddress?: string): Promise<HostKeyVerdict | void>;
  /** Global requests from the server (hostkeys-00@openssh.com for UpdateHostKeys); others are refused. */
  onGlobalRequest?: GlobalRequestHandler;
  /** User authentication: keys, agent, methods and prompts (see src/auth/userauth.ts). */
  auth: ClientAuthOptions;
  log: Logger;
  progname?: string;
  /**
   * How to reach the server (ProxyCommand, ProxyJump, or TCP with BindAddress and friends); default:
   * a plain TCP connection to host:port.
   */
  dial?: () => Promise<Duplex>;
  /** ServerAliveInterval (seconds, 0 = off) and ServerAliveCountMax, checked once authenticated. */
  serverAlive?: { intervalSeconds: number; countMax: number };
  /** Frees spent packet buffers during transfers (see TransportConfig.reclaim). */
  reclaim?: () => void;
  /** Aborts connecting (dial, key exchange, authentication) with an 'ABORTED' error. */
  signal?: AbortSignal;
  /** Our identification string (default `SSH-2.0-tssh_<version>`; VersionAddendum appends to it). */
  localVersion?: string;
  /** ChannelTimeout: channels of a matching type are closed after that long without traffic. */
  channelTimeouts?: readonly ChannelTimeoutEntry[];
  /** Called once the first key exchange is done, before authentication, with the key exchange used. */
  onKeyExchange?(kex: string): void;
  /** --timing: the connection's phases (dial, key exchange, authentication, sessions) are recorded here. */
  timeline?: Timeline;
}

/**
 * SshClient wires the layers: dial → transport (key exchange, host-key trust) → user authentication →
 * connection. It owns the connection's lifetime: any error ends it with a DISCONNECT to the peer.
 */
export class SshClient {
  private constructor(
    readonly transport: ClientTransport,
    readonly connection: Connection,
    private readonly log: Logger,
    /** The TCP socket, when the connection runs over one (not through a proxy or a master). */
    readonly socket?: Socket,
  ) {}

  /**
   * A client over a ControlMaster's proxy mode (src/mux/): the master did the key exchange and the
   * authentication, so only the connection protocol runs here.
   */
  static overMux(transport: ClientTransport, log: Logger): SshClient {
    return new SshClient(transport, new Connection(transport, log, new Inbox()), log);
  }

  static async connect(options: ClientOptions): Promise<SshClient> {
    const dialing: Promise<Duplex> = options.dial
      ? options.dial()
      : dialTcp({ host: options.host, port: options.port, timeoutMs: options.connectTimeoutMs, log: options.log, progname: options.progname ?? 'tssh', ...(options.timeline ? { timeline: options.timeline } : {}) });
    const socket = await untilAborted(dialing, options.signal, (late) => late.destroy());
    return SshClient.overStream(socket, options);
  }

  /** Runs the protocol over an already connected stream (TCP socket, proxy, in-memory pair). */
  static async overStream(stream: Duplex, options: ClientOptions): Promise<SshClient> {
    let timer: NodeJS.Timeout | undefined;
    let verdict: HostKeyVerdict = {};
    // Through a proxy there is no peer address: OpenSSH then says "UNKNOWN port 65535".
    // OpenSSH names the peer by its numeric address ("Connection closed by 127.0.0.1 port 22").
    const peer = stream instanceof Socket ? { host: stream.remoteAddress ?? options.host, port: options.port } : { host: 'UNKNOWN', port: 65535 };
    const transport = new Transport(stream, {
      role: 'client',
      preferences: options.preferences,
      peer,
      log: options.log,
      authenticates: true,
      ...(options.rekeyLimit ? { rekeyLimit: options.rekeyLimit } : {}),
      ...(options.reclaim ? { reclaim: options.reclaim } : {}),
      ...(options.localVersion !== undefined ? { localVersion: options.localVersion } : {}),
      ...(options.timeline ? { timeline: options.timeline } : {}),
      verifyHostKey: async (key, algorithm) => {
        clearTimeout(timer); // a person answering a prompt is not a stalled server
        // The peer's numeric address (CheckHostIP); none through a proxy stream.
        verdict = (await options.verifyHostKey(key, algorithm, stream instanceof Socket ? stream.remoteAddress : undefined)) ?? {};
      },
    });
    if (options.connectTimeoutMs !== undefined) {
      timer = setTimeout(() => transport.fail(handshakeTimeout(transport, peer)), options.connectTimeoutMs);
      timer.unref();
    }
    const onAbort = (): void => transport.fail(abortedError());
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) onAbort();
    transport.start();
    try {
      await transport.ready;
      clearTimeout(timer);
      if (transport.negotiated) options.onKeyExchange?.(transport.negotiated.kex);
      const auth = new UserAuth(transport, {
        ...options.auth,
        user: options.user,
        host: options.host,
        log: options.log,
        ...(options.timeline ? { timeline: options.timeline } : {}),
        // After a changed host key (StrictHostKeyChecking=no) nothing that sends a password may run.
        policy: { ...options.auth.policy, passwordAuthDisabled: verdict.passwordAuthDisabled === true || options.auth.policy.passwordAuthDisabled === true },
      });
      const leftover = await auth.run();
      options.log.verbose(`Authenticated to ${options.host} ([${options.host}]:${options.port}) using "${auth.method ?? 'none'}".`);
      const connection = new Connection(transport, options.log, leftover, options.onGlobalRequest);
      connection.timeline = options.timeline;
      if (options.channelTimeouts) connection.setChannelTimeouts(options.channelTimeouts);
      if (options.serverAlive && options.serverAlive.intervalSeconds > 0) {
        startServerAliveChecks(transport, connection, stream, { ...options.serverAlive, host: options.host }, options.log);
      }
      options.signal?.removeEventListener('abort', onAbort);
      return new SshClient(transport, connection, options.log, stream instanceof Socket ? stream : undefined);
    } catch (err) {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      const error = asTsshError(err);
      transport.fail(error);
      // The transport may have ended first with a more precise cause (e.g. the peer's DISCONNECT).
      throw (await transport.closed) ?? error;
    }
  }

  /** Opens a session channel and starts `command` in it (RFC 4254 §6.5). */
  async exec(command: string, env: Array<[string, string]> = []): Promise<Session> {
    const session = await Session.open(this.connection, this.log);
    for (const [name, value] of env) session.setEnv(name, value);
    await session.exec(command);
    return session;
  }

  close(): void {
    this.transport.disconnect(DisconnectReason.BY_APPLICATION, 'disconnected by user');
  }

  get closed(): Promise<TsshError | undefined> {
    return this.transport.closed;
  }
}

/**
 * `work`, unless `signal` fires first: then an 'ABORTED' error, and whatever `work` still produces is
 * handed to `discard` (a socket that connected too late is closed).
 */
async function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined, discard: (late: T) => void): Promise<T> {
  if (signal === undefined) return work;
  if (signal.aborted) {
    work.then(discard, () => {});
    throw abortedError();
  }
  let onAbort = (): void => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(abortedError());
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, aborted]);
  } catch (err) {
    if (signal.aborted) work.then(discard, () => {});
    throw err;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

function handshakeTimeout(transport: Transport, peer: { host: string; port: number }): TsshError {
  const phase = transport.phase;
  const during = phase === 'banner' ? 'banner exchange' : 'key exchange';
  return new TimeoutError(phase, `Connection timed out during ${during}\nConnection to ${peer.host} port ${peer.port} timed out`);
}
