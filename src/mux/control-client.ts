/**
 * One connection to a master's control socket: HELLO, then requests answered in order, until the
 * client asks for proxy mode and the socket carries SSH messages (ProxyRelay) instead.
 */
import type net from 'node:net';
import { TsshError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Connection } from '../connection/connection.js';
import { SshReader } from '../wire/reader.js';
import { MUX, MUX_VERSION, MuxFrameReader, helloMessage, muxMessage, parseHello, readForward } from './protocol.js';
import { ProxyRelay } from './relay.js';

export interface ControlContext {
  log: Logger;
  host: string;
  confirm?: (prompt: string) => Promise<boolean>;
  openForward: (f: ReturnType<typeof readForward>) => Promise<number | undefined>;
  closeForward: (f: ReturnType<typeof readForward>) => Promise<void>;
  info(name: string): string | undefined;
  terminate(): void;
  stopListening(): void;
}

/** OpenSSH passenger requests send their stdio descriptors after the message, one byte each. */
const PASSED_FDS: Readonly<Record<number, number>> = { [MUX.C_NEW_SESSION]: 3, [MUX.C_NEW_STDIO_FWD]: 2 };

const PASSENGER_REFUSED =
  'this master is tssh, which cannot receive file descriptors: passenger sessions are not supported (tssh clients and ssh -O proxy share it)';

export class ControlClient {
  private readonly frames = new MuxFrameReader();
  private helloSeen = false;
  private busy: Promise<void> = Promise.resolve();
  /** Set once the client switched to proxy mode. */
  relay: ProxyRelay | undefined;
  private proxyInput: Buffer = Buffer.alloc(0);
  private ended = false;

  constructor(
    private readonly socket: net.Socket,
    private readonly connection: Connection,
    private readonly context: ControlContext,
    readonly label: string,
  ) {
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.write(helloMessage(true));
    context.log.debug3(`mux_master_read_cb: ${label}: hello sent`);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.relay?.end();
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.relay) return this.onProxyData(chunk);
    this.frames.feed(chunk);
    // Requests are answered one at a time, in order (a confirmation prompt may take a while).
    this.busy = this.busy.then(() => this.drain()).catch((err: unknown) => {
      this.context.log.error(`mux_master_read_cb: ${this.label}: ${(err as Error).message}`);
      this.end();
    });
  }

  private async drain(): Promise<void> {
    for (;;) {
      if (this.ended || this.relay) return;
      const message = this.frames.next();
      if (message === undefined) return;
      await this.handle(message);
      if (this.relay) {
        const rest = this.frames.takeRest();
        if (rest.length > 0) this.onProxyData(rest);
        return;
      }
    }
  }

  private async handle(message: Buffer): Promise<void> {
    const r = new SshReader(message, 'mux request');
    const type = r.uint32();
    if (type === MUX.HELLO) {
      if (this.helloSeen) throw new TsshError('PROTOCOL', 'HELLO received twice');
      const { version } = parseHello(message);
      if (version !== MUX_VERSION) throw new TsshError('PROTOCOL', `unsupported multiplexing protocol version ${version} (expected ${MUX_VERSION})`);
      this.helloSeen = true;
      return;
    }
    if (!this.helloSeen) throw new TsshError('PROTOCOL', `expected MUX_MSG_HELLO(0x00000001), received 0x${type.toString(16).padStart(8, '0')}`);
    const rid = r.uint32();
    const reply = (replyType: number, body?: Parameters<typeof muxMessage>[1]): void => {
      this.socket.write(muxMessage(replyType, (w) => (w.uint32(rid), body?.(w))));
    };
    const refuse = (replyType: number, reason: string): void => reply(replyType, (w) => w.string(reason));
    const permitted = async (prompt: string): Promise<boolean> => {
      if (this.context.confirm === undefined) return true;
      if (await this.context.confirm(prompt)) return true;
      refuse(MUX.S_PERMISSION_DENIED, 'Permission denied');
      return false;
    };
    switch (type) {
      case MUX.C_ALIVE_CHECK:
        return reply(MUX.S_ALIVE, (w) => w.uint32(process.pid));
      case MUX.C_TERMINATE:
        if (!(await permitted(`Terminate shared connection to ${this.context.host}? `))) return;
        reply(MUX.S_OK);
        return void setImmediate(() => this.context.terminate());
      case MUX.C_STOP_LISTENING:
        if (!(await permitted(`Disable further multiplexing on shared connection to ${this.context.host}? `))) return;
        this.context.stopListening();
        return reply(MUX.S_OK);
      case MUX.C_OPEN_FWD:
      case MUX.C_CLOSE_FWD: {
        const forward = readForward(r);
        if (type === MUX.C_OPEN_FWD && !(await permitted(`Open forward on ${this.context.host}? `))) return;
        try {
          if (type === MUX.C_CLOSE_FWD) {
            await this.context.closeForward(forward);
            return reply(MUX.S_OK);
          }
          const port = await this.context.openForward(forward);
          return port === undefined ? reply(MUX.S_OK) : reply(MUX.S_REMOTE_PORT, (w) => w.uint32(port));
        } catch (err) {
          return refuse(MUX.S_FAILURE, (err as Error).message);
        }
      }
      case MUX.C_EXT_INFO: {
        const name = r.text();
        const text = this.context.info(name);
        return reply(MUX.S_EXT_INFO, (w) => w.uint32(text === undefined ? 0 : 1).string(text ?? 'info request type not supported'));
      }
      case MUX.C_PROXY:
        if (!(await permitted('Allow multiplex proxy connection?'))) return;
        this.context.log.debug1(`mux_master_process_proxy: ${this.label}: proxy request`);
        reply(MUX.S_PROXY);
        this.relay = new ProxyRelay(this.connection, (payload) => this.toClient(payload), this.context.log, this.label);
        return;
      case MUX.C_NEW_SESSION:
      case MUX.C_NEW_STDIO_FWD:
        this.frames.skip(PASSED_FDS[type]!);
        this.context.log.info(`${this.label}: refused a passenger ${type === MUX.C_NEW_SESSION ? 'session' : 'stdio forward'} (file descriptor passing)`);
        return refuse(MUX.S_FAILURE, PASSENGER_REFUSED);
      default:
        this.context.log.error(`mux_master_read_cb: unsupported mux message 0x${type.toString(16).padStart(8, '0')}`);
        return refuse(MUX.S_FAILURE, 'unsupported request');
    }
  }

  /** Proxy mode: `uint32 length, byte padding, payload, padding` packets, as PROTOCOL.mux §9 frames them. */
  private onProxyData(chunk: Buffer): void {
    this.proxyInput = this.proxyInput.length === 0 ? chunk : Buffer.concat([this.proxyInput, chunk]);
    try {
      while (this.proxyInput.length >= 4 && !this.ended) {
        const length = this.proxyInput.readUInt32BE(0);
        if (length < 2 || length > 256 * 1024 + 64) throw new TsshError('PROTOCOL', `bad proxy packet length ${length}`);
        if (this.proxyInput.length < 4 + length) break;
        const padding = this.proxyInput[4]!;
        if (padding > length - 2) throw new TsshError('PROTOCOL', 'bad proxy packet padding');
        const payload = this.proxyInput.subarray(5, 4 + length - padding);
        this.proxyInput = this.proxyInput.subarray(4 + length);
        this.relay!.fromClient(Buffer.from(payload));
      }
    } catch (err) {
      this.context.log.error(`channel_proxy_downstream: ${this.label}: ${(err as Error).message}`);
      this.end();
    }
  }

  private toClient(payload: Buffer): void {
    if (this.ended) return;
    const header = Buffer.allocUnsafe(5);
    header.writeUInt32BE(payload.length + 1, 0);
    header[4] = 0;
    this.socket.write(Buffer.concat([header, payload]));
  }
}
