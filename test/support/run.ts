/**
 * Running a client binary (tssh or OpenSSH's ssh) under test: a deadline on every run, an environment
 * that cannot reach the real ~/.ssh or an agent, and a polling helper instead of sleeps.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';

/** Repository root: this file compiles to <root>/<outDir>/test/support/run.js. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Absolute path of the tssh launcher. */
export const TSSH_BIN = path.join(REPO_ROOT, 'bin', 'tssh');

/**
 * What OpenSSH 10.x (and tssh) print when the server picks a key exchange that is not post-quantum
 * although KexAlgorithms was left at its default (WarnWeakCrypto).
 */
export const PQ_WARNING = [
  '** WARNING: connection is not using a post-quantum key exchange algorithm.',
  '** This session may be vulnerable to "store now, decrypt later" attacks.',
  '** The server may need to be upgraded. See https://openssh.com/pq.html',
  '',
].join('\n');

export interface ClientResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
  /** stderr as the bytes written (for byte-for-byte comparisons). */
  stderrBytes: Buffer;
}

export interface RunOptions {
  /** Written to the client's stdin, which is then closed. Without it stdin is closed at once... */
  input?: Buffer | string;
  /** ...unless this is set: then stdin stays open (and empty) until the client exits. */
  keepStdinOpen?: boolean;
  /** Default 20 s. On expiry the client is killed by pid and the promise rejects. */
  timeoutMs?: number;
  /** Default: isolatedEnv() with a fresh temp HOME. */
  env?: NodeJS.ProcessEnv;
}

/** Runs `bin args...` to completion and collects its output. */
export function runClient(bin: string, args: string[], opts: RunOptions = {}): Promise<ClientResult> {
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const tempHome = opts.env === undefined ? makeTempDir('tssh-home-') : undefined;
  const env = opts.env ?? isolatedEnv(tempHome!);
  const removeTempHome = (): void => {
    if (tempHome !== undefined) rmSync(tempHome, { recursive: true, force: true });
  };
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) {
        try {
          process.kill(child.pid, 'SIGKILL');
        } catch {
          // exited in the meantime
        }
      }
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    // The client may exit without reading all of its input; that is its business, not an error here.
    child.stdin.on('error', () => undefined);
    if (!opts.keepStdinOpen) child.stdin.end(opts.input);
    child.on('error', (err) => {
      clearTimeout(timer);
      removeTempHome();
      reject(new Error(`could not start ${bin}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      removeTempHome();
      if (timedOut) {
        reject(
          new Error(`${bin} ${args.join(' ')} did not finish within ${timeoutMs} ms (killed pid ${child.pid}); stderr:\n${Buffer.concat(stderr).toString('utf8')}`),
        );
        return;
      }
      const stderrBytes = Buffer.concat(stderr);
      resolve({ code, signal, stdout: Buffer.concat(stdout), stderr: stderrBytes.toString('utf8'), stderrBytes });
    });
  });
}

/** A private temp directory (mode 0700); the caller removes it. */
export function makeTempDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/**
 * The current environment without agent variables and with HOME pointing at `home`, so a client under
 * test finds no ~/.ssh/config, known_hosts, keys or agent of the real user.
 */
export function isolatedEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, ...extra };
  delete env.SSH_AUTH_SOCK;
  delete env.SSH_AGENT_PID;
  delete env.SSH_ASKPASS;
  delete env.DISPLAY;
  delete env.XAUTHORITY;
  return env;
}

/**
 * Whether something accepts connections on the Unix socket at `socketPath`. The file appears when the
 * server binds, a moment before it listens (ssh-agent), so existsSync alone races with connect.
 */
export function unixSocketAccepts(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(socketPath);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

/**
 * Polls `condition` until it holds or `deadlineMs` passes; rejects naming `what` on expiry.
 * A condition that throws fails the wait at once.
 */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  deadlineMs: number,
  what: string,
  intervalMs = 10,
): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() >= deadline) throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
