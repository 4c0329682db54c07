/**
 * Value parsing for each keyword kind, with OpenSSH's exact error texts. Parsing (and so every error)
 * happens whether or not the line applies to the destination, as in OpenSSH; the returned `apply`
 * is called only for lines that apply.
 */
import { checkAlgorithmSpec } from './algorithms.js';
import { parseSpecialSetting } from './special-values.js';
import type { KeywordSpec } from './keywords.js';
import { matchPattern } from './patterns.js';
import type { SettingsStore } from './store.js';
import type { LogLevel } from './options.js';

/** A config line that cannot be accepted. `lines` are the messages OpenSSH prints for it. */
export class DirectiveError extends Error {
  readonly lines: string[];
  constructor(lines: string[]) {
    super(lines.join('\n'));
    this.name = 'DirectiveError';
    this.lines = lines;
  }
}

export interface Where {
  file: string;
  line: number;
}

/** The `<file> line <n>` prefix of most OpenSSH config messages. */
export function at(where: Where): string {
  return `${where.file} line ${where.line}`;
}

export type ApplySetting = (store: SettingsStore) => void;

/** OpenSSH's SSH_MAX_IDENTITY_FILES. */
const MAX_IDENTITY_FILES = 100;

/** Log level names, case-insensitive; Debian's ssh also accepts (and prints) SILENT for QUIET. */
const LOG_LEVELS: Record<string, LogLevel> = {
  silent: 'QUIET',
  quiet: 'QUIET',
  fatal: 'FATAL',
  error: 'ERROR',
  info: 'INFO',
  verbose: 'VERBOSE',
  debug: 'DEBUG1',
  debug1: 'DEBUG1',
  debug2: 'DEBUG2',
  debug3: 'DEBUG3',
};

/**
 * Parses the arguments of a setting keyword (not Host/Match/Include or the ignored kinds). Throws a
 * DirectiveError for a bad value or extra arguments.
 */
export function parseSetting(spec: KeywordSpec, keyword: string, args: readonly string[], where: Where): ApplySetting {
  const queue = [...args];
  const apply = parseArguments(spec, keyword, queue, where);
  if (queue.length > 0) throw new DirectiveError([`${at(where)}: keyword ${keyword} extra arguments at end of line`]);
  return apply;
}

function parseArguments(spec: KeywordSpec, keyword: string, queue: string[], where: Where): ApplySetting {
  const fail = (message: string): DirectiveError => new DirectiveError([`${at(where)}: ${message}`]);
  const name = spec.name;
  switch (spec.kind) {
    case 'string': {
      const value = requireArgument(queue, fail);
      return (store) => store.setFirst(name, value);
    }
    case 'port': {
      const text = requireArgument(queue, fail);
      const port = parsePort(text);
      if (port === undefined) throw fail(`Bad port '${text}'.`);
      return (store) => store.setFirst(name, port);
    }
    case 'flag':
    case 'enum': {
      const text = queue.shift();
      if (text === undefined) throw fail('missing argument.');
      const choices = spec.kind === 'flag' ? FLAG_CHOICES : (spec.choices ?? {});
      const value = choices[text.toLowerCase()];
      if (value === undefined) throw fail(`unsupported option "${text}".`);
      const stored = spec.kind === 'flag' ? value === 'yes' : value;
      return (store) => store.setFirst(name, stored);
    }
    case 'time': {
      const seconds = parseTimeArgument(queue.shift(), fail);
      return (store) => store.setFirst(name, seconds);
    }
    case 'rekeyLimit':
      return parseRekeyLimit(queue, fail);
    case 'logLevel': {
      const text = queue.shift();
      const level = text === undefined ? undefined : LOG_LEVELS[text.toLowerCase()];
      if (level === undefined) throw fail(`unsupported log level '${text ?? '<NONE>'}'`);
      return (store) => store.setFirst(name, level);
    }
    case 'algorithms': {
      const text = requireArgument(queue, fail);
      const problem = checkAlgorithmSpec(spec.algorithms ?? 'cipher', text);
      if (problem !== undefined) throw new DirectiveError([...problem.notes, `${at(where)}: ${problem.message}`]);
      return (store) => store.setFirst(name, text);
    }
    case 'path': {
      const path = requireArgument(queue, fail);
      return (store) => {
        if (spec.accumulate !== true) store.setFirst(name, path);
        else if (store.list(name).length >= MAX_IDENTITY_FILES)
          throw fail(`Too many identity files specified (max ${MAX_IDENTITY_FILES}).`);
        else store.append(name, [path], true);
      };
    }
    case 'paths':
      return parsePathList(name, keyword, queue.splice(0), fail);
    case 'sendEnv':
      return parseSendEnv(name, queue.splice(0), fail);
    case 'setEnv':
      return parseSetEnv(name, queue.splice(0), fail);
    case 'command': {
      // The caller passes the rest of the line as written; OpenSSH skips any further blanks and `=`.
      const command = (queue.splice(0)[0] ?? '').replace(/^[ \t\r\n=]+/, '');
      if (command === '') throw fail('Missing argument.');
      return (store) => store.setFirst(name, command);
    }
    case 'escapeChar': {
      const text = requireArgument(queue, fail);
      const value = parseEscapeChar(text);
      if (value === undefined) throw fail('Bad escape character.');
      return (store) => store.setFirst(name, value);
    }
    default:
      return parseSpecialSetting(spec, keyword, queue, fail);
  }
}

const FLAG_CHOICES: Readonly<Record<string, string>> = { true: 'yes', false: 'no', yes: 'yes', no: 'no' };

function requireArgument(queue: string[], fail: (message: string) => DirectiveError): string {
  const text = queue.shift();
  if (text === undefined || text === '') throw fail('Missing argument.');
  return text;
}

/**
 * An escape character as ssh's -e and EscapeChar read it: `none`, one byte, or `^X` (X in 0x40..0x7f,
 * giving X & 31). Returns the byte, 'none', or undefined if invalid.
 */
export function parseEscapeChar(text: string): number | 'none' | undefined {
  const bytes = Buffer.from(text, 'utf8');
  if (text === 'none') return 'none';
  if (bytes.length === 1) return bytes[0]!;
  if (bytes.length === 2 && bytes[0] === 0x5e && bytes[1]! >= 64 && bytes[1]! < 128) return bytes[1]! & 31;
  return undefined;
}

/**
 * A port number as OpenSSH's a2port() reads it: decimal 1..65535, leading whitespace and a sign
 * allowed. (Service names from /etc/services are not looked up.)
 */
export function parsePort(text: string): number | undefined {
  if (!/^[ \t\n\v\f\r]*[+-]?\d+$/.test(text)) return undefined;
  const value = Number(text.trim());
  return Number.isInteger(value) && value > 0 && value <= 65535 ? value : undefined;
}

/**
 * A time interval in OpenSSH's convtime() syntax: `90`, `1m30s`, `1h`, `2d`, `1w`; at most INT_MAX
 * seconds. Returns undefined if invalid.
 */
export function parseTimeInterval(text: string): number | undefined {
  if (text === '') return undefined;
  const units: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
  const INT_MAX = 2 ** 31 - 1;
  let total = 0;
  const part = /^(\d+)([smhdwSMHDW]?)/;
  let rest = text;
  while (rest.length > 0) {
    const found = part.exec(rest);
    if (found === null) return undefined;
    const seconds = Number(found[1]) * units[(found[2] || 's').toLowerCase()]!;
    if (seconds > INT_MAX || total > INT_MAX - seconds) return undefined;
    total += seconds;
    rest = rest.slice(found[0].length);
  }
  return total;
}

/** Time arguments (ConnectTimeout, the RekeyLimit interval): `none` is stored as -1. */
function parseTimeArgument(text: string | undefined, fail: (message: string) => DirectiveError): number {
  if (text === undefined || text === '') throw fail('missing time value.');
  if (text === 'none') return -1;
  const seconds = parseTimeInterval(text);
  if (seconds === undefined) throw fail('invalid time value.');
  return seconds;
}

/**
 * A byte count in OpenBSD scan_scaled() syntax: an integer or decimal with an optional unit
 * B/K/M/G/T/P/E (powers of 1024). Returns the value or the errno text for OpenSSH's message.
 */
export function parseScaledBytes(text: string): number | 'Invalid argument' | 'Numerical result out of range' {
  const found = /^\s*([+-]?)(\d*)(?:\.(\d*))?(?:([BKMGTPEbkmgtpe])(?![A-Za-z0-9]).*)?$/s.exec(text);
  if (found === null) return 'Invalid argument';
  const [, sign, whole = '', fraction = '', unit] = found;
  if (whole.length >= 20) return 'Numerical result out of range';
  const scale = unit === undefined ? 1n : 1024n ** BigInt('BKMGTPE'.indexOf(unit.toUpperCase()));
  let value = BigInt(whole === '' ? '0' : whole) * scale;
  if (unit !== undefined && fraction !== '') value += (BigInt(fraction) * scale) / 10n ** BigInt(fraction.length);
  if (value > 2n ** 63n - 1n) return 'Numerical result out of range';
  return Number(sign === '-' ? -value : value);
}

function parseRekeyLimit(queue: string[], fail: (message: string) => DirectiveError): ApplySetting {
  const text = queue.shift();
  if (text === undefined || text === '') throw fail('Missing argument.');
  let bytes = 0;
  if (text !== 'default') {
    const scanned = parseScaledBytes(text);
    if (typeof scanned === 'string') throw fail(`Bad number '${text}': ${scanned}`);
    if (scanned !== 0 && scanned < 16) throw fail('RekeyLimit too small');
    bytes = scanned;
  }
  let seconds: number | undefined;
  if (queue.length > 0) {
    if (queue[0] === 'none') queue.shift();
    else seconds = parseTimeArgument(queue.shift(), fail);
  }
  return (store) => {
    store.setFirst('RekeyLimit', bytes);
    if (seconds !== undefined) store.setFirst('RekeyLimit.interval', seconds);
  };
}

function parsePathList(
  name: string,
  keyword: string,
  paths: string[],
  fail: (message: string) => DirectiveError,
): ApplySetting {
  paths.forEach((path, index) => {
    if (path === '') throw fail(`keyword ${keyword} empty argument`);
    if (path.toLowerCase() === 'none' && (index > 0 || paths.length > 1))
      throw fail(`keyword ${keyword} "none" argument must appear alone.`);
  });
  return (store) => store.setFirst(name, paths);
}

function parseSendEnv(name: string, names: string[], fail: (message: string) => DirectiveError): ApplySetting {
  for (const entry of names) if (entry === '' || entry.includes('=')) throw fail('Invalid environment name.');
  return (store) => {
    for (const entry of names) {
      if (entry.startsWith('-')) {
        const pattern = entry.slice(1);
        store.replaceList(
          name,
          store.list(name).filter((existing) => !matchPattern(existing, pattern)),
        );
      } else {
        store.append(name, [entry]);
      }
    }
  };
}

function parseSetEnv(name: string, words: string[], fail: (message: string) => DirectiveError): ApplySetting {
  const pairs: [string, string][] = [];
  for (const word of words) {
    const eq = word.indexOf('=');
    if (eq < 0) throw fail('Invalid SetEnv.');
    const variable = word.slice(0, eq);
    // Within the directive, the first value given for a name wins.
    if (!pairs.some(([existing]) => existing === variable)) pairs.push([variable, word.slice(eq + 1)]);
  }
  // Only the first SetEnv directive that applies counts.
  return (store) => store.setFirst(name, pairs);
}
