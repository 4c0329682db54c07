import { SshWriter } from '../../wire/writer.js';
import type { SingleExchangeMethod } from './single-exchange.js';
import { x25519KeyPair, x25519SharedSecret } from './x25519.js';

/** curve25519-sha256 and its older alias curve25519-sha256@libssh.org (RFC 8731). */
export function curve25519Method(name: string): SingleExchangeMethod {
  return {
    name,
    hash: 'sha256',
    readValue: (r) => r.string(),
    clientEphemeral() {
      const { publicKey, privateKey } = x25519KeyPair();
      return { publicValue: publicKey, complete: (serverValue) => encodeK(x25519SharedSecret(privateKey, serverValue)) };
    },
    serverRespond(clientValue) {
      const { publicKey, privateKey } = x25519KeyPair();
      return { publicValue: publicKey, sharedSecret: encodeK(x25519SharedSecret(privateKey, clientValue)) };
    },
  };
}

/** RFC 8731 §3.1: the 32 output bytes read as a big-endian unsigned integer, encoded as an mpint. */
function encodeK(secret: Buffer): Buffer {
  const k = Buffer.from(new SshWriter(40).mpintFromUnsigned(secret).finish());
  secret.fill(0);
  return k;
}
