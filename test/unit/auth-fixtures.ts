/**
 * The userauth state machine's test bench: UserAuth against a scripted server over an in-memory
 * transport pair, with a recording logger and a prompter fed from a list of answers.
 */
import assert from 'node:assert/strict';
import { makePair } from '../pair/pair-harness.js';
import { UserAuth, type AuthOptions, type AuthPolicy } from '../../src/auth/userauth.js';
import { Inbox } from '../../src/auth/inbox.js';
import { TsshError } from '../../src/errors.js';
import type { FileIdentity } from '../../src/auth/identities.js';
import { describeKey } from '../../src/auth/keys.js';
import { generateHostKeySigner } from '../../src/crypto/keys/index.js';
import { MSG } from '../../src/wire/messages.js';
import { SshReader } from '../../src/wire/reader.js';
import { message } from '../../src/wire/writer.js';
import type { Logger } from '../../src/log.js';

export interface Request {
  user: string;
  method: string;
  r: SshReader;
}

/** The server end of a scripted exchange. */
export class ScriptedServer {
  constructor(private readonly inbox: Inbox, private readonly sendRaw: (p: Buffer) => void, readonly sessionId: Buffer) {}
  async next(): Promise<Buffer> {
    return this.inbox.next();
  }
  async request(): Promise<Request> {
    const payload = await this.next();
    const r = new SshReader(payload);
    assert.equal(r.byte(), MSG.USERAUTH_REQUEST, 'expected USERAUTH_REQUEST');
    const user = r.text();
    assert.equal(r.text(), 'ssh-connection');
    return { user, method: r.text(), r };
  }
  send(payload: Buffer): void {
    this.sendRaw(payload);
  }
  failure(methods: string, partial = false): void {
    this.send(message(MSG.USERAUTH_FAILURE).string(methods).boolean(partial).finish());
  }
  success(): void {
    this.send(message(MSG.USERAUTH_SUCCESS).finish());
  }
  /** Reads the next request, checks it is for `method`, and refuses it with `methods`. */
  async refuse(method: string, methods: string, partial = false): Promise<Request> {
    const request = await this.request();
    assert.equal(request.method, method);
    this.failure(methods, partial);
    return request;
  }
  /** Reads a publickey query and answers PK_OK for its key; returns what was queried. */
  async acceptKey(): Promise<{ algorithm: string; blob: Buffer }> {
    const query = await this.request();
    assert.equal(query.method, 'publickey');
    assert.equal(query.r.boolean(), false, 'a query, not a signature');
    const algorithm = query.r.text();
    const blob = query.r.string();
    this.send(message(MSG.USERAUTH_60).string(algorithm).string(blob).finish());
    return { algorithm, blob };
  }
  banner(text: string): void {
    this.send(message(MSG.USERAUTH_BANNER).string(text).string('').finish());
  }
}

export function recordingLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (m: string) => void lines.push(`${level}: ${m}`);
  return { lines, error: at('error'), info: at('info'), verbose: at('verbose'), debug1: at('debug1'), debug2: at('debug2'), debug3: at('debug3') };
}

export const POLICY: AuthPolicy = { publicKey: true, password: true, keyboardInteractive: true, batchMode: false, numberOfPasswordPrompts: 3 };

export interface Outcome {
  error: Error | undefined;
  method: string | undefined;
  log: string[];
  asked: Array<{ prompt: string; echo: boolean }>;
  banners: string[];
}

/** Runs UserAuth against `script`; `answers` feed the prompter in order (undefined = EOF). */
export async function runScripted(
  options: Partial<Omit<AuthOptions, 'policy'>> & { policy?: Partial<AuthPolicy>; answers?: Array<string | undefined> },
  script: (server: ScriptedServer) => Promise<void>,
): Promise<Outcome> {
  const pair = makePair();
  try {
    await Promise.all([pair.client.ready, pair.server.ready]);
    const serverInbox = new Inbox();
    pair.server.setHandler((p) => serverInbox.push(Buffer.from(p)));
    void pair.server.closed.then(() => serverInbox.fail(new TsshError('CONNECTION_CLOSED', 'the client ended while the script expected more')));
    const log = recordingLog();
    const asked: Outcome['asked'] = [];
    const banners: string[] = [];
    const answers = [...(options.answers ?? [])];
    const auth = new UserAuth(pair.client, {
      user: 'alice',
      host: 'example.org',
      files: [],
      certificates: [],
      identitiesOnly: false,
      acceptedAlgorithms: ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-ed25519-cert-v01@openssh.com'],
      prompter: {
        ask: async (prompt, how) => {
          asked.push({ prompt, echo: how.echo });
          return answers.length > 0 ? answers.shift() : how.allowEof ? undefined : '';
        },
      },
      log,
      onBanner: (text) => void banners.push(text),
      ...options,
      policy: { ...POLICY, ...options.policy },
    });
    const server = new ScriptedServer(serverInbox, (p) => pair.server.send(p), pair.server.sessionId);
    const serverSide = (async () => {
      const accept = await server.next();
      assert.equal(accept[0], MSG.SERVICE_REQUEST);
      server.send(message(MSG.SERVICE_ACCEPT).string('ssh-userauth').finish());
      const none = await server.request();
      assert.equal(none.method, 'none');
      await script(server);
    })().catch((err: unknown) => {
      pair.close(); // a failed script must end the client's wait too
      throw err;
    });
    let error: Error | undefined;
    try {
      await auth.run();
    } catch (err) {
      error = err as Error;
    }
    pair.close();
    await serverSide;
    return { error, method: auth.method, log: log.lines, asked, banners };
  } finally {
    pair.close();
  }
}

/** A key file identity backed by an in-memory key; counts how often its private half is loaded. */
export function fileIdentity(path: string, withPublic = true) {
  const key = generateHostKeySigner('ssh-ed25519');
  const identity: FileIdentity & { loads: number } = {
    path,
    userProvided: true,
    loads: 0,
    loadPrivate: async () => {
      identity.loads++;
      return key;
    },
    ...(withPublic ? { key: describeKey(key.publicKey.blob) } : {}),
  };
  return { identity, key };
}

