/**
 * -f (ForkAfterAuthentication) without fork(2). OpenSSH authenticates in the foreground, then forks
 * and the parent exits. Node cannot fork, so tssh re-runs itself with the same arguments as a child
 * that does all the work, while the foreground process only waits:
 *
 * - the child shares the foreground's terminal and process group, so host-key questions, passphrase
 *   and password prompts (all on /dev/tty) work exactly as without -f; its stdin is /dev/null (-f
 *   implies -n);
 * - with -N (no session) the child's stderr is a pipe the foreground copies to its own stderr until
 *   the child is ready, and its stdout is /dev/null, so nothing holds the caller's pipes open
 *   afterwards (ssh sends both to /dev/null when it forks). With a remote command the child keeps the
 *   real stdout and stderr, which the command's output needs (ssh keeps duplicates of them too);
 * - the child says "ready" on an extra pipe (fd 3, named by TSSH_BACKGROUND_READY_FD) once it is
 *   authenticated and its forwards are up; the foreground then exits 0. If the child exits first, the
 *   foreground exits with its status (255 after an error it has already printed);
 * - once ready the child ignores SIGHUP, standing in for the setsid() in ssh's daemon(3): closing
 *   the terminal does not end the tunnel. (It stays in the terminal's session: `kill <pid>` ends it.)
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import type { CliLogger } from './log.js';

const READY_FD_VARIABLE = 'TSSH_BACKGROUND_READY_FD';

/** True in the child of `tssh -f` (which must not go to the background again). */
export function isBackgroundChild(env: Record<string, string | undefined>): boolean {
  return env[READY_FD_VARIABLE] !== undefined;
}

/** In the child: tells the waiting foreground process that we are up, once. Elsewhere: nothing. */
export function notifyBackgroundReady(env: Record<string, string | undefined>, log: CliLogger): void {
  const fdText = env[READY_FD_VARIABLE];
  if (fdText === undefined) return;
  delete env[READY_FD_VARIABLE];
  delete process.env[READY_FD_VARIABLE]; // not for ProxyCommand, LocalCommand or SendEnv
  log.debug1('forking to background');
  const fd = Number(fdText);
  try {
    fs.writeSync(fd, 'ready\n');
    fs.closeSync(fd);
  } catch {
    // The foreground process is gone already; carry on regardless.
  }
  process.on('SIGHUP', () => log.debug1('Ignoring SIGHUP in the background.'));
}

/**
 * The command line that runs this tssh again with `argv`. Started from a script (bin/tssh.mjs, the tsc
 * output), it is node with the same flags and script. Started from the start-up snapshot, argv[1] is
 * the bin/tssh shim (src/cli/snapshot.ts), which is run itself, so it picks the snapshot again.
 */
function selfCommand(argv: readonly string[]): string[] {
  const script = process.argv[1]!;
  if (process.execArgv.includes('--snapshot-blob')) return [script, ...argv];
  return [process.execPath, ...process.execArgv, script, ...argv];
}

/**
 * The foreground side of -f: starts the child and waits until it is ready (exit 0) or has exited (its
 * status). `argv` are tssh's arguments; `hasSession` is false with -N (see the file comment).
 */
export function runInBackground(argv: readonly string[], hasSession: boolean, extraEnv: Record<string, string> = {}): Promise<number> {
  const [command, ...args] = selfCommand(argv);
  const child = spawn(command!, args, {
    stdio: ['ignore', hasSession ? 'inherit' : 'ignore', hasSession ? 'inherit' : 'pipe', 'pipe'],
    env: { ...process.env, ...extraEnv, [READY_FD_VARIABLE]: '3' },
  });
  const copyStderr = (chunk: Buffer): void => {
    try {
      fs.writeSync(2, chunk);
    } catch {
      // our stderr is gone; the child's messages have nowhere to go
    }
  };
  child.stderr?.on('data', copyStderr);
  return new Promise((resolve) => {
    let settled = false;
    const settle = (status: number): void => {
      if (settled) return;
      settled = true;
      child.stderr?.removeListener('data', copyStderr);
      child.stderr?.destroy();
      (child.stdio[3] as NodeJS.ReadableStream & { destroy(): void }).destroy();
      child.unref();
      resolve(status);
    };
    child.stdio[3]!.on('data', (chunk: Buffer) => {
      if (chunk.toString('latin1').includes('ready')) settle(0);
    });
    // 'close' comes after the child's pipes are drained, so its last words are copied first.
    child.once('close', (code, signal) => settle(code ?? (signal ? 255 : 0)));
    child.once('error', (err) => {
      copyStderr(Buffer.from(`tssh: cannot start the background process: ${err.message}\n`));
      settle(255);
    });
  });
}
