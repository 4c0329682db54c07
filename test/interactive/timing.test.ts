/**
 * `--timing` on a terminal (node-pty): a bar per phase, coloured, and without colour under NO_COLOR.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSshd, type Sshd } from '../support/sshd.js';
import { PtyShell, shellQuote } from '../support/pty.js';
import { TSSH_BIN } from '../support/run.js';

let server: Sshd;
before(async () => {
  server = await startSshd();
});
after(async () => {
  await server?.stop();
});

/** The report tssh draws on this terminal for `true`, run with `env` set. */
async function reportOnTerminal(env: NodeJS.ProcessEnv): Promise<string> {
  const shell = await PtyShell.start({ columns: 200, env });
  try {
    const command = [TSSH_BIN, '--timing', ...server.clientArgs(), 'true'].map(shellQuote).join(' ');
    return await shell.runLocal(`${command} </dev/null`);
  } finally {
    await shell.close();
  }
}

const rowOf = (output: string, phase: string): string => output.split('\r\n').find((row) => row.includes(`  ${phase} `) || row.endsWith(`  ${phase}`)) ?? '';

test('on a terminal: a bar per phase, coloured by kind of phase', { timeout: 30_000 }, async () => {
  const output = await reportOnTerminal({});
  const kexWait = rowOf(output, 'kex-wait');
  assert.match(kexWait, /\|\x1b\[35m *█+ *\x1b\[39m\|  kex-wait algorithm=/, 'the key exchange in magenta');
  assert.match(rowOf(output, 'tcp'), /\|\x1b\[36m *█+ *\x1b\[39m\|  tcp address=127\.0\.0\.1/, 'the network in cyan');
  assert.match(rowOf(output, 'exit'), /\|\x1b\[32m *│ *\x1b\[39m\|  exit status=0/, 'an instant is a thin mark');
});

test('NO_COLOR: the same bars, no escape sequences', { timeout: 30_000 }, async () => {
  const output = await reportOnTerminal({ NO_COLOR: '1' });
  assert.match(rowOf(output, 'kex-wait'), /\| *█+ *\|  kex-wait algorithm=/);
  const report = output.slice(output.indexOf('at ms'));
  assert.ok(!/\x1b\[3\dm/.test(report), 'no colour');
});
