/**
 * Helpers for the forwarding and proxy tests: small local servers (HTTP file server, echo), a tssh
 * left running in the background (stopped by pid), and socket clients that hash what they read.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { Readable } from 'node:stream';
import { isAlive } from '../support/processes.js';
import { isolatedEnv, makeTempDir, TSSH_BIN, waitFor } from '../support/run.js';

export const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

export interface LocalServer {
  port: number;
  close(): Promise<void>;
}

async function listen(server: net.Server, where: { host: string; port: number } | { path: string }): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(where, () => resolve());
  });
}

function closer(server: net.Server): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      server.close(() => resolve());
      // Keep-alive or half-done connections must not hold the test up.
      (server as http.Server).closeAllConnections?.();
    });
}

/** An HTTP server on 127.0.0.1: `files` maps a path to its body (a Buffer, or a generator of a stream). */
export async function startHttpServer(files: Record<string, Buffer | (() => Readable)>): Promise<LocalServer> {
  const server = http.createServer((request, response) => {
    const body = files[request.url ?? ''];
    if (body === undefined) {
      response.writeHead(404).end();
      return;
    }
    if (Buffer.isBuffer(body)) {
      response.writeHead(200, { 'content-length': String(body.length) }).end(body);
      return;
    }
    response.writeHead(200);
    const stream = body();
    stream.pipe(response);
    response.on('close', () => stream.destroy());
  });
  await listen(server, { host: '127.0.0.1', port: 0 });
  return { port: (server.address() as net.AddressInfo).port, close: closer(server) };
}

/** A TCP (or Unix-socket) echo server: sends back what it receives, and ends when the client does. */
export async function startEchoServer(where: { path: string } | undefined = undefined): Promise<LocalServer & { connections: number }> {
  const state = { connections: 0 };
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    state.connections++;
    socket.on('error', () => socket.destroy());
    socket.pipe(socket);
  });
  await listen(server, where ?? { host: '127.0.0.1', port: 0 });
  const address = server.address();
  return Object.assign(state, { port: typeof address === 'string' || address === null ? 0 : address.port, close: closer(server) });
}

/** `size` pseudo-random bytes, produced as a stream of 1 MiB chunks (no big buffer held). */
export function patternStream(size: number, seed = 1): Readable {
  let sent = 0;
  const block = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < block.length; i++) block[i] = (i * 2654435761 + seed) >>> 24;
  return new Readable({
    read() {
      if (sent >= size) return void this.push(null);
      const n = Math.min(block.length, size - sent);
      sent += n;
      this.push(block.subarray(0, n));
    },
  });
}

/** GET through a plain TCP port; resolves with the body's length and sha256. */
export function fetchHash(port: number, path: string, host = '127.0.0.1'): Promise<{ status: number; length: number; sha256: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host, port, path, agent: false }, (response) => {
      const hash = createHash('sha256');
      let length = 0;
      response.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        length += chunk.length;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, length, sha256: hash.digest('hex') }));
      response.on('error', reject);
    });
    request.on('error', reject);
  });
}

/** Sends `data` over a new connection, half-closes, and resolves with everything received. */
export function roundTrip(where: { port: number } | { path: string }, data: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = 'path' in where ? net.connect({ path: where.path, allowHalfOpen: true }) : net.connect({ host: '127.0.0.1', port: where.port, allowHalfOpen: true });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => {
      socket.end();
      resolve(Buffer.concat(chunks));
    });
    socket.on('error', reject);
    socket.end(data);
  });
}

/** True once a TCP connection to 127.0.0.1:port is accepted (closed again at once). */
export function accepts(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A tssh left running (-N forwards): its stderr so far, and a stop by pid. */
export interface RunningTssh {
  child: ChildProcess;
  stderr(): string;
  /** Resolves with the exit code (null if killed by a signal). */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

export function startTssh(args: string[], env: NodeJS.ProcessEnv = isolatedEnv(makeTempDir('tssh-home-'))): RunningTssh {
  const child = spawn(TSSH_BIN, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => (stderr += chunk));
  child.stdout!.resume();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    stderr: () => stderr,
    exited,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3000))]);
      if (child.pid !== undefined && isAlive(child.pid)) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Waits until a forward's local port accepts connections (or tssh exits, which fails the wait). */
export async function waitForListener(tssh: RunningTssh, port: number, host = '127.0.0.1'): Promise<void> {
  await waitFor(
    async () => {
      if (tssh.child.exitCode !== null) throw new Error(`tssh exited early (${tssh.child.exitCode}): ${tssh.stderr()}`);
      return accepts(port, host);
    },
    15_000,
    `tssh to listen on port ${port}`,
    25,
  );
}
