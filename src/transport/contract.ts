/**
 * What the layers above the transport (user authentication, the connection protocol, forwarding) use
 * of it: ordered payloads in and out, backpressure, the session's identity and the peer's extensions,
 * and how it ends. Transport implements it over an encrypted SSH stream; anything else that carries
 * SSH messages (an in-memory pair in tests, a connection-sharing control socket) can too.
 */
import type { TsshError } from '../errors.js';
import type { SessionBinding } from '../agent/protocol.js';

/**
 * Handler for messages above the transport layer (50+, and SERVICE_ACCEPT); returns false for an
 * unknown message type, or a promise to be given no more input until it settles (backpressure).
 */
export type PacketHandler = (payload: Buffer, seq: number) => boolean | void | Promise<void>;

export interface PacketTransport {
  /** Queues one payload (message type first), padded to at least `padTo` bytes of plaintext. */
  send(payload: Buffer, padTo?: number): void;
  /** Sends a payload of `length` bytes written straight into the outgoing packet (bulk channel data). */
  sendInPlace(length: number, write: (packet: Buffer, offset: number) => void): void;
  /** True while written data waits for the peer: producers should pause until whenDrained. */
  readonly congested: boolean;
  whenDrained(callback: () => void): void;
  /**
   * Where incoming payloads go, strictly in order. `awaitingReply` tells whether a request is
   * outstanding (so the peer's acknowledgement is not held back by delayed ACKs).
   */
  setHandler(handler: PacketHandler, awaitingReply?: () => boolean): void;
  /** Settles once, when the transport ends: undefined for a clean close, else the cause. */
  readonly closed: Promise<TsshError | undefined>;
  readonly isClosed: boolean;
  /** A message the layer above does not handle: logged and answered as ssh's dispatch_protocol_error does. */
  reportUnexpected(type: number, seq: number): void;
  /** Ends the transport with an error (sent to the peer as DISCONNECT where that applies). */
  fail(err: TsshError): void;
  /** Ends the transport cleanly, telling the peer why. */
  disconnect(reason?: number, description?: string): void;
  /** H of the first key exchange. */
  readonly sessionId: Buffer;
  /** The server's `server-sig-algs` extension (RFC 8308), if it sent one. */
  readonly serverSigAlgs: string[] | undefined;
  /** Whether the server takes publickey-hostbound-v00@openssh.com requests. */
  readonly hostBoundPublicKey: boolean;
  readonly sessionBinding: Readonly<SessionBinding> | undefined;
  /** The link's measured round trip in ms, 0 while unknown (receive windows are sized from it). */
  readonly roundTripMs: number;
}
