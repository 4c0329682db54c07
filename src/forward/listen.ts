import net from 'node:net';
import dns from 'node:dns/promises';
import { unlinkSync } from 'node:fs';
import type { Logger } from '../log.js';
import type { AddressFamily } from '../config/forward-options.js';
import { gaiStrerror, strerror } from '../net/strerror.js';
import { fixedBindAddresses, localBindChoice, type ForwardEndpoint } from './spec.js';

/** The options that decide how a local forward listens. */
export interface ListenSettings {
  gatewayPorts: boolean;
  addressFamily: AddressFamily;
  /** umask while creating a Unix-domain listener (StreamLocalBindMask). */
  streamLocalBindMask: number;
  /** Remove an existing socket file first (StreamLocalBindUnlink). */
  streamLocalBindUnlink: boolean;
}

/** The listening sockets of one forward (one per bound address). */
export class ForwardListener {
  private closed = false;
  constructor(private readonly servers: net.Server[]) {}

  /** Where it listens: the TCP ports bound (the one the system chose for port 0), or socket paths. */
  get addresses(): Array<net.AddressInfo | string> {
    return this.servers.map((server) => server.address()).filter((a): a is net.AddressInfo | string => a !== null);
  }

  /** Stops accepting (Node removes a Unix socket's file); connections already forwarded go on. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const server of this.servers) server.close();
  }
}

/**
 * Listens on a forward's local endpoint (TCP on the addresses OpenSSH would bind, or a Unix socket)
 * and hands each accepted connection, half-open capable, to `onConnection`. Logs OpenSSH's messages
 * for what could not be bound; undefined when nothing could.
 */
export async function listenOn(
  endpoint: ForwardEndpoint,
  settings: ListenSettings,
  log: Logger,
  onConnection: (socket: net.Socket) => void,
): Promise<ForwardListener | undefined> {
  return endpoint.kind === 'unix'
    ? listenUnix(endpoint.path, settings, log, onConnection)
    : listenTcp(endpoint.host, endpoint.port, settings, log, onConnection);
}

async function listenTcp(
  host: string | undefined,
  port: number,
  settings: ListenSettings,
  log: Logger,
  onConnection: (socket: net.Socket) => void,
): Promise<ForwardListener | undefined> {
  const choice = localBindChoice(host, settings.gatewayPorts);
  let addresses: string[];
  if (choice.kind === 'named') {
    try {
      const family = settings.addressFamily === 'inet' ? 4 : settings.addressFamily === 'inet6' ? 6 : 0;
      addresses = (await dns.lookup(choice.host, { all: true, family })).map((entry) => entry.address);
    } catch (err) {
      log.error(`channel_setup_fwd_listener_tcpip: getaddrinfo(${choice.host.slice(0, 64)}): ${gaiStrerror(err)}`);
      return undefined;
    }
  } else {
    addresses = fixedBindAddresses(choice, settings.addressFamily);
  }
  const servers: net.Server[] = [];
  for (const [index, address] of addresses.entries()) {
    // Port 0: the system picks one for the first address, and every other address uses the same (as ssh does).
    if (port === 0 && servers.length > 0) port = (servers[0]!.address() as net.AddressInfo).port;
    const display = `[${address}]:${port}`;
    log.debug1(`Local forwarding listening on ${address} port ${port}.`);
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, onConnection);
    try {
      await listen(server, { host: address, port, ipv6Only: net.isIPv6(address), exclusive: true });
      servers.push(server);
    } catch (err) {
      // Like ssh: only the last address's failure is an error (an earlier one may be the same socket).
      const message = `bind ${display}: ${strerror(err)}`;
      if (index === addresses.length - 1) log.error(message);
      else log.verbose(message);
    }
  }
  if (servers.length === 0) {
    log.error(`channel_setup_fwd_listener_tcpip: cannot listen to port: ${port}`);
    return undefined;
  }
  return new ForwardListener(servers);
}

async function listenUnix(path: string, settings: ListenSettings, log: Logger, onConnection: (socket: net.Socket) => void): Promise<ForwardListener | undefined> {
  if (settings.streamLocalBindUnlink) {
    try {
      unlinkSync(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') log.error(`unlink(${path}): ${strerror(err)}`);
    }
  }
  const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, onConnection);
  // The socket file's mode comes from the umask at bind time, which listen() does synchronously.
  const previous = process.umask(settings.streamLocalBindMask);
  let listening: Promise<void>;
  try {
    listening = listen(server, { path });
  } finally {
    process.umask(previous);
  }
  try {
    await listening;
  } catch (err) {
    log.error(`unix_listener: cannot bind to path ${path}: ${strerror(err)}`);
    return undefined;
  }
  log.debug1(`Local forwarding listening on path ${path}.`);
  return new ForwardListener([server]);
}

function listen(server: net.Server, options: net.ListenOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(options, () => {
      server.removeListener('error', onError);
      // A listener that fails later (EMFILE on accept) must not crash the process.
      server.on('error', () => {});
      resolve();
    });
  });
}
