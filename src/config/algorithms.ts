/**
 * Algorithm-list options (Ciphers, MACs, KexAlgorithms, HostKeyAlgorithms): validation of a spec as
 * written, and assembly against the defaults (OpenSSH `kex_assemble_names`).
 *
 * Spec syntax: a plain list replaces the defaults; `+list` appends to them; `-list` removes the entries
 * matching a pattern-list (wildcards allowed); `^list` puts the list first. Names are expanded against
 * the supported list, duplicates dropped.
 *
 * Validation accepts every name OpenSSH 9.2 accepts, even those tssh does not implement, so a config
 * written for ssh (`HostKeyAlgorithms +ssh-dss`, `Ciphers +aes128-cbc`) still loads; assembly then keeps
 * only what tssh implements, from src/crypto/names.ts.
 */
import { CIPHER_NAMES, DEFAULT_HOST_KEY_ALGORITHMS, HOST_KEY_NAMES, KEX_NAMES, KEX_SUPPORTED, MAC_NAMES } from '../crypto/names.js';
import { certificateAlgorithm } from '../crypto/keys/key-types.js';
import { filterAllowed, filterDenied, matchPatternList } from '../text/patterns.js';

/** 'casig' is CASignatureAlgorithms: the signature algorithms a certificate authority may use. */
/** 'pubkey' is PubkeyAcceptedAlgorithms: what user authentication may sign with (same names as host keys). */
export type AlgorithmClass = 'cipher' | 'mac' | 'kex' | 'hostkey' | 'casig' | 'pubkey';

/**
 * Public-key types tssh can parse (the `-Q key-plain` list), in OpenSSH's order: 10.5's, and ssh-dss
 * where 9.2 has it (10.0 dropped DSA; tssh keeps it, off by default, for old servers).
 */
export const PUBLIC_KEY_TYPES = [
  'ssh-ed25519',
  'sk-ssh-ed25519@openssh.com',
  'ssh-mldsa44-ed25519@openssh.com',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ecdsa-sha2-nistp256@openssh.com',
  'ssh-dss',
  'ssh-rsa',
] as const;

/** Signature algorithms tssh can verify (the `-Q sig` list), in OpenSSH's order: each key type, webauthn after its key. */
export const SIGNATURE_ALGORITHMS: readonly string[] = [
  ...PUBLIC_KEY_TYPES.flatMap((type) => (type === 'sk-ecdsa-sha2-nistp256@openssh.com' ? [type, 'webauthn-sk-ecdsa-sha2-nistp256@openssh.com'] : [type])),
  'rsa-sha2-256',
  'rsa-sha2-512',
];

/** Certificate key types tssh can parse (`-Q key-cert`), in OpenSSH's order. */
export const CERTIFICATE_KEY_TYPES: readonly string[] = PUBLIC_KEY_TYPES.map(certificateAlgorithm);

/** Every host-key algorithm tssh verifies (`-Q key-sig`), each plain name followed by its certificate, as OpenSSH orders them. */
export const KEY_SIGNATURE_ALGORITHMS: readonly string[] = SIGNATURE_ALGORITHMS.flatMap((name) => [name, certificateAlgorithm(name)]);

const HOSTKEY_OPENSSH_ONLY: string[] = [];

/** Names OpenSSH 9.2 accepts that tssh does not implement: valid in a config, dropped on assembly. */
const OPENSSH_ONLY: Record<AlgorithmClass, readonly string[]> = {
  cipher: ['3des-cbc', 'aes128-cbc', 'aes192-cbc', 'aes256-cbc'],
  mac: [
    'hmac-sha1-96',
    'hmac-md5',
    'hmac-md5-96',
    'umac-64@openssh.com',
    'umac-128@openssh.com',
    'hmac-sha1-96-etm@openssh.com',
    'hmac-md5-etm@openssh.com',
    'hmac-md5-96-etm@openssh.com',
    'umac-64-etm@openssh.com',
    'umac-128-etm@openssh.com',
  ],
  kex: [
    'diffie-hellman-group1-sha1',
    'diffie-hellman-group14-sha1',
    'diffie-hellman-group-exchange-sha1',
  ],
  hostkey: HOSTKEY_OPENSSH_ONLY,
  pubkey: HOSTKEY_OPENSSH_ONLY,
  // Any key type name is valid in CASignatureAlgorithms, certificates included.
  casig: [...HOSTKEY_OPENSSH_ONLY, ...KEY_SIGNATURE_ALGORITHMS.filter((name) => name.includes('-cert-'))],
};

interface AlgorithmClassInfo {
  /** What tssh implements, in the order wildcards expand to. */
  supported: readonly string[];
  /** The default preference list. */
  defaults: readonly string[];
  /** Whether names in a spec may be patterns (OpenSSH allows this for key types only). */
  wildcards: boolean;
  /** OpenSSH's config-file error for a bad spec, after `<file> line <n>: `. */
  badSpec: (spec: string) => string;
}

const CLASSES: Record<AlgorithmClass, AlgorithmClassInfo> = {
  cipher: {
    supported: CIPHER_NAMES,
    defaults: CIPHER_NAMES,
    wildcards: false,
    badSpec: (spec) => `Bad SSH2 cipher spec '${spec}'.`,
  },
  mac: {
    supported: MAC_NAMES,
    defaults: MAC_NAMES,
    wildcards: false,
    badSpec: (spec) => `Bad SSH2 MAC spec '${spec}'.`,
  },
  kex: {
    supported: KEX_SUPPORTED,
    defaults: KEX_NAMES,
    wildcards: false,
    badSpec: (spec) => `Bad SSH2 KexAlgorithms '${spec}'.`,
  },
  hostkey: {
    supported: KEY_SIGNATURE_ALGORITHMS,
    defaults: DEFAULT_HOST_KEY_ALGORITHMS,
    wildcards: true,
    badSpec: (spec) => `Bad key types '${spec}'.`,
  },
  pubkey: {
    supported: KEY_SIGNATURE_ALGORITHMS,
    defaults: DEFAULT_HOST_KEY_ALGORITHMS,
    wildcards: true,
    badSpec: (spec) => `Bad key types '${spec}'.`,
  },
  casig: {
    supported: SIGNATURE_ALGORITHMS,
    defaults: HOST_KEY_NAMES,
    wildcards: true,
    badSpec: (spec) => `Bad key types '${spec}'.`,
  },
};

/** Default list for a class (what an unset option assembles to). */
export function defaultAlgorithms(cls: AlgorithmClass): string[] {
  return [...CLASSES[cls].defaults];
}

/** Every name tssh implements for a class. */
export function supportedAlgorithms(cls: AlgorithmClass): string[] {
  return [...CLASSES[cls].supported];
}

/** True if OpenSSH or tssh knows this exact name. */
function isKnownName(cls: AlgorithmClass, name: string): boolean {
  return CLASSES[cls].supported.includes(name) || OPENSSH_ONLY[cls].includes(name);
}

/**
 * Checks a comma-separated list of names (no +/-/^ prefix), OpenSSH-style: the check stops at the
 * first empty entry. Returns the first unknown name, or undefined if the list is valid.
 */
export function firstUnknownAlgorithm(cls: AlgorithmClass, names: string): string | undefined {
  if (names === '') return '';
  const info = CLASSES[cls];
  for (const name of names.split(',')) {
    if (name === '') break;
    if (isKnownName(cls, name)) continue;
    if (info.wildcards) {
      const all = [...info.supported, ...OPENSSH_ONLY[cls]];
      if (all.some((known) => matchPatternList(known, name) !== 0)) continue;
    }
    return name;
  }
  return undefined;
}

/**
 * Validates a spec as written in a config file. Returns undefined if valid, otherwise the error lines
 * OpenSSH prints (without the `<file> line <n>: ` prefix on the last one, which the caller adds).
 * A `-` spec is never rejected.
 */
export function checkAlgorithmSpec(cls: AlgorithmClass, spec: string): { notes: string[]; message: string } | undefined {
  if (spec.startsWith('-')) return undefined;
  const names = spec.startsWith('+') || spec.startsWith('^') ? spec.slice(1) : spec;
  const unknown = firstUnknownAlgorithm(cls, names);
  if (unknown === undefined) return undefined;
  // kex_names_valid() logs the offending name on its own line first.
  const notes = cls === 'kex' && unknown !== '' ? [`Unsupported KEX algorithm "${unknown}"`] : [];
  return { notes, message: CLASSES[cls].badSpec(spec) };
}

/**
 * Assembles the final list from a spec (undefined = defaults). Wildcards in plain and `+`/`^` lists
 * expand against the supported names; names tssh does not implement are dropped. Returns an empty
 * list only for a `-` spec that removed everything (OpenSSH allows that too).
 */
export function assembleAlgorithms(cls: AlgorithmClass, spec: string | undefined): string[] {
  const info = CLASSES[cls];
  if (spec === undefined || spec === '') return [...info.defaults];
  if (spec.startsWith('-')) return filterDenied(info.defaults, spec.slice(1));
  let patterns: string[];
  if (spec.startsWith('+')) patterns = [...info.defaults, ...spec.slice(1).split(',')];
  else if (spec.startsWith('^')) patterns = [...spec.slice(1).split(','), ...info.defaults];
  else patterns = spec.split(',');
  const result: string[] = [];
  for (const pattern of patterns) {
    if (pattern === '' || pattern.startsWith('!')) continue;
    for (const name of filterAllowed(info.supported, pattern)) if (!result.includes(name)) result.push(name);
  }
  return result;
}
