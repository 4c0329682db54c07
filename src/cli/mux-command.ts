/**
 * `tssh -O check|exit|stop|forward|cancel|conninfo|channels`: one request to the ControlMaster on the
 * ControlPath, with ssh's messages and exit statuses (mux.c muxclient). `-O proxy` joins the master
 * for a session instead, which main.ts does through connectHost.
 */
import fs from 'node:fs';
import { TsshError } from '../errors.js';
import { forwardsOf, muxForwardOf } from '../connect/sharing.js';
import { MuxClient } from '../mux/client.js';
import type { HostProfile } from '../profile/resolve.js';
import type { MuxCommand } from './args.js';
import type { CliLogger } from './log.js';

export async function runMuxCommand(profile: HostProfile, command: Exclude<MuxCommand, 'proxy'>, log: CliLogger): Promise<number> {
  const path = profile.controlPath;
  if (path === undefined) throw new TsshError('CONFIG', 'No ControlPath specified for "-O" command');
  const mux = await MuxClient.connect(path, log, profile.connectTimeout === undefined ? undefined : profile.connectTimeout * 1000);
  try {
    switch (command) {
      case 'check': {
        const pid = await mux.aliveCheck().catch(() => {
          throw new TsshError('CHANNEL', 'muxclient: master alive check failed');
        });
        writeStderr(`Master running (pid=${pid})\r\n`);
        return 0;
      }
      case 'exit':
        await mux.terminate();
        if (log.level !== 'QUIET') writeStderr('Exit request sent.\r\n');
        return 0;
      case 'stop':
        await mux.stopListening();
        if (log.level !== 'QUIET') writeStderr('Stop listening request sent.\r\n');
        return 0;
      case 'conninfo':
      case 'channels': {
        if (!mux.extensions.includes('info')) throw new TsshError('CHANNEL', 'mux server does not support info request');
        process.stdout.write(await mux.info(command === 'conninfo' ? 'connection' : 'channels'));
        return 0;
      }
      case 'forward':
      case 'cancel':
        return await forwardRequests(mux, profile, command === 'cancel', log);
    }
  } finally {
    mux.close();
  }
}

/** Every -L/-R/-D of the command, asked of the master; ssh prints each allocated remote port on stdout. */
async function forwardRequests(mux: MuxClient, profile: HostProfile, cancel: boolean, log: CliLogger): Promise<number> {
  let failed = false;
  for (const [kind, spec] of forwardsOf(profile)) {
    try {
      const port = await mux.forward(muxForwardOf(kind, spec, profile), cancel);
      if (port !== undefined) {
        if (spec.connect.kind === 'tcp') log.verbose(`Allocated port ${port} for remote forward to ${spec.connect.host ?? ''}:${spec.connect.port}`);
        process.stdout.write(`${port}\n`);
      }
    } catch (err) {
      log.error((err as Error).message);
      failed = true;
    }
  }
  if (!failed) return 0;
  // ssh: a failed -O forward is fatal, a failed cancel only an error.
  if (cancel) {
    log.error('mux_client_forwards: master cancel forward request failed');
    return 0;
  }
  throw new TsshError('CHANNEL', 'muxclient: master forward request failed');
}

function writeStderr(text: string): void {
  try {
    fs.writeSync(2, text);
  } catch {
    // stderr closed
  }
}
