/**
 * `Match exec` while reading the configuration: OpenSSH runs the command with `$SHELL -c <command>`,
 * stdin and stdout on /dev/null, waits for it and matches on exit status 0.
 */
import { accessSync, constants } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { TsshError } from '../errors.js';

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

/** The environment with unset variables left out, as child processes take it. */
export function definedOnly(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined) out[name] = value;
  return out;
}
