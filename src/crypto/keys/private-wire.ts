import type { JsonWebKey, KeyObject } from 'node:crypto';
import { SshWriter } from '../../wire/writer.js';
import { ECDSA_CURVES } from './key-types.js';
import { keyError } from './ssh-public-key.js';

/**
 * A private key in the SSH wire form ssh-add sends to an agent (PROTOCOL.agent, draft-miller-ssh-agent
 * §4.2.3): the type name, then the public and private values.
 *   ssh-ed25519: string public (32), string seed||public (64)
 *   ecdsa-sha2-*: string curve, string point, mpint private scalar
 *   ssh-rsa: mpint n, e, d, iqmp, p, q
 */
export function encodePrivateKeyFields(keyObject: KeyObject): Buffer {
  const jwk: JsonWebKey = keyObject.export({ format: 'jwk' });
  const bytes = (v: string | undefined): Buffer => Buffer.from(v ?? '', 'base64url');
  const w = new SshWriter(2048);
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') {
    const pub = bytes(jwk.x);
    w.string('ssh-ed25519').string(pub).string(Buffer.concat([bytes(jwk.d), pub]));
  } else if (jwk.kty === 'EC') {
    const curve = ECDSA_CURVES.find((c) => c.jwkCurve === jwk.crv);
    if (!curve) throw keyError(`unsupported EC curve ${String(jwk.crv)}`);
    const point = Buffer.concat([Buffer.from([4]), bytes(jwk.x), bytes(jwk.y)]);
    w.string(curve.type).string(curve.sshCurve).string(point).mpintFromUnsigned(bytes(jwk.d));
  } else if (jwk.kty === 'RSA') {
    w.string('ssh-rsa')
      .mpintFromUnsigned(bytes(jwk.n))
      .mpintFromUnsigned(bytes(jwk.e))
      .mpintFromUnsigned(bytes(jwk.d))
      .mpintFromUnsigned(bytes(jwk.qi))
      .mpintFromUnsigned(bytes(jwk.p))
      .mpintFromUnsigned(bytes(jwk.q));
  } else {
    throw keyError(`unsupported key type ${String(jwk.kty)}`);
  }
  return Buffer.from(w.finish());
}
