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
  | 'ABORTED' // the caller's AbortSignal fired
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

/** Why the server's host key was not trusted. */
export type HostKeyStatus = 'unknown' | 'changed' | 'revoked';

/**
 * The server's host key was refused: not in known_hosts (and not accepted), different from the one
 * recorded, or revoked. `file` and `line` name the known_hosts entry (or the revocation list) involved.
 */
export class HostKeyError extends TsshError {
  constructor(
    readonly status: HostKeyStatus,
    /** The name looked up in known_hosts: `host`, `[host]:port` or the HostKeyAlias. */
    readonly host: string,
    /** The offered key's fingerprint (`SHA256:...` unless FingerprintHash says otherwise). */
    readonly fingerprint: string,
    readonly keyType: string,
    readonly file?: string,
    readonly line?: number,
    message = 'Host key verification failed.',
    /** For a changed key: the key recorded at `file`:`line`, which the server no longer offers. */
    readonly recorded?: { readonly keyType: string; readonly fingerprint: string },
  ) {
    super('HOSTKEY', message, { disconnectReason: DisconnectReason.HOST_KEY_NOT_VERIFIABLE });
    this.name = 'HostKeyError';
  }
}

/**
 * What became of one publickey identity: `refused` (USERAUTH_FAILURE after the offer or the signed
 * request), `signature-refused` (PK_OK, then the signed request failed), `no-mutual-algorithm` (neither
 * PubkeyAcceptedAlgorithms nor the server's server-sig-algs allow the key's type), `not-loaded` (the
 * private key could not be used: missing, unreadable, or encrypted with no passphrase given), `signing-failed`.
 */
export type PublicKeyOutcome = 'refused' | 'signature-refused' | 'no-mutual-algorithm' | 'not-loaded' | 'signing-failed';

export interface PublicKeyAttempt {
  /** File name, or the agent's comment. */
  readonly label: string;
  readonly source: 'agent' | 'file';
  /** Known once the public half is (never key material: type and fingerprint only). */
  readonly keyType?: string;
  readonly fingerprint?: string;
  readonly outcome: PublicKeyOutcome;
}

/** The agent during userauth: not asked (none configured, or publickey off), asked but unreachable, or connected. */
export type AgentStatus = { readonly state: 'unused' } | { readonly state: 'unreachable'; readonly reason: string } | { readonly state: 'connected'; readonly keys: number };

/** What publickey authentication did, for an AuthError. */
export interface PublicKeyReport {
  readonly agent: AgentStatus;
  /** Identities tssh had to try (after IdentitiesOnly and PubkeyAcceptedAlgorithms), in order. */
  readonly identities: number;
  readonly attempts: readonly PublicKeyAttempt[];
  readonly batchMode: boolean;
  /** IdentitiesOnly: agent keys that no IdentityFile names were left out. */
  readonly identitiesOnly: boolean;
  /** The server's server-sig-algs (RFC 8308), when it sent them. */
  readonly serverSigAlgs?: readonly string[];
}

/** No authentication method the server allows succeeded. */
export class AuthError extends TsshError {
  constructor(
    readonly user: string,
    readonly host: string,
    /** The methods the server said could still continue. */
    readonly methodsLeft: readonly string[],
    message: string,
    readonly publicKey?: PublicKeyReport,
  ) {
    super('AUTH', message, { disconnectReason: DisconnectReason.NO_MORE_AUTH_METHODS_AVAILABLE });
    this.name = 'AuthError';
  }
}

/** Which algorithm list had nothing in common. */
export type NegotiationKind = 'kex' | 'hostKey' | 'cipher' | 'mac' | 'compression';

/** Client and server share no algorithm of one kind. */
export class NegotiationError extends TsshError {
  constructor(
    readonly kind: NegotiationKind,
    readonly ours: readonly string[],
    readonly theirs: readonly string[],
    message: string,
  ) {
    super('NEGOTIATION', message, { disconnectReason: DisconnectReason.KEY_EXCHANGE_FAILED });
    this.name = 'NegotiationError';
  }
}

/** The server refused to open a channel (RFC 4254 §5.1 reason code and its text). */
export class ChannelOpenError extends TsshError {
  constructor(
    /** 1 administratively prohibited, 2 connect failed, 3 unknown channel type, 4 resource shortage. */
    readonly reason: number,
    readonly description: string,
    message: string,
  ) {
    super('CHANNEL', message);
    this.name = 'ChannelOpenError';
  }
}

/** The peer ended the connection with SSH_MSG_DISCONNECT. */
export class DisconnectError extends TsshError {
  constructor(
    /** RFC 4253 §11.1 reason code (DisconnectReason). */
    readonly reasonCode: number,
    readonly description: string,
    message: string,
  ) {
    super('DISCONNECTED', message);
    this.name = 'DisconnectError';
  }
}

/** Where a connection stalled: TCP connect, banner, key exchange, authentication, or a dead peer (ServerAlive). */
export type TimeoutPhase = 'connect' | 'banner' | 'kex' | 'auth' | 'keepalive';

export class TimeoutError extends TsshError {
  constructor(
    readonly phase: TimeoutPhase,
    message: string,
  ) {
    super('TIMEOUT', message);
    this.name = 'TimeoutError';
  }
}

/** The caller's AbortSignal ended the operation. */
export function abortedError(): TsshError {
  return new TsshError('ABORTED', 'The operation was aborted', { disconnectReason: DisconnectReason.BY_APPLICATION });
}

export function protocolError(message: string): TsshError {
  return new TsshError('PROTOCOL', message, { disconnectReason: DisconnectReason.PROTOCOL_ERROR });
}

/** Wraps anything thrown into a TsshError so that no raw exception reaches the user. */
export function asTsshError(err: unknown): TsshError {
  if (err instanceof TsshError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new TsshError('INTERNAL', message, { cause: err });
}
