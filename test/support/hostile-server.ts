/**
 * A scripted hostile SSH server, in-process on 127.0.0.1 and a free port. Each accepted connection
 * runs the test's script, which speaks real SSH where it wants to (tssh's own codec and key exchange
 * in the server role) and misbehaves wherever it likes:
 *
 *   const server = await startHostileServer(async (peer) => {
 *     const conn = await peer.handshake();          // identification + key exchange
 *     await conn.authenticate();                    // any userauth request succeeds
 *     const channel = await conn.acceptSession();   // session channel + exec
 *     conn.serveInBackground();
 *     await channel.finish('hello\n', 0);
 *   });
 *   const r = await runClient(TSSH_BIN, [...server.clientArgs(), 'cmd']);
 *   await server.stop();
 *
 * The client trusts the server's host key through a known_hosts file (no prompts), reads no user
 * config (-F /dev/null) and runs in BatchMode.
 */
import net, { type Socket } from 'node:net';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateHostKeySigner } from '../../src/crypto/keys/index.js';
import type { HostKeySigner } from '../../src/crypto/kex/types.js';
import { makeTempDir } from './run.js';
import { ServerWire } from './hostile/wire.js';
import { serverKex, type KexHooks } from './hostile/kex.js';
import { ServerConnection, type ConnectionOptions } from './hostile/connection.js';

export { ServerWire, ConnectionClosed, SERVER_IDENT } from './hostile/wire.js';
export { ServerConnection, ServerChannel } from './hostile/connection.js';
export type { KexHooks } from './hostile/kex.js';

/** What a script gets for one client connection. */
export interface HostilePeer {
  wire: ServerWire;
  hostKey: HostKeySigner;
  /** Sends our identification, reads the client's, and runs the first key exchange. */
  handshake(hooks?: KexHooks & ConnectionOptions): Promise<ServerConnection>;
}

export type HostileScript = (peer: HostilePeer) => Promise<void>;

export interface HostileServer {
  host: '127.0.0.1';
  port: number;
  /** known_hosts naming `[127.0.0.1]:port` with the server's ed25519 key. */
  knownHosts: string;
  dir: string;
  hostKey: HostKeySigner;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Script failures other than the client going away (a broken test, not a broken client). */
  readonly scriptErrors: string[];
  /** Client flags for an isolated, prompt-free connection, without the destination. */
  clientOptions(): string[];
  /** clientOptions() and the destination; append the remote command. */
  clientArgs(): string[];
  /** Resolves when every script started so far has returned or thrown. */
  scriptsSettled(): Promise<void>;
  /** Closes the listener and every connection. Idempotent. */
  stop(): Promise<void>;
}

const sharedHostKey = (() => {
  let key: HostKeySigner | undefined;
  return () => (key ??= generateHostKeySigner('ssh-ed25519'));
})();

export async function startHostileServer(script: HostileScript): Promise<HostileServer> {
  const hostKey = sharedHostKey();
  const dir = makeTempDir('tssh-hostile-');
  const sockets = new Set<Socket>();
  const scripts = new Set<Promise<void>>();
  const scriptErrors: string[] = [];
  let connections = 0;

  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const wire = new ServerWire(socket);
    const peer: HostilePeer = {
      wire,
      hostKey,
      async handshake(hooks = {}) {
        if (!wire.identSent) wire.sendIdent();
        await wire.readIdent();
        const state = await serverKex(wire, hostKey, hooks);
        return new ServerConnection(wire, hostKey, state, hooks);
      },
    };
    const running = script(peer).catch((err: Error) => {
      if (err.name === 'ConnectionClosed' || err.constructor.name === 'ConnectionClosed' || wire.isClosed) return;
      scriptErrors.push(err.stack ?? err.message);
    });
    scripts.add(running);
    void running.finally(() => scripts.delete(running));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('hostile server: no port');
  const port = address.port;
  const knownHosts = path.join(dir, 'known_hosts');
  const blob = hostKey.publicBlob;
  writeFileSync(knownHosts, `[127.0.0.1]:${port} ssh-ed25519 ${blob.toString('base64')}\n`);

  let stopping: Promise<void> | undefined;
  const clientOptions = (): string[] => [
    '-F', '/dev/null',
    '-p', String(port),
    '-o', `UserKnownHostsFile=${knownHosts}`,
    '-o', 'GlobalKnownHostsFile=/dev/null',
    '-o', 'StrictHostKeyChecking=yes',
    '-o', 'BatchMode=yes',
    '-o', 'User=hostile',
  ];
  return {
    host: '127.0.0.1',
    port,
    knownHosts,
    dir,
    hostKey,
    get connections() {
      return connections;
    },
    scriptErrors,
    clientOptions,
    clientArgs: () => [...clientOptions(), '127.0.0.1'],
    scriptsSettled: async () => {
      await Promise.all([...scripts]);
    },
    stop: () => {
      stopping ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const socket of sockets) socket.destroy();
        await closed;
        // Scripts end when their connection does; one that awaits something else is not waited for long.
        await Promise.race([Promise.all([...scripts]), new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
        rmSync(dir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}
