import { spawn } from 'node:child_process';

/** Where OpenSSH looks when SSH_ASKPASS is unset (Debian's path). */
export const DEFAULT_ASKPASS = '/usr/bin/ssh-askpass';

/** What an askpass program may print: OpenSSH reads at most 1023 bytes. */
const MAX_ANSWER = 1023;

/**
 * Runs an SSH_ASKPASS program with the prompt as its only argument and returns the first line it
 * prints, or undefined when it cannot run or exits unsuccessfully (the user cancelled). `hint` is passed
 * as SSH_ASKPASS_PROMPT ("confirm" for yes/no questions), as OpenSSH does.
 */
export function runAskpass(program: string, prompt: string, env: Record<string, string | undefined>, hint?: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const childEnv: NodeJS.ProcessEnv = { ...env };
    if (hint !== undefined) childEnv.SSH_ASKPASS_PROMPT = hint;
    let child;
    try {
      // stdin is not passed on: it may be carrying the user's data for the remote command.
      child = spawn(program, [prompt], { stdio: ['ignore', 'pipe', 'inherit'], env: childEnv });
    } catch {
      resolve(undefined);
      return;
    }
    const chunks: Buffer[] = [];
    let length = 0;
    child.stdout!.on('data', (chunk: Buffer) => {
      if (length < MAX_ANSWER) chunks.push(chunk.subarray(0, MAX_ANSWER - length));
      length += chunk.length;
    });
    child.on('error', () => resolve(undefined));
    child.on('close', (code) => {
      const output = Buffer.concat(chunks);
      const answer = output.toString('utf8').split(/[\r\n]/, 1)[0] ?? '';
      output.fill(0);
      resolve(code === 0 ? answer : undefined);
    });
  });
}
