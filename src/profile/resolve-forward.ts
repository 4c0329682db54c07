/**
 * Reads the forwarding and route options (config/forward-options.ts) out of the settings store, with
 * OpenSSH 10.x's defaults (readconf.c fill_default_options) and the checks ssh.c makes before it
 * connects (or prints -G): socket paths get their %-tokens, -W turns on ExitOnForwardFailure and
 * ClearAllForwardings unless they were set.
 */
import { statSync } from 'node:fs';
import { TsshError } from '../errors.js';
import type { ConfigLog } from '../log.js';
import {
  decodeForward,
  FORWARD_AGENT_PATH_KEY,
  LOCAL_FORWARDS_KEY,
  REMOTE_FORWARDS_KEY,
  type AddressFamily,
  type ForwardSettings,
} from '../config/forward-options.js';
import { parseJumpList, type ForwardEndpoint, type ForwardSpec } from '../config/forward-spec.js';
import type { SettingsStore } from '../config/store.js';
import { STDIO_FORWARD_KEY } from './overrides.js';

export interface ForwardResolveContext {
  /** `~`, %-tokens and `${VAR}` (ForwardAgent paths). */
  expandPath(path: string): string;
  /** %-tokens and `${VAR}` without `~` (forward socket paths, as ssh expands them). */
  expandTokens(text: string): string;
  /** The destination as ssh compares it with the last jump host. */
  destination: { hostName: string; port: number; user: string };
  /** The command-line command, if any (-f needs one unless -N or RemoteCommand). */
  command: string | undefined;
  log: ConfigLog;
}

export function resolveForwardSettings(store: SettingsStore, context: ForwardResolveContext): ForwardSettings {
  const stdio = store.list(STDIO_FORWARD_KEY);
  const stdioForward = stdio.length === 2 ? { host: stdio[0]!, port: Number(stdio[1]) } : undefined;
  const flag = (name: string, fallback: boolean): boolean => store.boolean(name) ?? fallback;
  const clearAllForwardings = flag('ClearAllForwardings', stdioForward !== undefined);
  const exitOnForwardFailure = flag('ExitOnForwardFailure', stdioForward !== undefined);
  const expandSpec = (spec: ForwardSpec): ForwardSpec => ({
    listen: expandEndpoint(spec.listen, context),
    connect: spec.connect.kind === 'socks' ? spec.connect : expandEndpoint(spec.connect, context),
  });
  const forwards = (key: string): ForwardSpec[] => (clearAllForwardings ? [] : store.list(key).map((text) => expandSpec(decodeForward(text))));

  const connectionAttempts = store.number('ConnectionAttempts') ?? 1;
  if (connectionAttempts <= 0) throw new TsshError('CONFIG', 'Invalid number of ConnectionAttempts');

  const forkAfterAuthentication = flag('ForkAfterAuthentication', false);
  const sessionType = store.string('SessionType') ?? 'default';
  const remoteCommand = store.string('RemoteCommand');
  const hasRemoteCommand = remoteCommand !== undefined && remoteCommand.toLowerCase() !== 'none';
  if (forkAfterAuthentication && (context.command ?? '') === '' && !hasRemoteCommand && sessionType !== 'none')
    throw new TsshError('CONFIG', 'Cannot fork into background without a command to execute.');

  const forwardAgentPath = agentPath(store.string(FORWARD_AGENT_PATH_KEY), context, exitOnForwardFailure);
  const serverAliveInterval = store.number('ServerAliveInterval') ?? 0;
  const permitRemoteOpen = [...store.list('PermitRemoteOpen')];

  return {
    localForwards: forwards(LOCAL_FORWARDS_KEY),
    remoteForwards: forwards(REMOTE_FORWARDS_KEY),
    stdioForward,
    exitOnForwardFailure,
    clearAllForwardings,
    gatewayPorts: flag('GatewayPorts', false),
    forwardAgent: flag('ForwardAgent', false),
    forwardAgentPath,
    permitRemoteOpen: permitRemoteOpen.length === 1 && permitRemoteOpen[0]!.toLowerCase() === 'any' ? [] : permitRemoteOpen,
    streamLocalBindMask: store.number('StreamLocalBindMask') ?? 0o177,
    streamLocalBindUnlink: flag('StreamLocalBindUnlink', false),
    forkAfterAuthentication,
    proxyCommand: proxyCommand(store.string('ProxyCommand')),
    proxyJump: proxyJump(store.string('ProxyJump'), context),
    serverAliveInterval: serverAliveInterval > 0 ? serverAliveInterval : 0,
    serverAliveCountMax: store.number('ServerAliveCountMax') ?? 3,
    tcpKeepAlive: flag('TCPKeepAlive', true),
    connectionAttempts,
    bindAddress: store.string('BindAddress'),
    addressFamily: (store.string('AddressFamily') ?? 'any') as AddressFamily,
    reconnect: flag('Reconnect', false),
  };
}

function expandEndpoint(endpoint: ForwardEndpoint, context: ForwardResolveContext): ForwardEndpoint {
  return endpoint.kind === 'unix' ? { kind: 'unix', path: context.expandTokens(endpoint.path) } : endpoint;
}

function proxyCommand(value: string | undefined): string | undefined {
  return value === undefined || value.toLowerCase() === 'none' ? undefined : value;
}

function proxyJump(value: string | undefined, context: ForwardResolveContext): ForwardSettings['proxyJump'] {
  if (value === undefined) return undefined;
  const hops = parseJumpList(value);
  if (hops === undefined || hops === 'none') return undefined;
  const last = hops[hops.length - 1]!;
  const { hostName, port, user } = context.destination;
  if (last.host === hostName && (last.port ?? 22) === port && (last.user ?? user) === user) {
    throw new TsshError('CONFIG', `jumphost loop via ${last.host}`);
  }
  return { hops, text: value.replace(/#.*$/, '').replace(/\s+$/, '') };
}

/**
 * ForwardAgent's socket path, expanded as ssh expands it; ssh complains at once if it does not exist
 * (and gives up when ExitOnForwardFailure is set).
 */
function agentPath(spec: string | undefined, context: ForwardResolveContext, exitOnForwardFailure: boolean): string | undefined {
  if (spec === undefined) return undefined;
  let path = spec;
  try {
    path = context.expandPath(spec);
  } catch {
    // an unset ${VAR}: checked (and reported) as a missing path below
  }
  try {
    statSync(path);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'No such file or directory' : (err as Error).message;
    const message = `Cannot forward agent socket path "${path}": ${reason}`;
    if (exitOnForwardFailure) throw new TsshError('CONFIG', message);
    context.log('ERROR', message);
  }
  return path;
}
