import { randomBytes, timingSafeEqual } from 'node:crypto';
import type net from 'node:net';
import type { Logger } from '../log.js';
import type { Channel } from '../connection/channel.js';
import { OpenFailure, type ChannelOpenRequest, type Connection } from '../connection/connection.js';
import { connectLocal, LocalConnectError } from './connect.js';
import { relay } from './relay.js';
import { displayEndpoint, screenNumber } from './x11-display.js';

/** The local X server's credentials for the forwarded display (from xauth, or made up as ssh does). */
export interface X11Credentials {
  /** The authorization protocol, e.g. MIT-MAGIC-COOKIE-1. */
  proto: string;
  /** The real authorization data, which never leaves this machine. */
  data: Buffer;
}

/** The body of an x11-req (RFC 4254 §6.3.1): the server hands the fake cookie to its X clients. */
export interface X11Request {
  proto: string;
  /** Fake data of the real data's length, in hex. */
  fakeHex: string;
  screen: number;
}

/** What the first packet of a forwarded X11 connection turned out to be. */
export type SetupCheck = { kind: 'incomplete' } | { kind: 'rejected'; reason: string } | { kind: 'accepted'; packet: Buffer };

/** X11 pads each string of the setup packet to 4 bytes. */
const pad4 = (n: number): number => (n + 3) & ~3;

/**
 * Authentication spoofing (ssh's x11_open_helper): X clients on the server only ever see a random
 * cookie. The first packet of each forwarded connection must carry exactly that fake cookie; it is
 * then replaced by the real one before it reaches the local X server. Anything else is refused, so a
 * server (or anyone on it) that never got the fake cookie cannot use the display.
 */
export function checkSetup(buffer: Buffer, credentials: X11Credentials, fake: Buffer): SetupCheck {
  if (buffer.length < 12) return { kind: 'incomplete' };
  const order = buffer[0];
  if (order !== 0x42 && order !== 0x6c) return { kind: 'rejected', reason: `Initial X11 packet contains bad byte order byte: 0x${order!.toString(16)}` };
  const read16 = (at: number): number => (order === 0x42 ? buffer.readUInt16BE(at) : buffer.readUInt16LE(at));
  const protoLength = read16(6);
  const dataLength = read16(8);
  const dataAt = 12 + pad4(protoLength);
  if (buffer.length < dataAt + pad4(dataLength)) return { kind: 'incomplete' };
  if (buffer.subarray(12, 12 + protoLength).toString('latin1') !== credentials.proto) {
    return { kind: 'rejected', reason: 'X11 connection uses different authentication protocol.' };
  }
  if (dataLength !== fake.length || !timingSafeEqual(buffer.subarray(dataAt, dataAt + dataLength), fake)) {
    return { kind: 'rejected', reason: 'X11 auth data does not match fake data.' };
  }
  const packet = Buffer.from(buffer);
  credentials.data.copy(packet, dataAt);
  return { kind: 'accepted', packet };
}

/**
 * -X / -Y: x11 channels from the server are connected to the local display once their setup packet
 * carries the fake cookie (then swapped for the real one). Without X11 forwarding the server has no
 * business opening one: ssh warns, and so do we. Untrusted forwarding refuses new connections after
 * ForwardX11Timeout, as the cookie xauth generated for it expires soon after.
 */
export class X11Forwarding {
  private granted: { credentials: X11Credentials; fake: Buffer; display: string } | undefined;
  private refuseAt = Infinity;

  constructor(connection: Connection, private readonly enabled: boolean, private readonly log: Logger) {
    connection.handleChannelOpens('x11', (request) => this.onOpen(request));
  }

  /**
   * The x11-req for a session on `display`: a fresh fake cookie of the real one's length (kept for
   * every later session of this connection, as ssh does). `refuseAfterSeconds` starts the deadline.
   */
  request(display: string, credentials: X11Credentials, refuseAfterSeconds?: number): X11Request {
    this.granted ??= { credentials, fake: randomBytes(credentials.data.length), display };
    if (refuseAfterSeconds !== undefined && this.refuseAt === Infinity) this.refuseAt = performance.now() + refuseAfterSeconds * 1000;
    return { proto: this.granted.credentials.proto, fakeHex: this.granted.fake.toString('hex'), screen: screenNumber(display) };
  }

  private onOpen(request: ChannelOpenRequest): void {
    const originator = request.reader.text();
    const originatorPort = request.reader.uint32();
    request.reader.end();
    if (!this.enabled) {
      this.log.error('Warning: ssh server tried X11 forwarding.');
      this.log.error('Warning: this is probably a break-in attempt by a malicious server.');
      request.reject(OpenFailure.ADMINISTRATIVELY_PROHIBITED, 'open failed');
      return;
    }
    if (this.refused()) {
      request.reject(OpenFailure.ADMINISTRATIVELY_PROHIBITED, 'open failed');
      return;
    }
    this.log.debug1(`client_request_x11: request from ${originator} ${originatorPort}`);
    void this.connectDisplay(request);
  }

  private refused(): boolean {
    if (performance.now() < this.refuseAt) return false;
    this.log.verbose('Rejected X11 connection after ForwardX11Timeout expired');
    return true;
  }

  /** As ssh: the display is dialled before the channel is confirmed; the cookie is checked after. */
  private async connectDisplay(request: ChannelOpenRequest): Promise<void> {
    const granted = this.granted;
    if (granted === undefined) this.log.error('X11 forwarding opened before X11 forwarding requested');
    const socket = granted === undefined ? undefined : await this.dial(granted.display);
    if (granted === undefined || socket === undefined) {
      request.reject(OpenFailure.ADMINISTRATIVELY_PROHIBITED, 'open failed');
      return;
    }
    let channel: Channel;
    try {
      channel = request.accept();
    } catch {
      socket.destroy();
      return;
    }
    this.log.debug1(`channel ${channel.localId}: new [x11]`);
    const packet = await this.readSetup(channel, granted);
    if (packet === undefined) {
      socket.destroy();
      channel.destroy();
      return;
    }
    socket.write(packet);
    await relay(socket, channel);
  }

  private async dial(display: string): Promise<net.Socket | undefined> {
    const endpoint = displayEndpoint(display);
    if ('error' in endpoint) {
      this.log.error(endpoint.error);
      return undefined;
    }
    try {
      return await connectLocal(endpoint, 'any');
    } catch (err) {
      if (!(err instanceof LocalConnectError)) throw err;
      // ssh's words: "connect PATH: reason" (as connectLocal's), "connect HOST port P: reason", "HOST: unknown host. (reason)".
      if (endpoint.kind === 'unix') this.log.error(err.logLine);
      else if (err.unknownHost) this.log.error(`${endpoint.host}: unknown host. (${err.reason})`);
      else this.log.error(`connect ${endpoint.host} port ${endpoint.port}: ${err.reason}`);
      return undefined;
    }
  }

  /** Collects the setup packet from the channel; undefined (logged) when it is refused or never completes. */
  private readSetup(channel: Channel, granted: { credentials: X11Credentials; fake: Buffer }): Promise<Buffer | undefined> {
    return new Promise((resolve) => {
      let buffer = Buffer.alloc(0);
      const done = (packet: Buffer | undefined): void => {
        channel.removeListener('data', onData);
        channel.removeListener('channel-close', onClose);
        channel.pause();
        resolve(packet);
      };
      const onData = (chunk: Buffer): void => {
        buffer = Buffer.concat([buffer, chunk]);
        if (this.refused()) return done(undefined);
        const check = checkSetup(buffer, granted.credentials, granted.fake);
        if (check.kind === 'incomplete') return;
        if (check.kind === 'accepted') return done(check.packet);
        this.log.debug2(check.reason);
        this.log.info('X11 connection rejected because of wrong authentication.');
        done(undefined);
      };
      const onClose = (): void => done(undefined);
      channel.on('data', onData);
      channel.once('channel-close', onClose);
    });
  }
}
