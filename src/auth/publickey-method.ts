import type { PrivateKey } from '../crypto/keys/types.js';
import type { PublicKeyAttempt, PublicKeyOutcome } from '../errors.js';
import { MSG } from '../wire/messages.js';
import { finalReply, type AuthResult } from './conversation.js';
import { describeIdentity, filenameMatches, type Identity } from './identities.js';
import { chooseKeyAlgorithm, describeKey, isCertificate, keyFingerprint, keyTypeLabel, samePublicKey, signatureAlgorithmOf, type OfferedKey } from './keys.js';
import type { AuthMethod, MethodContext } from './method.js';
import { timedAttempt } from './attempt-timing.js';
import { timed, type TimelineDetail } from '../timeline.js';
import { parsePublicKeyOk, publicKeyQuery, publicKeySignedData, publicKeySignedRequest } from './publickey.js';

/**
 * The "publickey" method as OpenSSH runs it: keys whose public half is known are offered first without a
 * signature, and only a key the server accepts (PK_OK) is signed with, so a passphrase is asked only for
 * keys that would work. A key known only as a private key file is loaded and signed with directly.
 */
export class PublicKeyMethod implements AuthMethod {
  readonly name = 'publickey';
  /** OpenSSH's queue: each key tried moves to the end; a pass ends at the first key already tried. */
  private readonly queue: Identity[];
  private readonly tried = new Set<Identity>();
  /** What became of each identity tried, for AuthError (a hint can then say why nothing worked). */
  readonly attempts: PublicKeyAttempt[] = [];

  constructor(
    identities: readonly Identity[],
    private readonly ctx: MethodContext,
    private readonly acceptedAlgorithms: readonly string[],
  ) {
    this.queue = [...identities];
  }

  reset(): void {
    this.tried.clear();
  }

  async attempt(): Promise<AuthResult | undefined> {
    for (;;) {
      const id = this.queue[0];
      if (id === undefined || this.tried.has(id)) return undefined;
      this.tried.add(id);
      this.queue.push(this.queue.shift()!);
      const detail: TimelineDetail = this.ctx.timeline ? { method: 'publickey', key: describeIdentity(id) } : {};
      const result = await timedAttempt(this.ctx.timeline, detail, () => (id.key ? this.offer(id, id.key) : this.signWithFile(id)));
      if (result) return result;
    }
  }

  private record(id: Identity, key: OfferedKey | undefined, outcome: PublicKeyOutcome): void {
    const known = key ? { keyType: key.type, fingerprint: keyFingerprint(key) } : {};
    this.attempts.push({ label: id.label, source: id.agent ? 'agent' : 'file', ...known, outcome });
  }

  /** Records a refusal when `result` is USERAUTH_FAILURE, and hands it on. */
  private noteResult(id: Identity, key: OfferedKey, result: AuthResult, outcome: PublicKeyOutcome): AuthResult {
    if (result.kind === 'failure') this.record(id, key, outcome);
    return result;
  }

  /** Offers a known public key; signs if the server would accept it. Undefined if nothing was sent. */
  private async offer(id: Identity, key: OfferedKey): Promise<AuthResult | undefined> {
    const { conversation, log, user } = this.ctx;
    log.debug1(`Offering public key: ${describeIdentity(id)}`);
    const algorithm = chooseKeyAlgorithm(key, conversation.transport.serverSigAlgs, this.acceptedAlgorithms);
    if (algorithm === undefined) {
      log.debug1('send_pubkey_test: no mutual signature algorithm');
      this.record(id, key, 'no-mutual-algorithm');
      return undefined;
    }
    conversation.send(publicKeyQuery(user, algorithm, key.blob));
    const reply = await conversation.receive();
    if (reply[0] !== MSG.USERAUTH_60) return this.noteResult(id, key, finalReply(reply), 'refused');
    const ok = parsePublicKeyOk(reply);
    if (!ok.keyBlob.equals(key.blob)) {
      log.error(`input_userauth_pk_ok: server replied with unknown key: ${keyTypeLabel(key.type)} ${keyFingerprint(key)}`);
      return undefined;
    }
    log.debug1(`Server accepts key: ${describeIdentity(id)}`);
    // --timing: our signature (agent or key file) apart from the server's answers around it.
    const signature = await timed(this.ctx.timeline, 'sign', { algorithm }, () => this.sign(id, key, algorithm));
    if (!Buffer.isBuffer(signature)) {
      this.record(id, key, signature);
      return undefined;
    }
    return this.noteResult(id, key, await this.sendSigned(algorithm, key, signature), 'signature-refused');
  }

  /** A key file whose public half is unknown: load it (maybe asking a passphrase) and sign at once. */
  private async signWithFile(id: Identity): Promise<AuthResult | undefined> {
    this.ctx.log.debug1(`Trying private key: ${id.label}`);
    const privateKey = await id.loadPrivate?.();
    if (!privateKey) {
      this.record(id, undefined, 'not-loaded');
      return undefined;
    }
    let key: OfferedKey;
    try {
      key = describeKey(privateKey.publicKey.blob);
    } catch (err) {
      this.ctx.log.debug1(`Skipping key ${id.label}: ${(err as Error).message}`);
      return undefined;
    }
    const algorithm = chooseKeyAlgorithm(key, this.ctx.conversation.transport.serverSigAlgs, this.acceptedAlgorithms);
    if (algorithm === undefined) {
      this.ctx.log.error('sign_and_send_pubkey: no mutual signature supported');
      this.record(id, key, 'no-mutual-algorithm');
      return undefined;
    }
    const signature = await timed(this.ctx.timeline, 'sign', { algorithm }, () => this.signLocally(id, privateKey, this.signedData(algorithm, key), algorithm));
    if (signature === undefined) {
      this.record(id, key, 'signing-failed');
      return undefined;
    }
    return this.noteResult(id, key, await this.sendSigned(algorithm, key, signature), 'refused');
  }

  private async sendSigned(algorithm: string, key: OfferedKey, signature: Buffer): Promise<AuthResult> {
    this.ctx.conversation.send(publicKeySignedRequest(this.ctx.user, algorithm, key.blob, signature, this.boundHostKey()));
    return finalReply(await this.ctx.conversation.receive());
  }

  private signedData(algorithm: string, key: OfferedKey): Buffer {
    return publicKeySignedData(this.ctx.conversation.transport.sessionId, this.ctx.user, algorithm, key.blob, this.boundHostKey());
  }

  /** The server's host key when it takes host-bound signatures, as ssh sends them; else undefined. */
  private boundHostKey(): Buffer | undefined {
    const { transport } = this.ctx.conversation;
    return transport.hostBoundPublicKey ? transport.sessionBinding?.hostKey : undefined;
  }

  /** Signs for `key` with the identity that holds its private half (agent, or file); else why not. */
  private async sign(id: Identity, key: OfferedKey, algorithm: string): Promise<Buffer | 'not-loaded' | 'signing-failed'> {
    const { log } = this.ctx;
    const signer = this.signerFor(id, key);
    const data = this.signedData(algorithm, key);
    if (signer.agent && signer.key) {
      try {
        return await signer.agent.sign(signer.key.blob, data, algorithm, signatureAlgorithmOf(algorithm));
      } catch (err) {
        log.error(`sign_and_send_pubkey: signing failed for ${keyTypeLabel(signer.key.type)} "${signer.label}" from agent: ${(err as Error).message}`);
        return 'signing-failed';
      }
    }
    const privateKey = await signer.loadPrivate?.();
    if (!privateKey) return 'not-loaded';
    if (signer.key && !privateKey.publicKey.blob.equals(signer.key.plainBlob)) {
      log.error(`identity_sign: private key ${signer.label} contents do not match public`);
      return 'signing-failed';
    }
    return (await this.signLocally(signer, privateKey, data, algorithm)) ?? 'signing-failed';
  }

  /** Signs with a loaded key: at once, or through its authenticator (a security key). */
  private async signLocally(signer: Identity, privateKey: PrivateKey, data: Buffer, algorithm: string): Promise<Buffer | undefined> {
    const signatureAlgorithm = signatureAlgorithmOf(algorithm);
    try {
      return privateKey.signAsync ? await privateKey.signAsync(signatureAlgorithm, data) : privateKey.sign(signatureAlgorithm, data);
    } catch (err) {
      this.ctx.log.error(`sign_and_send_pubkey: signing failed for ${keyTypeLabel(privateKey.type)} "${signer.label}": ${(err as Error).message}`);
      return undefined;
    }
  }

  /**
   * A certificate signs through its private key: another identity with the same public key (a plain
   * key from a file or the agent), else a key file whose name matches the certificate's.
   */
  private signerFor(id: Identity, key: OfferedKey): Identity {
    if (!isCertificate(key)) return id;
    let signer = this.queue.find((other) => other.key !== undefined && samePublicKey(other.key, key) && other.key.type !== key.type);
    if (!signer && !id.agent) signer = this.queue.find((other) => other.key === undefined && filenameMatches(id.label, other.label));
    if (signer) {
      this.ctx.log.debug2(`sign_and_send_pubkey: using private key "${signer.label}"${signer.agent ? ' from agent' : ''} for certificate`);
      return signer;
    }
    this.ctx.log.debug1(`sign_and_send_pubkey: no separate private key for certificate "${id.label}"`);
    return id;
  }
}
