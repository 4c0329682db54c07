import net from 'node:net';
import dns from 'node:dns/promises';
import { TimeoutError, TsshError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Timeline } from '../timeline.js';
import { gaiStrerror, strerror } from './strerror.js';
import { ipLiteralVersion } from './ip-literal.js';

export interface DialOptions {
  host: string;
  port: number;
  /** Milliseconds for each TCP connect attempt; undefined = the OS default. */
  timeoutMs: number | undefined;
  log: Logger;
  /** How this program is called in messages (OpenSSH uses its own name: "ssh: connect to host ..."). */
  progname: string;
  /** AddressFamily (-4 / -6): which addresses of the host to try. Default: any. */
  family?: 'any' | 'inet' | 'inet6';
  /** BindAddress (-b): the local address to connect from (a name is resolved). */
  bindAddress?: string;
  /** ConnectionAttempts: rounds over the host's addresses, one second apart. Default 1. */
  attempts?: number;
  /** TCPKeepAlive: SO_KEEPALIVE on the connection. Default false. */
  keepAlive?: boolean;
  /** Waits between attempts (tests shorten it). Default: one second, as ssh. */
  retryDelayMs?: number;
  /** --timing: DNS and each TCP connect are recorded here. */
  timeline?: Timeline;
}

/**
 * Resolves and connects like OpenSSH's ssh_connect_direct: every address in turn, ConnectionAttempts
 * rounds, the last error reported as "ssh: connect to host H port P: <strerror>". TCP_NODELAY is set
 * at once: SSH packets are written whole, and Nagle would hold back the small handshake packets.
 */
export async function dialTcp(opts: DialOptions): Promise<net.Socket> {
  const family = opts.family === 'inet' ? 4 : opts.family === 'inet6' ? 6 : 0;
  let addresses: Array<{ address: string; family: number }>;
  const dnsSpan = opts.timeline?.begin('dns', { host: opts.host });
  try {
    const literal = ipLiteralVersion(opts.host);
    if (literal !== 0 && family !== 0 && literal !== family) throw Object.assign(new Error('wrong family'), { code: 'EAI_ADDRFAMILY' });
    addresses = literal !== 0 ? [{ address: opts.host, family: literal }] : await dns.lookup(opts.host, { all: true, family });
    dnsSpan?.end({ addresses: addresses.map((a) => a.address).join(' ') });
  } catch (err) {
    dnsSpan?.end({ error: gaiStrerror(err) }, 'failed');
    throw new TsshError('RESOLVE', `${opts.progname}: Could not resolve hostname ${opts.host.slice(0, 100)}: ${gaiStrerror(err)}`);
  }
  const localAddresses = opts.bindAddress === undefined ? undefined : await resolveBindAddress(opts.bindAddress, opts.log);
  const attempts = Math.max(1, opts.attempts ?? 1);
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (attempt > 0) {
      await new Promise((resolve) => setTimeout(resolve, opts.retryDelayMs ?? 1000));
      opts.log.debug1('Trying again...');
    }
    for (const { address, family: addressFamily } of addresses) {
      opts.log.debug1(`Connecting to ${opts.host} [${address}] port ${opts.port}.`);
      let localAddress: string | undefined;
      if (localAddresses !== undefined) {
        localAddress = localAddresses.find((a) => a.family === addressFamily)?.address;
        if (localAddress === undefined) {
          if (localAddresses.length > 0) opts.log.error(`getaddrinfo: ${opts.bindAddress}: Address family for hostname not supported`);
          lastError = undefined; // ssh then says "failure": no errno to report
          continue;
        }
      }
      const tcpSpan = opts.timeline?.begin('tcp', { address, port: opts.port });
      try {
        const socket = await connectOnce(address, opts.port, opts.timeoutMs, localAddress);
        tcpSpan?.end();
        if (opts.keepAlive) socket.setKeepAlive(true);
        opts.log.debug1('Connection established.');
        return socket;
      } catch (err) {
        tcpSpan?.end({ error: strerror(err) }, 'failed');
        lastError = err;
        if ((err as NodeJS.ErrnoException).syscall === 'bind') {
          opts.log.error(`bind ${localAddress}: ${strerror(err)}`);
          lastError = undefined;
        }
        opts.log.debug1(`connect to address ${address} port ${opts.port}: ${strerror(err)}`);
      }
    }
  }
  const reason = lastError !== undefined ? strerror(lastError) : 'failure';
  const message = `${opts.progname}: connect to host ${opts.host} port ${opts.port}: ${reason}`;
  if ((lastError as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT') throw new TimeoutError('connect', message);
  throw new TsshError('CONNECT', message);
}

async function resolveBindAddress(name: string, log: Logger): Promise<Array<{ address: string; family: number }>> {
  const literal = ipLiteralVersion(name);
  if (literal !== 0) return [{ address: name, family: literal }];
  try {
    return await dns.lookup(name, { all: true });
  } catch (err) {
    log.error(`getaddrinfo: ${name}: ${gaiStrerror(err)}`);
    return [];
  }
}

function connectOnce(address: string, port: number, timeoutMs: number | undefined, localAddress: string | undefined): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: address, port, noDelay: true, ...(localAddress !== undefined ? { localAddress } : {}) });
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
