/**
 * Local commands ssh runs through the user's shell: `Match exec` (while reading the configuration)
 * and LocalCommand (after authentication, with PermitLocalCommand). OpenSSH runs them with
 * `$SHELL -c <command>` (or /bin/sh), waits for them, and uses the exit status.
 */
import { splitArguments } from '../text/words.js';
import { accessSync, constants } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { TsshError } from '../errors.js';
import { percentExpand } from '../config/tokens.js';
import type { CliLogger } from './log.js';
import { tokensFor, type ResolvedConfig, type ResolveEnvironment } from './resolve.js';

export type ShellRunResult = number | 'abnormal';

/** $SHELL if set and non-empty, else /bin/sh (OpenSSH's _PATH_BSHELL). */
export function userShell(env: Readonly<Record<string, string | undefined>>): string {
  const shell = env.SHELL;
  return shell !== undefined && shell !== '' ? shell : '/bin/sh';
}

/**
 * `Match exec`: stdin and stdout on /dev/null, stderr shared (readconf.c execute_in_shell). Throws
 * OpenSSH's fatal error when the shell cannot be executed.
 */
export function runMatchExec(command: string, env: Readonly<Record<string, string | undefined>>): ShellRunResult {
  const shell = env.SHELL ?? '/bin/sh';
  try {
    accessSync(shell, constants.X_OK);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'No such file or directory' : 'Permission denied';
    throw new TsshError('CONFIG', `Shell "${shell}" is not executable: ${reason}`);
  }
  const result = spawnSync(shell, ['-c', command], { stdio: ['ignore', 'ignore', 'inherit'], env: definedOnly(env) });
  if (result.status === null) return 'abnormal';
  return result.status;
}

/**
 * LocalCommand: run with the terminal and stdio of tssh (sshconnect.c ssh_local_cmd); returns the
 * exit status (which ssh ignores) or 'abnormal'.
 */
export function runLocalCommand(command: string, env: Readonly<Record<string, string | undefined>>): ShellRunResult {
  const result = spawnSync(userShell(env), ['-c', command], { stdio: 'inherit', env: definedOnly(env) });
  if (result.status === null) return 'abnormal';
  return result.status;
}

function definedOnly(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined) out[name] = value;
  return out;
}

/** Splits a command line into words as OpenSSH's argv_split(s, ..., terminate_on_comment=0) does. */
export function splitCommandLine(text: string): string[] | undefined {
  return splitArguments(text, false);
}

/**
 * LocalCommand, when PermitLocalCommand allows it: expanded with every connection token and %T (no
 * tunnel device: NONE), then run through the user's shell and waited for (ssh.c ssh_session2).
 */
export function runLocalCommandIfPermitted(options: ResolvedConfig, env: ResolveEnvironment, log: CliLogger): void {
  if (options.localCommand === undefined || !options.permitLocalCommand) return;
  const command = percentExpand(options.localCommand, { ...tokensFor(options, env), T: 'NONE' });
  log.debug3(`Executing ${userShell(env.env)} -c "${command}"`);
  runLocalCommand(command, env.env);
}
