/**
 * The forwards of a connection once the user is authenticated, in ssh's order (ssh.c ssh_session2):
 * local (-L, -D) listeners, remote (-R) requests, agent and X11 forwarding; ExitOnForwardFailure turns
 * any failure into an error. It also answers the `~#` and `~C` escapes (ForwardingControl).
 */
import { statSync } from 'node:fs';
import { TsshError } from '../errors.js';
import type { SshClient } from '../client.js';
import type { Channel } from '../connection/channel.js';
import { parseForwardSpec, parseRemoteForwardSpec, type ForwardSpec } from '../config/forward-spec.js';
import { handleAgentChannels } from '../forward/agent.js';
import { X11Forwarding, type X11Request } from '../forward/x11.js';
import { startDynamicForward } from '../forward/dynamic.js';
import type { ForwardListener } from '../forward/listen.js';
import { startLocalForward, type ForwardContext } from '../forward/local.js';
import { RemoteForwarding } from '../forward/remote.js';
import { describeEndpoint } from '../forward/spec.js';
import { agentSocketPath } from './agent-socket.js';
import { ReconnectBackoff } from './backoff.js';
import { x11Credentials } from './x11-auth.js';
import type { ForwardCancelResult, ForwardingControl, ForwardKind, ForwardRequestResult } from './forwarding-control.js';
import type { Logger } from '../log.js';
import type { HostProfile } from '../profile/resolve.js';
import { type ResolveEnvironment } from '../profile/environment.js';

interface LocalForwardEntry {
  kind: 'local' | 'dynamic';
  spec: ForwardSpec;
  listener: ForwardListener;
}

/** The forwards of one connection: listeners, remote requests, and the channels they carry. */
export class Forwarding implements ForwardingControl {
  private readonly locals: LocalForwardEntry[] = [];
  private readonly open = new Map<Channel, string>();
  private readonly context: ForwardContext;
  private remote: RemoteForwarding;
  /** An agent is there to forward: the session asks the server for auth-agent-req@openssh.com. */
  readonly agentForwarding: boolean;
  private readonly x11: X11Forwarding;

  private constructor(
    private client: SshClient,
    private readonly options: HostProfile,
    private readonly env: ResolveEnvironment,
    private readonly log: Logger,
  ) {
    this.context = {
      connection: client.connection,
      log,
      listen: {
        gatewayPorts: options.gatewayPorts,
        addressFamily: options.addressFamily,
        streamLocalBindMask: options.streamLocalBindMask,
        streamLocalBindUnlink: options.streamLocalBindUnlink,
      },
      track: (channel, description) => {
        this.open.set(channel, description);
        channel.once('channel-close', () => this.open.delete(channel));
      },
    };
    this.remote = this.remoteForwarding();
    const agent = options.forwardAgent ? forwardedAgentSocket(options, env, log) : undefined;
    this.agentForwarding = agent !== undefined;
    handleAgentChannels(client.connection, agent, log, client.transport.sessionBinding);
    this.x11 = new X11Forwarding(client.connection, options.forwardX11, log);
  }

  /** The session's x11-req (-X / -Y), once the local display's credentials are found; else undefined. */
  async x11Request(): Promise<X11Request | undefined> {
    const { forwardX11, forwardX11Trusted: trusted, forwardX11Timeout: timeout, xauthLocation } = this.options;
    const display = this.env.env.DISPLAY;
    if (!forwardX11) return undefined;
    const credentials = await x11Credentials({ display, xauthLocation, trusted, timeout }, this.log);
    if (credentials === undefined || display === undefined) return undefined;
    return this.x11.request(display, credentials, trusted || timeout === 0 ? undefined : timeout);
  }

  /**
   * Sets up every configured forward. With ExitOnForwardFailure a failure throws (ssh's fatal words);
   * otherwise it is logged and the rest goes on. Remote forwards are awaited only when their answer
   * matters: ExitOnForwardFailure, or `waitForRemote` (-f, so that the answers are seen before
   * going to the background).
   */
  static async start(client: SshClient, options: HostProfile, env: ResolveEnvironment, log: Logger, waitForRemote: boolean): Promise<Forwarding> {
    const forwarding = new Forwarding(client, options, env, log);
    try {
      await forwarding.startLocals();
      await forwarding.startRemotes(waitForRemote || options.exitOnForwardFailure);
    } catch (err) {
      forwarding.close();
      throw err;
    }
    return forwarding;
  }

  private async startLocals(): Promise<void> {
    const { localForwards, exitOnForwardFailure, gatewayPorts } = this.options;
    let started = 0;
    for (const spec of localForwards) {
      const listen = spec.listen.kind === 'unix' ? spec.listen.path : spec.listen.host ?? (gatewayPorts ? '*' : 'LOCALHOST');
      const port = spec.listen.kind === 'unix' ? -2 : spec.listen.port;
      this.log.debug1(`Local connections to ${listen}:${port} forwarded to remote address ${describeEndpoint(spec.connect)}`);
      if (await this.startLocal(spec.connect.kind === 'socks' ? 'dynamic' : 'local', spec)) started++;
    }
    const failed = localForwards.length - started;
    if (failed > 0 && exitOnForwardFailure) throw new TsshError('CHANNEL', 'Could not request local forwarding.');
    if (localForwards.length > 0 && started === 0) this.log.error('Could not request local forwarding.');
  }

  private async startLocal(kind: 'local' | 'dynamic', spec: ForwardSpec): Promise<boolean> {
    const listener = kind === 'dynamic' ? await startDynamicForward(spec, this.context) : await startLocalForward(spec, this.context);
    if (listener === undefined) return false;
    this.locals.push({ kind, spec, listener });
    return true;
  }

  private async startRemotes(wait: boolean, onRefused: (spec: ForwardSpec) => void = () => {}): Promise<void> {
    const requests = this.options.remoteForwards.map(async (spec) => {
      const ok = await this.remote.request(spec);
      if (ok || this.client.transport.isClosed) return;
      const what = remoteListenText(spec);
      if (this.options.exitOnForwardFailure) throw new TsshError('CHANNEL', `Error: remote port forwarding failed for ${what}`);
      this.log.info(`Warning: remote port forwarding failed for ${what}`);
      onRefused(spec);
    });
    if (wait) {
      await Promise.all(requests);
    } else {
      for (const request of requests) request.catch(() => {}); // cannot throw without ExitOnForwardFailure
    }
  }

  /**
   * `--reconnect`: moves every forward onto a new connection of the same host. The local listeners
   * (-L, -D) stayed bound through the gap and now open their channels on `client`; the remote ones
   * (-R) are requested again, since the server forgot them with the old connection. Agent and X11
   * forwarding belong to a session, which a reconnecting (-N) command does not have.
   */
  async reattach(client: SshClient): Promise<void> {
    this.client = client;
    this.context.connection = client.connection;
    this.remote = this.remoteForwarding();
    await this.startRemotes(this.options.exitOnForwardFailure, (spec) => void this.askAgain(spec, client));
  }

  /**
   * After a dead path (not a server restart) the server may hold a -R port for the old connection
   * until its own ClientAlive check gives up; so a refused -R is asked for again, backing off, for as
   * long as this connection is the current one.
   */
  private async askAgain(spec: ForwardSpec, client: SshClient): Promise<void> {
    const backoff = new ReconnectBackoff({ initialMs: 2000, maxMs: 30_000 });
    const current = (): boolean => this.client === client && !client.transport.isClosed;
    while (current()) {
      const { delayMs } = backoff.next();
      await new Promise((resolve) => setTimeout(resolve, delayMs).unref());
      if (!current()) return;
      if (await this.remote.request(spec).catch(() => false)) {
        this.log.info(`Remote port forwarding for ${remoteListenText(spec)} is up again`);
        return;
      }
    }
  }

  /** -R on the current connection (it registers the handlers for the server's forwarded channels). */
  private remoteForwarding(): RemoteForwarding {
    return new RemoteForwarding(this.context, { permitRemoteOpen: this.options.permitRemoteOpen, addressFamily: this.options.addressFamily });
  }

  // ---- ForwardingControl (~# and ~C) ----

  listConnections(): string[] {
    return [...this.open].map(
      ([channel, description]) => `  #${channel.localId} ${description} (t4 r${channel.remoteId} i0/${channel.readableLength} o0/${channel.writableLength})`,
    );
  }

  async request(kind: ForwardKind, specification: string): Promise<ForwardRequestResult> {
    const spec =
      kind === 'remote'
        ? parseRemoteForwardSpec(specification)
        : parseForwardSpec(specification, { dynamic: kind === 'dynamic', remote: false });
    if (spec === undefined) return 'bad-specification';
    return (await this.openForward(kind, spec)) === false ? 'failed' : 'ok';
  }

  /**
   * Sets up one more forward (~C, or a connection-sharing client's MUX_C_OPEN_FWD). Resolves with the
   * port the server allocated for a remote forward of port 0, undefined otherwise, or false on failure
   * (logged as ssh logs it). A forward identical to one already up is not set up twice.
   */
  async openForward(kind: ForwardKind, spec: ForwardSpec): Promise<number | undefined | false> {
    if (kind === 'remote') {
      const granted = await this.remote.requestListening(spec);
      return granted === undefined ? false : spec.listen.kind === 'tcp' && spec.listen.port === 0 ? granted.port : undefined;
    }
    if (this.locals.some((entry) => entry.kind === kind && sameListen(entry.spec.listen, spec.listen) && sameConnect(entry.spec, spec))) return undefined;
    return (await this.startLocal(kind, spec)) ? undefined : false;
  }

  async cancel(kind: ForwardKind, specification: string): Promise<ForwardCancelResult> {
    // Like ssh: a cancel names the listen side only, `[bind_address:]port` (or a socket path).
    const spec = parseForwardSpec(specification, { dynamic: true, remote: false });
    if (spec === undefined) return 'bad-specification';
    return (await this.closeForward(kind, spec.listen)) ? 'ok' : 'unknown';
  }

  /** Stops one forward by its listen side; false when there was none. */
  async closeForward(kind: ForwardKind, listen: ForwardSpec['listen']): Promise<boolean> {
    if (kind === 'remote') return this.remote.cancel(listen);
    const index = this.locals.findIndex((entry) => entry.kind === kind && sameListen(entry.spec.listen, listen));
    if (index < 0) return false;
    this.locals[index]!.listener.close();
    this.locals.splice(index, 1);
    return true;
  }

  stopListening(): void {
    for (const entry of this.locals) entry.listener.close();
  }

  /** Stops every listener (on the way out). */
  close(): void {
    this.stopListening();
    this.locals.length = 0;
  }
}

/** How ssh names a remote forward in its messages: `listen port N` or `listen path P`. */
function remoteListenText(spec: ForwardSpec): string {
  return spec.listen.kind === 'unix' ? `listen path ${spec.listen.path}` : `listen port ${spec.listen.port}`;
}

function sameConnect(a: ForwardSpec, b: ForwardSpec): boolean {
  return JSON.stringify(a.connect) === JSON.stringify(b.connect);
}

function sameListen(a: ForwardSpec['listen'], b: ForwardSpec['listen']): boolean {
  if (a.kind === 'unix' || b.kind === 'unix') return a.kind === b.kind && (a as { path: string }).path === (b as { path: string }).path;
  return a.port === b.port && (b.host === undefined || a.host === b.host);
}

/**
 * The agent socket -A forwards: ForwardAgent's path (`$VAR` read now), else the one authentication
 * uses (IdentityAgent / SSH_AUTH_SOCK). Undefined when there is no agent: ssh then quietly does not
 * ask the server.
 */
function forwardedAgentSocket(options: HostProfile, env: ResolveEnvironment, log: Logger): string | undefined {
  let path: string | undefined;
  const configured = options.forwardAgentPath;
  if (configured !== undefined) path = configured.startsWith('$') && !configured.startsWith('${') ? env.env[configured.slice(1)] : configured;
  else path = agentSocketPath(options.identityAgent, env.env, log);
  if (path === undefined || path === '') return undefined;
  try {
    if (!statSync(path).isSocket()) return undefined;
  } catch {
    return undefined;
  }
  return path;
}

