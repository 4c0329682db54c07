import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
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

/** The command's ends (what it reads and writes) and ours, as FIFO descriptors. */
interface ProxyPipes {
  childStdin: number;
  childStdout: number;
  toChild: Writable;
  fromChild: Readable;
}

/**
 * Real pipes for the command's stdin and stdout, as ssh gives it. Node's 'pipe' stdio is a socketpair,
 * which programs can tell apart: `sshd -i` as a ProxyCommand then reports a bogus local address where
 * OpenSSH's regress suite expects "UNKNOWN". Each pipe is a FIFO opened at both ends without blocking
 * (a non-blocking reader first, so the writer's open succeeds), then unlinked.
 */
function makeProxyPipes(): ProxyPipes {
  const { O_RDONLY, O_WRONLY, O_NONBLOCK } = fs.constants;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tssh-proxy-'));
  try {
    const inPath = path.join(dir, 'in');
    const outPath = path.join(dir, 'out');
    execFileSync('mkfifo', ['-m', '600', inPath, outPath]);
    const placeholder = fs.openSync(inPath, O_RDONLY | O_NONBLOCK);
    const toChildFd = fs.openSync(inPath, O_WRONLY | O_NONBLOCK);
    const childStdin = fs.openSync(inPath, O_RDONLY); // a writer exists: does not block, stays blocking for the child
    fs.closeSync(placeholder);
    const fromChildFd = fs.openSync(outPath, O_RDONLY | O_NONBLOCK);
    const childStdout = fs.openSync(outPath, O_WRONLY);
    return {
      childStdin,
      childStdout,
      toChild: new net.Socket({ fd: toChildFd, readable: false, writable: true }),
      fromChild: new net.Socket({ fd: fromChildFd, readable: true, writable: false }),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The command's stdout as what we read and its stdin as where we write. The command going away shows
 * as end-of-file on its stdout (which the transport reports as the connection closing); a write that
 * fails meanwhile (EPIPE) is not a separate error, as for ssh, which ignores SIGPIPE.
 */
class ProxyStream extends Duplex {
  constructor(private readonly stdin: Writable, private readonly stdout: Readable, private readonly hangUp: () => void) {
    super({ allowHalfOpen: true });
    stdout.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) stdout.pause();
    });
    stdout.once('end', () => this.push(null));
    stdout.on('error', () => this.push(null));
    stdin.on('error', () => {});
  }

  override _read(): void {
    this.stdout.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.stdin.destroyed || !this.stdin.writable) return callback();
    this.stdin.write(chunk, () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.stdin.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.hangUp();
    this.stdin.destroy();
    this.stdout.destroy();
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
  let pipes: ProxyPipes;
  try {
    pipes = makeProxyPipes();
  } catch (err) {
    return Promise.reject(new TsshError('CONNECT', `proxy pipes: ${(err as Error).message}`));
  }
  let child: ChildProcess;
  try {
    child = spawn(options.shell, ['-c', `exec ${options.command}`], { stdio: [pipes.childStdin, pipes.childStdout, 'inherit'], env: options.env });
  } finally {
    // The command holds its own copies; ours would keep the pipes from ever reporting end-of-file.
    fs.closeSync(pipes.childStdin);
    fs.closeSync(pipes.childStdout);
  }
  const hangUp = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGHUP');
  };
  return new Promise((resolve, reject) => {
    child.once('error', (err) => {
      pipes.toChild.destroy();
      pipes.fromChild.destroy();
      reject(new TsshError('CONNECT', `${options.shell}: ${err.message}`));
    });
    child.once('spawn', () => {
      // tssh may exit before the stream has closed; the command must not outlive it (nor hold its stderr).
      process.once('exit', hangUp);
      child.once('exit', (code, signal) => {
        process.removeListener('exit', hangUp);
        options.log.debug1(`proxy command exited (${signal ?? `status ${code}`})`);
      });
      resolve(new ProxyStream(pipes.toChild, pipes.fromChild, hangUp));
    });
  });
}
