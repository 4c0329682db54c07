/**
 * ssh(1) command-line parsing, getopt-compatible with OpenSSH 9.2's ssh.c: clustered flags (`-vvnT`),
 * attached values (`-p2222`, `-oPort=2222`), `--`, and options after the destination (getopt restarts
 * once the host is taken, until the first non-option, which starts the command).
 *
 * A hand-written getopt rather than commander: ssh's restart-after-destination rule, `-vvv` counting
 * and exact usage/error texts do not fit a generic option library.
 *
 * Flags that change settings are kept in argv order (`settings`), because their precedence against
 * `-o` depends on it (`-o User=a -l b` gives a, `-l b -o User=a` gives b); profile/overrides.ts replays them.
 */
import { TsshError } from '../errors.js';
import { firstUnknownAlgorithm } from '../config/algorithms.js';
import { parseEscapeChar, parsePort } from '../config/scalars.js';
import { parseSshUri } from '../config/ssh-uri.js';
import { applyForwardFlag } from './forward-args.js';
import type { CommandLineSetting } from '../profile/overrides.js';
import { isValidHostname } from '../profile/destination.js';
import { parseTimingOption, type TimingRequest } from './timing-option.js';

/**
 * ssh's getopt string: a letter followed by `:` takes an argument. `-P tag` is OpenSSH 9.4's (9.2
 * ignored -P), `-Z` OpenSSH 10.5's.
 */
const OPTSTRING = '1246ab:c:e:fgi:kl:m:no:p:qstvxAB:CD:E:F:GI:J:KL:MNO:P:Q:R:S:TVw:W:XYyZ';

/** Valid ssh flags tssh parses (so their arguments are consumed) but does not implement yet. */
const UNSUPPORTED_FLAGS = new Set('KkyBIw'.split(''));

/** Keeps -N forwards up across lost connections (connect/reconnect.ts). */
export const RECONNECT_FLAG = '--reconnect';

/** -O commands (OpenSSH 10.x adds conninfo and channels). */
export const MUX_COMMANDS = ['check', 'forward', 'cancel', 'exit', 'stop', 'proxy', 'conninfo', 'channels'] as const;
export type MuxCommand = (typeof MUX_COMMANDS)[number];

/** OpenSSH 10.5's usage text, as tssh. */
export const USAGE = [
  'usage: tssh [-46AaCfGgKkMNnqsTtVvXxYyZ] [-B bind_interface] [-b bind_address]',
  '           [-c cipher_spec] [-D [bind_address:]port] [-E log_file]',
  '           [-e escape_char] [-F configfile] [-I pkcs11] [-i identity_file]',
  '           [-J destination] [-L address] [-l login_name] [-m mac_spec]',
  '           [-O ctl_cmd] [-o option] [-P tag] [-p port] [-R address]',
  '           [-S ctl_path] [-W host:port] [-w local_tun[:remote_tun]]',
  '           destination [command [argument ...]]',
  '       tssh [-Q query_option]',
].join('\n');

/** A flag that sets an option, in argv order. */

export interface ParsedArgs {
  /** ssh's usage text, which resolving appends to its usage errors. */
  usage: string;
  /** -V was given: print the version and exit. Parsing stopped there, as in ssh. */
  version: boolean;
  /** -Q argument: print that list and exit. Parsing stopped there, as in ssh. */
  query: string | undefined;
  /** -G: print the resolved configuration and exit. */
  printConfig: boolean;
  /** -Z: list the keys publickey authentication would try, and exit (OpenSSH 10.5). */
  listKeys: boolean;
  /** The destination host as typed, without user@ or ssh:// parts (%n). Set unless version/query. */
  host: string | undefined;
  /** The remote command: the arguments after the destination joined by single spaces. */
  command: string | undefined;
  /** Option-setting flags and -o lines in argv order. */
  settings: CommandLineSetting[];
  /** The raw -o values, in order (the highest-priority config lines). */
  options: string[];
  /** -F (the last one given). */
  configFile: string | undefined;
  /** -E (the last one given). */
  logFile: string | undefined;
  /** Number of -v flags. */
  verbosity: number;
  /** -q given. */
  quiet: boolean;
  /** -n given. */
  stdinNull: boolean;
  /** Valid ssh flags tssh does not implement yet, e.g. ['-L', '-A'], in first-seen order. */
  unsupportedFlags: string[];
  /** -O: a request to the ControlMaster instead of a session. */
  muxCommand: MuxCommand | undefined;
  /** --timing[=SPEC]: tssh's own long option (ssh has none); where and how to print the timeline. */
  timing: TimingRequest | undefined;
  /** Where in argv --timing options were (not those in the command), for a background copy without them. */
  timingIndexes: number[];
}

function takesArgument(letter: string): boolean | undefined {
  const index = OPTSTRING.indexOf(letter);
  if (index < 0 || letter === ':') return undefined;
  return OPTSTRING[index + 1] === ':';
}

function usage(detail?: string): TsshError {
  return new TsshError('USAGE', detail === undefined ? USAGE : `${detail}\n${USAGE}`);
}

/** Parses argv (without node and script). Throws TsshError('USAGE' | 'CONFIG'). */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const parsed: ParsedArgs = {
    usage: USAGE,
    version: false,
    query: undefined,
    printConfig: false,
    listKeys: false,
    host: undefined,
    command: undefined,
    settings: [],
    options: [],
    configFile: undefined,
    logFile: undefined,
    verbosity: 0,
    quiet: false,
    stdinNull: false,
    unsupportedFlags: [],
    muxCommand: undefined,
    timing: undefined,
    timingIndexes: [],
  };
  const state = { portSeen: false };
  let index = 0;
  for (;;) {
    const scan = scanOptions(argv, index, parsed, state);
    if (scan === 'stop') return parsed;
    index = scan.next;
    if (parsed.host !== undefined || index >= argv.length) break;
    takeDestination(argv[index]!, parsed);
    index++;
    // getopt restarts after the host unless `--` ended the options.
    if (scan.terminated || index >= argv.length) break;
  }
  if (parsed.host === undefined) throw usage();
  if (!isValidHostname(parsed.host)) throw new TsshError('CONFIG', 'hostname contains invalid characters');
  const rest = argv.slice(index);
  if (rest.length > 0) parsed.command = rest.join(' ');
  return parsed;
}

/**
 * Reads options from argv[start] until a non-option or `--`. Returns where the operands start and
 * whether `--` was the last element consumed, or 'stop' when -V or -Q ended parsing.
 */
function scanOptions(
  argv: readonly string[],
  start: number,
  parsed: ParsedArgs,
  state: { portSeen: boolean },
): { next: number; terminated: boolean } | 'stop' {
  let i = start;
  while (i < argv.length) {
    const arg = argv[i]!;
    if (arg === '--') return { next: i + 1, terminated: true };
    if (arg === RECONNECT_FLAG) {
      // one of tssh's own long options (ssh has none): the same as -o Reconnect=yes, in argv order.
      parsed.settings.push({ kind: 'option', text: 'Reconnect=yes' });
      i++;
      continue;
    }
    if (!arg.startsWith('-') || arg === '-') break;
    i++;
    if (arg.startsWith('--')) {
      // ssh's getopt reads `--foo` as the unknown option `-`: the same words here.
      const timing = parseTimingOption(arg);
      if (timing === undefined) throw usage('unknown option -- -');
      parsed.timing = timing;
      parsed.timingIndexes.push(i - 1);
      continue;
    }
    for (let pos = 1; pos < arg.length; pos++) {
      const letter = arg[pos]!;
      const needsValue = takesArgument(letter);
      if (needsValue === undefined) throw usage(`unknown option -- ${letter}`);
      let value: string | undefined;
      if (needsValue) {
        if (pos + 1 < arg.length) value = arg.slice(pos + 1);
        else if (i < argv.length) value = argv[i++]!;
        else throw usage(`option requires an argument -- ${letter}`);
        pos = arg.length;
      }
      if (applyFlag(letter, value ?? '', parsed, state) === 'stop') return 'stop';
    }
  }
  // ssh tests whether the element before the operands is `--`, so `-F -- host` also ends option parsing.
  return { next: i, terminated: i > start && argv[i - 1] === '--' };
}

function applyFlag(letter: string, value: string, parsed: ParsedArgs, state: { portSeen: boolean }): 'stop' | void {
  const settings = parsed.settings;
  switch (letter) {
    case '1':
      throw new TsshError('CONFIG', 'SSH protocol v.1 is no longer supported');
    case '2': // accepted and ignored
      return;
    case 'P':
      settings.push({ kind: 'tag', value });
      return;
    case 'V':
      parsed.version = true;
      return 'stop';
    case 'Q':
      parsed.query = value;
      return 'stop';
    case 'G':
      parsed.printConfig = true;
      return;
    case 'Z':
      parsed.listKeys = true;
      return;
    case 'F':
      parsed.configFile = value;
      return;
    case 'E':
      parsed.logFile = value;
      return;
    case 'o':
      parsed.options.push(value);
      settings.push({ kind: 'option', text: value });
      return;
    case 'l':
      settings.push({ kind: 'user', value });
      return;
    case 'p': {
      // ssh reads -p only while no port is set, so only the first one is checked.
      if (state.portSeen) return;
      const port = parsePort(value);
      if (port === undefined) throw new TsshError('CONFIG', `Bad port '${value}'`);
      state.portSeen = true;
      settings.push({ kind: 'port', value: port });
      return;
    }
    case 'i':
      settings.push({ kind: 'identityFile', path: value });
      return;
    case 'c': {
      const names = value.startsWith('+') || value.startsWith('^') ? value.slice(1) : value;
      if (firstUnknownAlgorithm('cipher', names) !== undefined)
        throw new TsshError('CONFIG', `Unknown cipher type '${value}'`);
      settings.push({ kind: 'ciphers', spec: value });
      return;
    }
    case 'm':
      if (firstUnknownAlgorithm('mac', value) !== undefined)
        throw new TsshError('CONFIG', `Unknown mac type '${value}'`);
      settings.push({ kind: 'macs', spec: value });
      return;
    case 'C':
      settings.push({ kind: 'compression' });
      return;
    case 'T':
    case 't':
      settings.push({ kind: 'requestTty', flag: letter });
      return;
    case 'q':
      parsed.quiet = true;
      settings.push({ kind: 'quiet' });
      return;
    case 'v':
      parsed.verbosity++;
      settings.push({ kind: 'verbose' });
      return;
    case 'n':
      parsed.stdinNull = true;
      settings.push({ kind: 'stdinNull' });
      return;
    case 'N':
      settings.push({ kind: 'sessionType', value: 'none' });
      return;
    case 's':
      settings.push({ kind: 'sessionType', value: 'subsystem' });
      return;
    case 'M':
      settings.push({ kind: 'controlMaster' });
      return;
    case 'S':
      settings.push({ kind: 'controlPath', value });
      return;
    case 'O':
      if (!(MUX_COMMANDS as readonly string[]).includes(value)) throw new TsshError('CONFIG', 'Invalid multiplex command.');
      parsed.muxCommand = value as MuxCommand;
      return;
    case 'e': {
      const escape = parseEscapeChar(value);
      if (escape === undefined) throw new TsshError('CONFIG', `Bad escape character '${value}'.`);
      settings.push({ kind: 'escapeChar', value: escape });
      return;
    }
    default: {
      if (applyForwardFlag(letter, value, parsed)) return;
      if (!UNSUPPORTED_FLAGS.has(letter)) throw usage(`unknown option -- ${letter}`);
      const flag = `-${letter}`;
      if (!parsed.unsupportedFlags.includes(flag)) parsed.unsupportedFlags.push(flag);
    }
  }
}

/** Splits `[user@]host` (at the last @) or `ssh://[user@]host[:port]` and records user and port. */
function takeDestination(destination: string, parsed: ParsedArgs): void {
  if (destination.startsWith('ssh://')) {
    const uri = parseSshUri(destination);
    if (uri === undefined) throw usage();
    if (uri.user !== undefined) parsed.settings.push({ kind: 'user', value: uri.user });
    if (uri.port !== undefined) parsed.settings.push({ kind: 'port', value: uri.port });
    parsed.host = uri.host;
    return;
  }
  const at = destination.lastIndexOf('@');
  if (at === 0) throw usage();
  if (at > 0) parsed.settings.push({ kind: 'user', value: destination.slice(0, at) });
  parsed.host = destination.slice(at + 1);
}

/** `ssh://` parsing lives in the config layer, which ProxyJump shares (src/config/ssh-uri.ts). */
export { parseSshUri };


