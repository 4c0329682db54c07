/**
 * OpenSSH's connection-sharing protocol (PROTOCOL.mux): `uint32 length` framed messages on the control
 * socket, each starting with a uint32 type. tssh speaks version 4 with the "info" extension, as
 * OpenSSH 10.x does, in both roles.
 */
import { protocolError } from '../errors.js';
import { SshReader } from '../wire/reader.js';
import { SshWriter } from '../wire/writer.js';

export const MUX_VERSION = 4;

export const MUX = {
  HELLO: 0x00000001,
  C_NEW_SESSION: 0x10000002,
  C_ALIVE_CHECK: 0x10000004,
  C_TERMINATE: 0x10000005,
  C_OPEN_FWD: 0x10000006,
  C_CLOSE_FWD: 0x10000007,
  C_NEW_STDIO_FWD: 0x10000008,
  C_STOP_LISTENING: 0x10000009,
  C_PROXY: 0x1000000f,
  C_EXT_INFO: 0x20000001,
  S_OK: 0x80000001,
  S_PERMISSION_DENIED: 0x80000002,
  S_FAILURE: 0x80000003,
  S_EXIT_MESSAGE: 0x80000004,
  S_ALIVE: 0x80000005,
  S_SESSION_OPENED: 0x80000006,
  S_REMOTE_PORT: 0x80000007,
  S_TTY_ALLOC_FAIL: 0x80000008,
  S_PROXY: 0x8000000f,
  S_EXT_INFO: 0x90000001,
} as const;

/** MUX_C_OPEN_FWD / MUX_C_CLOSE_FWD forwarding types. */
export const MUX_FWD = { LOCAL: 1, REMOTE: 2, DYNAMIC: 3 } as const;
export type MuxForwardType = (typeof MUX_FWD)[keyof typeof MUX_FWD];

/** A port of (u_int)-2 means the host field is a Unix socket path (OpenSSH's PORT_STREAMLOCAL). */
export const MUX_PORT_STREAMLOCAL = 0xfffffffe;

/** No sane control message is this large; a bigger length is a broken or hostile peer. */
const MAX_MESSAGE = 256 * 1024;

/** Splits a byte stream into mux messages (the bodies after the length), one at a time. */
export class MuxFrameReader {
  private buffer: Buffer = Buffer.alloc(0);
  private toSkip = 0;

  feed(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    this.applySkip();
  }

  /** The next complete message, or undefined until more bytes come. Throws on an absurd length. */
  next(): Buffer | undefined {
    if (this.buffer.length < 4) return undefined;
    const length = this.buffer.readUInt32BE(0);
    if (length > MAX_MESSAGE) throw protocolError(`mux message of ${length} bytes`);
    if (this.buffer.length < 4 + length) return undefined;
    const message = this.buffer.subarray(4, 4 + length);
    this.buffer = this.buffer.subarray(4 + length);
    return message;
  }

  /**
   * Discards the next `count` bytes: the one-byte carriers of file descriptors an OpenSSH passenger
   * client sends after NEW_SESSION (Node cannot receive the descriptors; the kernel closes them).
   */
  skip(count: number): void {
    this.toSkip += count;
    this.applySkip();
  }

  /** Bytes received after the last message taken (proxy mode starts with them). */
  takeRest(): Buffer {
    const rest = this.buffer;
    this.buffer = Buffer.alloc(0);
    return rest;
  }

  private applySkip(): void {
    const n = Math.min(this.toSkip, this.buffer.length);
    this.buffer = this.buffer.subarray(n);
    this.toSkip -= n;
  }
}

/** A framed message: `type` then whatever `body` writes. */
export function muxMessage(type: number, body: (w: SshWriter) => void = () => {}): Buffer {
  const w = new SshWriter(64).uint32(0).uint32(type);
  body(w);
  const framed = w.finish();
  framed.writeUInt32BE(framed.length - 4, 0);
  return framed;
}

/** The HELLO both sides send first; the master adds the "info" extension (OpenSSH 10.x). */
export function helloMessage(withInfo: boolean): Buffer {
  return muxMessage(MUX.HELLO, (w) => {
    w.uint32(MUX_VERSION);
    if (withInfo) w.string('info').string('0');
  });
}

/** Reads a HELLO body: the version and the extension names. */
export function parseHello(body: Buffer): { version: number; extensions: string[] } {
  const r = new SshReader(body, 'mux hello');
  const type = r.uint32();
  if (type !== MUX.HELLO) throw protocolError(`expected HELLO (${MUX.HELLO}) got ${type}`);
  const version = r.uint32();
  const extensions: string[] = [];
  while (r.remaining > 0) {
    extensions.push(r.text());
    r.string(); // value
  }
  return { version, extensions };
}

/** One forward as MUX_C_OPEN_FWD carries it. */
export interface MuxForward {
  type: MuxForwardType;
  listenHost: string;
  listenPort: number;
  connectHost: string;
  connectPort: number;
}

export function writeForward(w: SshWriter, f: MuxForward): void {
  w.uint32(f.type).string(f.listenHost).uint32(f.listenPort).string(f.connectHost).uint32(f.connectPort);
}

export function readForward(r: SshReader): MuxForward {
  const type = r.uint32();
  if (type !== MUX_FWD.LOCAL && type !== MUX_FWD.REMOTE && type !== MUX_FWD.DYNAMIC) throw protocolError(`unknown mux forwarding type ${type}`);
  return { type, listenHost: r.text(), listenPort: r.uint32(), connectHost: r.text(), connectPort: r.uint32() };
}
