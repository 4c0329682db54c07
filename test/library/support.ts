/**
 * Library tests: connect() options that reach a harness sshd without reading the real ~/.ssh, the
 * agent or /etc/ssh/ssh_config, and small local servers to forward to.
 */
import net from 'node:net';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ConnectOptions } from '../../src/index.js';
import { makeTempDir } from '../support/run.js';
import type { Sshd } from '../support/sshd.js';

/** Options for `connect(sshd.destination, ...)` with the harness keys and known_hosts. */
export function libraryOptions(sshd: Sshd, extra: ConnectOptions = {}): ConnectOptions {
  return {
    config: false,
    home: makeTempDir('tssh-lib-home-'),
    env: {},
    identityFiles: [sshd.userKey],
    ...extra,
    options: {
      Port: sshd.port,
      IdentitiesOnly: 'yes',
      UserKnownHostsFile: sshd.knownHosts,
      GlobalKnownHostsFile: '/dev/null',
      ...extra.options,
    },
  };
}

/** A known_hosts file with `text` (for unknown, changed and revoked keys). */
export function knownHostsFile(text: string): string {
  const file = path.join(makeTempDir('tssh-lib-kh-'), 'known_hosts');
  writeFileSync(file, text);
  return file;
}

/** A TCP echo server on 127.0.0.1; close() stops it. */
export async function startEcho(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

/** Writes `data` to a stream and collects what comes back until `expected` bytes arrived. */
export function roundTrip(stream: NodeJS.ReadWriteStream, data: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    stream.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= data.length) resolve(Buffer.concat(chunks));
    });
    stream.on('error', reject);
    stream.write(data);
  });
}

/** Connects to 127.0.0.1:port and does one echo round trip. */
export async function echoThrough(port: number, data: Buffer): Promise<Buffer> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  try {
    return await roundTrip(socket, data);
  } finally {
    socket.destroy();
  }
}
