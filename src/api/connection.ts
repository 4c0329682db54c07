/**
 * An authenticated SSH connection as a library caller holds it: commands, shells, forwards and direct
 * channels over one transport, and one way it ends (`closed`, the 'close' event).
 */
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import type { TsshError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Connected } from '../connect/connect.js';
import type { TimelineEntry, TimelineRecorder } from '../timeline.js';
import { execute, startProcess, type ExecOptions, type ExecResult, type PtyOptions, type RemoteProcess, type SpawnOptions } from './process.js';
import { Forwards, type Forward, type ForwardTarget, type ListenAddress } from './forwards.js';

/** Who the connection is with, after ssh_config: the resolved host name, port and user. */
export interface ConnectionInfo {
  host: string;
  port: number;
  user: string;
  /** The algorithms the key exchange chose. */
  kex: string;
  hostKeyAlgorithm: string;
  cipher: string;
  /** The host key's fingerprint, as known_hosts checking saw it. */
  hostKeyFingerprint: string | undefined;
}

export interface ShellOptions extends PtyOptions {
  env?: Record<string, string>;
}

export interface Connection {
  on(event: 'close', listener: (error: TsshError | undefined) => void): this;
  once(event: 'close', listener: (error: TsshError | undefined) => void): this;
}

export class Connection extends EventEmitter {
  /** Settles once, when the connection ends: undefined after close(), else the error that ended it. */
  readonly closed: Promise<TsshError | undefined>;
  readonly info: ConnectionInfo;
  private readonly forwards: Forwards;
  private closing: Promise<void> | undefined;

  /** @internal Made by connect(). */
  constructor(
    private readonly connected: Connected,
    private readonly log: Logger,
    hostKeyFingerprint: string | undefined,
    private readonly recorder?: TimelineRecorder,
  ) {
    super();
    const { client, profile } = connected;
    const negotiated = client.transport.negotiated;
    this.info = {
      host: profile.hostName,
      port: profile.port,
      user: profile.user,
      kex: negotiated?.kex ?? '',
      hostKeyAlgorithm: negotiated?.hostKey ?? '',
      cipher: negotiated?.clientToServer.cipher ?? '',
      hostKeyFingerprint,
    };
    this.forwards = new Forwards(client.connection, log, {
      gatewayPorts: profile.gatewayPorts,
      addressFamily: profile.addressFamily,
      streamLocalBindMask: profile.streamLocalBindMask,
      streamLocalBindUnlink: profile.streamLocalBindUnlink,
    });
    this.closed = client.closed;
    void this.closed.then((error) => this.emit('close', error));
  }

  /**
   * Where the time went so far (connect option `timeline`): phases in the order they began, times in ms
   * from process start. Empty when the option was not given.
   */
  timeline(): TimelineEntry[] {
    return this.recorder?.entries() ?? [];
  }

  /** Runs `command` to completion and collects its output (stdin is closed at once unless given). */
  exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    return execute(this.connected.client.connection, this.log, command, options);
  }

  /** Starts `command` with its stdio as streams; resolves once the server has started it. */
  spawn(command: string, options: SpawnOptions = {}): Promise<RemoteProcess> {
    return startProcess(this.connected.client.connection, this.log, { kind: 'exec', command }, options);
  }

  /** The user's login shell in a pseudo-terminal (80x24 xterm-256color unless told otherwise). */
  shell(options: ShellOptions = {}): Promise<RemoteProcess> {
    const { env, ...pty } = options;
    return startProcess(this.connected.client.connection, this.log, { kind: 'shell' }, { pty, ...(env ? { env } : {}) });
  }

  /** A subsystem (e.g. 'sftp') with its stdio as streams. */
  subsystem(name: string): Promise<RemoteProcess> {
    return startProcess(this.connected.client.connection, this.log, { kind: 'subsystem', name }, {});
  }

  /** -L: listens locally; each connection is carried to `to` on the server's side. */
  forwardLocal(options: { listen: ListenAddress; to: ForwardTarget }): Promise<Forward> {
    return this.forwards.local(options.listen, options.to);
  }

  /** -R: the server listens; each connection is carried to `to` on this side (a SOCKS proxy without `to`). */
  forwardRemote(options: { listen: ListenAddress; to?: ForwardTarget }): Promise<Forward> {
    return this.forwards.remoteForward(options.listen, options.to);
  }

  /** -D: a local SOCKS 4/5 proxy whose connections leave from the server. */
  forwardDynamic(options: { listen: ListenAddress }): Promise<Forward> {
    return this.forwards.dynamic(options.listen);
  }

  /** A stream to host:port (or a socket path) opened from the server, like `ssh -W`. */
  openDirect(to: ForwardTarget): Promise<Duplex> {
    return this.forwards.direct(to);
  }

  /** Ends the connection (after an UpdateHostKeys exchange in flight, if any). */
  close(): Promise<void> {
    this.closing ??= this.connected.close().then(async () => {
      await this.closed;
    });
    return this.closing;
  }
}
