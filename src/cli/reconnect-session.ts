/**
 * `tssh --reconnect -N`: the forwards of a -N command, kept up across lost connections
 * (connect/reconnect.ts does the waiting and connecting again). CLI policy lives here: only -N, the
 * signals that end it and its exit status (as plain -N: 0 for SIGTERM, 255 for the others), going to
 * the background for -f once the forwards are up. With -M/-S (ControlMaster and ControlPath) it is a
 * master that heals too: its control socket stays through the gap, clients that come then wait, and
 * every session after a reconnect runs over the new connection. It never joins another master.
 */
import { TsshError } from '../errors.js';
import { connectHost, type ConnectHooks, type Connected } from '../connect/connect.js';
import { Forwarding } from '../connect/forwarding.js';
import { stayConnected } from '../connect/reconnect.js';
import type { HostProfile } from '../profile/resolve.js';
import type { ResolveEnvironment } from '../profile/environment.js';
import { hostname } from 'node:os';
import { channelsText, connectionInfoMessage } from '../connect/connection-info.js';
import { becomesMaster, persistSeconds, shareConnection } from '../connect/sharing.js';
import type { MuxMaster } from '../mux/master.js';
import { notifyBackgroundReady } from './background.js';
import { MasterLifetime, removeSocketOnExit } from './sharing.js';
import { runLocalCommandIfPermitted } from './local-command.js';
import type { CliLogger } from './log.js';
import { watchTerminationSignals } from './signals.js';

/** --reconnect keeps forwards, not a session: a command (or -W) has no sensible "again". Throws a usage error. */
export function checkReconnectUsable(profile: HostProfile): void {
  if (!profile.reconnect) return;
  if (profile.sessionType !== 'none' || profile.stdioForward !== undefined)
    throw new TsshError('USAGE', 'tssh: --reconnect (Reconnect yes) needs -N: it keeps forwards up, and a remote command, shell or -W cannot be resumed');
}

export async function runReconnecting(profile: HostProfile, hooks: ConnectHooks, env: ResolveEnvironment, log: CliLogger): Promise<number> {
  // Its own connection every time (never over another master, which would come and go with it).
  const own: HostProfile = { ...profile, controlMaster: 'no', controlPath: undefined };
  const first = await connectHost(own, hooks);
  try {
    refuseForwardsSwitchedOff(first, own);
  } catch (err) {
    await first.close();
    throw err;
  }
  const forwarding = await Forwarding.start(first.client, first.profile, env, log, own.forkAfterAuthentication).catch(async (err: unknown) => {
    await first.close();
    throw err;
  });
  const stop = new AbortController();
  let current: Connected = first;
  let master: MuxMaster | undefined;
  const lifetime = new MasterLifetime(profile, log);
  if (becomesMaster(profile)) {
    master = await shareConnection(first.client, profile, forwarding, {
      log,
      prompter: hooks.ui.prompter,
      info: (name) =>
        name === 'connection'
          ? connectionInfoMessage(current.client.transport.connectionFacts(), hostname(), process.pid)
          : name === 'channels'
            ? channelsText([...forwarding.listConnections(), ...current.client.connection.describeRelays()])
            : undefined,
      terminate: () => lifetime.terminate(),
      clientsChanged: lifetime.clientsChanged,
      listenerStopped: () => lifetime.listenerStopped(),
    }).catch(async (err: unknown) => {
      forwarding.close();
      await first.close();
      throw err;
    });
    if (master !== undefined) {
      removeSocketOnExit(master);
      // -O exit, -O stop with no client left, or ControlPersist's idle time end it as they end a master.
      if (persistSeconds(profile) !== undefined) lifetime.sessionEnded();
      void lifetime.done.then(() => stop.abort());
    }
  }
  let status = 0;
  const stopWatching = watchTerminationSignals((signal) => {
    log.verbose(`Killed by signal ${signal.number}.`);
    status = signal.name === 'SIGTERM' ? 0 : 255;
    stop.abort();
  }, own.forkAfterAuthentication ? ['SIGHUP'] : []);
  try {
    runLocalCommandIfPermitted(first.profile, env, log);
    if (own.forkAfterAuthentication) notifyBackgroundReady(env.env, log);
    await stayConnected(first, {
      connect: (signal) => connectHost(own, { ...hooks, signal }),
      attach: async (connected) => {
        refuseForwardsSwitchedOff(connected, own);
        await forwarding.reattach(connected.client);
        current = connected;
        master?.replaceConnection(connected.client.connection);
      },
      lost: () => master?.connectionLost(),
      host: own.hostName,
      progname: hooks.progname,
      log,
      signal: stop.signal,
    });
    return status;
  } finally {
    stopWatching();
    lifetime.terminate();
    master?.close();
    forwarding.close();
  }
}

/**
 * StrictHostKeyChecking=no lets ssh go on past a changed key with forwarding switched off; a tunnel
 * that silently lost its forwards is no tunnel, so --reconnect stops instead (first connection or later).
 */
function refuseForwardsSwitchedOff(connected: Connected, profile: HostProfile): void {
  if ((connected.hostKey?.result.disabledFeatures ?? []).length === 0) return;
  throw new TsshError('HOSTKEY', `Host key for ${profile.hostName} has changed; --reconnect does not go on with forwarding disabled.`);
}
