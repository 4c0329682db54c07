/**
 * Security-key private keys (PROTOCOL.u2f): a file holds the public key, the application, flags and a
 * key handle; the secret stays in the authenticator. Signing sends the key's fields to whatever can
 * reach the authenticator (OpenSSH's ssh-sk-helper), injected by the caller as a SecurityKeySigner.
 */
import { SshReader } from '../../wire/reader.js';
import { SshWriter } from '../../wire/writer.js';
import { parseSshPublicKey } from './public-key.js';
import { SK_ECDSA, SK_ED25519 } from './sk-keys.js';
import { keyError, type SshPublicKey } from './ssh-public-key.js';
import type { SshPrivateKey } from './private-key.js';

/** The authenticator must see the user's touch for each signature (sk-api.h SSH_SK_USER_PRESENCE_REQD). */
export const SK_USER_PRESENCE_REQUIRED = 0x01;

export interface SecurityKeySignRequest {
  /** The key as sshkey_private_serialize writes it: type name, public fields, application, flags, handle, reserved. */
  keyFields: Buffer;
  data: Buffer;
  key: SkPrivateKey;
}

/** Makes a security-key signature (a full signature blob); rejects with a TsshError on failure. */
export type SecurityKeySigner = (request: SecurityKeySignRequest) => Promise<Buffer>;

export class SkPrivateKey implements SshPrivateKey {
  readonly type: string;
  readonly signatureAlgorithms: readonly string[];

  constructor(
    readonly publicKey: SshPublicKey,
    private readonly keyFields: Buffer,
    /** The key's flags byte (SK_USER_PRESENCE_REQUIRED, ...). */
    readonly flags: number,
    readonly comment: string,
    private readonly signer: SecurityKeySigner | undefined,
  ) {
    this.type = publicKey.type;
    this.signatureAlgorithms = [publicKey.type];
  }

  get publicBlob(): Buffer {
    return this.publicKey.blob;
  }

  sign(): Buffer {
    throw keyError(`${this.type} keys sign through the security key helper`);
  }

  async signAsync(algorithm: string, data: Buffer): Promise<Buffer> {
    if (!this.signatureAlgorithms.includes(algorithm)) throw keyError(`${this.type} key cannot sign with ${algorithm}`);
    if (this.signer === undefined) throw keyError('no security key provider');
    return this.signer({ keyFields: this.keyFields, data, key: this });
  }

  /** ssh-add sends exactly these fields for a security key (with the provider as a constraint). */
  agentFields(): Buffer {
    return Buffer.from(this.keyFields);
  }
}

export interface SkPrivateFields {
  publicKey: SshPublicKey;
  keyFields: Buffer;
  flags: number;
}

/**
 * Reads a security key's fields from a private section, after its type name (which starts at offset
 * `start`): the public fields, application, flags, key handle and reserved string.
 */
export function readSkPrivate(type: string, r: SshReader, section: Buffer, start: number): SkPrivateFields {
  const pub = new SshWriter(160).string(type);
  if (type === SK_ED25519) pub.string(r.string());
  else if (type === SK_ECDSA) pub.string(r.string()).string(r.string());
  else throw keyError(`unsupported key type ${JSON.stringify(type)}`);
  pub.string(r.string()); // application
  const flags = r.byte();
  r.string(); // key handle: meaningful only to the authenticator
  r.string(); // reserved
  const keyFields = Buffer.from(section.subarray(start, section.length - r.remaining));
  return { publicKey: parseSshPublicKey(Buffer.from(pub.finish())), keyFields, flags };
}

export function isSkKeyType(type: string): boolean {
  return type === SK_ED25519 || type === SK_ECDSA;
}
