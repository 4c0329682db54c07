/**
 * `tssh -Q`: the algorithm lists in OpenSSH 10.x's format and order. They read the registries in src/crypto/names.ts,
 * so they show what tssh really implements.
 */
import { TsshError } from '../errors.js';
import { CERTIFICATE_KEY_TYPES, KEY_SIGNATURE_ALGORITHMS, PUBLIC_KEY_TYPES, SIGNATURE_ALGORITHMS } from './algorithms.js';
import { COMPRESSION_NAMES, SUPPORTED_CIPHER_NAMES, SUPPORTED_KEX_NAMES, SUPPORTED_MAC_NAMES } from '../crypto/names.js';
import { certificateAlgorithm } from '../crypto/keys/key-types.js';

const QUERY_HELP = [
  'cipher',
  'cipher-auth',
  'compression',
  'kex',
  'key',
  'key-cert',
  'key-plain',
  'key-sig',
  'mac',
  'protocol-version',
  'sig',
];

/** Config keywords `-Q` accepts (case-insensitively) as aliases of `key-sig`. */
const KEY_SIG_ALIASES = [
  'pubkeyacceptedkeytypes',
  'pubkeyacceptedalgorithms',
  'hostkeyalgorithms',
  'hostbasedkeytypes',
  'hostbasedacceptedkeytypes',
  'hostbasedacceptedalgorithms',
];

/** The lines `tssh -Q <what>` prints. Throws TsshError('USAGE') for an unknown query. */
export function queryLines(what: string): string[] {
  const keyword = what.toLowerCase();
  if (what === 'cipher' || keyword === 'ciphers') return [...SUPPORTED_CIPHER_NAMES];
  if (what === 'cipher-auth') return SUPPORTED_CIPHER_NAMES.filter((name) => name.includes('-gcm') || name.includes('poly1305'));
  if (what === 'mac' || keyword === 'macs') return [...SUPPORTED_MAC_NAMES];
  if (what === 'kex' || keyword === 'kexalgorithms') return [...SUPPORTED_KEX_NAMES];
  if (what === 'key') return PUBLIC_KEY_TYPES.flatMap((name) => [name, certificateAlgorithm(name)]);
  if (what === 'key-plain') return [...PUBLIC_KEY_TYPES];
  if (what === 'key-cert') return [...CERTIFICATE_KEY_TYPES];
  if (what === 'sig') return [...SIGNATURE_ALGORITHMS];
  // OpenSSH 9.6+: the algorithms a certificate authority may sign with (sshkey_alg_list(0, 1, 1)).
  if (what === 'key-ca-sign' || keyword === 'casignaturealgorithms') return [...SIGNATURE_ALGORITHMS];
  if (what === 'key-sig' || KEY_SIG_ALIASES.includes(keyword)) return [...KEY_SIGNATURE_ALGORITHMS];
  if (what === 'protocol-version') return ['2'];
  if (what === 'compression') return [...COMPRESSION_NAMES];
  if (what === 'help') return [...QUERY_HELP];
  throw new TsshError('USAGE', `Unsupported query "${what}"`);
}
