/** A real ssh-agent for tests: on a private socket in `dir`, stopped by pid when the test ends. */
import { execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { isAlive } from './processes.js';
import { unixSocketAccepts, waitFor } from './run.js';

const execFileAsync = promisify(execFile);
let agents = 0;

export interface TestAgent {
  socket: string;
  /** `ssh-add args...` against this agent; resolves with its stderr. */
  add(...args: string[]): Promise<string>;
  /** `ssh-add -l`'s output. */
  list(): Promise<string>;
}

export async function startAgent(t: { after(fn: () => Promise<void>): void }, dir: string): Promise<TestAgent> {
  const socket = path.join(dir, `agent-${process.pid}-${agents++}.sock`);
  const child = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
  t.after(async () => {
    if (child.pid !== undefined && isAlive(child.pid)) {
      process.kill(child.pid, 'SIGTERM');
      await waitFor(() => !isAlive(child.pid!), 5000, 'ssh-agent to exit');
    }
  });
  await waitFor(() => unixSocketAccepts(socket), 5000, 'the ssh-agent socket');
  const env = { PATH: process.env.PATH, SSH_AUTH_SOCK: socket };
  return {
    socket,
    add: async (...args) => (await execFileAsync('ssh-add', args, { env })).stderr,
    list: async () => (await execFileAsync('ssh-add', ['-l'], { env }).catch((err: { stdout: string }) => err)).stdout,
  };
}
