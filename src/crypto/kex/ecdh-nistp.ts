import { createECDH, type ECDH } from 'node:crypto';
import { SshWriter } from '../../wire/writer.js';
import { kexError } from './exchange-hash.js';
import type { SingleExchangeMethod } from './single-exchange.js';
import type { HashName } from './types.js';

export interface NistCurve {
  nodeCurve: string;
  hash: HashName;
  fieldBytes: number;
}

export const ECDH_CURVES: Readonly<Record<string, NistCurve>> = {
  'ecdh-sha2-nistp256': { nodeCurve: 'prime256v1', hash: 'sha256', fieldBytes: 32 },
  'ecdh-sha2-nistp384': { nodeCurve: 'secp384r1', hash: 'sha384', fieldBytes: 48 },
  'ecdh-sha2-nistp521': { nodeCurve: 'secp521r1', hash: 'sha512', fieldBytes: 66 },
};

/** ecdh-sha2-nistp256/384/521 (RFC 5656 §4): Q_C and Q_S are uncompressed points, K the mpint of x. */
export function ecdhMethod(name: string, curve: NistCurve): SingleExchangeMethod {
  const ephemeral = (): { ecdh: ECDH; publicValue: Buffer } => {
    const ecdh = createECDH(curve.nodeCurve);
    return { ecdh, publicValue: ecdh.generateKeys() };
  };
  return {
    name,
    hash: curve.hash,
    readValue: (r) => r.string(),
    clientEphemeral() {
      const { ecdh, publicValue } = ephemeral();
      return { publicValue, complete: (serverValue) => sharedK(name, curve, ecdh, serverValue) };
    },
    serverRespond(clientValue) {
      const { ecdh, publicValue } = ephemeral();
      return { publicValue, sharedSecret: sharedK(name, curve, ecdh, clientValue) };
    },
  };
}

/**
 * The raw shared x coordinate (fieldBytes long) with the peer's point. Uncompressed points only, as
 * OpenSSH requires; node checks that the point is on the curve.
 */
export function ecdhSharedX(name: string, curve: NistCurve, ecdh: ECDH, peer: Buffer): Buffer {
  if (peer.length !== 1 + 2 * curve.fieldBytes || peer[0] !== 0x04) throw kexError(`${name}: invalid public point`);
  try {
    return ecdh.computeSecret(peer);
  } catch (err) {
    throw kexError(`${name}: invalid public point`, err);
  }
}

function sharedK(name: string, curve: NistCurve, ecdh: ECDH, peer: Buffer): Buffer {
  const x = ecdhSharedX(name, curve, ecdh, peer);
  const k = Buffer.from(new SshWriter(80).mpintFromUnsigned(x).finish());
  x.fill(0);
  return k;
}
