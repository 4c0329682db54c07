/**
 * What the command runs once logged in, with its forwards: the -W stdio forward (exit 0 when it
 * ends), or the session with the forwards alive. With -f, the foreground process is told to exit once
 * everything is up (see background.ts).
 */
import type { SshClient } from '../client.js';
import { Forwarding } from '../connect/forwarding.js';
import { becomesMaster, persistSeconds, shareConnection } from '../connect/sharing.js';
import { channelsText, connectionInfoMessage } from '../connect/connection-info.js';
import { hostname } from 'node:os';
import type { MuxMaster } from '../mux/master.js';
import type { Prompter } from '../prompt.js';
import { MasterLifetime, removeSocketOnExit } from './sharing.js';
import { runStdioForward } from '../forward/stdio.js';
import type { HostProfile } from '../profile/resolve.js';
import type { ResolveEnvironment } from '../profile/environment.js';
import { notifyBackgroundReady } from './background.js';
import type { CliLogger } from './log.js';
import type { SessionExtras } from './session-runner.js';
import { watchTerminationSignals } from './signals.js';

/**
 * Sets up forwarding, then runs what the connection is for: the -W stdio forward (exit 0 when it
 * ends), or the session (`runSession`) with the forwards alive. With -f, the foreground process is
 * told to exit once everything is up (see background.ts).
 */
export interface SharingRole {
  /** The connection runs over another master (it must not become one). */
  joined: boolean;
  /** This process is the background ControlPersist master (no session of its own). */
  persistentMaster: boolean;
  prompter: Prompter;
}

export async function runWithForwarding(
  client: SshClient,
  options: HostProfile,
  env: ResolveEnvironment,
  log: CliLogger,
  runSession: (extras: SessionExtras) => Promise<number>,
  sharing: SharingRole,
): Promise<number> {
  const background = options.forkAfterAuthentication || sharing.persistentMaster;
  const stdio = options.stdioForward;
  const stdioDone = stdio ? runStdioForward(client.connection, stdio, { stdin: process.stdin, stdout: process.stdout }, log) : undefined;
  stdioDone?.catch(() => {});
  const forwarding = await Forwarding.start(client, options, env, log, background);
  const lifetime = new MasterLifetime(options, log);
  let master: MuxMaster | undefined;
  try {
    if (!sharing.joined && becomesMaster(options)) {
      master = await shareConnection(client, options, forwarding, {
        log,
        prompter: sharing.prompter,
        info: (name) => (name === 'connection' ? connectionInfoMessage(client.transport.connectionFacts(), hostname(), process.pid) : name === 'channels' ? channelsText([...forwarding.listConnections(), ...client.connection.describeRelays()]) : undefined),
        terminate: () => lifetime.terminate(),
        clientsChanged: lifetime.clientsChanged,
        listenerStopped: () => lifetime.listenerStopped(),
      });
      if (master !== undefined) removeSocketOnExit(master);
    }
    if (background) notifyBackgroundReady(env.env, log);
    if (master !== undefined) return await runAsMaster(master, lifetime, client, options, sharing, () => runSession({ forwarding, agentForwarding: forwarding.agentForwarding, x11: () => forwarding.x11Request(), background }));
    if (stdioDone !== undefined) {
      let stopWatching = (): void => {};
      const signalled = new Promise<number>((resolve) => {
        stopWatching = watchTerminationSignals((signal) => {
          log.verbose(`Killed by signal ${signal.number}.`);
          resolve(255);
        }, background ? ['SIGHUP'] : []);
      });
      try {
        return await Promise.race([stdioDone.then(() => 0), signalled]);
      } finally {
        stopWatching();
      }
    }
    return await runSession({ forwarding, agentForwarding: forwarding.agentForwarding, x11: () => forwarding.x11Request(), background });
  } finally {
    master?.close();
    forwarding.close();
  }
}

/**
 * A master runs its own session (if any) and serves clients; it ends when its lifetime says so (the
 * session over and no client attached, ControlPersist's idle time, -O exit) or the connection ends.
 */
async function runAsMaster(master: MuxMaster, lifetime: MasterLifetime, client: SshClient, options: HostProfile, sharing: SharingRole, runSession: () => Promise<number>): Promise<number> {
  if (sharing.persistentMaster || (options.sessionType === 'none' && persistSeconds(options) !== undefined)) lifetime.sessionEnded();
  const session = runSession().then((status) => ({ status }));
  const ended = await Promise.race([session, lifetime.done.then(() => undefined)]);
  if (ended !== undefined) {
    lifetime.sessionEnded();
    await Promise.race([lifetime.done, client.closed]);
  }
  master.close();
  client.close();
  return ended?.status ?? (await session.catch(() => ({ status: 255 }))).status;
}
