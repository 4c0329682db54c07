import { AuthError, TsshError, protocolError, type AgentStatus, type PublicKeyReport } from '../errors.js';
import type { Logger } from '../log.js';
import { MSG } from '../wire/messages.js';
import { message } from '../wire/writer.js';
import type { PacketTransport } from '../transport/contract.js';
import type { AgentClient } from '../agent/client.js';
import { Inbox } from './inbox.js';
import { AuthConversation, finalReply, type AuthResult } from './conversation.js';
import type { FileIdentity, Identity } from './identities.js';
import { prepareIdentities } from './pubkey-prepare.js';
import type { AuthMethod, AuthPrompter, MethodContext } from './method.js';
import { PublicKeyMethod } from './publickey-method.js';
import { PasswordMethod } from './password.js';
import { KeyboardInteractiveMethod } from './keyboard-interactive.js';
import { MethodSelector } from './method-selector.js';
import { timedAttempt } from './attempt-timing.js';
import type { Timeline } from '../timeline.js';

export type { Identity, FileIdentity } from './identities.js';
export type { AuthPrompter } from './method.js';

/** Which methods may run, from PreferredAuthentications, the *Authentication options and BatchMode. */
export interface AuthPolicy {
  /** PreferredAuthentications, or undefined for OpenSSH's default order. */
  preferred?: readonly string[];
  publicKey: boolean;
  password: boolean;
  keyboardInteractive: boolean;
  /** BatchMode: nothing that asks a person (password, keyboard-interactive) runs. */
  batchMode: boolean;
  /** NumberOfPasswordPrompts (also bounds keyboard-interactive rounds and passphrase tries). */
  numberOfPasswordPrompts: number;
  /** KbdInteractiveDevices, sent as the submethods field. */
  kbdInteractiveDevices?: string;
  /**
   * The host key was not trusted but the connection continued (StrictHostKeyChecking=no after a changed
   * key): password and keyboard-interactive must not run, as in OpenSSH.
   */
  passwordAuthDisabled?: boolean;
}

export interface AuthOptions {
  user: string;
  /** Host for "user@host: Permission denied (...)". */
  host: string;
  /** Host in prompts ("user@host's password: "); default `host` (HostKeyAlias when set). */
  promptHost?: string;
  /** IdentityFile keys (each followed by its certificate) and CertificateFile certificates. */
  files: readonly FileIdentity[];
  certificates: readonly FileIdentity[];
  /** Connects to the agent, or resolves undefined when there is none (IdentityAgent none, no socket). */
  openAgent?: () => Promise<AgentClient | undefined>;
  identitiesOnly: boolean;
  /** PubkeyAcceptedAlgorithms. */
  acceptedAlgorithms: readonly string[];
  /** RequiredRSASize: agent RSA keys shorter than this are not offered (default 1024). */
  requiredRSASize?: number;
  policy: AuthPolicy;
  prompter: AuthPrompter;
  log: Logger;
  /** USERAUTH_BANNER text as the server sent it: whoever shows it makes it safe (vis.ts visTerminal). */
  onBanner(text: string): void;
  /** --timing: each attempt (method, key, the server's answer) is recorded here. */
  timeline?: Timeline;
}

/** OpenSSH's order when PreferredAuthentications is not set (gssapi and hostbased are not implemented). */
const DEFAULT_ORDER = ['publickey', 'keyboard-interactive', 'password'];
const INTERACTIVE = new Set(['keyboard-interactive', 'password']);

/**
 * User authentication (RFC 4252) as OpenSSH's client runs it: "none" first to learn the methods, then
 * the preferred methods in order, each until it has nothing left to try, following the server's list
 * as it changes (partial success). Returns the messages that arrived after USERAUTH_SUCCESS, for the
 * connection layer.
 */
export class UserAuth {
  private readonly inbox = new Inbox();
  private current: AuthMethod | undefined;
  /** The method that completed authentication. */
  method: string | undefined;
  private agentStatus: AgentStatus = { state: 'unused' };
  private identityCount = 0;
  private publicKey: PublicKeyMethod | undefined;

  constructor(private readonly transport: PacketTransport, private readonly options: AuthOptions) {}

  async run(): Promise<Inbox> {
    this.transport.setHandler((payload, seq) => this.inbox.push(payload, seq));
    void this.transport.closed.then((err) => this.inbox.fail(err ?? new TsshError('CONNECTION_CLOSED', 'connection closed during authentication')));
    const agent = await this.connectAgent();
    try {
      if (agent) await this.bindAgent(agent);
      const identities = await this.prepareIdentities(agent);
      this.identityCount = identities.length;
      if (this.agentStatus.state === 'connected') this.agentStatus = { state: 'connected', keys: identities.filter((id) => id.agent).length };
      const conversation = new AuthConversation(this.transport, this.inbox, this.options.onBanner, this.options.log);
      await this.requestService(conversation);
      // Sent at once (the callback runs synchronously up to its first await); the answer is awaited below.
      const noneReply = timedAttempt(this.options.timeline, { method: 'none' }, async () => {
        conversation.send(message(MSG.USERAUTH_REQUEST).string(this.options.user).string('ssh-connection').string('none').finish());
        return finalReply(await conversation.receive());
      });
      this.current = { name: 'none', attempt: async () => undefined };
      const methods = this.makeMethods(conversation, identities);
      const selector = new MethodSelector(this.options.policy.preferred ?? DEFAULT_ORDER, methods, (name) => this.enabled(name), this.options.log);
      let result = (await noneReply)!;
      while (result.kind === 'failure') {
        if (result.partial) {
          this.options.log.verbose(`Authenticated using "${this.current.name}" with partial success.`);
          for (const method of methods.values()) method.reset?.();
        }
        this.options.log.debug1(`Authentications that can continue: ${result.methods.join(',')}`);
        result = await this.nextAttempt(selector, result.methods);
      }
      this.method = this.current.name;
      return this.inbox;
    } finally {
      agent?.close();
    }
  }

  /** Runs methods in preference order until one sends a request; its outcome is returned. */
  private async nextAttempt(selector: MethodSelector, serverMethods: string[]): Promise<AuthResult> {
    for (;;) {
      const method = selector.next(serverMethods);
      if (method === undefined) {
        const { user, host } = this.options;
        throw new AuthError(user, host, serverMethods, `${user}@${host}: Permission denied (${serverMethods.join(',')}).`, this.publicKeyReport());
      }
      this.current = method;
      // publickey records each key it offers on its own.
      const result = method.name === 'publickey' ? await method.attempt(serverMethods) : await timedAttempt(this.options.timeline, { method: method.name }, () => method.attempt(serverMethods));
      if (result !== undefined) return result;
      this.options.log.debug2('we did not send a packet, disable method');
      selector.disable(method.name);
    }
  }

  private publicKeyReport(): PublicKeyReport {
    const serverSigAlgs = this.transport.serverSigAlgs;
    return {
      agent: this.agentStatus,
      identities: this.identityCount,
      attempts: [...(this.publicKey?.attempts ?? [])],
      batchMode: this.options.policy.batchMode,
      identitiesOnly: this.options.identitiesOnly,
      ...(serverSigAlgs ? { serverSigAlgs: [...serverSigAlgs] } : {}),
    };
  }

  private enabled(name: string): boolean {
    const { policy } = this.options;
    if (INTERACTIVE.has(name) && (policy.batchMode || policy.passwordAuthDisabled)) return false;
    if (name === 'publickey') return policy.publicKey;
    if (name === 'password') return policy.password;
    if (name === 'keyboard-interactive') return policy.keyboardInteractive;
    return false;
  }

  private makeMethods(conversation: AuthConversation, identities: Identity[]): Map<string, AuthMethod> {
    const { options } = this;
    const ctx: MethodContext = {
      user: options.user,
      promptHost: options.promptHost ?? options.host,
      conversation,
      prompter: options.prompter,
      log: options.log,
      ...(options.timeline ? { timeline: options.timeline } : {}),
    };
    const prompts = options.policy.numberOfPasswordPrompts;
    this.publicKey = new PublicKeyMethod(identities, ctx, options.acceptedAlgorithms);
    return new Map<string, AuthMethod>([
      ['publickey', this.publicKey],
      ['keyboard-interactive', new KeyboardInteractiveMethod(ctx, prompts, options.policy.kbdInteractiveDevices ?? '')],
      ['password', new PasswordMethod(ctx, prompts)],
    ]);
  }

  private async connectAgent(): Promise<AgentClient | undefined> {
    if (!this.options.policy.publicKey || !this.options.openAgent) return undefined;
    try {
      const agent = await this.options.openAgent();
      if (agent) this.agentStatus = { state: 'connected', keys: 0 };
      return agent;
    } catch (err) {
      this.options.log.debug1(`get_agent_identities: ssh_get_authentication_socket: ${(err as Error).message}`);
      this.agentStatus = { state: 'unreachable', reason: (err as Error).message };
      return undefined;
    }
  }

  /**
   * Tells the agent which host this session is with (session-bind@openssh.com), as ssh does before it
   * asks for signatures: keys added with destination constraints (ssh-add -h) are used only then. An
   * agent that does not know the extension still signs unconstrained keys, so a refusal is only logged.
   */
  private async bindAgent(agent: AgentClient): Promise<void> {
    const binding = this.transport.sessionBinding;
    if (!binding) return;
    try {
      await agent.bindSession(binding, false);
      this.options.log.debug3('pubkey_prepare: bound agent to hostkey');
    } catch (err) {
      this.options.log.debug2(`ssh_agent_bind_hostkey: ${(err as Error).message}`);
    }
  }

  /** OpenSSH's pubkey_prepare: the agent's keys merged with the files, in the order they will be tried. */
  private prepareIdentities(agent: AgentClient | undefined): Promise<Identity[]> {
    return prepareIdentities(this.options, agent);
  }

  private async requestService(conversation: AuthConversation): Promise<void> {
    conversation.send(message(MSG.SERVICE_REQUEST).string('ssh-userauth').finish());
    const reply = await this.inbox.next();
    if (reply[0] !== MSG.SERVICE_ACCEPT) throw protocolError(`input_userauth_error: bad message during authentication: type ${reply[0]}`);
    this.options.log.debug1('SSH2_MSG_SERVICE_ACCEPT received');
  }
}
