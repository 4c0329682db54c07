/**
 * Every failure tssh reports is a TsshError: a stable `code` that tests match on, and the message
 * OpenSSH prints for the same failure. Only client.ts and cli/main.ts catch them.
 */
export type ErrorCode =
  | 'PROTOCOL' // the peer broke the protocol (bad packet, illegal message)
  | 'MAC' // Corrupted MAC on input.
  | 'BAD_PACKET_LENGTH'
  | 'BANNER' // version exchange failed
  | 'NEGOTIATION' // Unable to negotiate ...
  | 'KEX' // key exchange failed (bad signature, bad public value)
  | 'HOSTKEY' // Host key verification failed.
  | 'AUTH' // Permission denied (...)
  | 'DISCONNECTED' // peer sent DISCONNECT
  | 'CONNECTION_CLOSED' // socket closed unexpectedly
  | 'CONNECT' // TCP connect failed
  | 'RESOLVE' // hostname lookup failed
  | 'TIMEOUT'
  | 'CHANNEL' // channel open failed, etc.
  | 'KEY' // a key file could not be read or parsed
  | 'AGENT' // ssh-agent refused or failed
  | 'CONFIG' // bad flag, option or config file
  | 'USAGE'
  | 'INTERNAL';

export class TsshError extends Error {
  readonly code: ErrorCode;
  /** SSH disconnect reason to send to the peer when this error ends a connection (RFC 4253 §11.1). */
  readonly disconnectReason: number | undefined;
  constructor(code: ErrorCode, message: string, options?: { disconnectReason?: number; cause?: unknown }) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'TsshError';
    this.code = code;
    this.disconnectReason = options?.disconnectReason;
  }
}

/** RFC 4253 §11.1 disconnect reason codes. */
export const DisconnectReason = {
  HOST_NOT_ALLOWED_TO_CONNECT: 1,
  PROTOCOL_ERROR: 2,
  KEY_EXCHANGE_FAILED: 3,
  RESERVED: 4,
  MAC_ERROR: 5,
  COMPRESSION_ERROR: 6,
  SERVICE_NOT_AVAILABLE: 7,
  PROTOCOL_VERSION_NOT_SUPPORTED: 8,
  HOST_KEY_NOT_VERIFIABLE: 9,
  CONNECTION_LOST: 10,
  BY_APPLICATION: 11,
  TOO_MANY_CONNECTIONS: 12,
  AUTH_CANCELLED_BY_USER: 13,
  NO_MORE_AUTH_METHODS_AVAILABLE: 14,
  ILLEGAL_USER_NAME: 15,
} as const;

export function protocolError(message: string): TsshError {
  return new TsshError('PROTOCOL', message, { disconnectReason: DisconnectReason.PROTOCOL_ERROR });
}

/** Wraps anything thrown into a TsshError so that no raw exception reaches the user. */
export function asTsshError(err: unknown): TsshError {
  if (err instanceof TsshError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new TsshError('INTERNAL', message, { cause: err });
}
