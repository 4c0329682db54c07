import type { Duplex } from 'node:stream';
import { TsshError, DisconnectReason, asTsshError } from './errors.js';
import type { Logger } from './log.js';
import type { PublicKey } from './crypto/keys/types.js';
import { Transport } from './transport/transport.js';
import type { AlgorithmPreferences } from './transport/key-exchange.js';
import type { RekeyLimitOption } from './transport/rekey-policy.js';
import { UserAuth, type Identity } from './auth/userauth.js';
import { Connection } from './connection/connection.js';
import { Session } from './connection/session.js';
import { dialTcp } from './net/dial.js';

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
  verifyHostKey(key: PublicKey, algorithm: string): Promise<HostKeyVerdict | void>;
  identities: Identity[];
  acceptedAlgorithms: readonly string[];
  log: Logger;
  onBanner(text: string): void;
  progname?: string;
}

/**
 * SshClient wires the layers: dial → transport (key exchange, host-key trust) → user authentication →
 * connection. It owns the connection's lifetime: any error ends it with a DISCONNECT to the peer.
 */
export class SshClient {
  private constructor(readonly transport: Transport, readonly connection: Connection, private readonly log: Logger) {}

  static async connect(options: ClientOptions): Promise<SshClient> {
    const socket = await dialTcp({ host: options.host, port: options.port, timeoutMs: options.connectTimeoutMs, log: options.log, progname: options.progname ?? 'tssh' });
    return SshClient.overStream(socket, options);
  }

  /** Runs the protocol over an already connected stream (TCP socket, proxy, in-memory pair). */
  static async overStream(stream: Duplex, options: ClientOptions): Promise<SshClient> {
    let timer: NodeJS.Timeout | undefined;
    let verdict: HostKeyVerdict = {};
    const transport = new Transport(stream, {
      role: 'client',
      preferences: options.preferences,
      peer: { host: options.host, port: options.port },
      log: options.log,
      ...(options.rekeyLimit ? { rekeyLimit: options.rekeyLimit } : {}),
      verifyHostKey: async (key, algorithm) => {
        clearTimeout(timer); // a person answering a prompt is not a stalled server
        verdict = (await options.verifyHostKey(key, algorithm)) ?? {};
      },
    });
    if (options.connectTimeoutMs !== undefined) {
      timer = setTimeout(() => transport.fail(handshakeTimeout(transport, options)), options.connectTimeoutMs);
      timer.unref();
    }
    transport.start();
    try {
      await transport.ready;
      clearTimeout(timer);
      const auth = new UserAuth(transport, {
        user: options.user,
        host: options.host,
        identities: options.identities,
        acceptedAlgorithms: options.acceptedAlgorithms,
        log: options.log,
        onBanner: options.onBanner,
      });
      const leftover = await auth.run();
      if (verdict.passwordAuthDisabled) options.log.debug1('password and keyboard-interactive authentication disabled: host key not trusted');
      options.log.verbose(`Authenticated to ${options.host} ([${options.host}]:${options.port}).`);
      return new SshClient(transport, new Connection(transport, options.log, leftover), options.log);
    } catch (err) {
      clearTimeout(timer);
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

function handshakeTimeout(transport: Transport, options: ClientOptions): TsshError {
  const during = transport.remoteVersion ? 'key exchange' : 'banner exchange';
  return new TsshError('TIMEOUT', `Connection timed out during ${during}\nConnection to ${options.host} port ${options.port} timed out`);
}
