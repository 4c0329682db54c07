/**
 * `tssh -Q` (list supported algorithms) and `tssh -G` (print the resolved configuration), in OpenSSH
 * 9.2's formats. Both read the algorithm registries in src/crypto/names.ts, so they show what tssh
 * really implements.
 */
import { TsshError } from '../errors.js';
import { PUBLIC_KEY_TYPES, SIGNATURE_ALGORITHMS } from '../config/algorithms.js';
import type { LogLevel, RequestTTY, ResolvedOptions, StrictHostKeyChecking } from '../config/options.js';
import { CIPHER_NAMES, COMPRESSION_NAMES, KEX_NAMES, MAC_NAMES } from '../crypto/names.js';
import type { ResolvedConfig } from './resolve.js';

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
  if (what === 'cipher' || keyword === 'ciphers') return [...CIPHER_NAMES];
  if (what === 'cipher-auth') return CIPHER_NAMES.filter((name) => name.includes('-gcm') || name.includes('poly1305'));
  if (what === 'mac' || keyword === 'macs') return [...MAC_NAMES];
  if (what === 'kex' || keyword === 'kexalgorithms') return [...KEX_NAMES];
  if (what === 'key' || what === 'key-plain') return [...PUBLIC_KEY_TYPES];
  if (what === 'key-cert') return []; // no certificate support yet
  if (what === 'key-sig' || what === 'sig' || KEY_SIG_ALIASES.includes(keyword)) return [...SIGNATURE_ALGORITHMS];
  if (what === 'protocol-version') return ['2'];
  if (what === 'compression') return [...COMPRESSION_NAMES];
  if (what === 'help') return [...QUERY_HELP];
  throw new TsshError('USAGE', `Unsupported query "${what}"`);
}

/** ssh -G spellings. */
const STRICT_HOST_KEY_NAMES: Record<StrictHostKeyChecking, string> = {
  yes: 'true',
  no: 'false',
  ask: 'ask',
  'accept-new': 'accept-new',
};
const REQUEST_TTY_NAMES: Record<RequestTTY, string> = { yes: 'true', no: 'false', force: 'force', auto: 'auto' };
/** Debian's ssh prints QUIET as SILENT; DEBUG1 is printed DEBUG (the first name in OpenSSH's table). */
const LOG_LEVEL_NAMES: Record<LogLevel, string> = {
  QUIET: 'SILENT',
  FATAL: 'FATAL',
  ERROR: 'ERROR',
  INFO: 'INFO',
  VERBOSE: 'VERBOSE',
  DEBUG1: 'DEBUG',
  DEBUG2: 'DEBUG2',
  DEBUG3: 'DEBUG3',
};

type Dumpable = ResolvedOptions & Partial<Pick<ResolvedConfig, 'identityFileSpecs' | 'globalKnownHostsFileSpecs' | 'ignoreUnknown'>>;

const yesNo = (value: boolean): string => (value ? 'yes' : 'no');
const oneLine = (values: readonly string[]): string => (values.length === 0 ? 'none' : values.join(' '));

/**
 * The keywords tssh supports, in `ssh -G` order (OpenSSH 9.2 dump_client_config): each yields its
 * lines' values. A keyword with no value prints nothing; a repeated keyword prints one line per value.
 */
const DUMP_ORDER: ReadonlyArray<readonly [keyword: string, values: (o: Dumpable) => string[]]> = [
  ['host', (o) => [o.host]],
  ['user', (o) => [o.user]],
  ['hostname', (o) => [o.hostName]],
  ['port', (o) => [String(o.port)]],
  ['batchmode', (o) => [yesNo(o.batchMode)]],
  ['compression', (o) => [yesNo(o.compression)]],
  ['identitiesonly', (o) => [yesNo(o.identitiesOnly)]],
  ['requesttty', (o) => [REQUEST_TTY_NAMES[o.requestTTY]]],
  ['stdinnull', (o) => [yesNo(o.stdinNull)]],
  ['stricthostkeychecking', (o) => [STRICT_HOST_KEY_NAMES[o.strictHostKeyChecking]]],
  ['ciphers', (o) => [o.ciphers.join(',')]],
  ['hostkeyalgorithms', (o) => [o.hostKeyAlgorithms.join(',')]],
  ['ignoreunknown', (o) => (o.ignoreUnknown === undefined ? [] : [o.ignoreUnknown])],
  ['kexalgorithms', (o) => [o.kexAlgorithms.join(',')]],
  ['loglevel', (o) => [LOG_LEVEL_NAMES[o.logLevel]]],
  ['macs', (o) => [o.macs.join(',')]],
  ['identityfile', (o) => [...(o.identityFileSpecs ?? o.identityFiles)]],
  ['globalknownhostsfile', (o) => [oneLine(o.globalKnownHostsFileSpecs ?? o.globalKnownHostsFiles)]],
  ['userknownhostsfile', (o) => [oneLine(o.userKnownHostsFiles)]],
  ['sendenv', (o) => [...o.sendEnv]],
  ['setenv', (o) => o.setEnv.map(([name, value]) => `${name}=${value}`)],
  ['connecttimeout', (o) => [o.connectTimeout === undefined ? 'none' : String(o.connectTimeout)]],
  ['rekeylimit', (o) => [`${o.rekeyLimit.bytes ?? 0} ${o.rekeyLimit.seconds ?? 0}`]],
];

/** `tssh -G` output: `keyword value` lines (lowercase keywords), newline-terminated. */
export function dumpConfig(opts: ResolvedOptions): string {
  const dumpable = opts as Dumpable;
  let out = '';
  for (const [keyword, values] of DUMP_ORDER) for (const value of values(dumpable)) out += `${keyword} ${value}\n`;
  return out;
}
