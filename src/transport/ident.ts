import { TsshError } from '../errors.js';

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

function identError(message: string): TsshError {
  return new TsshError('BANNER', `kex_exchange_identification: ${message}`);
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
      const text = line.toString('latin1');
      if (text.startsWith('SSH-')) return this.versionLine(text, line);
      if (!this.acceptPreBanner) throw identError('protocol identification string not received');
      if (line.includes(0)) throw identError('banner line contains invalid characters');
      if (this.preBannerLines.length >= MAX_PRE_BANNER_LINES) throw identError('too many pre-banner lines');
      this.preBannerLines.push(text);
    }
  }

  private versionLine(text: string, raw: Buffer): PeerIdent {
    for (const byte of raw) {
      // RFC 4253 §4.2: printable US-ASCII (plus space, for the comment).
      if (byte < 0x20 || byte > 0x7e) throw identError('banner line contains invalid characters');
    }
    const match = /^SSH-([0-9.]+)-(\S+)/.exec(text);
    if (!match) throw identError(`invalid SSH version string: ${text}`);
    const protocol = match[1];
    if (protocol !== '2.0' && protocol !== '1.99') {
      throw new TsshError('BANNER', `Protocol major versions differ: 2 vs. ${protocol!.split('.')[0]}`);
    }
    return { version: text, preBannerLines: this.preBannerLines, rest: this.pending };
  }
}
