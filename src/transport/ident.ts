import type { TsshError } from '../errors.js';
import { cText, decodeText } from '../wire/text.js';
import { ConnectionFatal, SSH_ERR } from './fatal.js';

/** OpenSSH's limits on what may precede the peer's version line (kex.c). */
const MAX_PRE_BANNER_LINES = 1024;
const MAX_LINE_LENGTH = 8192;

export const TSSH_VERSION = '0.1.0';
export const LOCAL_IDENT = `SSH-2.0-tssh_${TSSH_VERSION}`;

export interface PeerIdent {
  /** The version line without CR LF (V_S or V_C in the exchange hash). */
  version: string;
  /** Lines the server sent before its version line (RFC 4253 §4.2 allows them; OpenSSH logs them). */
  preBannerLines: string[];
  /** Bytes after the version line: the start of the binary packet stream. */
  rest: Buffer;
}

/** OpenSSH logs what was wrong, then fails the banner exchange as "invalid format". */
function identError(message: string, prefix = 'kex_exchange_identification: '): TsshError {
  return new ConnectionFatal('BANNER', SSH_ERR.INVALID_FORMAT, [`${prefix}${message}`], 'banner');
}

/**
 * Sans-IO reader of the peer's identification string (RFC 4253 §4.2). Feed it socket chunks until it
 * returns the ident; it enforces OpenSSH's bounds so an endless or over-long banner cannot grow memory.
 */
export class IdentReader {
  private pending: Buffer = Buffer.alloc(0);
  private readonly preBannerLines: string[] = [];

  /** `acceptPreBanner`: clients accept lines before the version; servers do not. */
  constructor(private readonly acceptPreBanner: boolean) {}

  push(chunk: Buffer): PeerIdent | undefined {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    for (;;) {
      const nl = this.pending.indexOf(0x0a);
      if (nl < 0) {
        if (this.pending.length > MAX_LINE_LENGTH) throw identError('banner line too long');
        return undefined;
      }
      if (nl > MAX_LINE_LENGTH) throw identError('banner line too long');
      let line = this.pending.subarray(0, nl);
      this.pending = this.pending.subarray(nl + 1);
      if (line.length > 0 && line[line.length - 1] === 0x0d) line = line.subarray(0, line.length - 1);
      // NUL, or a CR that does not end the line: OpenSSH's only rule for the characters of every line.
      // (Anything else, escape sequences included, is logged through the log sanitiser.)
      if (line.includes(0) || line.includes(0x0d)) throw identError('banner line contains invalid characters');
      const text = decodeText(line);
      if (text.startsWith('SSH-')) return this.versionLine(text);
      if (!this.acceptPreBanner) throw identError('protocol identification string not received');
      if (this.preBannerLines.length >= MAX_PRE_BANNER_LINES) throw identError(`No SSH version received in first ${MAX_PRE_BANNER_LINES} lines from server`);
      this.preBannerLines.push(text);
    }
  }

  private versionLine(text: string): PeerIdent {
    const match = /^SSH-(\d+)\.(\d+)-(\S+)/.exec(text);
    if (!match) throw identError(`Bad remote protocol version identification: '${cText(text, 100)}'`, '');
    const [major, minor] = [Number(match[1]), Number(match[2])];
    if (major !== 2 && !(major === 1 && minor === 99)) {
      throw new ConnectionFatal('BANNER', SSH_ERR.NO_PROTOCOL_VERSION, [`Protocol major versions differ: 2 vs. ${major}`], 'banner');
    }
    return { version: text, preBannerLines: this.preBannerLines, rest: this.pending };
  }
}
