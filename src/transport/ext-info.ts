import { protocolError } from '../errors.js';
import type { Logger } from '../log.js';
import { MSG } from '../wire/messages.js';
import { SshReader } from '../wire/reader.js';
import { message } from '../wire/writer.js';

/** The most extensions one EXT_INFO may carry before it is treated as hostile. */
const MAX_EXTENSIONS = 1024;

/** What the peer announced in EXT_INFO (RFC 8308), and what tssh acts on. */
export class PeerExtensions {
  private readonly values = new Map<string, Buffer>();

  /** Reads one EXT_INFO; later values replace earlier ones, as RFC 8308 §2.5 allows. */
  receive(payload: Buffer, log: Logger): void {
    const r = new SshReader(payload, 'EXT_INFO');
    r.byte();
    const count = r.uint32();
    if (count > MAX_EXTENSIONS) throw protocolError('EXT_INFO: too many extensions');
    for (let i = 0; i < count; i++) {
      const name = r.text();
      const value = r.string();
      this.values.set(name, Buffer.from(value));
      log.debug1(`kex_input_ext_info: ${name}${name === 'server-sig-algs' ? ` <${value.toString('latin1')}>` : ''}`);
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
