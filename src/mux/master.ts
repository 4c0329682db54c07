/**
 * A ControlMaster: the control socket of an authenticated connection, serving tssh's and OpenSSH's
 * mux clients (PROTOCOL.mux). Sessions are shared in proxy mode (MUX_C_PROXY): the client speaks the
 * connection protocol itself and ProxyRelay carries it. Passenger requests (MUX_C_NEW_SESSION and
 * MUX_C_NEW_STDIO_FWD) pass file descriptors, which Node cannot receive: they are refused with a
 * reason, and OpenSSH's ssh then connects on its own, as it does after any refusal.
 *
 * The socket is created as OpenSSH creates it: under a temporary name with umask 0177 (mode 0600, so
 * only its owner, or root, can connect), then linked into place so no client meets a half-ready socket.
 */
import { linkSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import { randomInt } from 'node:crypto';
import { TsshError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ChannelOpenRequest, Connection } from '../connection/connection.js';
import { strerror } from '../net/strerror.js';
import { SshReader } from '../wire/reader.js';
import type { MuxForward } from './protocol.js';
import { checkControlPathLength } from './client.js';
import { ControlClient, type ControlContext } from './control-client.js';

export interface MasterHooks {
  log: Logger;
  /** The host name in confirmation prompts ("Terminate shared connection to %s? "). */
  host: string;
  /** ControlMaster ask/autoask: each request is confirmed through this (SSH_ASKPASS); otherwise undefined. */
  confirm?: (prompt: string) => Promise<boolean>;
  /** MUX_C_OPEN_FWD: sets the forward up; resolves with the allocated port for remote port 0. Throws to refuse (the message is the reason). */
  openForward(f: MuxForward): Promise<number | undefined>;
  closeForward(f: MuxForward): Promise<void>;
  /** ssh -O conninfo / -O channels text. */
  info(name: string): string | undefined;
  /** MUX_C_TERMINATE: ends the shared connection (after the OK reply is on its way). */
  terminate(): void;
  /** Called whenever the number of attached clients changes (ControlPersist's idle clock). */
  clientsChanged(count: number): void;
  /** The socket is gone (-O stop): no new clients will come. */
  listenerStopped?(): void;
}

export class MuxMaster {
  private readonly clients = new Set<ControlClient>();
  private listening = true;
  private nextClient = 0;
  /** Undefined while a --reconnect master waits for its next connection. */
  private connection: Connection | undefined;
  /** Clients that came while there was no connection: they are served once there is one again. */
  private readonly waiting = new Set<net.Socket>();

  private constructor(
    private readonly server: net.Server,
    readonly path: string,
    connection: Connection,
    private readonly hooks: MasterHooks,
  ) {
    server.on('connection', (socket) => this.accept(socket));
    this.useConnection(connection);
  }

  /**
   * Listens on `path`. Undefined, after ssh's error line, when a socket is already there (another
   * master): the connection then simply is not shared.
   */
  static async listen(path: string, connection: Connection, hooks: MasterHooks): Promise<MuxMaster | undefined> {
    checkControlPathLength(path);
    const temporary = `${path}.${randomName()}`;
    hooks.log.debug1('setting up multiplex master socket');
    hooks.log.debug3(`muxserver_listen: temporary control path ${temporary}`);
    const server = net.createServer({ allowHalfOpen: false });
    const previous = process.umask(0o177);
    let listening: Promise<void>;
    try {
      listening = new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen({ path: temporary, backlog: 64 }, () => resolve());
      });
    } finally {
      process.umask(previous);
    }
    try {
      await listening;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' || code === 'EINVAL') {
        hooks.log.error(`ControlSocket ${temporary} already exists, disabling multiplexing`);
        return undefined;
      }
      throw new TsshError('CONFIG', `unix_listener: cannot bind to path ${temporary}: ${strerror(err)}`);
    }
    try {
      linkSync(temporary, path);
    } catch (err) {
      server.close();
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new TsshError('CONFIG', `muxserver_listen: link mux listener ${temporary} => ${path}: ${strerror(err)}`);
      }
      hooks.log.error(`ControlSocket ${path} already exists, disabling multiplexing`);
      return undefined;
    } finally {
      unlinkQuietly(temporary);
    }
    return new MuxMaster(server, path, connection, hooks);
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** `-O stop`: no new clients; the socket is removed. Attached clients carry on. */
  stopListening(): void {
    if (!this.listening) return;
    this.listening = false;
    this.server.close();
    unlinkQuietly(this.path);
    this.hooks.listenerStopped?.();
  }

  /** Stops listening and detaches every client (their channels close with the connection). */
  close(): void {
    this.stopListening();
    for (const client of this.clients) client.end();
    for (const socket of this.waiting) socket.destroy();
    this.waiting.clear();
  }

  /**
   * --reconnect: the connection is gone. Its clients are detached (their sessions died with it), and
   * the socket stays, so clients that come now wait for the next connection instead of finding none.
   */
  connectionLost(): void {
    this.connection = undefined;
    for (const client of this.clients) client.end();
  }

  /** --reconnect: the new connection serves the clients from now on, the waiting ones first. */
  replaceConnection(connection: Connection): void {
    this.useConnection(connection);
    const waiting = [...this.waiting];
    this.waiting.clear();
    for (const socket of waiting) if (!socket.destroyed) this.accept(socket);
  }

  private useConnection(connection: Connection): void {
    this.connection = connection;
    connection.interceptChannelOpens((request) => this.interceptForwardedOpen(request));
  }

  private accept(socket: net.Socket): void {
    if (this.connection === undefined) {
      this.hooks.log.debug1('control client waits for the master to reconnect');
      this.waiting.add(socket);
      socket.once('close', () => this.waiting.delete(socket));
      return;
    }
    const context: ControlContext = { ...this.hooks, stopListening: () => this.stopListening() };
    const client = new ControlClient(socket, this.connection, context, `mux client ${this.nextClient++}`);
    this.clients.add(client);
    this.hooks.clientsChanged(this.clients.size);
    socket.once('close', () => {
      client.end();
      this.clients.delete(client);
      this.hooks.clientsChanged(this.clients.size);
    });
  }

  /** A server open for a port one of the proxy clients forwards goes to that client; others as before. */
  private interceptForwardedOpen(request: ChannelOpenRequest): boolean {
    if (request.type !== 'forwarded-tcpip') return false;
    const fields = new SshReader(request.fields, request.type);
    fields.text();
    const port = fields.uint32();
    for (const client of this.clients) {
      if (client.relay?.listens.some((listen) => listen.port === port)) {
        client.relay.serverOpens(request.type, request);
        return true;
      }
    }
    return false;
  }
}

function randomName(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  let name = '';
  for (let i = 0; i < 16; i++) name += alphabet[randomInt(alphabet.length)];
  return name;
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
