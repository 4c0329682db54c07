/**
 * LocalCommand (after authentication, with PermitLocalCommand): OpenSSH runs it with `$SHELL -c
 * <command>` (or /bin/sh) on tssh's own terminal and stdio, and waits for it.
 */
import { spawnSync } from 'node:child_process';
import { percentExpand } from '../config/tokens.js';
import type { CliLogger } from './log.js';
import { tokensFor, type HostProfile } from '../profile/resolve.js';
import { definedOnly, userShell, type ShellRunResult } from '../profile/match-exec.js';
import { type ResolveEnvironment } from '../profile/environment.js';

/**
 * LocalCommand: run with the terminal and stdio of tssh (sshconnect.c ssh_local_cmd); returns the
 * exit status (which ssh ignores) or 'abnormal'.
 */
export function runLocalCommand(command: string, env: Readonly<Record<string, string | undefined>>): ShellRunResult {
  const result = spawnSync(userShell(env), ['-c', command], { stdio: 'inherit', env: definedOnly(env) });
  if (result.status === null) return 'abnormal';
  return result.status;
}

/**
 * LocalCommand, when PermitLocalCommand allows it: expanded with every connection token and %T (no
 * tunnel device: NONE), then run through the user's shell and waited for (ssh.c ssh_session2).
 */
export function runLocalCommandIfPermitted(options: HostProfile, env: ResolveEnvironment, log: CliLogger): void {
  if (options.localCommand === undefined || !options.permitLocalCommand) return;
  const command = percentExpand(options.localCommand, { ...tokensFor(options, env), T: 'NONE' });
  log.debug3(`Executing ${userShell(env.env)} -c "${command}"`);
  runLocalCommand(command, env.env);
}
