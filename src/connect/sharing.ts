/**
 * Connection sharing as ssh does it (ControlMaster, ControlPath, ControlPersist): joining an existing
 * master before connecting (ssh's muxclient()), and making a new connection a master
 * (muxserver_listen). Joining uses the master's proxy mode, which both tssh's and OpenSSH's masters
 * (7.4+) offer; -L/-R/-D given to a joining command are set up by the master, as with ssh.
 */
import { unlinkSync } from 'node:fs';
import { SshClient } from '../client.js';
import { TsshError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ForwardSpec, ForwardEndpoint } from '../config/forward-spec.js';
import { ControlSocketError, MuxClient } from '../mux/client.js';
import { MuxMaster } from '../mux/master.js';
import { MUX_FWD, MUX_PORT_STREAMLOCAL, type MuxForward } from '../mux/protocol.js';
import type { HostProfile } from '../profile/resolve.js';
import type { Prompter } from '../prompt.js';
import type { Forwarding } from './forwarding.js';
import type { ForwardKind } from './forwarding-control.js';

/** ControlMaster values that try an existing master first. */
const JOINS = new Set(['no', 'auto', 'autoask']);
/** ControlMaster values that make a new connection a master. */
const SHARES = new Set(['yes', 'ask', 'auto', 'autoask']);

/** Whether this profile would join a master (a ControlPath and a ControlMaster that tries one). */
export function joinsMaster(profile: HostProfile): boolean {
  return profile.controlPath !== undefined && JOINS.has(profile.controlMaster);
}

/** Whether a connection this profile makes should itself become a master. */
export function becomesMaster(profile: HostProfile): boolean {
  return profile.controlPath !== undefined && SHARES.has(profile.controlMaster);
}

/** ControlPersist in seconds; undefined for `no`, Infinity for `yes`. */
export function persistSeconds(profile: HostProfile): number | undefined {
  const value = profile.controlPersist;
  if (value === 'no') return undefined;
  if (value === 'yes') return Infinity;
  const seconds = Number(value);
  return seconds === 0 ? Infinity : seconds;
}

/**
 * ssh's muxclient(): a client over an existing master, or undefined to connect directly (no master,
 * a stale socket, which is removed, or a master that refused). The master sets up the profile's
 * forwards; the returned profile has none left for the caller to start.
 */
export async function joinMaster(profile: HostProfile, log: Logger): Promise<{ client: SshClient; profile: HostProfile } | undefined> {
  const path = profile.controlPath;
  if (path === undefined || !JOINS.has(profile.controlMaster)) return undefined;
  if (profile.controlMaster !== 'no') log.debug1(`auto-mux: Trying existing master at '${path}'`);
  let mux: MuxClient;
  try {
    mux = await MuxClient.connect(path, log, profile.connectTimeout === undefined ? undefined : profile.connectTimeout * 1000);
  } catch (err) {
    if (!(err instanceof ControlSocketError)) {
      if (err instanceof TsshError && err.code === 'CONFIG') throw err; // ControlPath too long
      log.error((err as Error).message);
      return undefined;
    }
    if (err.errno === 'ECONNREFUSED' && profile.controlMaster !== 'no') {
      log.debug1(`Stale control socket ${path.slice(0, 100)}, unlinking`);
      try {
        unlinkSync(path);
      } catch {
        // someone else removed it
      }
    } else if (err.errno === 'ENOENT') {
      log.debug1(`Control socket "${path.slice(0, 100)}" does not exist`);
    } else {
      log.error(err.message);
    }
    return undefined;
  }
  try {
    await mux.aliveCheck();
    for (const [kind, spec] of forwardsOf(profile)) {
      const port = await mux.forward(muxForwardOf(kind, spec, profile), false);
      if (port !== undefined && spec.connect.kind === 'tcp') log.verbose(`Allocated port ${port} for remote forward to ${spec.connect.host ?? ''}:${spec.connect.port}`);
    }
    const transport = await mux.proxy();
    log.debug1(`muxclient: joined the master at ${path} (proxy mode)`);
    return { client: SshClient.overMux(transport, log), profile: { ...profile, localForwards: [], remoteForwards: [] } };
  } catch (err) {
    mux.close();
    log.error(err instanceof TsshError && err.message.startsWith('Master refused') ? err.message : `mux_client_forwards: master forward request failed: ${(err as Error).message}`);
    return undefined;
  }
}

/** The profile's forwards, in the order ssh's mux client requests them (local and dynamic, then remote). */
export function forwardsOf(profile: HostProfile): Array<[ForwardKind, ForwardSpec]> {
  return [
    ...profile.localForwards.map((spec): [ForwardKind, ForwardSpec] => [spec.connect.kind === 'socks' ? 'dynamic' : 'local', spec]),
    ...profile.remoteForwards.map((spec): [ForwardKind, ForwardSpec] => ['remote', spec]),
  ];
}

/** A forward as MUX_C_OPEN_FWD carries it (OpenSSH's mux_client_forward). */
export function muxForwardOf(kind: ForwardKind, spec: ForwardSpec, profile: Pick<HostProfile, 'gatewayPorts'>): MuxForward {
  void profile;
  const type = kind === 'local' ? MUX_FWD.LOCAL : kind === 'remote' ? MUX_FWD.REMOTE : MUX_FWD.DYNAMIC;
  const side = (endpoint: ForwardEndpoint | ForwardSpec['connect']): [string, number] => {
    if (endpoint.kind === 'unix') return [endpoint.path, MUX_PORT_STREAMLOCAL];
    if (endpoint.kind === 'socks') return ['', 0];
    return [endpoint.host ?? '', endpoint.port];
  };
  const [listenHost, listenPort] = side(spec.listen);
  const [connectHost, connectPort] = spec.connect.kind === 'socks' ? ['', 0] : side(spec.connect);
  return { type, listenHost, listenPort, connectHost, connectPort };
}

/** The other way: what a master does with a client's MUX_C_OPEN_FWD. */
export function specOfMuxForward(f: MuxForward): [ForwardKind, ForwardSpec] {
  const endpoint = (host: string, port: number): ForwardEndpoint =>
    port === MUX_PORT_STREAMLOCAL ? { kind: 'unix', path: host } : { kind: 'tcp', host: host === '' ? undefined : host, port };
  const kind: ForwardKind = f.type === MUX_FWD.LOCAL ? 'local' : f.type === MUX_FWD.REMOTE ? 'remote' : 'dynamic';
  const connect: ForwardSpec['connect'] = f.type === MUX_FWD.DYNAMIC || (f.type === MUX_FWD.REMOTE && f.connectHost === '' && f.connectPort === 0) ? { kind: 'socks' } : endpoint(f.connectHost, f.connectPort);
  return [kind, { listen: endpoint(f.listenHost, f.listenPort), connect }];
}

/** OpenSSH's format_forward, for MUX_S_FAILURE reasons. */
function describeForward(kind: ForwardKind, spec: ForwardSpec, gatewayPorts: boolean): string {
  const where = (e: ForwardEndpoint | ForwardSpec['connect'], fallback: string): string =>
    e.kind === 'unix' ? `${e.path}:-2` : e.kind === 'socks' ? '*' : `${e.host ?? fallback}:${e.port}`;
  const local = gatewayPorts ? '*' : 'LOCALHOST';
  if (kind === 'dynamic') return `dynamic forward ${where(spec.listen, local)} -> *`;
  if (kind === 'local') return `local forward ${where(spec.listen, local)} -> ${where(spec.connect, '')}`;
  return `remote forward ${where(spec.listen, 'LOCALHOST')} -> ${where(spec.connect, '')}`;
}

export interface ShareHooks {
  log: Logger;
  prompter: Prompter;
  /** -O conninfo / -O channels. */
  info(name: string): string | undefined;
  /** -O exit. */
  terminate(): void;
  clientsChanged(count: number): void;
  listenerStopped(): void;
}

/**
 * Makes the connection a ControlMaster on the profile's ControlPath (muxserver_listen). Undefined when
 * it is not to be one, or another master already holds the path.
 */
export async function shareConnection(client: SshClient, profile: HostProfile, forwarding: Forwarding, hooks: ShareHooks): Promise<MuxMaster | undefined> {
  const path = profile.controlPath;
  if (path === undefined || !SHARES.has(profile.controlMaster)) return undefined;
  const asks = profile.controlMaster === 'ask' || profile.controlMaster === 'autoask';
  return MuxMaster.listen(path, client.connection, {
    log: hooks.log,
    host: profile.host,
    ...(asks ? { confirm: (prompt: string) => confirmThroughAskpass(hooks.prompter, prompt) } : {}),
    openForward: async (f) => {
      const [kind, spec] = specOfMuxForward(f);
      const result = await forwarding.openForward(kind, spec);
      if (result === false) {
        const what = describeForward(kind, spec, profile.gatewayPorts);
        throw new TsshError('CHANNEL', kind === 'remote' ? `remote port forwarding failed for listen port ${spec.listen.kind === 'tcp' ? spec.listen.port : -2}` : `Port forwarding failed for ${what}`);
      }
      return result;
    },
    closeForward: async (f) => {
      const [kind, spec] = specOfMuxForward(f);
      if (!(await forwarding.closeForward(kind, spec.listen))) throw new TsshError('CHANNEL', `port not forwarded`);
    },
    info: hooks.info,
    terminate: hooks.terminate,
    clientsChanged: hooks.clientsChanged,
    listenerStopped: hooks.listenerStopped,
  });
}

/** ControlMaster ask: OpenSSH's ask_permission, answered only through SSH_ASKPASS ("yes" or empty allows). */
async function confirmThroughAskpass(prompter: Prompter, prompt: string): Promise<boolean> {
  const answer = await prompter.ask(prompt, { echo: false, allowEof: true, askpassOnly: { hint: 'confirm' }, purpose: { kind: 'mux-confirm' } });
  return answer !== undefined && (answer === '' || answer.toLowerCase() === 'yes');
}
