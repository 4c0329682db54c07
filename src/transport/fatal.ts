import { TsshError, DisconnectReason, type ErrorCode } from '../errors.js';
import type { PeerAddress } from './disconnect.js';

/**
 * How OpenSSH words a connection it ends because the peer broke the protocol. The text names the
 * peer, which the layer that detects the fault (codec, identification reader, channel table) does
 * not know, so it raises a ConnectionFatal and the transport completes the words with `forPeer`.
 *
 * - 'dispatch': sshpkt_fatal, "ssh_dispatch_run_fatal: Connection to H port P: <reason>"
 * - 'banner': sshpkt_fatal during the version exchange, "banner exchange: Connection to H port P: <reason>"
 * - 'disconnecting': ssh_packet_disconnect, "Disconnecting H port P: <reason>"
 * - 'disconnected': sshpkt_disconnect then SSH_ERR_DISCONNECTED, "Disconnected from H port P" (the
 *   reason goes only to the peer)
 *
 * `logged` are the lines OpenSSH logs before that one ("Bad packet length 1195725856."); a function
 * line gets "H port P" ("Finished discarding for H port P").
 */
export type FatalForm = 'dispatch' | 'banner' | 'disconnecting' | 'disconnected';
export type LoggedLine = string | ((where: string) => string);

const lineFor = (line: LoggedLine, where: string): string => (typeof line === 'string' ? line : line(where));

export class ConnectionFatal extends TsshError {
  constructor(
    code: ErrorCode,
    readonly reason: string,
    readonly logged: readonly LoggedLine[] = [],
    readonly form: FatalForm = 'dispatch',
    disconnectReason: number = DisconnectReason.PROTOCOL_ERROR,
  ) {
    super(code, [...logged.map((line) => lineFor(line, 'the peer')), reason].join('\n'), { disconnectReason });
  }

  /** The complete text OpenSSH prints for this fault on a connection to `peer`. */
  forPeer(peer: PeerAddress): TsshError {
    const where = `${peer.host} port ${peer.port}`;
    const last =
      this.form === 'dispatch' ? `ssh_dispatch_run_fatal: Connection to ${where}: ${this.reason}`
      : this.form === 'banner' ? `banner exchange: Connection to ${where}: ${this.reason}`
      : this.form === 'disconnected' ? `Disconnected from ${where}`
      : `Disconnecting ${where}: ${this.reason}`;
    return new TsshError(this.code, [...this.logged.map((line) => lineFor(line, where)), last].join('\n'), { disconnectReason: this.disconnectReason ?? DisconnectReason.PROTOCOL_ERROR, cause: this });
  }
}

/**
 * A bad CBC packet reported only after the rest of its 256 KiB window was read (packet-codec.ts). Before
 * the session this is a dispatch fatal as usual; once it runs, ssh meets it in its socket read and says
 * "Read from remote host H: ..." instead, which the CLI tells by this class.
 */
export class DiscardedPacketFatal extends ConnectionFatal {}

/** OpenSSH's ssh_err() texts for the faults a peer can cause. */
export const SSH_ERR = {
  MAC_INVALID: 'message authentication code incorrect',
  CONN_CORRUPT: 'Connection corrupted',
  MESSAGE_INCOMPLETE: 'incomplete message',
  PROTOCOL_ERROR: 'Protocol error',
  INVALID_FORMAT: 'invalid format',
  NO_PROTOCOL_VERSION: 'could not read protocol version',
} as const;
