/**
 * Value parsing for each keyword kind, with OpenSSH's exact error texts. Parsing (and so every error)
 * happens whether or not the line applies to the destination, as in OpenSSH; the returned `apply`
 * is called only for lines that apply.
 */
import { checkAlgorithmSpec } from './algorithms.js';
import { parseSpecialSetting } from './special-values.js';
import { parseAuthSetting } from './auth-options.js';
import { parseForwardSetting } from './forward-options.js';
import { parseSessionKeyword } from './session-options.js';
import { DirectiveError, at, parseEscapeChar, parsePort, parseScaledBytes, parseTimeInterval, type Where } from './scalars.js';
import type { KeywordSpec } from './keyword-types.js';
import { matchPattern } from '../text/patterns.js';
import type { SettingsStore } from './store.js';
import type { LogLevel } from '../log.js';

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
      return (
        parseAuthSetting(spec, queue, fail) ??
        parseForwardSetting(spec, queue, fail, where) ??
        parseSessionKeyword(spec, keyword, queue, fail, where) ??
        parseSpecialSetting(spec, keyword, queue, fail)
      );
  }
}

const FLAG_CHOICES: Readonly<Record<string, string>> = { true: 'yes', false: 'no', yes: 'yes', no: 'no' };

function requireArgument(queue: string[], fail: (message: string) => DirectiveError): string {
  const text = queue.shift();
  if (text === undefined || text === '') throw fail('Missing argument.');
  return text;
}

/** Time arguments (ConnectTimeout, the RekeyLimit interval): `none` is stored as -1. */
function parseTimeArgument(text: string | undefined, fail: (message: string) => DirectiveError): number {
  if (text === undefined || text === '') throw fail('missing time value.');
  if (text === 'none') return -1;
  const seconds = parseTimeInterval(text);
  if (seconds === undefined) throw fail('invalid time value.');
  return seconds;
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
