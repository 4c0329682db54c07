import net from 'node:net';
import type { AddressFamily } from '../config/forward-options.js';
import { gaiStrerror, isResolveError, strerror } from '../net/strerror.js';
import type { ForwardEndpoint } from './spec.js';

/** Why a local connection for the server could not be made: ssh's log line and the open-failure text. */
export class LocalConnectError extends Error {
  constructor(
    /** What ssh logs (`connect_to H port P: failed.`). */
    readonly logLine: string,
    /** strerror text for CHANNEL_OPEN_FAILURE and SOCKS replies. */
    readonly reason: string,
    /** The host name did not resolve (reason is then getaddrinfo's words). */
    readonly unknownHost = false,
  ) {
    super(logLine);
  }
}

/**
 * Connects to a forward's local target (host:port or a Unix socket) for a channel the server opened:
 * half-open capable, like the sockets of local listeners. Rejects with a LocalConnectError worded as
 * OpenSSH's connect_to().
 */
export function connectLocal(target: ForwardEndpoint, family: AddressFamily): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket =
      target.kind === 'unix'
        ? net.connect({ path: target.path, allowHalfOpen: true })
        : net.connect({ host: target.host ?? 'localhost', port: target.port, allowHalfOpen: true, noDelay: true, ...(family === 'any' ? {} : { family: family === 'inet' ? 4 : 6 }) });
    const onError = (err: Error): void => {
      socket.destroy();
      if (target.kind === 'unix') reject(new LocalConnectError(`connect ${target.path}: ${strerror(err)}`, strerror(err)));
      else if (isResolveError(err)) reject(new LocalConnectError(`connect_to ${target.host}: unknown host (${gaiStrerror(err)})`, gaiStrerror(err), true));
      else reject(new LocalConnectError(`connect_to ${target.host} port ${target.port}: failed.`, strerror(err)));
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      socket.removeListener('error', onError);
      socket.on('error', () => socket.destroy()); // until the relay takes over
      resolve(socket);
    });
  });
}
