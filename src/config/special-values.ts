/**
 * Value parsing for the keywords whose syntax is their own (IPQoS, TunnelDevice, ControlPersist,
 * SyslogFacility, CanonicalDomains, ...), with OpenSSH 9.2's readconf.c error texts. values.ts hands
 * these kinds to `parseSpecialSetting`.
 */
import type { KeywordSpec } from './keyword-types.js';
import type { SettingsStore } from './store.js';
import { parseTimeInterval } from './scalars.js';

export type ApplySpecial = (store: SettingsStore) => void;
type Fail = (message: string) => Error;

/** IPQoS `none` (OpenSSH's INT_MAX: leave the system's marking alone). */
const IPQOS_NONE = 0x7fffffff;
/** The pre-DSCP names OpenSSH 10.x still reads but ignores (misc.c: INT_MIN, then the system default). */
const IPQOS_DEPRECATED = ['lowdelay', 'throughput', 'reliability'];

/** IP type-of-service names (OpenSSH 10.x misc.c ipqos[]), in its order: the first name of a value is printed. */
export const IPQOS_VALUES: ReadonlyArray<readonly [name: string, value: number]> = [
  ['none', IPQOS_NONE],
  ['af11', 0x28], ['af12', 0x30], ['af13', 0x38],
  ['af21', 0x48], ['af22', 0x50], ['af23', 0x58],
  ['af31', 0x68], ['af32', 0x70], ['af33', 0x78],
  ['af41', 0x88], ['af42', 0x90], ['af43', 0x98],
  ['cs0', 0x00], ['cs1', 0x20], ['cs2', 0x40], ['cs3', 0x60],
  ['cs4', 0x80], ['cs5', 0xa0], ['cs6', 0xc0], ['cs7', 0xe0],
  ['ef', 0xb8], ['le', 0x04], ['va', 0x2c],
];

/** SyslogFacility names (log.c log_facilities[]). */
const SYSLOG_FACILITIES = ['DAEMON', 'USER', 'AUTH', 'AUTHPRIV', 'LOCAL0', 'LOCAL1', 'LOCAL2', 'LOCAL3', 'LOCAL4', 'LOCAL5', 'LOCAL6', 'LOCAL7'];

/** FingerprintHash names OpenSSH's digest table knows (digest-openssl.c). */
const DIGESTS = ['MD5', 'SHA1', 'SHA256', 'SHA384', 'SHA512'];

/** `any` in a tunnel device number. */
export const TUNNEL_ANY = -1;
const TUNNEL_MAX = 0x7fffffff - 2;

/** IPQoS value: a name or a decimal integer 0..255 (strtonum); 'deprecated' for lowdelay/throughput/reliability. */
export function parseIpqos(text: string | undefined): number | 'deprecated' | undefined {
  if (text === undefined) return undefined;
  const lower = text.toLowerCase();
  if (IPQOS_DEPRECATED.includes(lower)) return 'deprecated';
  const named = IPQOS_VALUES.find(([name]) => name === lower);
  if (named !== undefined) return named[1];
  if (!/^[ \t\n\v\f\r]*[+-]?\d+$/.test(text)) return undefined;
  const value = Number(text.trim());
  return value < 0 || value > 255 ? undefined : value;
}

/** The name `ssh -G` prints for an IPQoS value (misc.c iptos2str). */
export function ipqosName(value: number): string {
  const named = IPQOS_VALUES.find(([, v]) => v === value);
  return named !== undefined ? named[0] : `0x${value.toString(16).padStart(2, '0')}`;
}

/** OpenSSH a2tun(): `any`, a number, or `local:remote` of those. Undefined if invalid. */
export function parseTunnelDevice(text: string): [local: number, remote: number] | undefined {
  const one = (part: string): number | undefined => {
    if (part.toLowerCase() === 'any') return TUNNEL_ANY;
    if (!/^\d+$/.test(part)) return undefined;
    const value = Number(part);
    return value <= TUNNEL_MAX ? value : undefined;
  };
  const colon = text.indexOf(':');
  if (colon < 0) {
    const local = one(text);
    return local === undefined ? undefined : [local, TUNNEL_ANY];
  }
  const local = one(text.slice(0, colon));
  const remote = one(text.slice(colon + 1));
  return local === undefined || remote === undefined ? undefined : [local, remote];
}

/** OpenSSH valid_domain(name, makelower=1): why a CanonicalDomains entry is refused, or undefined. */
export function domainProblem(name: string): string | undefined {
  const shown = name.toLowerCase();
  if (name.length === 0) return 'empty domain name';
  if (!/^[A-Za-z0-9]/.test(name)) return `domain name "${shown}" starts with invalid character`;
  for (let i = 0; i < name.length; i++) {
    const ch = name[i]!;
    if (!/[A-Za-z0-9._-]/.test(ch)) return `domain name "${shown}" contains invalid characters`;
    if ((ch === '.' || ch === '-') && (name[i + 1] === '.' || name[i + 1] === '-'))
      return `domain name "${shown}" contains consecutive separators`;
  }
  if (/[.-]$/.test(name)) return `domain name "${shown}" ends with invalid character`;
  return undefined;
}

/** OpenSSH atoi_err(): a decimal int 0..INT_MAX, or its error words (`integer value <words>.`). */
export function parseInt32(text: string | undefined): number | 'missing' | 'invalid' | 'too small' | 'too large' {
  if (text === '') return 'missing';
  if (text === undefined || !/^[ \t\n\v\f\r]*[+-]?\d+$/.test(text)) return 'invalid';
  const value = Number(text.trim());
  if (value < 0) return 'too small';
  if (value > 2 ** 31 - 1) return 'too large';
  return value;
}

/**
 * Parses the arguments of a keyword of a special kind; throws via `fail` with OpenSSH's message.
 * Consumes what it reads from `queue` (the caller rejects leftovers as extra arguments).
 */
export function parseSpecialSetting(spec: KeywordSpec, keyword: string, queue: string[], fail: Fail): ApplySpecial {
  const name = spec.name;
  switch (spec.kind) {
    case 'int': {
      const value = parseInt32(queue.shift());
      if (typeof value === 'string') throw fail(`integer value ${value}.`);
      return (store) => store.setFirst(name, value);
    }
    case 'digest': {
      const text = queue.shift();
      if (text === undefined || text === '') throw fail('Missing argument.');
      const digest = DIGESTS.find((d) => d === text.toUpperCase());
      if (digest === undefined) throw fail(`Invalid hash algorithm "${text}".`);
      return (store) => store.setFirst(name, digest);
    }
    case 'ipqos': {
      const first = queue.shift();
      const interactive = ipqosOrNone(first, fail);
      const second = queue.shift();
      const bulk = second === undefined ? interactive : ipqosOrNone(second, fail);
      return (store) => store.setFirst(name, [String(interactive), String(bulk)]);
    }
    case 'tunnelDevice': {
      const text = queue.shift();
      if (text === undefined || text === '') throw fail('Missing argument.');
      const device = parseTunnelDevice(text);
      if (device === undefined) throw fail('Bad tun device.');
      return (store) => store.setFirst(name, device.map(String));
    }
    case 'controlPersist': {
      const text = queue.shift();
      if (text === undefined || text === '') throw fail('Missing ControlPersist argument.');
      let value: string;
      if (text === 'no' || text === 'false') value = 'no';
      else if (text === 'yes' || text === 'true') value = 'yes';
      else {
        const seconds = parseTimeInterval(text);
        if (seconds === undefined) throw fail('Bad ControlPersist argument.');
        value = seconds === 0 ? 'yes' : String(seconds);
      }
      return (store) => store.setFirst(name, value);
    }
    case 'syslogFacility': {
      const text = queue.shift();
      const facility = SYSLOG_FACILITIES.find((f) => f === text?.toUpperCase());
      if (facility === undefined) throw fail(`unsupported log facility '${text ?? '<NONE>'}'`);
      return (store) => store.setFirst(name, facility);
    }
    case 'wordList':
    case 'canonicalDomains':
    case 'permittedCnames':
      return parseWordList(spec, keyword, queue.splice(0), fail);
    default:
      throw fail(`keyword ${keyword} is not a setting`);
  }
}

/** One IPQoS value; a deprecated name means `none`, the system's default (OpenSSH 10.x readconf.c). */
function ipqosOrNone(text: string | undefined, fail: Fail): number {
  const value = parseIpqos(text);
  if (value === undefined) throw fail(`Bad IPQoS value: ${text ?? '(null)'}`);
  return value === 'deprecated' ? IPQOS_NONE : value;
}

/** Lists on one line where only the first directive counts and `none` must stand alone. */
function parseWordList(spec: KeywordSpec, keyword: string, words: string[], fail: Fail): ApplySpecial {
  const stored: string[] = [];
  words.forEach((word, index) => {
    if (word === '' && spec.kind !== 'permittedCnames') throw fail(`keyword ${keyword} empty argument`);
    if (word.toLowerCase() === 'none') {
      if (index > 0 || words.length > 1) throw fail(`keyword ${keyword} "none" argument must appear alone.`);
      stored.push('none');
      return;
    }
    if (spec.kind === 'canonicalDomains') {
      const problem = domainProblem(word);
      if (problem !== undefined) throw fail(problem);
      stored.push(word.toLowerCase());
    } else if (spec.kind === 'permittedCnames' && word !== '*') {
      const lower = word.toLowerCase();
      const colon = lower.indexOf(':');
      if (colon < 0 || colon === lower.length - 1) throw fail(`Invalid permitted CNAME "${lower}"`);
      stored.push(lower);
    } else {
      stored.push(word);
    }
  });
  return (store) => store.setFirst(spec.name, stored);
}
