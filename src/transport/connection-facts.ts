/** What the transport tells about a running connection (Transport.connectionFacts; ssh's ~I shows it). */
import type { KexOutcome } from './key-exchange.js';
import type { RekeyLimitOption } from './rekey-policy.js';

/** The state of a connection that ssh's ~I escape reports. */
export interface ConnectionFacts {
  /** The TCP endpoints, when the stream is a socket (not through a ProxyCommand). */
  tcp: { local: string; remote: string } | undefined;
  negotiated: KexOutcome['negotiated'] | undefined;
  blockSize: { in: number; out: number };
  /** Packets and bytes since the last key exchange, and all bytes of the connection. */
  received: { packets: number; bytes: number; totalBytes: number };
  sent: { packets: number; bytes: number; totalBytes: number };
  rekeyLimit: RekeyLimitOption | undefined;
  /** When the latest key exchange completed (epoch ms): a RekeyLimit interval counts from there. */
  lastKeyExchangeAt: number;
}
