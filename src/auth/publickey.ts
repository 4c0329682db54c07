import { MSG } from '../wire/messages.js';
import { SshWriter, message } from '../wire/writer.js';
import type { PrivateKey } from '../crypto/keys/types.js';

const SERVICE = 'ssh-connection';

/** USERAUTH_REQUEST "publickey" without a signature: asks whether the server would accept this key. */
export function publicKeyQuery(user: string, algorithm: string, keyBlob: Buffer): Buffer {
  return message(MSG.USERAUTH_REQUEST).string(user).string(SERVICE).string('publickey').boolean(false).string(algorithm).string(keyBlob).finish();
}

/** RFC 4252 §7: the signed data binds the session id to the request. */
export function publicKeySignedData(sessionId: Buffer, user: string, algorithm: string, keyBlob: Buffer): Buffer {
  return new SshWriter(512)
    .string(sessionId)
    .byte(MSG.USERAUTH_REQUEST)
    .string(user)
    .string(SERVICE)
    .string('publickey')
    .boolean(true)
    .string(algorithm)
    .string(keyBlob)
    .finish();
}

export function publicKeyRequest(sessionId: Buffer, user: string, algorithm: string, key: PrivateKey): Buffer {
  const blob = key.publicKey.blob;
  const signature = key.sign(algorithm, publicKeySignedData(sessionId, user, algorithm, blob));
  return message(MSG.USERAUTH_REQUEST).string(user).string(SERVICE).string('publickey').boolean(true).string(algorithm).string(blob).string(signature).finish();
}

/**
 * The signature algorithm for a key, as OpenSSH picks it: RSA keys use the best rsa-sha2 variant the
 * server lists in server-sig-algs and that the user allows; other key types sign with their own name.
 * Returns undefined when no acceptable algorithm exists (the key is then skipped).
 */
export function chooseSignatureAlgorithm(key: PrivateKey, serverSigAlgs: string[] | undefined, allowed: readonly string[]): string | undefined {
  if (key.type !== 'ssh-rsa') return allowed.includes(key.type) ? key.type : undefined;
  for (const alg of ['rsa-sha2-512', 'rsa-sha2-256']) {
    if (serverSigAlgs?.includes(alg) && allowed.includes(alg) && key.signatureAlgorithms.includes(alg)) return alg;
  }
  // Without server-sig-algs OpenSSH falls back to ssh-rsa (SHA-1), which is only used if explicitly allowed.
  return allowed.includes('ssh-rsa') ? 'ssh-rsa' : undefined;
}
