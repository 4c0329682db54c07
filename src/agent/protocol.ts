/**
 * The ssh-agent protocol (draft-miller-ssh-agent, OpenSSH PROTOCOL.agent): each message is a uint32
 * length and a payload whose first byte is the message type. Pure encoding and decoding; the socket
 * lives in client.ts.
 */
import { TsshError } from '../errors.js';
import { SshReader } from '../wire/reader.js';
import { SshWriter } from '../wire/writer.js';

export const AGENT_MSG = {
  FAILURE: 5,
  SUCCESS: 6,
  REQUEST_IDENTITIES: 11,
  IDENTITIES_ANSWER: 12,
  SIGN_REQUEST: 13,
  SIGN_RESPONSE: 14,
  ADD_IDENTITY: 17,
  ADD_ID_CONSTRAINED: 25,
  EXTENSION: 27,
  EXTENSION_FAILURE: 28,
  /** Failure codes other agents send (OpenSSH treats them as FAILURE). */
  SSH2_FAILURE: 30,
  SSH_COM_FAILURE: 102,
} as const;

/** SIGN_REQUEST flags: which hash an RSA key signs with (RFC 8332 via PROTOCOL.agent). */
export const SIGN_FLAGS = { RSA_SHA2_256: 0x02, RSA_SHA2_512: 0x04 } as const;

const CONSTRAIN_LIFETIME = 1;
const CONSTRAIN_CONFIRM = 2;

/** OpenSSH's MAX_AGENT_REPLY_LEN: a longer reply is treated as garbage. */
export const MAX_AGENT_MESSAGE = 256 * 1024;

export interface AgentIdentity {
  /** Public key or certificate blob. */
  blob: Buffer;
  comment: string;
}

/** An agent that broke the protocol or went away: OpenSSH's "communication with agent failed". */
export function agentCommunicationError(detail?: string): TsshError {
  return new TsshError('AGENT', 'communication with agent failed', detail === undefined ? undefined : { cause: new Error(detail) });
}

/** The agent answered FAILURE: OpenSSH's "agent refused operation". */
export function agentRefusedError(): TsshError {
  return new TsshError('AGENT', 'agent refused operation');
}

function isFailure(type: number): boolean {
  return type === AGENT_MSG.FAILURE || type === AGENT_MSG.SSH2_FAILURE || type === AGENT_MSG.SSH_COM_FAILURE;
}

/** Prefixes a payload with its length, ready for the socket. */
export function frame(payload: Buffer): Buffer {
  const out = Buffer.alloc(4 + payload.length);
  out.writeUInt32BE(payload.length, 0);
  payload.copy(out, 4);
  return out;
}

/** Splits a byte stream into agent messages; throws on an oversized length. */
export class AgentFrameReader {
  private buffered: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const messages: Buffer[] = [];
    while (this.buffered.length >= 4) {
      const length = this.buffered.readUInt32BE(0);
      if (length > MAX_AGENT_MESSAGE) throw agentCommunicationError(`agent message of ${length} bytes`);
      if (this.buffered.length < 4 + length) break;
      messages.push(Buffer.from(this.buffered.subarray(4, 4 + length)));
      this.buffered = this.buffered.subarray(4 + length);
    }
    return messages;
  }
}

export function requestIdentities(): Buffer {
  return Buffer.from([AGENT_MSG.REQUEST_IDENTITIES]);
}

export function parseIdentitiesAnswer(reply: Buffer): AgentIdentity[] {
  return decode(reply, (r, type) => {
    if (isFailure(type)) throw agentRefusedError();
    if (type !== AGENT_MSG.IDENTITIES_ANSWER) throw agentCommunicationError(`unexpected agent reply type ${type}`);
    const count = r.uint32();
    if (count > 1024) throw agentCommunicationError(`agent lists ${count} keys`);
    const identities: AgentIdentity[] = [];
    for (let i = 0; i < count; i++) identities.push({ blob: Buffer.from(r.string()), comment: r.text() });
    return identities;
  });
}

/** The flags that ask an agent for rsa-sha2-256/512 signatures; 0 for every other algorithm. */
export function signFlagsFor(algorithm: string): number {
  if (algorithm.startsWith('rsa-sha2-256')) return SIGN_FLAGS.RSA_SHA2_256;
  if (algorithm.startsWith('rsa-sha2-512')) return SIGN_FLAGS.RSA_SHA2_512;
  return 0;
}

export function signRequest(keyBlob: Buffer, data: Buffer, flags: number): Buffer {
  return Buffer.from(new SshWriter(data.length + keyBlob.length + 32).byte(AGENT_MSG.SIGN_REQUEST).string(keyBlob).string(data).uint32(flags).finish());
}

/** Returns the signature blob (string algorithm || string signature). */
export function parseSignResponse(reply: Buffer): Buffer {
  return decode(reply, (r, type) => {
    if (isFailure(type)) throw agentRefusedError();
    if (type !== AGENT_MSG.SIGN_RESPONSE) throw agentCommunicationError(`unexpected agent reply type ${type}`);
    return Buffer.from(r.string());
  });
}

export interface AddIdentityOptions {
  /** Seconds the agent keeps the key (AddKeysToAgent with a time); undefined = forever. */
  lifetimeSeconds?: number;
  /** Ask the user (via the agent's askpass) before each use. */
  confirm?: boolean;
}

/**
 * ADD_IDENTITY / ADD_ID_CONSTRAINED: `privateFields` is the key in agent wire form (type name, then the
 * key's public and private values, as ssh-add sends them).
 */
export function addIdentityRequest(privateFields: Buffer, comment: string, options: AddIdentityOptions = {}): Buffer {
  const constrained = options.lifetimeSeconds !== undefined || options.confirm === true;
  const w = new SshWriter(privateFields.length + comment.length + 32)
    .byte(constrained ? AGENT_MSG.ADD_ID_CONSTRAINED : AGENT_MSG.ADD_IDENTITY)
    .raw(privateFields)
    .string(comment);
  if (options.lifetimeSeconds !== undefined) w.byte(CONSTRAIN_LIFETIME).uint32(options.lifetimeSeconds);
  if (options.confirm === true) w.byte(CONSTRAIN_CONFIRM);
  return Buffer.from(w.finish());
}

/** What ties an agent connection to one SSH session (PROTOCOL.agent, session-bind@openssh.com). */
export interface SessionBinding {
  /** The server's host key blob, as in the key exchange. */
  hostKey: Buffer;
  /** The session identifier (H of the first key exchange). */
  sessionId: Buffer;
  /** The server's signature over H, for the agent to verify the host key itself. */
  signature: Buffer;
}

/**
 * EXTENSION "session-bind@openssh.com": lets an agent enforce destination constraints (ssh-add -h) on
 * what it signs. `forwarding` marks an agent connection made on a remote host's behalf (-A).
 */
export function sessionBindRequest(binding: SessionBinding, forwarding: boolean): Buffer {
  return Buffer.from(
    new SshWriter(binding.hostKey.length + binding.signature.length + 128)
      .byte(AGENT_MSG.EXTENSION)
      .string('session-bind@openssh.com')
      .string(binding.hostKey)
      .string(binding.sessionId)
      .string(binding.signature)
      .boolean(forwarding)
      .finish(),
  );
}

/** SUCCESS or FAILURE replies (adding keys, extensions). */
export function parseSuccess(reply: Buffer): void {
  decode(reply, (_r, type) => {
    if (type === AGENT_MSG.SUCCESS) return;
    if (isFailure(type)) throw agentRefusedError();
    throw agentCommunicationError(`unexpected agent reply type ${type}`);
  });
}

function decode<T>(reply: Buffer, read: (r: SshReader, type: number) => T): T {
  try {
    const r = new SshReader(reply, 'agent reply');
    const result = read(r, r.byte());
    if (r.remaining !== 0 && reply[0] !== AGENT_MSG.FAILURE) r.end();
    return result;
  } catch (err) {
    if (err instanceof TsshError && err.code === 'AGENT') throw err;
    throw agentCommunicationError((err as Error).message);
  }
}
