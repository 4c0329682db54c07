/**
 * The forwarding and connection-route options (LocalForward ... ProxyJump, ServerAlive*, AddressFamily):
 * their resolved form, and the parsing of the keywords with a syntax of their own, with OpenSSH 9.2's
 * readconf.c error texts.
 */
import type { KeywordSpec } from './keyword-types.js';
import type { SettingsStore } from './store.js';
import { jumpListProblem, parseForwardPort, parseForwardSpec, parseJumpList, type ForwardSpec, type ForwardType, type JumpHost } from './forward-spec.js';
import { COMMAND_LINE, DirectiveError, at, type Where } from './scalars.js';

export type AddressFamily = 'any' | 'inet' | 'inet6';

/** ProxyJump hops (first hop first) and the value as written, which -G prints. */
export interface ProxyJump {
  hops: JumpHost[];
  text: string;
}

export interface ForwardSettings {
  /** -L and -D / LocalForward and DynamicForward, in the order given (a SOCKS forward's connect is `socks`). */
  localForwards: ForwardSpec[];
  /** -R / RemoteForward (a remote SOCKS forward's connect is `socks`). */
  remoteForwards: ForwardSpec[];
  /** -W host:port. */
  stdioForward: { host: string; port: number } | undefined;
  exitOnForwardFailure: boolean;
  clearAllForwardings: boolean;
  /** -g: local forwards listen on every address, not only loopback. */
  gatewayPorts: boolean;
  forwardAgent: boolean;
  /** ForwardAgent given as a socket path (`~`, tokens, `${VAR}` expanded; `$VAR` as written). */
  forwardAgentPath: string | undefined;
  /** PermitRemoteOpen `host:port` patterns for remote SOCKS forwards; empty = any. */
  permitRemoteOpen: string[];
  streamLocalBindMask: number;
  streamLocalBindUnlink: boolean;
  /** -f: go to the background after authentication. */
  forkAfterAuthentication: boolean;
  /** ProxyCommand as written (tokens are expanded when it runs); undefined when unset or `none`. */
  proxyCommand: string | undefined;
  proxyJump: ProxyJump | undefined;
  /** Seconds; 0 = off. */
  serverAliveInterval: number;
  serverAliveCountMax: number;
  tcpKeepAlive: boolean;
  connectionAttempts: number;
  bindAddress: string | undefined;
  addressFamily: AddressFamily;
  /** tssh's `Reconnect` / `--reconnect`: a lost -N connection is made again, forwards and all. */
  reconnect: boolean;
}

export const ADDRESS_FAMILY_CHOICES = { inet: 'inet', inet6: 'inet6', any: 'any' } as const;

type Fail = (message: string) => Error;
type Apply = (store: SettingsStore) => void;

/** The store key of the list holding LocalForward and DynamicForward entries (one list keeps their order). */
export const LOCAL_FORWARDS_KEY = 'LocalForward';
export const REMOTE_FORWARDS_KEY = 'RemoteForward';
/** ForwardAgent's path form is stored apart from its yes/no (-A/-a override only the latter, as in ssh). */
export const FORWARD_AGENT_PATH_KEY = 'ForwardAgent.path';

/** A forward as stored: JSON, so that identical forwards collapse into one entry (ssh drops duplicates). */
export function encodeForward(spec: ForwardSpec): string {
  return JSON.stringify(spec);
}

export function decodeForward(text: string): ForwardSpec {
  return JSON.parse(text) as ForwardSpec;
}

/** Adds a parsed forward to the store (command line and config share this). */
export function storeForward(store: SettingsStore, type: ForwardType, spec: ForwardSpec): void {
  store.append(type === 'remote' ? REMOTE_FORWARDS_KEY : LOCAL_FORWARDS_KEY, [encodeForward(spec)], true);
}

/** Parses the forwarding and route keywords; undefined for any other kind. */
export function parseForwardSetting(spec: KeywordSpec, queue: string[], fail: Fail, where: Where): Apply | undefined {
  switch (spec.kind) {
    case 'forward':
      return parseForwardKeyword(spec.name, queue, fail);
    case 'proxyJump': {
      const text = (queue.splice(0)[0] ?? '').replace(/^[ \t\r\n=]+/, '');
      if (text === '') throw fail('Missing argument.');
      if (parseJumpList(text) === undefined) throw fail(`Invalid ProxyJump "${text}"`);
      // On the command line (-o) ssh also checks the names (OpenSSH 10.x strict parse_jump).
      const problem = where.file === COMMAND_LINE ? jumpListProblem(text) : undefined;
      if (problem !== undefined) throw new DirectiveError([problem, `${at(where)}: Invalid ProxyJump "${text}"`]);
      // ProxyJump and ProxyCommand compete: whichever is obtained first wins.
      return (store) => {
        if (!store.has('ProxyCommand')) store.setFirst('ProxyJump', text);
      };
    }
    case 'proxyCommand': {
      const command = (queue.splice(0)[0] ?? '').replace(/^[ \t\r\n=]+/, '');
      if (command === '') throw fail('Missing argument.');
      return (store) => {
        const jump = store.string('ProxyJump');
        if (jump === undefined || jump.toLowerCase() === 'none') store.setFirst('ProxyCommand', command);
      };
    }
    case 'forwardAgent': {
      const text = queue.shift();
      if (text === undefined || text === '') throw fail('missing argument.');
      const flag = ({ yes: true, true: true, no: false, false: false } as Record<string, boolean>)[text.toLowerCase()];
      if (flag !== undefined) return (store) => store.setFirst(spec.name, flag);
      if (text.startsWith('$') && !text.startsWith('${') && !/^[A-Za-z0-9_]+$/.test(text.slice(1))) {
        throw fail(`Invalid environment name ${text}.`);
      }
      return (store) => {
        store.setFirst(spec.name, true);
        store.setFirst(FORWARD_AGENT_PATH_KEY, text);
      };
    }
    case 'permitRemoteOpen':
      return parsePermitRemoteOpen(spec.name, queue.splice(0), fail);
    case 'octalMask': {
      const text = queue.shift();
      if (text === undefined || text === '') throw fail(`Missing ${spec.name} argument.`);
      if (!/^[0-7]+$/.test(text) || parseInt(text, 8) > 0o777) throw fail('Bad mask.');
      const mask = parseInt(text, 8);
      // OpenSSH sets this one whatever came before (no first-value-wins).
      return (store) => store.force(spec.name, mask);
    }
    default:
      return undefined;
  }
}

/** LocalForward/RemoteForward take `listen target` as two words; DynamicForward and a target-less RemoteForward one. */
function parseForwardKeyword(name: string, queue: string[], fail: Fail): Apply {
  const first = queue.shift();
  if (first === undefined || first === '') throw fail('Missing argument.');
  const type: ForwardType = name === 'RemoteForward' ? 'remote' : name === 'DynamicForward' ? 'dynamic' : 'local';
  let text = first;
  let dynamic = type === 'dynamic';
  if (!dynamic) {
    const second = queue.shift();
    if (second === undefined || second === '') {
      if (type === 'remote') dynamic = true;
      else throw fail('Missing target argument.');
    } else {
      text = `${first}:${second}`;
    }
  }
  const parsed = parseForwardSpec(text, { dynamic, remote: type === 'remote' });
  if (parsed === undefined) throw fail('Bad forwarding specification.');
  return (store) => storeForward(store, type, parsed);
}

/** `any`, `none`, or `host:port` entries (port may be `*`); only the first directive counts. */
function parsePermitRemoteOpen(name: string, words: string[], fail: Fail): Apply {
  const keyword = name.toLowerCase(); // OpenSSH names it from its (lowercase) keyword table here
  if (words.length === 0) throw fail(`missing ${keyword} specification`);
  words.forEach((word, index) => {
    const lower = word.toLowerCase();
    if (lower === 'any' || lower === 'none') {
      if (index > 0 || words.length > 1) throw fail(`keyword ${keyword} "${word}" argument must appear alone.`);
      return;
    }
    const split = splitHostPort(word);
    if (split === undefined) throw fail(`missing host in ${keyword}`);
    if (split.port !== '*' && (parseForwardPort(split.port) ?? 0) <= 0) throw fail(`bad port number in ${keyword}`);
  });
  return (store) => {
    if (!store.has(name)) store.replaceList(name, words);
  };
}

/**
 * `host:port` or `[v6]:port` (OpenSSH hpdelim: `/` also separates); the host loses its brackets, the
 * port is '' when absent. Undefined when there is no host.
 */
export function splitHostPort(text: string): { host: string; port: string } | undefined {
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    const after = text[close + 1];
    if (close < 0 || (after !== undefined && after !== ':' && after !== '/')) return undefined;
    return { host: text.slice(1, close), port: text.slice(close + 2) };
  }
  const stop = text.search(/[:/]/);
  if (stop === 0 || text === '') return undefined;
  return stop < 0 ? { host: text, port: '' } : { host: text.slice(0, stop), port: text.slice(stop + 1) };
}
