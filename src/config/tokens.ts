/**
 * ssh_config(5) TOKENS: `%x` percent expansion, `${VAR}` environment expansion and `~` home expansion.
 * Everything is passed in (token values, environment, home directories): this module reads no global
 * state, so cli/ decides where the values come from.
 */
import { createHash } from 'node:crypto';
import { TsshError } from '../errors.js';

/** Token letter → replacement, e.g. { h: 'example.com', p: '22' }. `%%` is always a literal `%`. */
export type TokenValues = Readonly<Record<string, string>>;

/** The values behind the tokens most keywords accept (IdentityFile, UserKnownHostsFile, ...). */
export interface ConnectionTokenSource {
  /** %h: the remote host name after HostName substitution. */
  hostName: string;
  /** %n: the destination as typed. */
  originalHost: string;
  /** %p */
  port: number;
  /** %r */
  remoteUser: string;
  /** %u */
  localUser: string;
  /** %d */
  home: string;
  /** %i */
  uid: number;
  /** %l: the local host name including the domain; %L is its first label. */
  localHostname: string;
  /** %k: HostKeyAlias if set, otherwise the destination as typed. */
  hostKeyAlias?: string | undefined;
  /** %j: the host of the last ProxyJump hop, or '' without one. */
  jumpHost: string;
}

/**
 * %C: hex SHA-1 of %l%h%p%r%j (OpenSSH 10.x `ssh_connection_hash`; before 9.6 without %j, which gives
 * the same hash when no jump host is set), used to name per-connection files.
 */
export function connectionHash(localHostname: string, hostName: string, port: string, remoteUser: string, jumpHost: string): string {
  return createHash('sha1').update(localHostname + hostName + port + remoteUser + jumpHost, 'utf8').digest('hex');
}

/**
 * The `%% %d %h %i %j %k %L %l %n %p %u` tokens: OpenSSH's DEFAULT_CLIENT_PERCENT_EXPAND_ARGS_NOUSER,
 * what `User` itself may use.
 */
export function connectionTokensWithoutUser(source: Omit<ConnectionTokenSource, 'remoteUser'>): TokenValues {
  return {
    L: source.localHostname.split('.')[0] ?? source.localHostname,
    i: String(source.uid),
    j: source.jumpHost,
    k: source.hostKeyAlias ?? source.originalHost,
    l: source.localHostname,
    n: source.originalHost,
    p: String(source.port),
    d: source.home,
    h: source.hostName,
    u: source.localUser,
  };
}

/** The `%% %C %d %h %i %j %k %L %l %n %p %r %u` token set (OpenSSH's DEFAULT_CLIENT_PERCENT_EXPAND_ARGS). */
export function connectionTokens(source: ConnectionTokenSource): TokenValues {
  const port = String(source.port);
  return {
    ...connectionTokensWithoutUser(source),
    C: connectionHash(source.localHostname, source.hostName, port, source.remoteUser, source.jumpHost),
    r: source.remoteUser,
  };
}

/** Why an expansion failed, as OpenSSH's vdollar_percent_expand() words it (its caller decides what follows). */
export class ExpansionError extends TsshError {
  /** The unset `${VAR}` names, when that is all that went wrong. */
  readonly missingVariables: readonly string[];
  constructor(lines: string[], missing: string[] = []) {
    super('CONFIG', lines.join('\n'));
    this.name = 'ExpansionError';
    this.missingVariables = missing;
  }
}

/**
 * Expands `%x` tokens. An unknown token or a lone trailing `%` is fatal, with ssh's two lines
 * (`vdollar_percent_expand: unknown key %x` / `percent_expand: failed`).
 */
export function percentExpand(text: string, tokens: TokenValues): string {
  return expand(text, tokens, undefined, 'percent_expand');
}

/**
 * Expands `${VAR}` from `env` and then nothing else (no `%` tokens). An unset variable is an error.
 */
export function dollarExpand(text: string, env: Readonly<Record<string, string | undefined>>): string {
  return expand(text, undefined, env, 'dollar_expand');
}

/** Expands `${VAR}` and `%x` tokens in one left-to-right pass (OpenSSH `percent_dollar_expand`). */
export function percentDollarExpand(
  text: string,
  tokens: TokenValues,
  env: Readonly<Record<string, string | undefined>>,
): string {
  return expand(text, tokens, env, 'percent_dollar_expand');
}

function expand(
  text: string,
  tokens: TokenValues | undefined,
  env: Readonly<Record<string, string | undefined>> | undefined,
  caller: string,
): string {
  let out = '';
  const missing: string[] = [];
  const malformed = (detail: string): ExpansionError => new ExpansionError([`vdollar_percent_expand: ${detail}`, `${caller}: failed`]);
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (env !== undefined && ch === '$' && text[i + 1] === '{') {
      const end = text.indexOf('}', i + 2);
      if (end < 0) throw malformed(`environment variable '${text.slice(i + 2)}' missing closing '}'`);
      const name = text.slice(i + 2, end);
      if (name.length === 0) throw malformed('zero-length environment variable');
      const value = env[name];
      if (value === undefined) missing.push(name);
      else out += value;
      i = end;
      continue;
    }
    if (tokens === undefined || ch !== '%') {
      out += ch;
      continue;
    }
    const key = text[++i];
    if (key === '%') out += '%';
    else if (key === undefined) throw malformed('invalid format');
    else if (Object.prototype.hasOwnProperty.call(tokens, key)) out += tokens[key];
    else throw malformed(`unknown key %${key}`);
  }
  if (missing.length > 0) {
    const lines = missing.map((name) => `vdollar_percent_expand: env var \${${name}} has no value`);
    throw new ExpansionError([...lines, 'invalid environment variable expansion'], missing);
  }
  return out;
}

/**
 * Expands a leading `~` or `~/` to `home` and `~user/` through `lookupHome` (OpenSSH `tilde_expand`).
 * Other paths are returned unchanged.
 */
export function tildeExpand(path: string, home: string, lookupHome?: (user: string) => string | undefined): string {
  if (!path.startsWith('~')) return path;
  const slash = path.indexOf('/');
  const userName = slash < 0 ? path.slice(1) : path.slice(1, slash);
  let rest = slash < 0 ? '' : path.slice(slash).replace(/^\/+/, '');
  let dir = home;
  if (userName !== '') {
    const found = lookupHome?.(userName);
    if (found === undefined) throw new TsshError('CONFIG', `tilde_expand: No such user ${userName}`);
    dir = found;
  }
  if (!dir.endsWith('/')) dir += '/';
  if (rest === '/') rest = '';
  return dir + rest;
}
