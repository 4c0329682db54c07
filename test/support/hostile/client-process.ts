/**
 * A client process under observation: started with pipes the test controls (stdout can be left
 * unread to play a stalled consumer), its peak memory sampled from /proc/<pid>/status (VmHWM), and
 * stopped by pid. For tests that must watch a client while it runs, where runClient only reports
 * the end.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { isolatedEnv, makeTempDir } from '../run.js';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class ClientProcess {
  readonly child: ChildProcessWithoutNullStreams;
  stderr = '';
  stdoutBytes = 0;
  private readonly home = makeTempDir('tssh-home-');
  private readonly exitPromise: Promise<Exit>;
  private peakKb = 0;
  private sampler: NodeJS.Timeout;
  private exitedWith: Exit | undefined;

  /** `onStdout` receives output; without it stdout is counted and dropped. `env` adds to isolatedEnv's. */
  constructor(bin: string, args: string[], private readonly onStdout?: (chunk: Buffer) => void, env: NodeJS.ProcessEnv = {}) {
    this.child = spawn(bin, args, { env: { ...isolatedEnv(this.home), ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdin.on('error', () => undefined);
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (text: string) => (this.stderr += text));
    this.child.stdout.on('data', (chunk: Buffer) => {
      this.stdoutBytes += chunk.length;
      this.onStdout?.(chunk);
    });
    this.exitPromise = new Promise((resolve) => {
      this.child.on('close', (code, signal) => {
        clearInterval(this.sampler);
        rmSync(this.home, { recursive: true, force: true });
        this.exitedWith = { code, signal };
        resolve(this.exitedWith);
      });
    });
    this.sampler = setInterval(() => this.sample(), 25);
  }

  get pid(): number {
    return this.child.pid!;
  }

  get exited(): Exit | undefined {
    return this.exitedWith;
  }

  /** Peak resident memory in MB so far (VmHWM is the kernel's own high-water mark). */
  peakRssMb(): number {
    this.sample();
    return Math.round(this.peakKb / 1024);
  }

  private sample(): void {
    try {
      const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.pid}/status`, 'latin1'));
      if (match) this.peakKb = Math.max(this.peakKb, Number(match[1]));
    } catch {
      // exited
    }
  }

  /** Stops reading stdout: the pipe fills and the client's writes block, as with a stalled consumer. */
  stallStdout(): void {
    this.child.stdout.pause();
  }

  resumeStdout(): void {
    this.child.stdout.resume();
  }

  /** Stops reading stderr, as stallStdout does for stdout. */
  stallStderr(): void {
    this.child.stderr.pause();
  }

  resumeStderr(): void {
    this.child.stderr.resume();
  }

  signal(name: NodeJS.Signals): void {
    try {
      process.kill(this.pid, name);
    } catch {
      // already gone
    }
  }

  /** Waits for the exit; kills the process (by pid) and rejects if it takes longer than `ms`. */
  async exit(ms: number): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.signal('SIGKILL');
        reject(new Error(`client pid ${this.pid} still running after ${ms} ms; stderr:\n${this.stderr}`));
      }, ms);
    });
    try {
      return await Promise.race([this.exitPromise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Teardown: SIGKILL if still running, then wait for it. */
  async stop(): Promise<void> {
    if (this.exitedWith) return;
    this.signal('SIGKILL');
    await this.exitPromise;
  }
}
