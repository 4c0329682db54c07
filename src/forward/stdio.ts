import type { Readable, Writable } from 'node:stream';
import type { Logger } from '../log.js';
import { TsshError, asTsshError } from '../errors.js';
import type { Channel } from '../connection/channel.js';
import type { Connection } from '../connection/connection.js';
import { openDirect } from './local.js';

/**
 * -W host:port: local stdin and stdout become a direct-tcpip channel to host:port (what ProxyCommand
 * users put at the other end). Resolves when the channel closed and stdout has everything; a refused
 * open is ssh's "stdio forwarding failed".
 */
export async function runStdioForward(connection: Connection, target: { host: string; port: number }, io: { stdin: Readable; stdout: Writable }, log: Logger): Promise<void> {
  log.debug1(`channel_connect_stdio_fwd: ${target.host}:${target.port}`);
  let channel: Channel;
  try {
    // OpenSSH reports the originator of a stdio forward as 127.0.0.1 port 65535.
    channel = await openDirect(connection, { kind: 'tcp', host: target.host, port: target.port }, { address: '127.0.0.1', port: 65535 });
  } catch (err) {
    log.info(asTsshError(err).message);
    throw new TsshError('CHANNEL', 'stdio forwarding failed');
  }
  const closed = new Promise<TsshError | undefined>((resolve) => channel.once('channel-close', resolve));
  channel.on('error', () => channel.destroy());
  io.stdin.on('error', () => channel.end());
  io.stdin.pipe(channel);
  const flushed = new Promise<void>((resolve) => {
    channel.pipe(io.stdout, { end: false });
    channel.once('end', () => (io.stdout.writableLength === 0 ? resolve() : io.stdout.write(Buffer.alloc(0), () => resolve())));
    io.stdout.once('error', () => {
      channel.destroy(); // nobody reads any more
      resolve();
    });
  });
  const error = await closed;
  io.stdin.unpipe(channel);
  io.stdin.pause();
  if (error !== undefined) throw error;
  await flushed;
  log.debug1('stdio forwarding: done');
}
