/**
 * How one client run is measured. Processes that do the whole job (exec, -W) run under GNU time, which
 * reports their CPU (user+sys) and peak RSS; long-lived ones (-N -L, an interactive session) are read
 * from /proc while the bench drives them. Wall time is always the bench's own monotonic clock.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';

export interface Measurement {
  wall: number;
  /** Client CPU seconds, user + system. */
  cpu: number;
  /** Client peak resident set, MiB. */
  rssMb: number;
}

const quote = (a: string): string => `'${a.replace(/'/g, `'\\''`)}'`;

/**
 * Runs `argv` under GNU time with stdin from `stdin` (a shell redirection or a producer pipeline, e.g.
 * `head -c 1G /dev/zero |`) and stdout to /dev/null. Rejects when the client fails. GNU time gives
 * CPU in 10 ms steps; with a plain redirection the shell's `times` (children's CPU, 1 ms steps) is
 * used instead, which also counts GNU time's own ~1 ms. With a pipeline that would count the producer.
 */
export async function timeProcess(argv: string[], stdin: { redirect: string } | { pipeFrom: string }, env: NodeJS.ProcessEnv, timesFile: string, timeoutMs: number): Promise<Measurement> {
  const timed = `/usr/bin/time -f '%U %S %M' -o ${timesFile} ${argv.map(quote).join(' ')} >/dev/null`;
  const script = 'redirect' in stdin ? `${timed} ${stdin.redirect}` : `${stdin.pipeFrom} ${timed}`;
  const started = performance.now();
  const child = spawn('bash', ['-c', `${script}; s=$?; cat ${timesFile} >&2; times >&2; exit $s`], { stdio: ['ignore', 'ignore', 'pipe'], env });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  const wall = (performance.now() - started) / 1000;
  const lines = err.trim().split('\n');
  const [user, sys, rss] = (lines.at(-3) ?? '').split(' ').map(Number);
  if (code !== 0 || rss === undefined || Number.isNaN(rss)) throw new Error(`${argv[0]} failed (status ${code}): ${err.trim().slice(-2000)}`);
  const childrenCpu = shellTimes(lines.at(-1) ?? '');
  return { wall, cpu: 'redirect' in stdin && childrenCpu !== undefined ? childrenCpu : user! + sys!, rssMb: rss / 1024 };
}

/** User + system seconds from a line of bash's `times` ("0m0.076s 0m0.012s"). */
function shellTimes(line: string): number | undefined {
  const parts = [...line.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  return parts.length === 2 ? parts[0]! + parts[1]! : undefined;
}

const CLOCK_TICK = 100; // USER_HZ on Linux

/** CPU seconds (user + system) a live process has used so far. */
export function processCpu(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICK;
}

/** Peak resident set of a live process so far, MiB. */
export function processPeakRss(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

/** True once something listens on 127.0.0.1:port (read from /proc/net/tcp, so nothing connects to it). */
export function isListening(port: number): boolean {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .some((line) => {
      const [, local, , state] = line.trim().split(/\s+/);
      return local?.endsWith(hex) === true && state === '0A';
    });
}

/** Resolves with the first line a child prints (helpers announce their port this way). */
export function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(out.slice(0, nl));
    });
    child.once('exit', (code) => reject(new Error(`helper exited (${code}) before printing a line`)));
  });
}

/** Stops a child by pid and waits for it. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await once(child, 'exit');
  clearTimeout(timer);
}

export async function waitUntil(condition: () => boolean, deadlineMs: number, what: string): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
