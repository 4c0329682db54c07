/**
 * ssh(1) command-line parsing, getopt-compatible with OpenSSH 9.2's ssh.c: clustered flags (`-vvnT`),
 * attached values (`-p2222`, `-oPort=2222`), `--`, and options after the destination (getopt restarts
 * once the host is taken, until the first non-option, which starts the command).
 *
 * A hand-written getopt rather than commander: ssh's restart-after-destination rule, `-vvv` counting
 * and exact usage/error texts do not fit a generic option library.
 *
 * Flags that change settings are kept in argv order (`settings`), because their precedence against
 * `-o` depends on it (`-o User=a -l b` gives a, `-l b -o User=a` gives b); cli/resolve.ts replays them.
 */
import { TsshError } from '../errors.js';
import { firstUnknownAlgorithm } from '../config/algorithms.js';
import { parsePort } from '../config/values.js';

/** ssh's getopt string: a letter followed by `:` takes an argument. */
const OPTSTRING = '1246ab:c:e:fgi:kl:m:no:p:qstvxAB:CD:E:F:GI:J:KL:MNO:PQ:R:S:TVw:W:XYy';

/** Valid ssh flags tssh parses (so their arguments are consumed) but does not implement yet. */
const UNSUPPORTED_FLAGS = new Set('46AafgKkMNsXxYyBbDeIJLORSWw'.split(''));

export const USAGE = [
  'usage: tssh [-46AaCfGgKkMNnqsTtVvXxYy] [-B bind_interface]',
  '           [-b bind_address] [-c cipher_spec] [-D [bind_address:]port]',
  '           [-E log_file] [-e escape_char] [-F configfile] [-I pkcs11]',
  '           [-i identity_file] [-J [user@]host[:port]] [-L address]',
  '           [-l login_name] [-m mac_spec] [-O ctl_cmd] [-o option] [-p port]',
  '           [-Q query_option] [-R address] [-S ctl_path] [-W host:port]',
  '           [-w local_tun[:remote_tun]] destination [command [argument ...]]',
].join('\n');

/** A flag that sets an option, in argv order. */
export type CommandLineSetting =
  | { kind: 'option'; text: string } // -o
  | { kind: 'user'; value: string } // -l, user@host, ssh://user@host
  | { kind: 'port'; value: number } // -p, ssh://host:port
  | { kind: 'identityFile'; path: string } // -i (as typed; ~ not expanded yet)
  | { kind: 'ciphers'; spec: string } // -c
  | { kind: 'macs'; spec: string } // -m
  | { kind: 'compression' } // -C
  | { kind: 'requestTty'; flag: 'T' | 't' }
  | { kind: 'quiet' } // -q
  | { kind: 'verbose' } // -v
  | { kind: 'stdinNull' }; // -n

export interface ParsedArgs {
  /** -V was given: print the version and exit. Parsing stopped there, as in ssh. */
  version: boolean;
  /** -Q argument: print that list and exit. Parsing stopped there, as in ssh. */
  query: string | undefined;
  /** -G: print the resolved configuration and exit. */
  printConfig: boolean;
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
    version: false,
    query: undefined,
    printConfig: false,
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
    if (!arg.startsWith('-') || arg === '-') break;
    i++;
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
    case '2':
    case 'P': // -2 and (in 9.2) -P are accepted and ignored
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
    default: {
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

/**
 * `ssh://[user[;params]@]host[:port][/]` (RFC draft-ietf-secsh-scp-sftp-ssh-uri, as OpenSSH reads it):
 * the user is URL-decoded, connection parameters are ignored, a path is an error, and the host must be
 * a plain domain name or address without brackets.
 */
export function parseSshUri(uri: string): { user?: string; host: string; port?: number } | undefined {
  let rest = uri.slice('ssh://'.length);
  let user: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    const userInfo = rest.slice(0, at).split(';')[0]!;
    if (userInfo === '') return undefined;
    user = urlDecode(userInfo);
    if (user === undefined) return undefined;
    rest = rest.slice(at + 1);
  }
  let hostPart: string;
  let delimiter = '';
  let after = '';
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) return undefined;
    hostPart = rest.slice(0, close + 1);
    delimiter = rest[close + 1] ?? '';
    if (delimiter !== '' && delimiter !== ':' && delimiter !== '/') return undefined;
    after = rest.slice(close + 2);
  } else {
    const stop = rest.search(/[:/]/);
    hostPart = stop < 0 ? rest : rest.slice(0, stop);
    delimiter = stop < 0 ? '' : rest[stop]!;
    after = stop < 0 ? '' : rest.slice(stop + 1);
  }
  if (hostPart === '') return undefined;
  const host = hostPart.startsWith('[') && hostPart.endsWith(']') ? hostPart.slice(1, -1) : hostPart;
  if (!isValidDomain(host)) return undefined;
  let port: number | undefined;
  if (after !== '' && delimiter === ':') {
    const slash = after.indexOf('/');
    const portText = slash < 0 ? after : after.slice(0, slash);
    port = parsePort(portText);
    if (port === undefined) return undefined;
    after = slash < 0 ? '' : after.slice(slash + 1);
  }
  if (after !== '') return undefined; // a path is not allowed in an ssh:// destination
  return { ...(user !== undefined ? { user } : {}), host: host.replace(/\.$/, ''), ...(port !== undefined ? { port } : {}) };
}

function urlDecode(text: string): string | undefined {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '+') bytes.push(0x20);
    else if (ch === '%') {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) return undefined;
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else bytes.push(...Buffer.from(ch, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** OpenSSH valid_domain(): letters, digits, `-`, `_` and single dots, starting with a letter or digit. */
function isValidDomain(name: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name) && !name.includes('..');
}

/** ssh refuses destinations that start with `-` or contain shell metacharacters or control characters. */
export function isValidHostname(host: string): boolean {
  return !host.startsWith('-') && !/['`"$\\;&<>|(){}\s\x00-\x1f\x7f]/.test(host);
}

/** ssh refuses remote user names with shell metacharacters given on the command line. */
export function isValidRemoteUser(user: string): boolean {
  if (user.startsWith('-')) return false;
  if (/['`";&<>|(){}]/.test(user)) return false;
  if (/\s-/.test(user)) return false;
  return !user.endsWith('\\');
}
