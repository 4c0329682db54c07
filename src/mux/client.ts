/**
 * A mux client: talks to a ControlMaster (tssh's or OpenSSH's) over its control socket. Requests are
 * answered in order; the error texts are the ones OpenSSH's mux client prints for each refusal.
 */
import net from 'node:net';
import { TsshError, protocolError } from '../errors.js';
import type { Logger } from '../log.js';
import { strerror } from '../net/strerror.js';
import { SshReader } from '../wire/reader.js';
import { MUX, MUX_VERSION, MuxFrameReader, helloMessage, muxMessage, parseHello, writeForward, type MuxForward } from './protocol.js';
import { MuxProxyTransport } from './proxy-transport.js';

/** sizeof(sun_path) on Linux: a longer ControlPath cannot be bound or connected to. */
export const SUN_PATH_MAX = 108;

/** Why connecting to the control socket failed (errno code), for ssh's stale-socket handling. */
export class ControlSocketError extends TsshError {
  constructor(
    readonly errno: string,
    readonly path: string,
    message: string,
  ) {
    super('CONNECT', message);
    this.name = 'ControlSocketError';
  }
}

/** ssh's check before it binds or connects: `ControlPath too long ('PATH' >= 108 bytes)`. */
export function checkControlPathLength(path: string): void {
  if (Buffer.byteLength(path) >= SUN_PATH_MAX) throw new TsshError('CONFIG', `ControlPath too long ('${path}' >= ${SUN_PATH_MAX} bytes)`);
}

interface Reply {
  type: number;
  reader: SshReader;
}

export class MuxClient {
  private readonly frames = new MuxFrameReader();
  private readonly waiting: Array<{ resolve(message: Buffer): void; reject(err: TsshError): void }> = [];
  private readonly queued: Buffer[] = [];
  private nextRequestId = 0;
  private ended: TsshError | undefined;
  private proxying = false;

  private constructor(
    private readonly socket: net.Socket,
    private readonly log: Logger,
    readonly path: string,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => {});
    socket.on('close', () => this.fail(new TsshError('CONNECTION_CLOSED', 'read from master failed: Broken pipe')));
  }

  /** Connects and exchanges HELLO. A master that does not answer within `timeoutMs` (ConnectTimeout) fails. */
  static async connect(path: string, log: Logger, timeoutMs?: number): Promise<MuxClient & { extensions: string[] }> {
    checkControlPathLength(path);
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect(path);
      s.once('connect', () => resolve(s));
      s.once('error', (err: NodeJS.ErrnoException) =>
        reject(new ControlSocketError(err.code ?? 'EIO', path, `Control socket connect(${path.slice(0, 100)}): ${strerror(err)}`)),
      );
    });
    const client = new MuxClient(socket, log, path);
    socket.write(helloMessage(false));
    let timer: NodeJS.Timeout | undefined;
    const hello = client.next();
    const body = await (timeoutMs === undefined
      ? hello
      : Promise.race([hello, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new TsshError('TIMEOUT', 'mux_client_hello_exchange: master hello exchange failed')), timeoutMs)))]));
    clearTimeout(timer);
    const { version, extensions } = parseHello(body);
    if (version !== MUX_VERSION) {
      socket.destroy();
      throw new TsshError('PROTOCOL', `Unsupported multiplexing protocol version ${version} (expected ${MUX_VERSION})`);
    }
    log.debug2(`mux_client_hello_exchange: master version ${version}`);
    return Object.assign(client, { extensions });
  }

  /** MUX_C_ALIVE_CHECK: the master's pid. */
  async aliveCheck(): Promise<number> {
    const reply = await this.request(MUX.C_ALIVE_CHECK);
    if (reply.type !== MUX.S_ALIVE) throw this.unexpected(reply, 'mux_client_request_alive: master returned error');
    return reply.reader.uint32();
  }

  /** MUX_C_TERMINATE (`-O exit`). */
  async terminate(): Promise<void> {
    // OpenSSH's master may exit before its reply is out: the socket closing is the answer then.
    const reply = await this.request(MUX.C_TERMINATE).catch((err: TsshError) => {
      if (err.code === 'CONNECTION_CLOSED') return undefined;
      throw err;
    });
    if (reply === undefined) return;
    if (reply.type === MUX.S_OK) return;
    if (reply.type === MUX.S_PERMISSION_DENIED) throw new TsshError('CHANNEL', `Master refused termination request: ${reply.reader.text()}`);
    if (reply.type === MUX.S_FAILURE) throw new TsshError('CHANNEL', `mux_client_request_terminate: termination request failed: ${reply.reader.text()}`);
    throw this.unexpected(reply, 'mux_client_request_terminate: unexpected response from master');
  }

  /** MUX_C_STOP_LISTENING (`-O stop`). */
  async stopListening(): Promise<void> {
    const reply = await this.request(MUX.C_STOP_LISTENING);
    if (reply.type === MUX.S_OK) return;
    if (reply.type === MUX.S_PERMISSION_DENIED) throw new TsshError('CHANNEL', `Master refused stop listening request: ${reply.reader.text()}`);
    if (reply.type === MUX.S_FAILURE) throw new TsshError('CHANNEL', `mux_client_request_stop_listening: stop listening request failed: ${reply.reader.text()}`);
    throw this.unexpected(reply, 'mux_client_request_stop_listening: unexpected response from master');
  }

  /**
   * MUX_C_OPEN_FWD or MUX_C_CLOSE_FWD. Resolves with the allocated port for a remote forward of port 0,
   * else undefined. A refusal is logged as ssh logs it and rejects.
   */
  async forward(f: MuxForward, cancel: boolean): Promise<number | undefined> {
    const reply = await this.request(cancel ? MUX.C_CLOSE_FWD : MUX.C_OPEN_FWD, (w) => writeForward(w, f));
    switch (reply.type) {
      case MUX.S_OK:
        return undefined;
      case MUX.S_REMOTE_PORT:
        if (cancel) throw protocolError('mux_client_forward: got MUX_S_REMOTE_PORT for cancel');
        return reply.reader.uint32();
      case MUX.S_PERMISSION_DENIED:
        throw new TsshError('CHANNEL', `Master refused forwarding request: ${reply.reader.text()}`);
      case MUX.S_FAILURE:
        throw new TsshError('CHANNEL', `mux_client_forward: forwarding request failed: ${reply.reader.text()}`);
      default:
        throw this.unexpected(reply, 'mux_client_forward: unexpected response from master');
    }
  }

  /** MUX_C_EXT_INFO (`-O conninfo`, `-O channels`): the master's text. */
  async info(name: 'connection' | 'channels'): Promise<string> {
    const reply = await this.request(MUX.C_EXT_INFO, (w) => w.string(name));
    if (reply.type !== MUX.S_EXT_INFO) throw new TsshError('CHANNEL', `mux_client_request_info: master returned error: ${reply.reader.text()}`);
    reply.reader.uint32(); // status
    return reply.reader.text();
  }

  /** MUX_C_PROXY: from here on the socket carries SSH connection messages (see proxy-transport.ts). */
  async proxy(): Promise<MuxProxyTransport> {
    const reply = await this.request(MUX.C_PROXY);
    if (reply.type !== MUX.S_PROXY) throw new TsshError('CHANNEL', `mux_client_proxy: master returned error: ${reply.reader.text()}`);
    this.proxying = true;
    this.socket.removeAllListeners('data');
    this.socket.removeAllListeners('close');
    // Packets that came right behind MUX_S_PROXY were split off with the same length framing.
    const early = this.queued.splice(0).map((body) => {
      const framed = Buffer.allocUnsafe(4 + body.length);
      framed.writeUInt32BE(body.length, 0);
      body.copy(framed, 4);
      return framed;
    });
    return new MuxProxyTransport(this.socket, this.log, Buffer.concat([...early, this.frames.takeRest()]));
  }

  close(): void {
    this.socket.destroy();
  }

  private request(type: number, body?: Parameters<typeof muxMessage>[1]): Promise<Reply> {
    const id = this.nextRequestId++;
    this.socket.write(muxMessage(type, (w) => (w.uint32(id), body?.(w))));
    return this.next().then((message) => {
      const reader = new SshReader(message, 'mux reply');
      const replyType = reader.uint32();
      const replyId = reader.uint32();
      if (replyId !== id) throw protocolError(`out of sequence reply: my id ${id} theirs ${replyId}`);
      return { type: replyType, reader };
    });
  }

  private next(): Promise<Buffer> {
    const ready = this.queued.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    if (this.ended) return Promise.reject(this.ended);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  private onData(chunk: Buffer): void {
    if (this.proxying) return;
    this.frames.feed(chunk);
    try {
      for (let message = this.frames.next(); message !== undefined; message = this.frames.next()) {
        const waiter = this.waiting.shift();
        if (waiter) waiter.resolve(message);
        else this.queued.push(message);
      }
    } catch (err) {
      this.fail(err as TsshError);
    }
  }

  private fail(err: TsshError): void {
    if (this.ended || this.proxying) return;
    this.ended = err;
    for (const waiter of this.waiting.splice(0)) waiter.reject(err);
    this.socket.destroy();
  }

  private unexpected(reply: Reply, what: string): TsshError {
    return new TsshError('PROTOCOL', `${what} 0x${reply.type.toString(16).padStart(8, '0')}`);
  }
}
