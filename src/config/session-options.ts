/**
 * The session and connection options OpenSSH added after 9.2 (WarnWeakCrypto, ObscureKeystrokeTiming,
 * ChannelTimeout, VersionAddendum, RequiredRSASize, RefuseConnection): their resolved form, and the
 * parsing of those with a syntax of their own, with OpenSSH 10.x's readconf.c error texts. values.ts
 * hands these kinds to `parseSessionKeyword`.
 */
import { TsshError } from '../errors.js';
import type { KeywordSpec } from './keyword-types.js';
import { at, parseTimeInterval, type Where } from './scalars.js';
import { parseInt32 } from './special-values.js';
import type { SettingsStore } from './store.js';

type Fail = (message: string) => Error;
type Apply = (store: SettingsStore) => void;

export interface SessionSettings {
  /**
   * Warn when the negotiated key exchange is not post-quantum (WarnWeakCrypto, default yes; `no-pq-kex`
   * and `no` turn it off). ssh warns only when KexAlgorithms was left alone (`kexAlgorithmsSet`).
   */
  warnWeakCrypto: boolean;
  /** KexAlgorithms was given at all (even as `+list`): the user chose the key exchange. */
  kexAlgorithmsSet: boolean;
  /** ObscureKeystrokeTiming: the keystroke clock in milliseconds for an interactive session; 0 = off. */
  obscureKeystrokeTiming: number;
  /** ChannelTimeout entries as written (`session=5m`, `global=1h`); none = empty. */
  channelTimeouts: string[];
  /** VersionAddendum with its tokens expanded; '' or undefined adds nothing to the version string. */
  versionAddendum: string | undefined;
  /** RequiredRSASize: the smallest RSA modulus accepted for host keys and user keys, in bits. */
  requiredRSASize: number;
}

/** OpenSSH's SSH_KEYSTROKE_DEFAULT_INTERVAL_MS: `ObscureKeystrokeTiming yes`. */
export const DEFAULT_KEYSTROKE_INTERVAL_MS = 20;

/** One ChannelTimeout entry: channel types matching `pattern` close after `seconds` without traffic. */
export interface ChannelTimeout {
  /** A pattern-list of channel types (`session`, `direct-tcpip`, `forwarded-*`, ...), or `global`. */
  pattern: string;
  seconds: number;
}

/** OpenSSH's SSH_RSA_MINIMUM_MODULUS_SIZE, RequiredRSASize's default. */
export const DEFAULT_REQUIRED_RSA_SIZE = 1024;

/** OpenSSH parse_pattern_interval(): `type=interval`; undefined if malformed. */
export function parseChannelTimeout(text: string): ChannelTimeout | undefined {
  const eq = text.indexOf('=');
  if (eq <= 0) return undefined;
  const seconds = parseTimeInterval(text.slice(eq + 1));
  return seconds === undefined ? undefined : { pattern: text.slice(0, eq), seconds };
}

/**
 * Parses one of this file's keywords; undefined for any other kind. `rest` is the line after the
 * keyword as written (VersionAddendum takes it whole). A fatal problem (ssh exits at once, without
 * counting bad lines) is a TsshError; the others go through `fail`.
 */
export function parseSessionKeyword(spec: KeywordSpec, keyword: string, queue: string[], fail: Fail, where: Where): Apply | undefined {
  const name = spec.name;
  switch (spec.kind) {
    case 'keystrokeTiming': {
      const interval = parseKeystrokeTiming(queue.splice(0), fail);
      return (store) => store.setFirst(name, interval);
    }
    case 'channelTimeouts': {
      const entries = queue.splice(0);
      entries.forEach((entry) => {
        if (entry.toLowerCase() === 'none') {
          if (entries.length > 1) throw fail(`keyword ${keyword} "none" argument must appear alone.`);
        } else if (parseChannelTimeout(entry) === undefined) {
          throw new TsshError('CONFIG', `${at(where)}: invalid channel timeout ${entry}`);
        }
      });
      return (store) => store.setFirst(name, entries);
    }
    case 'versionAddendum': {
      const text = (queue.splice(0)[0] ?? '').replace(/^[ \t\r\n]+/, '');
      if (text === '') throw new TsshError('CONFIG', `${at(where)}: ${keyword} missing argument.`);
      if (text.includes('\r')) throw new TsshError('CONFIG', `${at(where)}: Invalid ${keyword} argument`);
      // The rest of the line, comments included (OpenSSH's comment stripping never reaches it).
      return (store) => store.setFirst(name, text.toLowerCase() === 'none' ? '' : text);
    }
    case 'refuseConnection': {
      const reason = queue.shift();
      if (reason === undefined || reason === '') throw fail('Missing argument.');
      return () => {
        throw new TsshError('CONFIG', `${at(where)}: RefuseConnection: ${reason}`);
      };
    }
    default:
      return undefined;
  }
}

/** `yes`/`true` (20 ms), `no`/`false` (0: off) or `interval:N` (1..1000 ms), matched case-sensitively as ssh does. */
function parseKeystrokeTiming(args: string[], fail: Fail): number {
  let interval: number | undefined;
  for (const arg of args) {
    if (interval !== undefined) throw fail('invalid arguments');
    if (arg === 'yes' || arg === 'true') interval = DEFAULT_KEYSTROKE_INTERVAL_MS;
    else if (arg === 'no' || arg === 'false') interval = 0;
    else if (arg.startsWith('interval:')) {
      const value = parseInt32(arg.slice('interval:'.length));
      if (typeof value === 'string') throw fail(`integer value ${value}.`);
      if (value <= 0 || value > 1000) throw fail('value out of range.');
      interval = value;
    } else throw fail(`unsupported argument "${arg}"`);
  }
  if (interval === undefined) throw fail('missing argument');
  return interval;
}
