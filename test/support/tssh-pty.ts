/**
 * Interactive tssh sessions in a real terminal: launch `tssh [args] destination` from a local shell in
 * node-pty, talk to the remote login shell with computed markers (`echo A-$((1+1))` shows `A-2` only
 * when a shell ran it, so no remote prompt text is assumed), and read tssh's exit status and the local
 * terminal settings afterwards.
 */
import { LOCAL_PROMPT, PtyShell, shellQuote } from './pty.js';
import { TSSH_BIN } from './run.js';
import type { TestServer } from './server.js';

export interface Launched {
  shell: PtyShell;
  /** Output position where the tssh command line was typed. */
  start: number;
}

/**
 * Types `tssh args... destination; echo TSSH-RC=$?` (or tssh alone with `alone`; `bin` runs another
 * client, e.g. OpenSSH's ssh as the oracle) and waits until it put the terminal in raw mode and the
 * remote shell printed something (its prompt).
 */
export async function launchTssh(shell: PtyShell, server: TestServer, args: string[] = [], options: { alone?: boolean; bin?: string } = {}): Promise<Launched> {
  const words = [options.bin ?? TSSH_BIN, ...args, ...server.clientArgs()].map(shellQuote).join(' ');
  const start = shell.mark();
  shell.type(`${words}${options.alone ? '' : '; echo "TSSH-RC=$?"'}\r`);
  await shell.waitForRawMode('tssh to put the terminal in raw mode');
  // The remote login shell greets us with its prompt: some output after our command line's echo.
  const echoed = await shell.waitFor('\n', { after: start, what: 'the echo of the command line' });
  const afterEcho = start + echoed.indexOf('\n') + 1;
  await shell.waitFor(/\S/, { after: afterEcho, what: 'output from the remote login shell (its prompt)' });
  return { shell, start };
}

/** Types a remote command line and waits for `expected` in what follows. */
export async function remote(shell: PtyShell, line: string, expected: string | RegExp, timeoutMs?: number): Promise<string> {
  const mark = shell.mark();
  shell.type(`${line}\r`);
  return shell.waitFor(expected, { after: mark, what: `${String(expected)} after typing ${JSON.stringify(line)}`, ...(timeoutMs ? { timeoutMs } : {}) });
}

/** Like remote(), but types the line again every 2 s until `expected` shows (for input a program may discard). */
export async function remoteUntil(shell: PtyShell, line: string, expected: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await remote(shell, line, expected, 2000);
      return;
    } catch (err) {
      if (Date.now() >= deadline) throw err;
    }
  }
}

/** Waits for `TSSH-RC=<n>` and the local prompt; returns tssh's exit status and its output. */
export async function tsshExit(launched: Launched): Promise<{ status: number; output: string }> {
  const text = await launched.shell.waitFor(new RegExp(`TSSH-RC=(\\d+)\\r\\n${LOCAL_PROMPT}$`), { after: launched.start, what: 'tssh to exit' });
  const status = Number(/TSSH-RC=(\d+)/.exec(text)![1]);
  return { status, output: text };
}

/** The tssh process the shell is running. */
export function tsshPid(shell: PtyShell): number {
  const [pid] = shell.childrenRunning(TSSH_BIN);
  if (pid === undefined) throw new Error('tssh is not running');
  return pid;
}
