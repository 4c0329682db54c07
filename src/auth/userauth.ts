import { TsshError, DisconnectReason, protocolError } from '../errors.js';
import type { Logger } from '../log.js';
import { MSG, msgName } from '../wire/messages.js';
import { SshReader } from '../wire/reader.js';
import { message } from '../wire/writer.js';
import type { PrivateKey } from '../crypto/keys/types.js';
import { fingerprintSha256 } from '../crypto/keys/index.js';
import type { Transport } from '../transport/transport.js';
import { sanitizeRemoteText } from '../transport/disconnect.js';
import { Inbox } from './inbox.js';
import { chooseSignatureAlgorithm, publicKeyQuery, publicKeyRequest } from './publickey.js';

/** A key the user offers; loading is deferred so unused keys are never read (or asked a passphrase for). */
export interface Identity {
  /** Path or description for messages ("Offering public key: <label>"). */
  label: string;
  /** Public key blob when known without loading the private key (from <path>.pub). */
  publicBlob?: Buffer;
  load(): Promise<PrivateKey>;
}

export interface AuthOptions {
  user: string;
  /** Host for "user@host: Permission denied (...)". */
  host: string;
  identities: Identity[];
  /** PubkeyAcceptedAlgorithms. */
  acceptedAlgorithms: readonly string[];
  log: Logger;
  /** USERAUTH_BANNER text, already sanitized; the CLI prints it unless quiet. */
  onBanner(text: string): void;
}

type AuthReply = { kind: 'success' } | { kind: 'failure'; methods: string[]; partial: boolean } | { kind: 'pk-ok' };

/**
 * User authentication (RFC 4252) as OpenSSH's client runs it: "none" first to learn the methods, then
 * publickey per identity (query, then sign only keys the server accepts). Returns the messages that
 * arrived after USERAUTH_SUCCESS, for the connection layer.
 */
export class UserAuth {
  private readonly inbox = new Inbox();
  private methods: string[] = [];

  constructor(private readonly transport: Transport, private readonly options: AuthOptions) {}

  async run(): Promise<Inbox> {
    this.transport.setHandler((payload) => this.inbox.push(payload));
    void this.transport.closed.then((err) => this.inbox.fail(err ?? new TsshError('CONNECTION_CLOSED', 'connection closed during authentication')));
    await this.requestService();
    const none = await this.request(message(MSG.USERAUTH_REQUEST).string(this.options.user).string('ssh-connection').string('none').finish());
    if (none.kind === 'success') return this.succeeded('none');
    if (none.kind === 'failure') this.methods = none.methods;
    if (await this.tryPublicKeys()) return this.succeeded('publickey');
    const { user, host } = this.options;
    throw new TsshError('AUTH', `${user}@${host}: Permission denied (${this.methods.join(',')}).`, {
      disconnectReason: DisconnectReason.NO_MORE_AUTH_METHODS_AVAILABLE,
    });
  }

  private succeeded(method: string): Inbox {
    this.options.log.debug1(`Authentication succeeded (${method}).`);
    return this.inbox;
  }

  private async requestService(): Promise<void> {
    this.transport.send(message(MSG.SERVICE_REQUEST).string('ssh-userauth').finish());
    const reply = await this.inbox.next();
    if (reply[0] !== MSG.SERVICE_ACCEPT) throw protocolError(`expected SERVICE_ACCEPT, got ${msgName(reply[0]!)}`);
    this.options.log.debug1('SSH2_MSG_SERVICE_ACCEPT received');
  }

  private async tryPublicKeys(): Promise<boolean> {
    const { identities, user, acceptedAlgorithms, log } = this.options;
    for (const identity of identities) {
      if (!this.methods.includes('publickey')) return false;
      let key: PrivateKey;
      try {
        key = await identity.load();
      } catch (err) {
        log.debug1(`${identity.label}: ${(err as Error).message}`);
        continue;
      }
      const algorithm = chooseSignatureAlgorithm(key, this.transport.serverSigAlgs, acceptedAlgorithms);
      if (!algorithm) {
        log.debug1(`Skipping ${key.type} key ${identity.label}: no mutual signature algorithm`);
        continue;
      }
      log.debug1(`Offering public key: ${identity.label} ${key.type} ${fingerprintSha256(key.publicKey.blob)}`);
      const query = await this.request(publicKeyQuery(user, algorithm, key.publicKey.blob));
      if (query.kind === 'failure') {
        this.methods = query.methods;
        continue;
      }
      if (query.kind === 'success') return true;
      log.debug1(`Server accepts key: ${identity.label} ${key.type} ${fingerprintSha256(key.publicKey.blob)}`);
      const signed = await this.request(publicKeyRequest(this.transport.sessionId, user, algorithm, key));
      if (signed.kind === 'success') return true;
      if (signed.kind === 'failure') this.methods = signed.methods;
      else throw protocolError('unexpected USERAUTH_PK_OK after a signed request');
    }
    return false;
  }

  /** Sends one request and waits for its answer, printing banners that arrive in between. */
  private async request(payload: Buffer): Promise<AuthReply> {
    this.transport.send(payload);
    for (;;) {
      const reply = await this.inbox.next();
      const r = new SshReader(reply, 'userauth reply');
      const type = r.byte();
      switch (type) {
        case MSG.USERAUTH_SUCCESS:
          return { kind: 'success' };
        case MSG.USERAUTH_FAILURE: {
          const methods = r.nameList();
          const partial = r.boolean();
          r.end();
          this.options.log.debug1(`Authentications that can continue: ${methods.join(',')}`);
          return { kind: 'failure', methods, partial };
        }
        case MSG.USERAUTH_BANNER: {
          const text = r.text();
          r.string(); // language tag
          this.options.onBanner(sanitizeRemoteText(text.replace(/\r\n/g, '\n')));
          continue;
        }
        case MSG.USERAUTH_60:
          return { kind: 'pk-ok' };
        default:
          throw protocolError(`unexpected ${msgName(type)} during authentication`);
      }
    }
  }
}
