/**
 * Algorithm-list options (Ciphers, MACs, KexAlgorithms, HostKeyAlgorithms): validation of a spec as
 * written, and assembly against the defaults (OpenSSH `kex_assemble_names`).
 *
 * Spec syntax: a plain list replaces the defaults; `+list` appends to them; `-list` removes the entries
 * matching a pattern-list (wildcards allowed); `^list` puts the list first. Names are expanded against
 * the supported list, duplicates dropped.
 *
 * Validation accepts every name OpenSSH 10.x accepts (src/crypto/openssh-names.ts), even those tssh does
 * not implement, so a config written for ssh still loads; assembly then keeps only what tssh implements
 * (src/crypto/names.ts) and reports each name it skipped.
 */
import {
  CIPHER_NAMES,
  DEFAULT_HOST_KEY_ALGORITHMS,
  HOST_KEY_NAMES,
  KEX_NAMES,
  MAC_NAMES,
  SUPPORTED_CIPHER_NAMES,
  SUPPORTED_KEX_NAMES,
  SUPPORTED_MAC_NAMES,
} from '../crypto/names.js';
import { OPENSSH_CIPHER_NAMES, OPENSSH_KEX_NAMES, OPENSSH_KEY_NAMES, OPENSSH_MAC_NAMES, OPENSSH_PLAIN_KEY_NAMES } from '../crypto/openssh-names.js';
import { TsshError } from '../errors.js';
import { filterAllowed, filterDenied, matchPatternList } from '../text/patterns.js';
import { certificateAlgorithm } from '../crypto/keys/key-types.js';

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

/** Names OpenSSH 10.x accepts per class (a superset of what tssh implements). */
const OPENSSH_KNOWN: Record<AlgorithmClass, readonly string[]> = {
  cipher: OPENSSH_CIPHER_NAMES,
  mac: OPENSSH_MAC_NAMES,
  kex: OPENSSH_KEX_NAMES,
  hostkey: OPENSSH_KEY_NAMES,
  pubkey: OPENSSH_KEY_NAMES,
  // 10.x takes plain names only here: a certificate name is "Bad key types".
  casig: OPENSSH_PLAIN_KEY_NAMES,
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
    supported: SUPPORTED_CIPHER_NAMES,
    defaults: CIPHER_NAMES,
    wildcards: false,
    badSpec: (spec) => `Bad SSH2 cipher spec '${spec}'.`,
  },
  mac: {
    supported: SUPPORTED_MAC_NAMES,
    defaults: MAC_NAMES,
    wildcards: false,
    badSpec: (spec) => `Bad SSH2 MAC spec '${spec}'.`,
  },
  kex: {
    supported: SUPPORTED_KEX_NAMES,
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
  return CLASSES[cls].supported.includes(name) || OPENSSH_KNOWN[cls].includes(name);
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
    // A key type OpenSSH has, in the wrong list (a certificate in CASignatureAlgorithms), is no pattern.
    if (info.wildcards && !OPENSSH_KEY_NAMES.includes(name)) {
      // As sshkey_names_valid2: a pattern is fine if it matches any key type OpenSSH has.
      const all = [...info.supported, ...OPENSSH_KEY_NAMES];
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
 * expand against the supported names; names tssh does not implement are dropped, each one named to
 * `skipped` (which the CLI logs at debug level). Returns an empty list for a `-` spec that removed
 * everything (OpenSSH allows that too), or when every name was skipped.
 */
export function assembleAlgorithms(cls: AlgorithmClass, spec: string | undefined, skipped?: (name: string) => void): string[] {
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
    const names = filterAllowed(info.supported, pattern);
    if (names.length === 0 && OPENSSH_KNOWN[cls].includes(pattern)) skipped?.(pattern);
    for (const name of names) if (!result.includes(name)) result.push(name);
  }
  return result;
}

/** The debug line for a name OpenSSH knows that tssh does not implement. */
export function skippedAlgorithmNote(keyword: string, name: string): string {
  return `${keyword}: skipping ${name}, which tssh does not implement`;
}

/**
 * An option's final list: assembleAlgorithms, with a debug line for each name skipped because tssh
 * does not implement it. A list left empty that way (not by a `-` spec) is an error: tssh could propose
 * nothing the user allowed.
 */
export function assembleOption(cls: AlgorithmClass, keyword: string, spec: string | undefined, debug?: (line: string) => void): string[] {
  const list = assembleAlgorithms(cls, spec, (name) => debug?.(skippedAlgorithmNote(keyword, name)));
  if (list.length === 0 && spec !== undefined && !spec.startsWith('-')) {
    throw new TsshError('CONFIG', `${keyword}: none of '${spec}' is supported by tssh`);
  }
  return list;
}
