/**
 * Prompts on a real terminal (node-pty): the passphrase and password prompts appear as ssh shows them,
 * on the controlling terminal, with nothing typed echoed; a wrong answer asks again; ^C at a prompt
 * interrupts tssh and leaves the terminal as it found it.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import pty from 'node-pty';
import { startSshd, type Sshd } from '../support/sshd.js';
import { isolatedEnv, makeTempDir, TSSH_BIN, waitFor } from '../support/run.js';
import { createTestUser, testUserSkipReason, type TestUser } from '../support/test-user.js';

const execFileAsync = promisify(execFile);
const PASSPHRASE = 'pty passphrase 42';
let sshd: Sshd;
let dir: string;
let encryptedKey: string;
let user: TestUser | undefined;
const skipPassword = testUserSkipReason();

before(async () => {
  dir = makeTempDir('tssh-auth-pty-');
  encryptedKey = path.join(dir, 'encrypted');
  await execFileAsync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', PASSPHRASE, '-f', encryptedKey]);
  sshd = await startSshd({ extraConfig: skipPassword ? [] : ['UsePAM yes', 'PasswordAuthentication yes'] });
  const { appendFile, readFile } = await import('node:fs/promises');
  await appendFile(path.join(sshd.dir, 'authorized_keys'), await readFile(`${encryptedKey}.pub`));
  if (!skipPassword) user = await createTestUser();
});
after(async () => {
  await sshd?.stop();
  await user?.remove();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Runs `file args` in a fresh pseudo-terminal; answers prompts through `session.type`. */
function inTerminal(file: string, args: string[]) {
  const term = pty.spawn(file, args, { name: 'xterm', cols: 100, rows: 30, cwd: dir, env: isolatedEnv(makeTempDir('tssh-home-')) as Record<string, string> });
  let output = '';
  let exit: { exitCode: number; signal?: number } | undefined;
  term.onData((data) => (output += data));
  term.onExit((e) => (exit = e));
  return {
    output: () => output,
    async waitForText(text: string, from = 0): Promise<number> {
      await waitFor(() => output.indexOf(text, from) >= 0 || exit !== undefined, 30_000, `"${text}" on the terminal`);
      const at = output.indexOf(text, from);
      assert.ok(at >= 0, `expected "${text}", terminal showed:\n${output}`);
      return at + text.length;
    },
    type: (text: string) => term.write(text),
    async exited(): Promise<{ exitCode: number; signal?: number }> {
      try {
        await waitFor(() => exit !== undefined, 30_000, 'the program to exit');
      } finally {
        if (exit === undefined) term.kill('SIGKILL');
      }
      return exit!;
    },
  };
}

function clientArgs(server: Sshd, destination: string, extra: string[]): string[] {
  return [
    ...extra,
    '-p', String(server.port),
    '-o', `UserKnownHostsFile=${server.knownHosts}`,
    '-o', 'GlobalKnownHostsFile=/dev/null',
    '-o', 'StrictHostKeyChecking=yes',
    '-F', '/dev/null',
    destination,
    'echo authenticated',
  ];
}

test('the passphrase prompt on the terminal: no echo, asked again after a wrong answer', async () => {
  const session = inTerminal(TSSH_BIN, clientArgs(sshd, sshd.destination, ['-i', encryptedKey, '-o', 'IdentitiesOnly=yes']));
  const prompt = `Enter passphrase for key '${encryptedKey}': `;
  let at = await session.waitForText(prompt);
  session.type('wrong guess\r');
  at = await session.waitForText(prompt, at);
  session.type(`${PASSPHRASE}\r`);
  await session.waitForText('authenticated', at);
  const exit = await session.exited();
  assert.equal(exit.exitCode, 0, session.output());
  assert.ok(!session.output().includes('wrong guess'), 'typed text is not echoed');
  assert.ok(!session.output().includes(PASSPHRASE));
});

test('^C at a prompt interrupts tssh and leaves the terminal in its normal mode', async () => {
  const tsshCommand = [TSSH_BIN, ...clientArgs(sshd, sshd.destination, ['-i', encryptedKey, '-o', 'IdentitiesOnly=yes'])].map((a) => `'${a}'`).join(' ');
  // The shell survives the ^C (a trap, unlike an ignored signal, is not inherited) and reports the terminal mode.
  const session = inTerminal('/bin/sh', ['-c', `trap 'echo trapped' INT; ${tsshCommand}; echo "status=$?"; stty -a`]);
  await session.waitForText('Enter passphrase for key');
  session.type('half typed\x03');
  const at = await session.waitForText('status=');
  const exit = await session.exited();
  assert.equal(exit.exitCode, 0, session.output());
  const after = session.output().slice(at);
  assert.match(after, /^130/, 'killed by SIGINT, as ssh is');
  assert.match(after, /(^|\s)echo(\s|$)/, 'echo is back on');
  assert.match(after, /(^|\s)icanon(\s|$)/, 'line mode is back on');
  assert.ok(!session.output().includes('half typed'));
});

test('the password prompt on the terminal, as ssh shows it, without echo', { skip: skipPassword }, async () => {
  const session = inTerminal(TSSH_BIN, clientArgs(sshd, `${user!.name}@127.0.0.1`, ['-o', 'PreferredAuthentications=password']));
  const at = await session.waitForText(`${user!.name}@127.0.0.1's password: `);
  session.type(`${user!.password}\r`);
  await session.waitForText('authenticated', at);
  const exit = await session.exited();
  assert.equal(exit.exitCode, 0, session.output());
  assert.ok(!session.output().includes(user!.password), 'the password is not echoed');
});
