import { protocolError } from '../errors.js';
import type { Logger } from '../log.js';
import { MSG } from '../wire/messages.js';
import { SshReader } from '../wire/reader.js';
import { cText } from '../wire/text.js';
import { message } from '../wire/writer.js';

/** The most extensions one EXT_INFO may carry before it is treated as hostile (ssh: "expected <=1024"). */
const MAX_EXTENSIONS = 1024;

/** Extensions whose value is a version, taken from the first EXT_INFO only (OpenSSH 10: kex_ext_info_check_ver). */
const VERSIONED = new Set(['publickey-hostbound@openssh.com', 'ping@openssh.com', 'agent-forward', 'ext-info-in-auth@openssh.com']);

/** What the peer announced in EXT_INFO (RFC 8308), and what tssh acts on. */
export class PeerExtensions {
  private readonly values = new Map<string, Buffer>();
  private received = 0;

  /**
   * Reads one EXT_INFO (the transport decides whether one may come now: message-order.ts). A later one
   * may only replace server-sig-algs, as in OpenSSH 10; logged as OpenSSH 10 logs it.
   */
  receive(payload: Buffer, log: Logger): void {
    log.debug1('SSH2_MSG_EXT_INFO received');
    const first = this.received++ === 0;
    const r = new SshReader(payload, 'EXT_INFO');
    r.byte();
    const count = r.uint32();
    if (count >= MAX_EXTENSIONS) throw protocolError('EXT_INFO: too many extensions');
    for (let i = 0; i < count; i++) {
      const name = r.text();
      const value = Buffer.from(r.string());
      log.debug3(`kex_input_ext_info: extension ${name}`);
      if (name === 'server-sig-algs') {
        log.debug1(`kex_ext_info_client_parse: ${name}=<${cText(value)}>`);
      } else if (first && VERSIONED.has(name)) {
        log.debug1(`kex_ext_info_check_ver: ${name}=<${cText(value)}>`);
        if (value.toString('latin1') !== '0') log.debug1(`kex_ext_info_check_ver: unsupported version of ${name} extension`);
      } else {
        log.debug1(`kex_ext_info_client_parse: ${name} (unrecognised)`);
        continue;
      }
      this.values.set(name, value);
    }
    r.end();
  }

  /** server-sig-algs: the signature algorithms the server accepts for user authentication. */
  get serverSigAlgs(): string[] | undefined {
    return this.values.get('server-sig-algs')?.toString('latin1').split(',');
  }

  /** ping@openssh.com = "0": SSH2_MSG_PING is understood (OpenSSH PROTOCOL 1.9; keystroke chaff needs it). */
  get ping(): boolean {
    return this.values.get('ping@openssh.com')?.toString('latin1') === '0';
  }

  /** The server takes publickey-hostbound-v00@openssh.com ("publickey-hostbound@openssh.com" = "0"). */
  get hostBoundPublicKey(): boolean {
    return this.values.get('publickey-hostbound@openssh.com')?.toString('latin1') === '0';
  }
}

/** A server's EXT_INFO: server-sig-algs naming the host-key signature algorithms it will verify. */
export function serverExtInfo(signatureAlgorithms: readonly string[]): Buffer {
  return message(MSG.EXT_INFO).uint32(1).string('server-sig-algs').string(signatureAlgorithms.join(',')).finish();
}

/**
 * A client's EXT_INFO, sent after the first NEWKEYS when the server offered ext-info-s (OpenSSH 10):
 * it may then send server-sig-algs again during authentication.
 */
export function clientExtInfo(): Buffer {
  return message(MSG.EXT_INFO).uint32(1).string('ext-info-in-auth@openssh.com').string('0').finish();
}
