/**
 * `Match` criteria (ssh_config(5), OpenSSH 9.2 match_cfg_line): all, canonical, final, host,
 * originalhost, user, localuser, each optionally negated with `!`. `exec` is recognised but not run yet.
 */
import { TsshError } from '../errors.js';
import type { ConfigLog } from './evaluate.js';
import { matchHostname, matchPatternList } from './patterns.js';
import type { SettingsStore } from './store.js';
import { percentExpand } from './tokens.js';
import { DirectiveError, at, type Where } from './values.js';

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
      case 'exec':
        // A command behind a criterion that already failed is never run, so it is no obstacle.
        if (!result) continue;
        throw new TsshError('CONFIG', `${at(where)}: Match exec is not supported by tssh yet`);
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

/** The host name `Match host` sees: HostName (with %h expanded) once set, else the destination. */
function matchHost(subject: MatchSubject, store: SettingsStore): string {
  const hostName = store.string('HostName');
  if (hostName === undefined) return subject.originalHost;
  if (subject.finalPass) return hostName;
  return percentExpand(hostName, { h: subject.originalHost });
}
