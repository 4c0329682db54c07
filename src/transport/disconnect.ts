import { DisconnectError, TimeoutError, TsshError, type TimeoutPhase } from '../errors.js';
import { SshReader } from '../wire/reader.js';
import { cText } from '../wire/text.js';

export interface PeerAddress {
  host: string;
  port: number;
}

/** The error for a DISCONNECT received from the peer, worded as OpenSSH's sshpkt_fatal does. */
export function disconnectError(payload: Buffer, peer: PeerAddress): TsshError {
  const r = new SshReader(payload, 'DISCONNECT');
  r.byte();
  const reason = r.uint32();
  const description = cText(r.string(), 400); // ssh: "%.400s" (the log sink makes it safe to show)
  return new DisconnectError(
    reason,
    description,
    `Received disconnect from ${peer.host} port ${peer.port}:${reason}: ${description}\nDisconnected from ${peer.host} port ${peer.port}`,
  );
}

/** A socket error as OpenSSH words it ("Connection reset by 127.0.0.1 port 22"); `phase`: how far the connection got. */
export function describeSocketError(err: NodeJS.ErrnoException, peer: PeerAddress, phase: TimeoutPhase): TsshError {
  switch (err.code) {
    case 'ECONNRESET':
      return new TsshError('CONNECTION_CLOSED', `Connection reset by ${peer.host} port ${peer.port}`);
    case 'EPIPE':
      return new TsshError('CONNECTION_CLOSED', `Connection closed by ${peer.host} port ${peer.port}`);
    case 'ETIMEDOUT':
      return new TimeoutError(phase, `Connection to ${peer.host} port ${peer.port} timed out`);
    default:
      return new TsshError('CONNECTION_CLOSED', `Connection to ${peer.host} port ${peer.port}: ${err.message}`);
  }
}
