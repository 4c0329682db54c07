import { protocolError } from '../../errors.js';
import { KEX_MSG, msgName } from '../../wire/messages.js';
import { SshReader } from '../../wire/reader.js';
import { message } from '../../wire/writer.js';
import { exchangeHash } from './exchange-hash.js';
import type { HashName, HostKeySigner, KexClient, KexHashPrefix, KexServer, KexStep } from './types.js';

/**
 * The shape shared by fixed-group DH (RFC 4253 §8), ECDH (RFC 5656 §4), curve25519 (RFC 8731) and the
 * hybrid ML-KEM method: the client sends one public value in message 30, the server answers in 31 with
 * K_S, its own value and a signature, and H covers both values. Only the arithmetic differs.
 */
export interface SingleExchangeMethod {
  readonly name: string;
  readonly hash: HashName;
  /** Reads a peer value from its message field; returns the form hashed and echoed (DH: canonical mpint). */
  readValue(r: SshReader): Buffer;
  /** Client: an ephemeral key; `complete` turns the server's value into K (encoded, prefix included). */
  clientEphemeral(): { publicValue: Buffer; complete(serverValue: Buffer): Buffer };
  /** Server: answers the client's value with its own and K. */
  serverRespond(clientValue: Buffer): { publicValue: Buffer; sharedSecret: Buffer };
}

export class SingleExchangeClient implements KexClient {
  readonly name: string;
  readonly hash: HashName;
  private ephemeral: ReturnType<SingleExchangeMethod['clientEphemeral']> | undefined;
  private started = false;
  private finished = false;

  constructor(private readonly method: SingleExchangeMethod, private readonly prefix: KexHashPrefix) {
    this.name = method.name;
    this.hash = method.hash;
  }

  start(): KexStep {
    if (this.started) throw protocolError(`${this.name}: key exchange already started`);
    this.started = true;
    this.ephemeral = this.method.clientEphemeral();
    return { send: [message(KEX_MSG.KEX_ECDH_INIT).string(this.ephemeral.publicValue).finish()] };
  }

  expects(type: number): boolean {
    return this.ephemeral !== undefined && !this.finished && type === KEX_MSG.KEX_ECDH_REPLY;
  }

  handle(payload: Buffer): KexStep {
    const ephemeral = this.ephemeral;
    const r = new SshReader(payload, `${this.name} reply`);
    const type = r.byte();
    if (!ephemeral || this.finished || type !== KEX_MSG.KEX_ECDH_REPLY) {
      throw protocolError(`${this.name}: unexpected ${msgName(type)} (type ${type}) during key exchange`);
    }
    const hostKey = Buffer.from(r.string());
    const serverValue = this.method.readValue(r);
    const signature = Buffer.from(r.string());
    r.end();
    const sharedSecret = ephemeral.complete(serverValue);
    const h = exchangeHash(
      this.hash,
      this.prefix,
      hostKey,
      (w) => w.string(ephemeral.publicValue).string(serverValue),
      sharedSecret,
    );
    this.finished = true;
    this.ephemeral = undefined;
    return { send: [], result: { sharedSecret, exchangeHash: h, hash: this.hash, hostKey, signature } };
  }
}

export class SingleExchangeServer implements KexServer {
  readonly name: string;
  readonly hash: HashName;
  private finished = false;

  constructor(
    private readonly method: SingleExchangeMethod,
    private readonly prefix: KexHashPrefix,
    private readonly hostKey: HostKeySigner,
    private readonly hostKeyAlgorithm: string,
  ) {
    this.name = method.name;
    this.hash = method.hash;
  }

  handle(payload: Buffer): KexStep {
    const r = new SshReader(payload, `${this.name} init`);
    const type = r.byte();
    if (this.finished || type !== KEX_MSG.KEX_ECDH_INIT) {
      throw protocolError(`${this.name}: unexpected ${msgName(type)} (type ${type}) during key exchange`);
    }
    const clientValue = this.method.readValue(r);
    r.end();
    const { publicValue, sharedSecret } = this.method.serverRespond(clientValue);
    const hostKey = this.hostKey.publicBlob;
    const h = exchangeHash(this.hash, this.prefix, hostKey, (w) => w.string(clientValue).string(publicValue), sharedSecret);
    const signature = this.hostKey.sign(this.hostKeyAlgorithm, h);
    this.finished = true;
    const reply = message(KEX_MSG.KEX_ECDH_REPLY).string(hostKey).string(publicValue).string(signature).finish();
    return { send: [reply], result: { sharedSecret, exchangeHash: h, hash: this.hash, hostKey, signature } };
  }
}
