/**
 * What the command runs once logged in, with its forwards: the -W stdio forward (exit 0 when it
 * ends), or the session with the forwards alive. With -f, the foreground process is told to exit once
 * everything is up (see background.ts).
 */
import type { SshClient } from '../client.js';
import { Forwarding } from '../connect/forwarding.js';
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
export async function runWithForwarding(
  client: SshClient,
  options: HostProfile,
  env: ResolveEnvironment,
  log: CliLogger,
  runSession: (extras: SessionExtras) => Promise<number>,
): Promise<number> {
  const background = options.forkAfterAuthentication;
  const stdio = options.stdioForward;
  const stdioDone = stdio ? runStdioForward(client.connection, stdio, { stdin: process.stdin, stdout: process.stdout }, log) : undefined;
  stdioDone?.catch(() => {});
  const forwarding = await Forwarding.start(client, options, env, log, background);
  try {
    if (background) notifyBackgroundReady(env.env, log);
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
    forwarding.close();
  }
}
