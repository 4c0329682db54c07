import type { Duplex } from 'node:stream';
import { TimeoutError } from '../errors.js';
import type { Logger } from '../log.js';
import type { PacketTransport } from '../transport/contract.js';
import type { Connection } from './connection.js';

export interface ServerAliveOptions {
  /** ServerAliveInterval in seconds (> 0). */
  intervalSeconds: number;
  /** ServerAliveCountMax: unanswered checks tolerated. */
  countMax: number;
  /** The host name for the timeout message. */
  host: string;
}

/**
 * ServerAliveInterval / ServerAliveCountMax, as OpenSSH's client loop does them: whenever nothing has
 * arrived from the server for an interval, send a keepalive@openssh.com global request (any answer,
 * even a refusal, is traffic); once more than CountMax intervals pass in silence, give up with
 * "Timeout, server H not responding." The checks travel inside the encrypted connection, so they
 * see a dead path that TCP keepalives (or a half-open NAT) would not. Returns a stop function.
 */
export function startServerAliveChecks(transport: PacketTransport, connection: Connection, stream: Duplex, options: ServerAliveOptions, log: Logger): () => void {
  let unanswered = 0;
  const intervalMs = options.intervalSeconds * 1000;
  const check = (): void => {
    if (transport.isClosed) return;
    unanswered++;
    if (unanswered > options.countMax) {
      transport.fail(new TimeoutError('keepalive', `Timeout, server ${options.host} not responding.`));
      return;
    }
    log.debug3(`server_alive_check: sending keepalive@openssh.com (${unanswered} unanswered)`);
    connection.globalRequest('keepalive@openssh.com', true).catch(() => {});
    timer.refresh();
  };
  const timer = setTimeout(check, intervalMs);
  timer.unref(); // the connection itself keeps the process alive, not its watchdog
  const onData = (): void => {
    unanswered = 0;
    timer.refresh();
  };
  stream.on('data', onData);
  const stop = (): void => {
    clearTimeout(timer);
    stream.removeListener('data', onData);
  };
  void transport.closed.then(stop);
  return stop;
}
