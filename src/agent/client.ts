import net from 'node:net';
import type { Duplex } from 'node:stream';
import { TsshError } from '../errors.js';
import { signatureBlobAlgorithm } from '../crypto/keys/index.js';
import {
  AgentFrameReader,
  addIdentityRequest,
  agentCommunicationError,
  frame,
  parseIdentitiesAnswer,
  parseSignResponse,
  parseSuccess,
  requestIdentities,
  sessionBindRequest,
  signFlagsFor,
  signRequest,
  type AddIdentityOptions,
  type AgentIdentity,
  type SessionBinding,
} from './protocol.js';

const STRERROR: Readonly<Record<string, string>> = {
  ENOENT: 'No such file or directory',
  ECONNREFUSED: 'Connection refused',
  EACCES: 'Permission denied',
  ENOTSOCK: 'Socket operation on non-socket',
  ENOTDIR: 'Not a directory',
};

/**
 * A connection to an ssh-agent (SSH_AUTH_SOCK or IdentityAgent). Requests are answered in order, one at
 * a time, as the protocol requires. If the agent goes away, every pending and later request fails with
 * "communication with agent failed" instead of waiting forever.
 */
export class AgentClient {
  private readonly frames = new AgentFrameReader();
  private readonly waiting: Array<{ resolve: (reply: Buffer) => void; reject: (err: TsshError) => void }> = [];
  private failure: TsshError | undefined;

  constructor(private readonly stream: Duplex) {
    stream.on('data', (chunk: Buffer) => this.onData(chunk));
    stream.on('error', (err: NodeJS.ErrnoException) => this.fail(agentCommunicationError(err.message)));
    stream.on('close', () => this.fail(agentCommunicationError('agent closed the connection')));
    stream.on('end', () => this.fail(agentCommunicationError('agent closed the connection')));
  }

  /** Connects to the agent's Unix socket; rejects with the system error text (e.g. "No such file or directory"). */
  static connect(path: string): Promise<AgentClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ path });
      const onError = (err: NodeJS.ErrnoException): void => {
        socket.destroy();
        reject(new TsshError('AGENT', STRERROR[err.code ?? ''] ?? err.message));
      };
      socket.once('error', onError);
      socket.once('connect', () => {
        socket.removeListener('error', onError);
        resolve(new AgentClient(socket));
      });
    });
  }

  async listIdentities(): Promise<AgentIdentity[]> {
    return parseIdentitiesAnswer(await this.request(requestIdentities()));
  }

  /**
   * Signs `data` with the key `keyBlob` (plain key or certificate) for `algorithm`, passing the rsa-sha2
   * flags. The signature must be of the algorithm asked for: an agent answering an rsa-sha2-512 request
   * with an ssh-rsa (SHA-1) signature is refused.
   */
  async sign(keyBlob: Buffer, data: Buffer, algorithm: string, signatureAlgorithm: string): Promise<Buffer> {
    const signature = parseSignResponse(await this.request(signRequest(keyBlob, data, signFlagsFor(algorithm))));
    let named: string;
    try {
      named = signatureBlobAlgorithm(signature);
    } catch {
      throw agentCommunicationError('malformed signature from agent');
    }
    if (named !== signatureAlgorithm) throw new TsshError('AGENT', `agent returned a ${named} signature instead of ${signatureAlgorithm}`);
    return signature;
  }

  async addIdentity(privateFields: Buffer, comment: string, options: AddIdentityOptions = {}): Promise<void> {
    parseSuccess(await this.request(addIdentityRequest(privateFields, comment, options)));
  }

  /** Binds this agent connection to a session (rejects if the agent refuses or lacks the extension). */
  async bindSession(binding: SessionBinding, forwarding: boolean): Promise<void> {
    parseSuccess(await this.request(sessionBindRequest(binding, forwarding)));
  }

  close(): void {
    this.fail(agentCommunicationError('connection to agent closed'));
    this.stream.destroy();
  }

  private request(payload: Buffer): Promise<Buffer> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.stream.write(frame(payload));
    });
  }

  private onData(chunk: Buffer): void {
    let replies: Buffer[];
    try {
      replies = this.frames.push(chunk);
    } catch (err) {
      this.fail(err as TsshError);
      this.stream.destroy();
      return;
    }
    for (const reply of replies) {
      const waiter = this.waiting.shift();
      if (!waiter) {
        this.fail(agentCommunicationError('unsolicited agent message'));
        this.stream.destroy();
        return;
      }
      waiter.resolve(reply);
    }
  }

  private fail(err: TsshError): void {
    this.failure ??= err;
    for (const waiter of this.waiting.splice(0)) waiter.reject(this.failure);
  }
}
