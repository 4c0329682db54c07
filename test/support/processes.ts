/**
 * Process plumbing shared by the server harnesses: free ports, waiting for a port to speak SSH, and
 * stopping a server together with the per-connection children it forked (sshd's children call
 * setsid(), so a process-group kill would miss them).
 */
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { waitFor } from './run.js';

/** Asks the kernel for a free TCP port on 127.0.0.1 (bind port 0, read it, close). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('could not read the bound port');
  return address.port;
}

/** Resolves true if 127.0.0.1:port accepts a connection and sends an SSH identification line. */
export function speaksSsh(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let received = '';
    const finish = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.on('error', () => finish(false));
    socket.on('close', () => finish(false));
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (received.includes('\n')) finish(received.startsWith('SSH-'));
    });
  });
}

/** True while a process with this pid exists (and is not a zombie). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // A zombie still answers kill(0); its state letter follows the parenthesised command name.
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** All live descendants of `pid`, read from /proc (Linux). */
export function descendantPids(pid: number): number[] {
  const childrenOf = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
    } catch {
      continue; // exited while we were reading
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const parent = Number(fields[1]);
    const list = childrenOf.get(parent) ?? [];
    list.push(Number(entry));
    childrenOf.set(parent, list);
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of childrenOf.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

function signal(pids: number[], name: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, name);
    } catch {
      // already gone
    }
  }
}

/** Synchronous best-effort kill of a server and its children; for process 'exit' handlers. */
export function killTreeNow(pid: number): void {
  signal([...descendantPids(pid), pid], 'SIGKILL');
}

/**
 * Stops a server and everything it forked: SIGTERM, then SIGKILL for whatever is still alive after
 * `graceMs`, then waits until every one of those pids is gone.
 */
export async function stopTree(pid: number, graceMs = 2000): Promise<void> {
  const pids = [...descendantPids(pid), pid];
  signal(pids, 'SIGTERM');
  const allGone = (): boolean => pids.every((p) => !isAlive(p));
  try {
    await waitFor(allGone, graceMs, `pids ${pids.join(',')} to exit after SIGTERM`);
  } catch {
    signal(pids.filter(isAlive), 'SIGKILL');
    await waitFor(allGone, 5000, `pids ${pids.join(',')} to exit after SIGKILL`);
  }
}
