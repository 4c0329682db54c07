import { SshReader } from '../wire/reader.js';
import { SshWriter, message } from '../wire/writer.js';
import { MSG } from '../wire/messages.js';

/** USERAUTH_REQUEST messages and replies of the "publickey" method (RFC 4252 §7). */

const SERVICE = 'ssh-connection';

/** USERAUTH_REQUEST "publickey" without a signature: asks whether the server would accept this key. */
export function publicKeyQuery(user: string, algorithm: string, keyBlob: Buffer): Buffer {
  return message(MSG.USERAUTH_REQUEST).string(user).string(SERVICE).string('publickey').boolean(false).string(algorithm).string(keyBlob).finish();
}

/** The method a signed request names: host-bound when the server's host key is included. */
const HOST_BOUND = 'publickey-hostbound-v00@openssh.com';

/**
 * The fields of a signed request after user and service. With `hostKey` it is OpenSSH's host-bound
 * variant (PROTOCOL §2.5, sent when the server offers it, as ssh does): the signature then also covers
 * the server's host key, so it cannot be replayed to another server.
 */
function signedFields(w: SshWriter, algorithm: string, keyBlob: Buffer, hostKey: Buffer | undefined): SshWriter {
  w.string(hostKey ? HOST_BOUND : 'publickey').boolean(true).string(algorithm).string(keyBlob);
  return hostKey ? w.string(hostKey) : w;
}

/** RFC 4252 §7: the signed data binds the session id to the request. */
export function publicKeySignedData(sessionId: Buffer, user: string, algorithm: string, keyBlob: Buffer, hostKey?: Buffer): Buffer {
  return signedFields(new SshWriter(1024).string(sessionId).byte(MSG.USERAUTH_REQUEST).string(user).string(SERVICE), algorithm, keyBlob, hostKey).finish();
}

/** The signed USERAUTH_REQUEST; `signature` is a signature blob (string algorithm || string signature). */
export function publicKeySignedRequest(user: string, algorithm: string, keyBlob: Buffer, signature: Buffer, hostKey?: Buffer): Buffer {
  return signedFields(message(MSG.USERAUTH_REQUEST).string(user).string(SERVICE), algorithm, keyBlob, hostKey).string(signature).finish();
}

/** USERAUTH_PK_OK: the algorithm and key the server would accept. */
export function parsePublicKeyOk(payload: Buffer): { algorithm: string; keyBlob: Buffer } {
  const r = new SshReader(payload, 'USERAUTH_PK_OK');
  r.byte();
  const algorithm = r.string().toString('latin1');
  const keyBlob = Buffer.from(r.string());
  r.end();
  return { algorithm, keyBlob };
}
