/**
 * A key-exchange method is a small sans-IO state machine over KEX message payloads (types 30-49).
 * The transport feeds it payloads and sends what it returns; it never touches sockets.
 */
export type HashName = 'sha1' | 'sha256' | 'sha384' | 'sha512';

/** The four strings every exchange hash starts with (RFC 4253 §8). */
export interface KexHashPrefix {
  clientVersion: string; // V_C without CR LF
  serverVersion: string; // V_S without CR LF
  clientKexinit: Buffer; // I_C: the client's KEXINIT payload
  serverKexinit: Buffer; // I_S: the server's KEXINIT payload
}

export interface KexResult {
  /** K exactly as it enters the key derivation and exchange hash: an mpint or (hybrid PQ) a string, length prefix included. */
  sharedSecret: Buffer;
  /** H, the exchange hash. */
  exchangeHash: Buffer;
  hash: HashName;
  /** K_S, the server's public host key blob. */
  hostKey: Buffer;
  /** The signature blob over H (string alg || string sig) as sent by the server. */
  signature: Buffer;
}

/** A debug line as ssh -v prints it during the exchange (`debug1: SSH2_MSG_KEX_DH_GEX_GROUP received`). */
export interface KexLogLine {
  level: 1 | 2;
  text: string;
}

export interface KexStep {
  /** Payloads to send now, in order. */
  send: Buffer[];
  /** Debug lines for this step, in the order ssh logs them (the transport hands them to its logger). */
  log?: KexLogLine[];
  /** Present once the exchange is complete (client: after the reply; server: after sending the reply). */
  result?: KexResult;
}

export interface KexClient {
  readonly name: string;
  readonly hash: HashName;
  /** First message(s) the client sends (e.g. KEX_ECDH_INIT, or GEX_REQUEST). */
  start(): KexStep;
  /** Handles one KEX payload from the server. Throws a TsshError ('KEX' or 'PROTOCOL') on anything wrong. */
  handle(payload: Buffer): KexStep;
  /** Whether a message of `type` is the one the method waits for now (others are out of place, as in ssh). */
  expects(type: number): boolean;
}

/** Signs the exchange hash with the server's host key (server role, used by pair tests and fake servers). */
export interface HostKeySigner {
  readonly publicBlob: Buffer;
  /** Returns a signature blob (string alg || string sig) for the negotiated host-key algorithm. */
  sign(algorithm: string, data: Buffer): Buffer;
}

export interface KexServer {
  readonly name: string;
  readonly hash: HashName;
  handle(payload: Buffer): KexStep;
}
