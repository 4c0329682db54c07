/**
 * The syntax of forwarding specifications (-L, -R, -D, -W, LocalForward, RemoteForward, DynamicForward)
 * and of jump-host lists (-J, ProxyJump), read as OpenSSH 9.2's parse_forward and parse_jump read them.
 * Pure syntax: what the specifications mean at run time is src/forward/'s business.
 */
import { parseSshUri } from './ssh-uri.js';
import { isValidHostname, isValidRemoteUser } from './destination-names.js';

/** A TCP endpoint; `host` undefined when the specification gave none (bind defaults apply). */
export interface TcpEndpoint {
  kind: 'tcp';
  host: string | undefined;
  port: number;
}

/** A Unix-domain socket path. */
export interface UnixEndpoint {
  kind: 'unix';
  path: string;
}

export type ForwardEndpoint = TcpEndpoint | UnixEndpoint;

/** One forward: where it listens, and where connections go (`socks`: a SOCKS server picks per connection). */
export interface ForwardSpec {
  listen: ForwardEndpoint;
  connect: ForwardEndpoint | { kind: 'socks' };
}

export type ForwardType = 'local' | 'remote' | 'dynamic';

/** glibc's NI_MAXHOST and sizeof(sun_path): OpenSSH's length limits. */
const MAX_HOST = 1025;
const MAX_SOCKET_PATH = 108;

interface Field {
  text: string;
  isPath: boolean;
}

/**
 * A port as OpenSSH's a2port reads it: 0..65535 in decimal; undefined if invalid. (Service names from
 * /etc/services are not looked up.)
 */
export function parseForwardPort(text: string): number | undefined {
  if (!/^[ \t\n\v\f\r]*[+-]?\d+$/.test(text)) return undefined;
  const value = Number(text.trim());
  return Number.isInteger(value) && value >= 0 && value <= 65535 ? value : undefined;
}

/**
 * Splits at unescaped colons: `[...]` is taken literally (and must be followed by `:` or the end), a
 * backslash escapes the next character, a `/` anywhere marks the field as a socket path.
 */
function splitFields(spec: string): Field[] | undefined {
  const fields: Field[] = [];
  let rest = spec.replace(/^\s+/, '');
  while (rest !== '' && fields.length < 4) {
    if (rest.startsWith('[')) {
      const close = rest.indexOf(']');
      if (close < 0) return undefined;
      const after = rest[close + 1];
      if (after !== undefined && after !== ':') return undefined;
      const text = rest.slice(1, close);
      fields.push({ text, isPath: text.includes('/') });
      rest = rest.slice(close + 2);
      continue;
    }
    let text = '';
    let isPath = false;
    let i = 0;
    for (; i < rest.length; i++) {
      const ch = rest[i]!;
      if (ch === ':') break;
      if (ch === '\\') {
        i++;
        if (i >= rest.length) return undefined;
        text += rest[i];
        continue;
      }
      if (ch === '/') isPath = true;
      text += ch;
    }
    fields.push({ text, isPath });
    rest = i < rest.length ? rest.slice(i + 1) : '';
  }
  return rest === '' ? fields : undefined;
}

const tcp = (host: string | undefined, portText: string): TcpEndpoint | undefined => {
  const port = parseForwardPort(portText);
  return port === undefined ? undefined : { kind: 'tcp', host, port };
};
const unix = (path: string): UnixEndpoint => ({ kind: 'unix', path });

/**
 * Parses a forwarding specification. `dynamic` reads `[bind:]port` or a socket path (-D, -W, and -R
 * without a target); otherwise `[bind:]port:host:hostport` and the socket forms. `remote` allows a
 * listen port of 0 (the server allocates one). Undefined when the specification is bad.
 */
export function parseForwardSpec(spec: string, type: { dynamic: boolean; remote: boolean }): ForwardSpec | undefined {
  const fields = splitFields(spec);
  if (fields === undefined) return undefined;
  const [a, b, c, d] = fields;
  let parsed: { listen: ForwardEndpoint | undefined; connect: ForwardSpec['connect'] | undefined } | undefined;
  switch (fields.length) {
    case 1:
      parsed = { listen: a!.isPath ? unix(a!.text) : tcp(undefined, a!.text), connect: { kind: 'socks' } };
      break;
    case 2:
      if (a!.isPath && b!.isPath) parsed = { listen: unix(a!.text), connect: unix(b!.text) };
      else if (b!.isPath) parsed = { listen: tcp(undefined, a!.text), connect: unix(b!.text) };
      else parsed = { listen: tcp(a!.text, b!.text), connect: { kind: 'socks' } };
      break;
    case 3:
      if (a!.isPath) parsed = { listen: unix(a!.text), connect: tcp(b!.text, c!.text) };
      else if (c!.isPath) parsed = { listen: tcp(a!.text, b!.text), connect: unix(c!.text) };
      else parsed = { listen: tcp(undefined, a!.text), connect: tcp(b!.text, c!.text) };
      break;
    case 4:
      parsed = { listen: tcp(a!.text, b!.text), connect: tcp(c!.text, d!.text) };
      break;
    default:
      return undefined;
  }
  const { listen, connect } = parsed;
  if (listen === undefined || connect === undefined) return undefined;
  const isSocks = connect.kind === 'socks';
  if (type.dynamic !== isSocks) return undefined;
  if (connect.kind === 'tcp' && connect.port === 0) return undefined;
  if (listen.kind === 'tcp' && listen.port === 0 && !type.remote) return undefined;
  if (!withinLimits(listen) || (connect.kind !== 'socks' && !withinLimits(connect))) return undefined;
  return { listen, connect };
}

function withinLimits(endpoint: ForwardEndpoint): boolean {
  if (endpoint.kind === 'unix') return endpoint.path.length < MAX_SOCKET_PATH;
  return endpoint.host === undefined || endpoint.host.length < MAX_HOST;
}

/** -R: a full forward, or else `[bind:]port` / a path as a remote SOCKS proxy. */
export function parseRemoteForwardSpec(spec: string): ForwardSpec | undefined {
  return parseForwardSpec(spec, { dynamic: false, remote: true }) ?? parseForwardSpec(spec, { dynamic: true, remote: true });
}

/** -W host:port: a TCP destination (brackets allowed around an IPv6 address). */
export function parseStdioForward(spec: string): { host: string; port: number } | undefined {
  const parsed = parseForwardSpec(spec, { dynamic: true, remote: false });
  if (parsed === undefined || parsed.listen.kind !== 'tcp' || parsed.listen.host === undefined) return undefined;
  return { host: parsed.listen.host, port: parsed.listen.port };
}

/** ssh -G's spelling of an endpoint: a path, a bare port, or `[host]:port`. */
export function formatEndpoint(endpoint: ForwardEndpoint | { kind: 'socks' }): string {
  if (endpoint.kind === 'socks') return '[socks]:0';
  if (endpoint.kind === 'unix') return endpoint.path;
  return endpoint.host === undefined ? String(endpoint.port) : `[${endpoint.host}]:${endpoint.port}`;
}

/** One hop of a jump-host list. */
export interface JumpHost {
  user: string | undefined;
  host: string;
  port: number | undefined;
}

/**
 * `[user@]host[:port]` or an `ssh://` URI (OpenSSH parse_user_host_port / parse_ssh_uri). The host may
 * be a bracketed IPv6 address; a port must be 1..65535.
 */
export function parseJumpHost(text: string): JumpHost | undefined {
  if (text.startsWith('ssh://')) {
    const uri = parseSshUri(text);
    return uri === undefined ? undefined : { user: uri.user, host: uri.host, port: uri.port };
  }
  let rest = text;
  let user: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    if (at === 0) return undefined;
    user = rest.slice(0, at);
    rest = rest.slice(at + 1);
  }
  let host: string;
  let portText: string | undefined;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) return undefined;
    host = rest.slice(1, close);
    const after = rest.slice(close + 1);
    if (after !== '' && !after.startsWith(':') && !after.startsWith('/')) return undefined;
    portText = after === '' ? undefined : after.slice(1);
  } else {
    const stop = rest.search(/[:/]/);
    host = stop < 0 ? rest : rest.slice(0, stop);
    portText = stop < 0 ? undefined : rest.slice(stop + 1);
  }
  if (host === '') return undefined;
  let port: number | undefined;
  if (portText !== undefined && portText !== '') {
    port = parseForwardPort(portText);
    if (port === undefined || port === 0) return undefined;
  }
  return { user, host, port };
}

/**
 * Why a ProxyJump given on the command line (-J, -o) is refused, as OpenSSH 10.x's strict parse_jump
 * says it: the hops are checked from the last one back, names as ssh_valid_hostname/ruser check them.
 */
export function jumpListProblem(text: string): string | undefined {
  const hops = parseJumpList(text);
  if (hops === undefined || hops === 'none') return undefined;
  for (const hop of [...hops].reverse()) {
    if (!isValidHostname(hop.host)) return `parse_jump: invalid hostname "${hop.host}"`;
    if (hop.user !== undefined && !isValidRemoteUser(hop.user)) return `parse_jump: invalid username "${hop.user}"`;
  }
  return undefined;
}

/** A ProxyJump / -J value: `none`, or comma-separated hops, first hop first. Undefined if any hop is bad. */
export function parseJumpList(text: string): JumpHost[] | 'none' | undefined {
  const value = text.replace(/#.*$/, '').replace(/\s+$/, '');
  if (value.toLowerCase() === 'none') return 'none';
  const hops: JumpHost[] = [];
  for (const part of value.split(',')) {
    const hop = parseJumpHost(part);
    if (hop === undefined) return undefined;
    hops.push(hop);
  }
  return hops;
}

/**
 * The values `ssh -G` prints for dynamicforward, localforward or remoteforward. OpenSSH keeps -L and -D
 * in one list and tells them apart by a connect host of `socks`, so (as in 9.2) a local forward to a
 * socket path also shows up as a dynamicforward line.
 */
export function forwardDumpValues(keyword: 'dynamicforward' | 'localforward' | 'remoteforward', forwards: readonly ForwardSpec[]): string[] {
  const connectHost = (spec: ForwardSpec): string | undefined =>
    spec.connect.kind === 'socks' ? 'socks' : spec.connect.kind === 'tcp' ? spec.connect.host : undefined;
  return forwards
    .filter((spec) => {
      const host = connectHost(spec);
      if (keyword === 'dynamicforward') return host === undefined || host === 'socks';
      if (keyword === 'localforward') return host !== 'socks';
      return true;
    })
    .map((spec) => (keyword === 'dynamicforward' ? formatEndpoint(spec.listen) : `${formatEndpoint(spec.listen)} ${formatEndpoint(spec.connect)}`));
}

/**
 * ProxyJump as `ssh -G` prints it: the hops before the last as written, then the last one rebuilt
 * (`user@`, the host in brackets if numeric, `:port`).
 */
export function formatProxyJump(text: string, hops: readonly JumpHost[]): string {
  const last = hops[hops.length - 1]!;
  const comma = text.lastIndexOf(',');
  const extra = comma > 0 ? `${text.slice(0, comma)},` : '';
  const numeric = last.host.includes(':') || /^[0-9.]*$/.test(last.host);
  const host = numeric ? `[${last.host}]` : last.host;
  return `${extra}${last.user !== undefined ? `${last.user}@` : ''}${host}${last.port !== undefined ? `:${last.port}` : ''}`;
}
