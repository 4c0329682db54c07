import { SshReader } from '../wire/reader.js';
import { cText } from '../wire/text.js';
import { OpenFailure, type ChannelOpenRequest } from '../connection/connection.js';
import type { AddressFamily } from '../config/forward-options.js';
import { connectLocal, LocalConnectError } from './connect.js';
import { readSocksRequest } from './dynamic.js';
import type { ForwardContext } from './local.js';
import { relay } from './relay.js';
import { Socks5Reply, socksCodeForFailure, socksReply } from './socks.js';
import { remoteBindHost, type ForwardSpec } from './spec.js';

export interface RemoteForwardOptions {
  /** PermitRemoteOpen patterns (`host:port`, `*` allowed) for remote SOCKS forwards; empty = any. */
  permitRemoteOpen: readonly string[];
  addressFamily: AddressFamily;
}

interface ActiveRemoteForward {
  spec: ForwardSpec;
  /** The port the server listens on: the requested one, or the one it allocated for 0. */
  port: number | undefined;
}

/** OpenSSH's PORT_STREAMLOCAL, which its "Allocated port" line prints after a socket path. */
const PORT_STREAMLOCAL = -2;

/**
 * -R / RemoteForward: asks the server to listen (tcpip-forward, streamlocal-forward@openssh.com) and
 * carries the connections it reports (forwarded-tcpip, forwarded-streamlocal@openssh.com) to the local
 * target, or through a SOCKS handshake for a remote dynamic forward. A channel is confirmed only once
 * the local connection is made, as OpenSSH does, so a refused target is refused to the server.
 */
export class RemoteForwarding {
  private readonly active: ActiveRemoteForward[] = [];

  constructor(private readonly context: ForwardContext, private readonly options: RemoteForwardOptions) {
    context.connection.handleChannelOpens('forwarded-tcpip', (request) => this.onForwardedTcpip(request));
    context.connection.handleChannelOpens('forwarded-streamlocal@openssh.com', (request) => this.onForwardedStreamlocal(request));
  }

  /**
   * Sends the request and waits for the answer. Logs "Allocated port N ..." for a port of 0, or
   * ssh's warning on refusal; returns whether the server agreed.
   */
  async request(spec: ForwardSpec): Promise<boolean> {
    return (await this.requestListening(spec)) !== undefined;
  }

  /**
   * As request(), resolving with where the server listens (the port it allocated for 0; undefined for a
   * socket path), or undefined when it refused.
   */
  async requestListening(spec: ForwardSpec): Promise<{ port: number | undefined } | undefined> {
    const { connection, log } = this.context;
    const listen = spec.listen;
    const target = spec.connect;
    const targetText = target.kind === 'socks' ? 'socks:0' : target.kind === 'unix' ? `${target.path}:${PORT_STREAMLOCAL}` : `${target.host}:${target.port}`;
    const reply =
      listen.kind === 'unix'
        ? await connection.globalRequest('streamlocal-forward@openssh.com', true, (w) => w.string(listen.path))
        : await connection.globalRequest('tcpip-forward', true, (w) => w.string(remoteBindHost(listen.host)).uint32(listen.port));
    const listenText = listen.kind === 'unix' ? listen.path : `${listen.host !== undefined ? `${listen.host}:` : ''}${listen.port}`;
    log.debug1(`remote forward ${reply.ok ? 'success' : 'failure'} for: listen ${listenText}, connect ${targetText}`);
    if (!reply.ok) return undefined;
    let port: number | undefined = listen.kind === 'tcp' ? listen.port : undefined;
    if (listen.kind === 'tcp' && listen.port === 0) {
      const r = new SshReader(reply.data, 'tcpip-forward reply');
      port = r.uint32();
      if (port === 0 || port > 65535) {
        log.error(`Invalid allocated port ${port} for remote forward to ${targetText}`);
        return undefined;
      }
      log.info(`Allocated port ${port} for remote forward to ${targetText}`);
    }
    this.active.push({ spec, port });
    return { port };
  }

  /** Asks the server to stop listening for `spec` (~C -KR); false if it was not forwarded or the server says no. */
  async cancel(listen: ForwardSpec['listen']): Promise<boolean> {
    const index = this.active.findIndex((f) => (listen.kind === 'unix' ? f.spec.listen.kind === 'unix' && f.spec.listen.path === listen.path : f.spec.listen.kind === 'tcp' && f.port === listen.port));
    if (index < 0) return false;
    const forward = this.active[index]!;
    const spec = forward.spec.listen;
    const reply =
      spec.kind === 'unix'
        ? await this.context.connection.globalRequest('cancel-streamlocal-forward@openssh.com', true, (w) => w.string(spec.path))
        : await this.context.connection.globalRequest('cancel-tcpip-forward', true, (w) => w.string(remoteBindHost(spec.host)).uint32(forward.port ?? spec.port));
    if (reply.ok) this.active.splice(index, 1);
    return reply.ok;
  }

  private onForwardedTcpip(request: ChannelOpenRequest): void {
    const r = request.reader;
    const address = r.text();
    const port = r.uint32();
    const originAddress = r.text();
    const originPort = r.uint32();
    r.end();
    this.context.log.debug1(`client_request_forwarded_tcpip: listen ${address} port ${port}, originator ${originAddress} port ${originPort}`);
    const candidates = this.active.filter((f) => f.spec.listen.kind === 'tcp' && f.port === port);
    // Match the bind address as ssh does; a server that reports another spelling still gets its port's forward.
    const forward = candidates.find((f) => f.spec.listen.kind === 'tcp' && remoteBindHost(f.spec.listen.host) === address) ?? candidates[0];
    if (forward === undefined) {
      this.context.log.error(`WARNING: Server requests forwarding for unknown listen_port ${port}`);
      request.reject(OpenFailure.ADMINISTRATIVELY_PROHIBITED, 'open failed');
      return;
    }
    void this.serve(request, forward.spec, `forwarded-tcpip: listening port ${port}, connect from ${originAddress} port ${originPort}`);
  }

  private onForwardedStreamlocal(request: ChannelOpenRequest): void {
    const r = request.reader;
    const path = r.text();
    r.string(); // reserved
    r.end();
    this.context.log.debug1(`client_request_forwarded_streamlocal: request: ${path}`);
    const forward = this.active.find((f) => f.spec.listen.kind === 'unix' && f.spec.listen.path === path);
    if (forward === undefined) {
      this.context.log.error(`WARNING: Server requests forwarding for unknown path ${cText(path, 100)}`);
      request.reject(OpenFailure.ADMINISTRATIVELY_PROHIBITED, 'open failed');
      return;
    }
    void this.serve(request, forward.spec, `forwarded-streamlocal@openssh.com: listening on ${path}`);
  }

  /** Connects locally, then confirms and relays; a failed connect refuses the open. */
  private async serve(request: ChannelOpenRequest, spec: ForwardSpec, description: string): Promise<void> {
    const target = spec.connect;
    if (target.kind === 'socks') return this.serveSocks(request, description);
    let socket;
    try {
      socket = await connectLocal(target, this.options.addressFamily);
    } catch (err) {
      const failure = err instanceof LocalConnectError ? err : new LocalConnectError(String(err), String(err));
      this.context.log.error(failure.logLine);
      request.reject(OpenFailure.CONNECT_FAILED, failure.reason);
      return;
    }
    let channel;
    try {
      channel = request.accept();
    } catch {
      socket.destroy(); // the connection ended while we were connecting
      return;
    }
    this.context.track(channel, description);
    await relay(socket, channel);
  }

  /** A remote dynamic forward: the SOCKS client is at the server's end of the channel. */
  private async serveSocks(request: ChannelOpenRequest, description: string): Promise<void> {
    let channel;
    try {
      channel = request.accept();
    } catch {
      return;
    }
    this.context.track(channel, description);
    channel.on('error', () => channel.destroy());
    const socks = await readSocksRequest(channel, this.context.log, `channel ${channel.localId}`);
    if (socks === undefined) return void channel.destroy();
    if (!this.permitted(socks.host, socks.port)) {
      this.context.log.info(`Received request to connect to host ${socks.host} port ${socks.port}, but the request was denied.`);
      channel.end(socksReply(socks.version, Socks5Reply.NOT_ALLOWED));
      return;
    }
    let socket;
    try {
      socket = await connectLocal({ kind: 'tcp', host: socks.host, port: socks.port }, this.options.addressFamily);
    } catch (err) {
      const failure = err instanceof LocalConnectError ? err : new LocalConnectError(String(err), String(err));
      this.context.log.error(failure.logLine);
      channel.end(socksReply(socks.version, socksCodeForFailure('connect', failure.reason)));
      return;
    }
    channel.write(socksReply(socks.version, Socks5Reply.SUCCEEDED));
    await relay(socket, channel);
  }

  /** PermitRemoteOpen: `host:port` entries, `*` matching any host or port; empty list = any; `none` = nothing. */
  private permitted(host: string, port: number): boolean {
    const list = this.options.permitRemoteOpen;
    if (list.length === 0) return true;
    if (list.length === 1 && list[0]!.toLowerCase() === 'none') return false;
    return list.some((entry) => {
      const bracket = entry.startsWith('[');
      const colon = bracket ? entry.indexOf(']:') + 1 : entry.lastIndexOf(':');
      const allowedHost = bracket ? entry.slice(1, colon - 1) : entry.slice(0, colon);
      const allowedPort = entry.slice(colon + 1);
      return (allowedHost === '*' || allowedHost === host) && (allowedPort === '*' || Number(allowedPort) === port);
    });
  }
}
