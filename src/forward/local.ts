import type net from 'node:net';
import type { Logger } from '../log.js';
import { asTsshError } from '../errors.js';
import type { Channel } from '../connection/channel.js';
import type { Connection } from '../connection/connection.js';
import { listenOn, type ForwardListener, type ListenSettings } from './listen.js';
import { relay } from './relay.js';
import type { ForwardEndpoint, ForwardSpec, TcpEndpoint } from './spec.js';

/** What every forwarder needs. */
export interface ForwardContext {
  connection: Connection;
  log: Logger;
  listen: ListenSettings;
  /** Records a forwarded connection for `~#` until its channel closes. */
  track(channel: Channel, description: string): void;
}

/** Who opened a forwarded connection, as direct-tcpip reports it. */
export interface Originator {
  address: string;
  port: number;
}

/** The originator of an accepted socket (a Unix-domain peer has no address: OpenSSH says 127.0.0.1). */
export function originatorOf(socket: net.Socket): Originator {
  return { address: socket.remoteAddress ?? '127.0.0.1', port: socket.remotePort ?? 65535 };
}

/**
 * Opens a channel to `target` on the server's side: direct-tcpip (RFC 4254 §7.2) for host:port,
 * direct-streamlocal@openssh.com for a socket path. Rejects with OpenSSH's
 * `channel N: open failed: connect failed: ...` when the server cannot connect.
 */
export function openDirect(connection: Connection, target: ForwardEndpoint, origin: Originator): Promise<Channel> {
  if (target.kind === 'unix') {
    return connection.openChannel('direct-streamlocal@openssh.com', (w) => w.string(target.path).string('').uint32(0));
  }
  return connection.openChannel('direct-tcpip', (w) => w.string(target.host ?? '').uint32(target.port).string(origin.address).uint32(origin.port));
}

/**
 * Between connections (--reconnect) a listener stays bound and closes what it accepts at once, so a
 * tunnel's client sees a closed connection, not a vanished port; true when `socket` was closed so.
 */
export function closedWhileDisconnected(socket: net.Socket, context: ForwardContext, listenPort: number): boolean {
  if (!context.connection.hasEnded) return false;
  context.log.debug1(`Connection to port ${listenPort} closed: no connection to the server (reconnecting)`);
  socket.destroy();
  return true;
}

/**
 * Carries one accepted connection to `target` through a new channel; when the server refuses, only
 * this connection is closed (and the refusal logged as ssh logs it).
 */
export async function forwardSocket(socket: net.Socket, target: ForwardEndpoint, context: ForwardContext, description: string): Promise<void> {
  socket.on('error', () => socket.destroy()); // a reset before the channel is open ends just this one
  let channel: Channel;
  try {
    channel = await openDirect(context.connection, target, originatorOf(socket));
  } catch (err) {
    context.log.info(asTsshError(err).message);
    socket.destroy();
    return;
  }
  context.track(channel, description);
  await relay(socket, channel);
}

/**
 * -L / LocalForward: listens on the local endpoint; every connection becomes a channel to the target
 * on the server's side. Undefined when nothing could be bound (already logged).
 */
export async function startLocalForward(spec: ForwardSpec, context: ForwardContext): Promise<ForwardListener | undefined> {
  const target = spec.connect;
  if (target.kind === 'socks') throw new Error('startLocalForward: a SOCKS forward is dynamic');
  const listenPort = spec.listen.kind === 'tcp' ? spec.listen.port : 0;
  return listenOn(spec.listen, context.listen, context.log, (socket) => {
    if (closedWhileDisconnected(socket, context, listenPort)) return;
    const where = target.kind === 'unix' ? `path ${target.path}` : `${target.host} port ${target.port}`;
    context.log.debug1(`Connection to port ${listenPort} forwarding to ${where} requested.`);
    const origin = originatorOf(socket);
    const description = target.kind === 'unix'
      ? `direct-streamlocal@openssh.com: listening on ${describeListen(spec.listen)} for ${target.path}`
      : `direct-tcpip: listening port ${listenPort} for ${target.host} port ${target.port}, connect from ${origin.address} port ${origin.port}`;
    void forwardSocket(socket, target, context, description);
  });
}

function describeListen(endpoint: ForwardEndpoint): string {
  return endpoint.kind === 'unix' ? endpoint.path : `port ${(endpoint as TcpEndpoint).port}`;
}
