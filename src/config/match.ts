/**
 * `Match` criteria (ssh_config(5), OpenSSH 9.2 match_cfg_line): all, canonical, final, exec, host,
 * originalhost, user, localuser, and 9.4's tagged, each optionally negated with `!`. `exec` runs its
 * command (tokens expanded) through the injected runner: exit status 0 matches.
 */
import { TsshError } from '../errors.js';
import type { ConfigLog } from '../log.js';
import { matchHostname, matchPatternList } from '../text/patterns.js';
import type { SettingsStore } from './store.js';
import { connectionHash, percentExpand } from './tokens.js';
import { DirectiveError, at, type Where } from './scalars.js';

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
}

/** What `Match exec` needs beyond the subject: the local side of its tokens, and a way to run it. */
export interface MatchExecContext {
  /** %d */
  home: string;
  /** %i */
  uid: number;
  /** %l (%L is its first label) */
  localHostname: string;
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
  const bad = (first?: string): DirectiveError =>
    new DirectiveError([...(first === undefined ? [] : [first]), `${at(where)}: Bad Match condition`]);
  const host = matchHost(subject, store);
  const remoteUser = store.string('User') ?? subject.localUser;
  let result = true;
  let attributes = 0;
  let wantFinalPass = false;
  log('DEBUG2', `checking match for '${args.join(' ')}' host ${host} originally ${subject.originalHost}`);
  for (let i = 0; i < args.length; i++) {
    const original = args[i]!;
    const negate = original.startsWith('!');
    const attribute = (negate ? original.slice(1) : original).toLowerCase();
    if (attribute === 'all') {
      if (attributes > 1 || i + 1 < args.length)
        throw bad(`${at(where)}: '${original}' cannot be combined with other Match attributes`);
      if (result) result = !negate;
      attributes++;
      break;
    }
    attributes++;
    if (attribute === 'canonical' || attribute === 'final') {
      if (attribute === 'final') wantFinalPass = true;
      if (subject.finalPass === negate) result = false;
      continue;
    }
    const criteria = args[++i];
    if (criteria === undefined || criteria === '') throw bad(`Missing Match criteria for ${attribute}`);
    let matched: boolean;
    switch (attribute) {
      case 'host':
        matched = matchHostname(host, criteria) === 1;
        break;
      case 'originalhost':
        matched = matchHostname(subject.originalHost, criteria) === 1;
        break;
      case 'user':
        matched = matchPatternList(remoteUser, criteria) === 1;
        break;
      case 'localuser':
        matched = matchPatternList(subject.localUser, criteria) === 1;
        break;
      case 'tagged':
        matched = matchPatternList(store.string('Tag') ?? '', criteria) === 1;
        break;
      case 'exec': {
        const command = percentExpand(criteria, execTokens(host, subject, store, remoteUser, exec));
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
        matched = status === 0;
        break;
      }
      default:
        throw bad(`Unsupported Match attribute ${attribute}`);
    }
    if (matched === negate) result = false;
    log('DEBUG3', `${at(where)}: ${matched !== negate ? '' : 'not '}matched '${original} "${criteria}"'`);
  }
  if (attributes === 0) throw bad('One or more attributes required for Match');
  log('DEBUG2', `match ${result ? '' : 'not '}found`);
  return { matched: result, wantFinalPass };
}

/** Match exec's tokens (OpenSSH 9.2: %C %L %d %h %k %l %n %p %r %u %i; %k is HostKeyAlias or the host matched). */
function execTokens(host: string, subject: MatchSubject, store: SettingsStore, remoteUser: string, exec: MatchExecContext | undefined): Record<string, string> {
  const localHostname = exec?.localHostname ?? '';
  const port = String(store.number('Port') ?? 22);
  return {
    C: connectionHash(localHostname, host, port, remoteUser),
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
  };
}

/** The host name `Match host` sees: HostName (with %h expanded) once set, else the destination. */
function matchHost(subject: MatchSubject, store: SettingsStore): string {
  const hostName = store.string('HostName');
  if (hostName === undefined) return subject.originalHost;
  if (subject.finalPass) return hostName;
  return percentExpand(hostName, { h: subject.originalHost });
}
