import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { Duplex, type Readable, type Writable } from 'node:stream';
import { TsshError } from '../errors.js';
import type { Logger } from '../log.js';

export interface ProxyCommandOptions {
  /** The command with its %-tokens already expanded. */
  command: string;
  /** The user's shell ($SHELL, or /bin/sh). */
  shell: string;
  env: NodeJS.ProcessEnv;
  log: Logger;
}

type ProxyChild = ChildProcessByStdio<Writable, Readable, null>;

/**
 * The command's stdout as what we read and its stdin as where we write. The command going away shows
 * as end-of-file on its stdout (which the transport reports as the connection closing); a write that
 * fails meanwhile (EPIPE) is not a separate error, as for ssh, which ignores SIGPIPE.
 */
class ProxyStream extends Duplex {
  constructor(private readonly child: ProxyChild, private readonly hangUp: () => void) {
    super({ allowHalfOpen: true });
    child.stdout.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) child.stdout.pause();
    });
    child.stdout.once('end', () => this.push(null));
    child.stdout.on('error', () => this.push(null));
    child.stdin.on('error', () => {});
  }

  override _read(): void {
    this.child.stdout.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.child.stdin.destroyed || !this.child.stdin.writable) return callback();
    this.child.stdin.write(chunk, () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.child.stdin.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.hangUp();
    this.child.stdin.destroy();
    this.child.stdout.destroy();
    callback(error);
  }
}

/**
 * ProxyCommand: runs `exec <command>` through the user's shell, as ssh does, and returns its stdin and
 * stdout as one stream for the SSH transport; its stderr stays the user's. Closing the stream, or
 * tssh exiting, hangs the command up (SIGHUP, as ssh_kill_proxy_command does).
 */
export function runProxyCommand(options: ProxyCommandOptions): Promise<Duplex> {
  options.log.debug1(`Executing proxy command: ${options.command.slice(0, 500)}`);
  const child = spawn(options.shell, ['-c', `exec ${options.command}`], { stdio: ['pipe', 'pipe', 'inherit'], env: options.env });
  const hangUp = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGHUP');
  };
  return new Promise((resolve, reject) => {
    child.once('error', (err) => reject(new TsshError('CONNECT', `${options.shell}: ${err.message}`)));
    child.once('spawn', () => {
      // tssh may exit before the stream has closed; the command must not outlive it (nor hold its stderr).
      process.once('exit', hangUp);
      child.once('exit', (code, signal) => {
        process.removeListener('exit', hangUp);
        options.log.debug1(`proxy command exited (${signal ?? `status ${code}`})`);
      });
      resolve(new ProxyStream(child, hangUp));
    });
  });
}
