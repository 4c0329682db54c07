/**
 * `tssh --reconnect -N`: the forwards of a -N command, kept up across lost connections
 * (connect/reconnect.ts does the waiting and connecting again). CLI policy lives here: only -N,
 * no connection sharing, the signals that end it and its exit status (as plain -N: 0 for SIGTERM,
 * 255 for the others), going to the background for -f once the forwards are up.
 */
import { TsshError } from '../errors.js';
import { connectHost, type ConnectHooks, type Connected } from '../connect/connect.js';
import { Forwarding } from '../connect/forwarding.js';
import { stayConnected } from '../connect/reconnect.js';
import type { HostProfile } from '../profile/resolve.js';
import type { ResolveEnvironment } from '../profile/environment.js';
import { notifyBackgroundReady } from './background.js';
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
  // Its own connection every time: a master it joined or served would come and go with it.
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
      },
      host: own.hostName,
      progname: hooks.progname,
      log,
      signal: stop.signal,
    });
    return status;
  } finally {
    stopWatching();
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
