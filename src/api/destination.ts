/**
 * A library caller's destination: what ssh takes on its command line (`[user@]host`, an `ssh://` URI,
 * a Host alias from ssh_config), plus `user@host:port` and `[v6addr]:port`, which code often holds.
 */
import { TsshError } from '../errors.js';
import { parsePort } from '../config/scalars.js';
import { parseSshUri } from '../config/ssh-uri.js';
import { isValidHostname, isValidRemoteUser } from '../profile/destination.js';

export interface Destination {
  host: string;
  user?: string;
  port?: number;
}

export function parseDestination(destination: string): Destination {
  const bad = (why: string): TsshError => new TsshError('USAGE', `Bad destination '${destination}': ${why}`);
  if (destination.startsWith('ssh://')) {
    const uri = parseSshUri(destination);
    if (uri === undefined) throw bad('not an ssh:// URI OpenSSH accepts');
    return checked(uri, bad);
  }
  const at = destination.lastIndexOf('@');
  if (at === 0) throw bad('empty user name');
  const user = at > 0 ? destination.slice(0, at) : undefined;
  let host = destination.slice(at + 1);
  let port: number | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(host);
  if (bracketed !== null) {
    host = bracketed[1]!;
    if (bracketed[2] !== undefined) port = portOf(bracketed[2], bad);
  } else if (host.split(':').length === 2) {
    // One colon: host:port. More than one is a bare IPv6 address.
    const [name, text] = host.split(':') as [string, string];
    host = name;
    port = portOf(text, bad);
  }
  return checked({ host, ...(user !== undefined ? { user } : {}), ...(port !== undefined ? { port } : {}) }, bad);
}

function portOf(text: string, bad: (why: string) => TsshError): number {
  const port = parsePort(text);
  if (port === undefined) throw bad(`bad port '${text}'`);
  return port;
}

function checked(d: Destination, bad: (why: string) => TsshError): Destination {
  if (d.host === '' || !isValidHostname(d.host)) throw bad('hostname contains invalid characters');
  if (d.user !== undefined && !isValidRemoteUser(d.user)) throw bad('remote username contains invalid characters');
  return d;
}
