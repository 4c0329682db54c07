import type { SshClient } from '../client.js';
import type { ResolvedConfig, ResolveEnvironment } from './resolve.js';
import type { CliLogger } from './log.js';
import { runExecIo } from './exec-io.js';
import { matchPattern } from '../config/patterns.js';

/**
 * What runs once the user is authenticated: today a remote command or a shell without a terminal,
 * with local stdio attached. Returns tssh's exit status (the remote one, or 255).
 */
export async function runRemoteSession(client: SshClient, options: ResolvedConfig, env: ResolveEnvironment, log: CliLogger): Promise<number> {
  const session = await client.exec(options.command ?? '', environmentToSend(options, env.env));
  const exit = await runExecIo(session, { stdin: options.stdinNull ? undefined : process.stdin, stdout: process.stdout, stderr: process.stderr }, log);
  if (exit.status === undefined && exit.signal) log.debug1(`Remote command killed by signal ${exit.signal.name}`);
  return exit.status ?? 255;
}

/** SetEnv first (sent as given), then local variables matching SendEnv patterns (OpenSSH order). */
export function environmentToSend(options: ResolvedConfig, localEnv: Record<string, string | undefined>): Array<[string, string]> {
  const out: Array<[string, string]> = [...options.setEnv];
  for (const [name, value] of Object.entries(localEnv)) {
    if (value === undefined) continue;
    if (options.sendEnv.some((pattern) => matchPattern(name, pattern))) out.push([name, value]);
  }
  return out;
}
