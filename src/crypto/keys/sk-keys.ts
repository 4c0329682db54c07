/**
 * FIDO security-key public keys (OpenSSH PROTOCOL.u2f): sk-ssh-ed25519@openssh.com and
 * sk-ecdsa-sha2-nistp256@openssh.com, with the webauthn-sk-ecdsa-sha2-nistp256@openssh.com signature
 * form. The authenticator does not sign the message itself but
 *   SHA256(application) || flags || uint32 counter || extensions || SHA256(message)
 * (for webauthn, SHA256 of a clientData JSON text that carries the message as its challenge), and the
 * SSH signature blob carries flags and counter after the signature. Verification only: the private
 * half lives in the authenticator, reached through ssh-agent or ssh-sk-helper.
 */
import { createHash, verify as cryptoVerify } from 'node:crypto';
import { SshReader } from '../../wire/reader.js';
import { SshWriter } from '../../wire/writer.js';
import { ecdsaCurveForType } from './key-types.js';
import { cryptoFalseOnThrow, ecdsaKeyObject, ed25519KeyObject, keyError, SshPublicKey, verifyEcdsa } from './ssh-public-key.js';

export const SK_ED25519 = 'sk-ssh-ed25519@openssh.com';
export const SK_ECDSA = 'sk-ecdsa-sha2-nistp256@openssh.com';
export const WEBAUTHN_SK_ECDSA = 'webauthn-sk-ecdsa-sha2-nistp256@openssh.com';

/** Authenticator data flags (WebAuthn §6.1): attested credential data, extension data included. */
const FLAG_ATTESTED_DATA = 0x40;
const FLAG_EXTENSIONS = 0x80;

/** What a security-key signature blob carries besides the signature itself. */
interface SkSignature {
  algorithm: string;
  signature: Buffer;
  flags: number;
  counter: number;
  webauthn?: { origin: string; clientData: Buffer; extensions: Buffer };
}

/** OpenSSH's sshbuf_get_cstring: a NUL is allowed only as the last byte (and is not part of the text). */
function cstring(r: SshReader): string {
  const bytes = r.string();
  const nul = bytes.indexOf(0);
  if (nul >= 0 && nul < bytes.length - 1) throw keyError('invalid format: NUL inside a string');
  return bytes.subarray(0, nul >= 0 ? nul : bytes.length).toString('utf8');
}

function parseSkSignature(blob: Buffer): SkSignature {
  const r = new SshReader(blob, 'security key signature');
  const algorithm = cstring(r);
  const signature = r.string();
  const flags = r.byte();
  const counter = r.uint32();
  if (algorithm !== WEBAUTHN_SK_ECDSA) {
    r.end();
    return { algorithm, signature, flags, counter };
  }
  const origin = cstring(r);
  const clientData = r.string();
  const extensions = r.string();
  r.end();
  return { algorithm, signature, flags, counter, webauthn: { origin, clientData, extensions } };
}

const sha256 = (data: Buffer | string): Buffer => createHash('sha256').update(data).digest();

/** The bytes the authenticator signed. */
function signedBytes(application: string, sig: SkSignature, messageHash: Buffer): Buffer {
  const w = new SshWriter(80).raw(sha256(application)).byte(sig.flags).uint32(sig.counter);
  if (sig.webauthn) w.raw(sig.webauthn.extensions);
  return Buffer.from(w.raw(messageHash).finish());
}

/**
 * A webauthn signature signs SHA256(clientData); clientData must begin with the fixed preamble that
 * names the message (base64url, unpadded) as its challenge and the origin the blob gives, and the flags
 * must agree with the extensions present (OpenSSH webauthn_check_prepare_hash). Undefined if not.
 */
function webauthnMessageHash(data: Buffer, sig: SkSignature): Buffer | undefined {
  const w = sig.webauthn!;
  if (w.origin.includes('"') || (sig.flags & FLAG_ATTESTED_DATA) !== 0) return undefined;
  if (((sig.flags & FLAG_EXTENSIONS) === 0) !== (w.extensions.length === 0)) return undefined;
  const challenge = data.toString('base64url');
  const preamble = Buffer.from(`{"type":"webauthn.get","challenge":"${challenge}","origin":"${w.origin}"`, 'utf8');
  if (w.clientData.length < preamble.length || !w.clientData.subarray(0, preamble.length).equals(preamble)) return undefined;
  return sha256(w.clientData);
}

function parseSkEd25519(r: SshReader, blob: Buffer): SshPublicKey {
  const pk = r.string();
  const application = cstring(r);
  r.end();
  const key = ed25519KeyObject(SK_ED25519, pk);
  return new SshPublicKey(SK_ED25519, blob, 256, [SK_ED25519], (_alg, data, signatureBlob) => {
    const sig = parseSkSignature(signatureBlob);
    if (sig.algorithm !== SK_ED25519 || sig.signature.length !== 64) return false;
    return cryptoFalseOnThrow(() => cryptoVerify(null, signedBytes(application, sig, sha256(data)), key, sig.signature));
  });
}

function parseSkEcdsa(r: SshReader, blob: Buffer): SshPublicKey {
  const curve = ecdsaCurveForType('ecdsa-sha2-nistp256')!;
  const curveName = r.string().toString('latin1');
  const point = r.string();
  const application = cstring(r);
  r.end();
  const key = ecdsaKeyObject(SK_ECDSA, curve, curveName, point);
  // As in OpenSSH, either signature form verifies for this key, whichever of the two names was negotiated.
  return new SshPublicKey(SK_ECDSA, blob, 256, [SK_ECDSA, WEBAUTHN_SK_ECDSA], (_alg, data, signatureBlob) => {
    const sig = parseSkSignature(signatureBlob);
    if (sig.algorithm !== SK_ECDSA && sig.algorithm !== WEBAUTHN_SK_ECDSA) return false;
    const messageHash = sig.webauthn ? webauthnMessageHash(data, sig) : sha256(data);
    if (messageHash === undefined) return false;
    return cryptoFalseOnThrow(() => verifyEcdsa(curve, key, signedBytes(application, sig, messageHash), sig.signature));
  });
}

export const SK_KEY_PARSERS: Readonly<Record<string, (r: SshReader, blob: Buffer) => SshPublicKey>> = {
  [SK_ED25519]: parseSkEd25519,
  [SK_ECDSA]: parseSkEcdsa,
};
