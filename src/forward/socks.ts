/**
 * The server side of SOCKS4, SOCKS4a (RFC-less, the NEC drafts) and SOCKS5 (RFC 1928, no
 * authentication, CONNECT only), as a byte-in/decision-out state machine: feed it what the client
 * sent; it says what to answer and, once the request is complete, where the client wants to go.
 * Unlike OpenSSH, which answers "granted" before it knows, the reply is sent only once the outcome
 * of the SSH channel open is known, so a refused target gets a proper SOCKS error.
 */

export type SocksVersion = 4 | 5;

export type SocksStep =
  /** Wait for more bytes; `reply` (the SOCKS5 method choice) is to be sent now. */
  | { kind: 'more'; reply?: Buffer }
  /**
   * A complete CONNECT request; `rest` is what the client sent after it (data for the target), `reply`
   * (the SOCKS5 method choice, when the client pipelined its request) is to be sent now.
   */
  | { kind: 'connect'; version: SocksVersion; host: string; port: number; rest: Buffer; reply?: Buffer }
  /** Refuse and close; `reply` (if any) tells the client why, `reason` is for the debug log. */
  | { kind: 'refuse'; reply?: Buffer; reason: string };

/** SOCKS5 reply codes (RFC 1928 §6). */
export const Socks5Reply = {
  SUCCEEDED: 0,
  GENERAL_FAILURE: 1,
  NOT_ALLOWED: 2,
  NETWORK_UNREACHABLE: 3,
  HOST_UNREACHABLE: 4,
  CONNECTION_REFUSED: 5,
  COMMAND_NOT_SUPPORTED: 7,
  ADDRESS_TYPE_NOT_SUPPORTED: 8,
} as const;

/** What a client may send before the request is complete; more is garbage (OpenSSH allows ~1 KiB too). */
const MAX_REQUEST = 1024 + 256;

export class SocksNegotiation {
  private buffer: Buffer = Buffer.alloc(0);
  private socks5MethodChosen = false;

  /** Adds bytes from the client and says what to do next. */
  push(chunk: Buffer): SocksStep {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    if (this.buffer.length === 0) return { kind: 'more' };
    const version = this.buffer[0];
    if (version === 4) return this.socks4();
    if (version === 5) return this.socks5();
    return { kind: 'refuse', reason: `unknown SOCKS version ${version}` };
  }

  private socks4(): SocksStep {
    const b = this.buffer;
    if (b.length < 9) return this.more();
    const userEnd = b.indexOf(0, 8);
    if (userEnd < 0) return this.more();
    const command = b[1]!;
    const port = b.readUInt16BE(2);
    const socks4a = b[4] === 0 && b[5] === 0 && b[6] === 0 && b[7] !== 0;
    let host: string;
    let end = userEnd + 1;
    if (socks4a) {
      const hostEnd = b.indexOf(0, end);
      if (hostEnd < 0) return this.more();
      host = b.subarray(end, hostEnd).toString('latin1');
      end = hostEnd + 1;
      if (host === '' || host.length > 255) return { kind: 'refuse', reply: socks4Reply(false), reason: 'bad SOCKS4a host name' };
    } else {
      host = `${b[4]}.${b[5]}.${b[6]}.${b[7]}`;
    }
    if (command !== 1) return { kind: 'refuse', reply: socks4Reply(false), reason: `SOCKS4 command ${command} not supported` };
    return { kind: 'connect', version: 4, host, port, rest: b.subarray(end) };
  }

  private socks5(): SocksStep {
    const b = this.buffer;
    if (!this.socks5MethodChosen) {
      if (b.length < 2) return this.more();
      const count = b[1]!;
      if (b.length < 2 + count) return this.more();
      const methods = b.subarray(2, 2 + count);
      this.buffer = b.subarray(2 + count);
      // 0x00 = no authentication required; 0xff = no acceptable method.
      if (!methods.includes(0)) return { kind: 'refuse', reply: Buffer.from([5, 0xff]), reason: 'no acceptable SOCKS5 authentication method' };
      this.socks5MethodChosen = true;
      const next = this.buffer.length > 0 ? this.socks5Request() : { kind: 'more' as const };
      if (next.kind === 'more') return { kind: 'more', reply: Buffer.from([5, 0]) };
      // The client pipelined its request: the method choice goes first.
      return next.kind === 'refuse'
        ? { kind: 'refuse', reply: Buffer.concat([Buffer.from([5, 0]), next.reply ?? Buffer.alloc(0)]), reason: next.reason }
        : { ...next, reply: Buffer.from([5, 0]) };
    }
    return this.socks5Request();
  }

  private socks5Request(): SocksStep {
    const b = this.buffer;
    if (b.length < 5) return this.more();
    if (b[0] !== 5 || b[2] !== 0) return { kind: 'refuse', reply: socks5Reply(Socks5Reply.GENERAL_FAILURE), reason: 'malformed SOCKS5 request' };
    const command = b[1]!;
    const type = b[3]!;
    let host: string;
    let at: number;
    if (type === 1) {
      if (b.length < 10) return this.more();
      host = `${b[4]}.${b[5]}.${b[6]}.${b[7]}`;
      at = 8;
    } else if (type === 3) {
      const length = b[4]!;
      if (b.length < 5 + length + 2) return this.more();
      host = b.subarray(5, 5 + length).toString('latin1');
      at = 5 + length;
      if (host === '') return { kind: 'refuse', reply: socks5Reply(Socks5Reply.GENERAL_FAILURE), reason: 'empty SOCKS5 host name' };
    } else if (type === 4) {
      if (b.length < 22) return this.more();
      host = ipv6Text(b.subarray(4, 20));
      at = 20;
    } else {
      return { kind: 'refuse', reply: socks5Reply(Socks5Reply.ADDRESS_TYPE_NOT_SUPPORTED), reason: `SOCKS5 address type ${type} not supported` };
    }
    if (command !== 1) return { kind: 'refuse', reply: socks5Reply(Socks5Reply.COMMAND_NOT_SUPPORTED), reason: `SOCKS5 command ${command} not supported` };
    return { kind: 'connect', version: 5, host, port: b.readUInt16BE(at), rest: b.subarray(at + 2) };
  }

  private more(): SocksStep {
    if (this.buffer.length > MAX_REQUEST) return { kind: 'refuse', reason: 'SOCKS request too long' };
    return { kind: 'more' };
  }
}

/** SOCKS4 reply: 90 granted, 91 rejected or failed. */
export function socks4Reply(granted: boolean): Buffer {
  return Buffer.from([0, granted ? 90 : 91, 0, 0, 0, 0, 0, 0]);
}

/** SOCKS5 reply with a 0.0.0.0:0 bound address (the client has no use for ours). */
export function socks5Reply(code: number): Buffer {
  return Buffer.from([5, code, 0, 1, 0, 0, 0, 0, 0, 0]);
}

/** The reply for a connect step's outcome, in the client's protocol. */
export function socksReply(version: SocksVersion, code: number): Buffer {
  return version === 4 ? socks4Reply(code === Socks5Reply.SUCCEEDED) : socks5Reply(code);
}

/**
 * The SOCKS5 code for a failed channel open or local connect: OpenSSH's open-failure reason and
 * description (or strerror text) mapped onto RFC 1928's.
 */
export function socksCodeForFailure(reason: 'prohibited' | 'connect' | 'other', description: string): number {
  if (reason === 'prohibited') return Socks5Reply.NOT_ALLOWED;
  if (/refused/i.test(description)) return Socks5Reply.CONNECTION_REFUSED;
  if (/network is unreachable/i.test(description)) return Socks5Reply.NETWORK_UNREACHABLE;
  if (/no route|unreachable|not known|name resolution|no address/i.test(description)) return Socks5Reply.HOST_UNREACHABLE;
  return Socks5Reply.GENERAL_FAILURE;
}

function ipv6Text(bytes: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  // Compress the longest run of zero groups, as inet_ntop does.
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLength && j - i > 1) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  if (bestStart < 0) return groups.join(':');
  const head = groups.slice(0, bestStart).join(':');
  const tail = groups.slice(bestStart + bestLength).join(':');
  return `${head}::${tail}`;
}
