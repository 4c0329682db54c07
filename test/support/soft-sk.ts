/**
 * A software stand-in for a FIDO authenticator, for tests only: it makes sk-ssh-ed25519@openssh.com and
 * sk-ecdsa-sha2-nistp256@openssh.com signatures (and the webauthn form) exactly as PROTOCOL.u2f lays
 * them out, so in-memory servers can hold security-key host keys and tests can build hostile variants.
 */
import { createHash, createPublicKey, sign as cryptoSign, type KeyObject } from 'node:crypto';
import type { HostKeySigner } from '../../src/crypto/kex/types.js';
import { freshPrivateKeyObject } from '../../src/crypto/keys/private-key.js';
import { ecdsaP1363ToSsh } from '../../src/crypto/keys/signature.js';
import { SshWriter } from '../../src/wire/writer.js';

export type SoftSkType = 'sk-ssh-ed25519@openssh.com' | 'sk-ecdsa-sha2-nistp256@openssh.com';
export const WEBAUTHN = 'webauthn-sk-ecdsa-sha2-nistp256@openssh.com';

export interface SoftSkOptions {
  application?: string;
  /** Authenticator flags in each signature; 0x01 (user present) by default. */
  flags?: number;
  counter?: number;
  /** webauthn only: the origin and what follows the fixed clientData preamble. */
  origin?: string;
  clientDataTail?: string;
}

const sha256 = (data: Uint8Array | string): Buffer => createHash('sha256').update(data).digest();

export class SoftSecurityKey implements HostKeySigner {
  readonly publicBlob: Buffer;
  private readonly privateKey: KeyObject;

  constructor(readonly type: SoftSkType, readonly options: SoftSkOptions = {}) {
    const application = options.application ?? 'ssh:';
    const w = new SshWriter(128).string(type);
    if (type === 'sk-ssh-ed25519@openssh.com') {
      this.privateKey = freshPrivateKeyObject('ssh-ed25519');
      w.string(Buffer.from(createPublicKey(this.privateKey).export({ format: 'jwk' }).x!, 'base64url'));
    } else {
      this.privateKey = freshPrivateKeyObject('ecdsa-sha2-nistp256');
      const jwk = createPublicKey(this.privateKey).export({ format: 'jwk' });
      w.string('nistp256').string(Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]));
    }
    this.publicBlob = Buffer.from(w.string(application).finish());
  }

  sign(algorithm: string, data: Buffer): Buffer {
    const { flags = 0x01, counter = 1 } = this.options;
    const application = this.options.application ?? 'ssh:';
    const webauthn = algorithm === WEBAUTHN;
    let messageHash = sha256(data);
    let clientData = Buffer.alloc(0);
    const origin = this.options.origin ?? 'https://example.com';
    if (webauthn) {
      const text = `{"type":"webauthn.get","challenge":"${data.toString('base64url')}","origin":"${origin}"${this.options.clientDataTail ?? ',"crossOrigin":false}'}`;
      clientData = Buffer.from(text, 'utf8');
      messageHash = sha256(clientData);
    }
    const signed = Buffer.concat([sha256(application), Buffer.from([flags]), uint32(counter), messageHash]);
    const raw =
      this.type === 'sk-ssh-ed25519@openssh.com'
        ? cryptoSign(null, signed, this.privateKey)
        : ecdsaP1363ToSsh(cryptoSign('sha256', signed, { key: this.privateKey, dsaEncoding: 'ieee-p1363' }));
    const w = new SshWriter(256).string(webauthn ? WEBAUTHN : this.type).string(raw).byte(flags).uint32(counter);
    if (webauthn) w.string(origin).string(clientData).string(Buffer.alloc(0));
    return Buffer.from(w.finish());
  }
}

function uint32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v);
  return b;
}
