import { dhEphemeral, modpGroup, readDhValue, type ModpName } from './dh.js';
import type { SingleExchangeMethod } from './single-exchange.js';
import type { HashName } from './types.js';

/**
 * Fixed-group DH methods (RFC 8268): RFC 3526 primes, generator 2. The SHA-1 ones (RFC 4253 §8) are
 * legacy, off by default as in OpenSSH; group1 is RFC 2409's 1024-bit Oakley group 2.
 */
export const FIXED_DH_GROUPS: Readonly<Record<string, { modp: ModpName; hash: HashName }>> = {
  'diffie-hellman-group14-sha256': { modp: 'modp14', hash: 'sha256' },
  'diffie-hellman-group16-sha512': { modp: 'modp16', hash: 'sha512' },
  'diffie-hellman-group18-sha512': { modp: 'modp18', hash: 'sha512' },
  'diffie-hellman-group14-sha1': { modp: 'modp14', hash: 'sha1' },
  'diffie-hellman-group1-sha1': { modp: 'modp2', hash: 'sha1' },
};

/** KEXDH_INIT carries mpint e and KEXDH_REPLY mpint f (RFC 4253 §8); H hashes them as mpints. */
export function fixedDhMethod(name: string, spec: { modp: ModpName; hash: HashName }): SingleExchangeMethod {
  return {
    name,
    hash: spec.hash,
    readValue: readDhValue,
    clientEphemeral: () => dhEphemeral(modpGroup(spec.modp)),
    serverRespond(clientValue) {
      const { publicValue, complete } = dhEphemeral(modpGroup(spec.modp));
      return { publicValue, sharedSecret: complete(clientValue) };
    },
  };
}
