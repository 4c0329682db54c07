/**
 * `Match` criteria (ssh_config(5), OpenSSH 10.x match_cfg_line): all, canonical, final, exec, host,
 * originalhost, user, localuser, localnetwork, tagged, version, command and sessiontype, each optionally
 * negated with `!`, most also as `attribute=value`. `exec` runs its command (tokens expanded) through
 * the injected runner: exit status 0 matches.
 */
import { TsshError } from '../errors.js';
import type { ConfigLog } from '../log.js';
import { matchCidrList } from '../text/address-match.js';
import { matchHostname, matchPatternList } from '../text/patterns.js';
import { parseJumpList } from './forward-spec.js';
import type { SettingsStore } from './store.js';
import { connectionHash, percentExpand, type TokenValues } from './tokens.js';
import { DirectiveError, at, type Where } from './scalars.js';

/**
 * The OpenSSH release whose client tssh follows: what `Match version` patterns are matched against,
 * so a config written for ssh picks the same blocks.
 */
export const OPENSSH_COMPATIBLE_RELEASE = 'OpenSSH_10.3p1';

/** What Host and Match lines are matched against. */
export interface MatchSubject {
  /** Host lines match this: the destination as typed, or in the final pass the final host name. */
  host: string;
  /** The destination as typed (Match originalhost, %n). */
  originalHost: string;
  /** The local user name (Match localuser, and Match user while no User is set). */
  localUser: string;
  /** True during the second pass requested by `Match final`. */
  finalPass: boolean;
  /** The command-line command, '' for none (Match command and sessiontype; RemoteCommand does not count). */
  command: string;
}

/** What `Match exec`, `Match localnetwork` and Include need beyond the subject: the local side of the tokens, a way to run commands, the interfaces. */
export interface MatchExecContext {
  /** %d */
  home: string;
  /** %i */
  uid: number;
  /** %l (%L is its first label) */
  localHostname: string;
  /** The environment, for `${VAR}` in Include paths. */
  env: Readonly<Record<string, string | undefined>>;
  /** Addresses of the local network interfaces that are up (Match localnetwork). */
  localAddresses(): string[];
  /**
   * Runs `command` through the user's shell with stdin and stdout on /dev/null; returns its exit status,
   * or 'abnormal' if it did not exit normally (killed by a signal).
   */
  run(command: string): number | 'abnormal';
}

export interface MatchOutcome {
  matched: boolean;
  /** A `final` criterion was seen: evaluate the configuration again as the final pass. */
  wantFinalPass: boolean;
}

/** Attributes that may be written `attribute=value` (OpenSSH keeps this list; sessiontype is not in it). */
const INLINE_VALUE_ATTRIBUTES = ['host', 'originalhost', 'user', 'localuser', 'localnetwork', 'version', 'tagged', 'command', 'exec'];

/**
 * Evaluates the criteria of one Match line against the settings obtained so far. Throws a
 * DirectiveError (`Bad Match condition`) for malformed criteria.
 */
export function evaluateMatch(
  args: readonly string[],
  subject: MatchSubject,
  store: SettingsStore,
  where: Where,
  log: ConfigLog,
  exec?: MatchExecContext,
): MatchOutcome {
  const bad = (...first: string[]): DirectiveError => new DirectiveError([...first, `${at(where)}: Bad Match condition`]);
  const host = matchHost(subject, store);
  const remoteUser = store.string('User') ?? subject.localUser;
  let result = true;
  let attributes = 0;
  let wantFinalPass = false;
  log('DEBUG2', `checking match for '${args.join(' ')}' host ${host} originally ${subject.originalHost}`);
  for (let i = 0; i < args.length; i++) {
    const original = args[i]!;
    const negate = original.startsWith('!');
    let attribute = negate ? original.slice(1) : original;
    if (attribute.toLowerCase() === 'all') {
      const next = args[i + 1];
      if (attributes > 1 || (next !== undefined && next !== ''))
        throw bad(`${at(where)}: '${original}' cannot be combined with other Match attributes`);
      if (result) result = !negate;
      attributes++;
      break;
    }
    attributes++;
    const lower = attribute.toLowerCase();
    if (lower === 'canonical' || lower === 'final') {
      if (lower === 'final' && !negate) wantFinalPass = true;
      if (subject.finalPass === negate) result = false;
      log('DEBUG3', `${at(where)}: ${subject.finalPass !== negate ? '' : 'not '}matched '${original}'`);
      continue;
    }
    let criteria: string | undefined;
    const eq = attribute.indexOf('=');
    if (eq > 0 && INLINE_VALUE_ATTRIBUTES.includes(attribute.slice(0, eq).toLowerCase())) {
      criteria = attribute.slice(eq + 1);
      attribute = attribute.slice(0, eq);
    } else {
      criteria = args[++i];
      if (criteria === undefined) throw bad(`${at(where)}: missing argument for Match '${original}'`);
    }
    const name = attribute.toLowerCase();
    // Only `tagged` and `command` may match the empty string.
    if (criteria === '' && name !== 'tagged' && name !== 'command') throw bad(`Missing Match criteria for ${attribute}`);
    let compared: string | undefined;
    let matched: boolean;
    switch (name) {
      case 'host':
        compared = host;
        matched = matchHostname(host, criteria) === 1;
        break;
      case 'originalhost':
        compared = subject.originalHost;
        matched = matchHostname(subject.originalHost, criteria) === 1;
        break;
      case 'user':
        compared = remoteUser;
        matched = matchPatternList(remoteUser, criteria) === 1;
        break;
      case 'localuser':
        compared = subject.localUser;
        matched = matchPatternList(subject.localUser, criteria) === 1;
        break;
      case 'localnetwork': {
        const outcome = matchCidrList(exec?.localAddresses() ?? [], criteria);
        if (typeof outcome !== 'boolean') throw bad(...outcome.errors);
        matched = outcome;
        break;
      }
      case 'version':
        compared = OPENSSH_COMPATIBLE_RELEASE;
        matched = matchPatternList(compared, criteria) === 1;
        break;
      case 'tagged':
        compared = store.string('Tag') ?? '';
        matched = compared === '' ? criteria === '' : matchPatternList(compared, criteria) === 1;
        break;
      case 'command':
        compared = subject.command;
        matched = compared === '' ? criteria === '' : matchPatternList(compared, criteria) === 1;
        break;
      case 'sessiontype':
        compared = sessionTypeOf(store, subject.command);
        matched = matchPatternList(compared, criteria) === 1;
        break;
      case 'exec': {
        const command = percentExpand(criteria, matchTokens(host, subject, store, exec));
        // A command behind a criterion that already failed is never run.
        if (!result) {
          log('DEBUG3', `${at(where)}: skipped exec "${command.slice(0, 100)}"`);
          continue;
        }
        if (exec === undefined) throw new TsshError('CONFIG', `${at(where)}: match exec '${command.slice(0, 100)}' error`);
        log('DEBUG1', `Executing command: '${command.slice(0, 500)}'`);
        const status = exec.run(command);
        if (status === 'abnormal') {
          log('ERROR', `command '${command.slice(0, 100)}' exited abnormally`);
          throw new TsshError('CONFIG', `${at(where)}: match exec '${command.slice(0, 100)}' error`);
        }
        log('DEBUG3', `command returned status ${status}`);
        compared = command;
        matched = status === 0;
        break;
      }
      default:
        throw bad(`Unsupported Match attribute ${attribute}`);
    }
    if (matched === negate) result = false;
    const shown = compared === undefined ? '' : ` "${compared.slice(0, 100)}"`;
    log('DEBUG3', `${at(where)}: ${matched !== negate ? '' : 'not '}matched '${original}${shown}' `);
  }
  if (attributes === 0) throw bad('One or more attributes required for Match');
  log('DEBUG2', `match ${result ? '' : 'not '}found`);
  return { matched: result, wantFinalPass };
}

/** What `Match sessiontype` compares: subsystem (-s), none (-N, -W), exec (a command) or shell. */
function sessionTypeOf(store: SettingsStore, command: string): string {
  const type = store.string('SessionType');
  if (type === 'subsystem' || type === 'none') return type;
  return command !== '' ? 'exec' : 'shell';
}

/** %j while the configuration is read: the last ProxyJump hop's host, '' when unset or `none`. */
export function jumpHostOf(store: SettingsStore): string {
  const value = store.string('ProxyJump');
  const hops = value === undefined ? undefined : parseJumpList(value);
  return hops === undefined || hops === 'none' ? '' : hops[hops.length - 1]!.host;
}

/**
 * The tokens of `Match exec` and Include (OpenSSH 10.x expand_match_exec_or_include_path: %C %L %d %h
 * %i %j %k %l %n %p %r %u; %k is HostKeyAlias or the host matched), from the settings obtained so far.
 */
export function matchTokens(host: string, subject: MatchSubject, store: SettingsStore, exec: MatchExecContext | undefined): TokenValues {
  const localHostname = exec?.localHostname ?? '';
  const port = String(store.number('Port') ?? 22);
  const remoteUser = store.string('User') ?? subject.localUser;
  const jumpHost = jumpHostOf(store);
  return {
    C: connectionHash(localHostname, host, port, remoteUser, jumpHost),
    L: localHostname.split('.')[0] ?? localHostname,
    d: exec?.home ?? '',
    h: host,
    k: store.string('HostKeyAlias') ?? host,
    l: localHostname,
    n: subject.originalHost,
    p: port,
    r: remoteUser,
    u: subject.localUser,
    i: String(exec?.uid ?? ''),
    j: jumpHost,
  };
}

/** The host name `Match host` sees: HostName (with %h expanded) once set, else the destination. */
export function matchHost(subject: MatchSubject, store: SettingsStore): string {
  const hostName = store.string('HostName');
  if (hostName === undefined) return subject.originalHost;
  if (subject.finalPass) return hostName;
  return percentExpand(hostName, { h: subject.originalHost });
}
