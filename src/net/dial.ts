import net from 'node:net';
import dns from 'node:dns/promises';
import { TsshError } from '../errors.js';
import type { Logger } from '../log.js';

export interface DialOptions {
  host: string;
  port: number;
  /** Milliseconds for each TCP connect attempt; undefined = the OS default. */
  timeoutMs: number | undefined;
  log: Logger;
  /** How this program is called in messages (OpenSSH uses its own name: "ssh: connect to host ..."). */
  progname: string;
}

/** glibc's gai_strerror texts, which OpenSSH prints, for the errors Node reports. */
function resolveMessage(code: string | undefined): string {
  switch (code) {
    case 'ENOTFOUND':
      return 'Name or service not known';
    case 'EAI_AGAIN':
      return 'Temporary failure in name resolution';
    case 'ENODATA':
      return 'No address associated with hostname';
    default:
      return code ?? 'unknown error';
  }
}

/** strerror texts for connect failures. */
function connectMessage(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'Connection refused';
    case 'ETIMEDOUT':
      return 'Connection timed out';
    case 'EHOSTUNREACH':
      return 'No route to host';
    case 'ENETUNREACH':
      return 'Network is unreachable';
    case 'EADDRNOTAVAIL':
      return 'Cannot assign requested address';
    case 'EACCES':
      return 'Permission denied';
    default:
      return err.message;
  }
}

/**
 * Resolves and connects like OpenSSH's ssh_connect_direct: every address in turn, the last error
 * reported as "ssh: connect to host H port P: <strerror>". TCP_NODELAY is set at once: SSH packets are
 * written whole, and Nagle would hold back the small handshake packets.
 */
export async function dialTcp(opts: DialOptions): Promise<net.Socket> {
  let addresses: Array<{ address: string; family: number }>;
  try {
    addresses = net.isIP(opts.host) ? [{ address: opts.host, family: net.isIP(opts.host) }] : await dns.lookup(opts.host, { all: true });
  } catch (err) {
    throw new TsshError('RESOLVE', `${opts.progname}: Could not resolve hostname ${opts.host.slice(0, 100)}: ${resolveMessage((err as NodeJS.ErrnoException).code)}`);
  }
  let lastError: NodeJS.ErrnoException | undefined;
  for (const { address } of addresses) {
    opts.log.debug1(`Connecting to ${opts.host} [${address}] port ${opts.port}.`);
    try {
      const socket = await connectOnce(address, opts.port, opts.timeoutMs);
      opts.log.debug1('Connection established.');
      return socket;
    } catch (err) {
      lastError = err as NodeJS.ErrnoException;
      opts.log.debug1(`connect to address ${address} port ${opts.port}: ${connectMessage(lastError)}`);
    }
  }
  const reason = lastError ? connectMessage(lastError) : 'no address';
  throw new TsshError('CONNECT', `${opts.progname}: connect to host ${opts.host} port ${opts.port}: ${reason}`);
}

function connectOnce(address: string, port: number, timeoutMs: number | undefined): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: address, port, noDelay: true });
    let timer: NodeJS.Timeout | undefined;
    if (timeoutMs !== undefined) {
      timer = setTimeout(() => {
        socket.destroy();
        reject(Object.assign(new Error('Connection timed out'), { code: 'ETIMEDOUT' }));
      }, timeoutMs);
    }
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    });
  });
}
