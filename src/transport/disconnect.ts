import { DisconnectError, TsshError } from '../errors.js';
import { SshReader } from '../wire/reader.js';

export interface PeerAddress {
  host: string;
  port: number;
}

/** Strips control characters from peer-supplied text before it reaches a terminal (OpenSSH does the same). */
export function sanitizeRemoteText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '?');
}

/** The error for a DISCONNECT received from the peer, worded as OpenSSH's sshpkt_fatal does. */
export function disconnectError(payload: Buffer, peer: PeerAddress): TsshError {
  const r = new SshReader(payload, 'DISCONNECT');
  r.byte();
  const reason = r.uint32();
  const description = sanitizeRemoteText(r.text()).slice(0, 400);
  return new DisconnectError(
    reason,
    description,
    `Received disconnect from ${peer.host} port ${peer.port}:${reason}: ${description}\nDisconnected from ${peer.host} port ${peer.port}`,
  );
}

/** A socket error as OpenSSH words it ("Connection reset by 127.0.0.1 port 22"). */
export function describeSocketError(err: NodeJS.ErrnoException, peer: PeerAddress): TsshError {
  switch (err.code) {
    case 'ECONNRESET':
      return new TsshError('CONNECTION_CLOSED', `Connection reset by ${peer.host} port ${peer.port}`);
    case 'EPIPE':
      return new TsshError('CONNECTION_CLOSED', `Connection closed by ${peer.host} port ${peer.port}`);
    case 'ETIMEDOUT':
      return new TsshError('TIMEOUT', `Connection to ${peer.host} port ${peer.port} timed out`);
    default:
      return new TsshError('CONNECTION_CLOSED', `Connection to ${peer.host} port ${peer.port}: ${err.message}`);
  }
}
