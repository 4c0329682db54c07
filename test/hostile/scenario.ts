/**
 * The shape of a hostile-server scenario and the helpers scripts share. A scenario is one fault: a
 * script for the server, what tssh must print and return, and how OpenSSH's ssh compares.
 */
import type { HostilePeer, ServerChannel, ServerConnection, ServerWire } from '../support/hostile-server.js';
import { MSG } from '../../src/wire/messages.js';
import { message } from '../../src/wire/writer.js';

export interface Scenario {
  name: string;
  script: (peer: HostilePeer) => Promise<void>;
  /** Extra client flags before the destination; the remote command is `cmd`. */
  clientFlags?: string[];
  timeoutMs?: number;
  /**
   * tssh's whole stderr, line by line: `<P>` stands for the server's port, `<N>` for any number.
   * Every line ends with LF (CR LF accepted).
   */
  stderr: string[];
  /** Exit status (default 255). */
  status?: number;
  /** stdout must be exactly this (default: empty)... */
  stdout?: Buffer | string;
  /** ...or a prefix of this: delivered data may stop early, but never differs. */
  stdoutPrefixOf?: Buffer;
  /**
   * 'same': OpenSSH 9.2's ssh, run against the same server in the test, prints exactly the same stderr
   * and exits the same way. Otherwise, why tssh deliberately differs.
   */
  openssh: 'same' | { differs: string };
}

/** The scenario's stderr lines as one anchored pattern for a server on `port`. */
export function stderrPattern(lines: readonly string[], port: number): RegExp {
  const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const body = lines.map((l) => escape(l).replace(/<P>/g, String(port)).replace(/<N>/g, '\\d+') + '\\r?\\n').join('');
  return new RegExp(`^${body}$`);
}

/** One unencrypted binary packet with chosen fields (before the first NEWKEYS nothing is encrypted). */
export function plainPacket(payload: Buffer, opts: { padding?: number; length?: number } = {}): Buffer {
  let padding = opts.padding ?? 8 - ((5 + payload.length) % 8);
  if (opts.padding === undefined && padding < 4) padding += 8;
  const length = opts.length ?? 1 + payload.length + padding;
  const out = Buffer.alloc(5 + payload.length + padding);
  out.writeUInt32BE(length >>> 0, 0);
  out[4] = padding;
  payload.copy(out, 5);
  return out;
}

export function disconnectPayload(reason: number, text: string): Buffer {
  return message(MSG.DISCONNECT).uint32(reason).string(text).string('').finish();
}

/** Deterministic, position-dependent bytes: any dropped, repeated or altered byte shows in a comparison. */
export function pattern(length: number, seed = 1): Buffer {
  const out = Buffer.allocUnsafe(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Waits until the client hangs up (or the test stops the server). */
export async function hold(wire: ServerWire): Promise<void> {
  await wire.closed;
}

/** Flips one bit in the middle of the next packet written: after the cipher, as the network would. */
export function flipNextPacket(wire: ServerWire): void {
  let done = false;
  wire.tamper = (chunk) => {
    if (done) return chunk;
    done = true;
    const copy = Buffer.from(chunk);
    copy[copy.length >> 1]! ^= 0x10;
    return copy;
  };
}

/** Handshake, authentication and an exec'd session, then `body`. */
export function inSession(body: (wire: ServerWire, channel: ServerChannel, conn: ServerConnection) => Promise<void>) {
  return async (peer: HostilePeer): Promise<void> => {
    const conn = await peer.handshake();
    await conn.authenticate();
    const channel = await conn.acceptSession();
    conn.serveInBackground();
    await body(peer.wire, channel, conn);
  };
}

/** A KEXINIT naming one algorithm of each kind, with strict KEX, written by hand. */
export function minimalKexinit(): Buffer {
  const w = message(MSG.KEXINIT).raw(Buffer.alloc(16));
  w.nameList(['curve25519-sha256', 'kex-strict-s-v00@openssh.com']).nameList(['ssh-ed25519']);
  for (const list of [['aes128-ctr'], ['aes128-ctr'], ['hmac-sha2-256'], ['hmac-sha2-256'], ['none'], ['none'], [], []]) w.nameList(list);
  return w.boolean(false).uint32(0).finish();
}
