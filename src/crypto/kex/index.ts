/** Key-exchange methods by wire name (KEX_NAMES): sans-IO client and server state machines. */
import { DisconnectReason, TsshError } from '../../errors.js';
import { curve25519Method } from './curve25519.js';
import { FIXED_DH_GROUPS, fixedDhMethod } from './dh-groups.js';
import { GEX_METHODS, GexClient, GexServer } from './dh-gex.js';
import { ECDH_CURVES, ecdhMethod } from './ecdh-nistp.js';
import { mlkem768nistp256Method } from './mlkem768nistp256.js';
import { mlkem768x25519Method } from './mlkem768x25519.js';
import { sntrup761x25519Method } from './sntrup761x25519.js';
import { SingleExchangeClient, SingleExchangeServer, type SingleExchangeMethod } from './single-exchange.js';
import type { HashName, HostKeySigner, KexClient, KexHashPrefix, KexServer } from './types.js';

export type { HashName, HostKeySigner, KexClient, KexHashPrefix, KexResult, KexServer, KexStep } from './types.js';
export { GEX_DEFAULT_BITS, GEX_MAX_BITS, GEX_MIN_BITS, gexPreferredBits } from './dh-gex.js';

const isGex = (name: string): boolean => Object.hasOwn(GEX_METHODS, name);

export interface KexClientOptions {
  /** Preferred group size for group exchange; 3072 by default. gexPreferredBits() gives OpenSSH's choice. */
  gexPreferredBits?: number;
}

function singleExchangeMethod(name: string): SingleExchangeMethod | undefined {
  if (name === 'curve25519-sha256' || name === 'curve25519-sha256@libssh.org') return curve25519Method(name);
  if (name === 'mlkem768x25519-sha256') return mlkem768x25519Method(name);
  if (name === 'mlkem768nistp256-sha256') return mlkem768nistp256Method(name);
  if (name === 'sntrup761x25519-sha512' || name === 'sntrup761x25519-sha512@openssh.com') return sntrup761x25519Method(name);
  const curve = ECDH_CURVES[name];
  if (curve) return ecdhMethod(name, curve);
  const group = FIXED_DH_GROUPS[name];
  if (group) return fixedDhMethod(name, group);
  return undefined;
}

function unknownMethod(name: string): TsshError {
  return new TsshError('KEX', `unsupported key exchange method ${JSON.stringify(name)}`, {
    disconnectReason: DisconnectReason.KEY_EXCHANGE_FAILED,
  });
}

export function createKexClient(name: string, prefix: KexHashPrefix, options: KexClientOptions = {}): KexClient {
  if (isGex(name)) return new GexClient(name, prefix, options.gexPreferredBits);
  const method = singleExchangeMethod(name);
  if (!method) throw unknownMethod(name);
  return new SingleExchangeClient(method, prefix);
}

export function createKexServer(
  name: string,
  prefix: KexHashPrefix,
  hostKey: HostKeySigner,
  hostKeyAlgorithm: string,
): KexServer {
  if (isGex(name)) return new GexServer(name, prefix, hostKey, hostKeyAlgorithm);
  const method = singleExchangeMethod(name);
  if (!method) throw unknownMethod(name);
  return new SingleExchangeServer(method, prefix, hostKey, hostKeyAlgorithm);
}

/** The exchange hash (and key derivation hash) of a method. */
export function kexHash(name: string): HashName {
  if (isGex(name)) return GEX_METHODS[name]!;
  const method = singleExchangeMethod(name);
  if (!method) throw unknownMethod(name);
  return method.hash;
}
