/**
 * `ssh://` destinations (RFC draft-ietf-secsh-scp-sftp-ssh-uri, as OpenSSH's parse_uri reads them), shared
 * by the command line (the destination, -J) and ssh_config (ProxyJump).
 */
import { parsePort } from './scalars.js';

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
