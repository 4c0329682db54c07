/**
 * Hints when stderr is a terminal (node-pty), without -v: after ssh's line, with "hint:" in colour, and
 * without colour when NO_COLOR is set. Stdout is redirected so only stderr reaches the terminal.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSshd, type Sshd } from '../support/sshd.js';
import { PtyShell, shellQuote } from '../support/pty.js';
import { TSSH_BIN } from '../support/run.js';

let sha1Kex: Sshd;
before(async () => {
  sha1Kex = await startSshd({ kexAlgorithms: 'diffie-hellman-group14-sha1' });
});
after(async () => {
  await sha1Kex?.stop();
});

async function onTerminal(prefix: string): Promise<string> {
  const shell = await PtyShell.start();
  try {
    const mark = shell.mark();
    shell.type(`${prefix}${[TSSH_BIN, ...sha1Kex.clientArgs(), 'true'].map(shellQuote).join(' ')} >/dev/null; echo "TSSH-RC=$?"\r`);
    const shown = await shell.waitFor(/TSSH-RC=\d+/, { after: mark, what: 'tssh to exit' });
    assert.match(shown, /TSSH-RC=255/);
    return shown.replace(/\r\n/g, '\n');
  } finally {
    await shell.close();
  }
}

test('a terminal gets the hints without -v, "hint:" in cyan', async () => {
  const shown = await onTerminal('');
  const first = shown.indexOf('Unable to negotiate with 127.0.0.1');
  const hint = shown.indexOf('  \u001b[36mhint:\u001b[0m to connect anyway: -oKexAlgorithms=+diffie-hellman-group14-sha1 (risk: SHA-1');
  assert.ok(first >= 0 && hint > first, JSON.stringify(shown));
});

test('NO_COLOR: the same hints, no escape sequences', async () => {
  const shown = await onTerminal('NO_COLOR=1 ');
  assert.ok(shown.includes('\n  hint: to connect anyway: -oKexAlgorithms=+diffie-hellman-group14-sha1'), JSON.stringify(shown));
  assert.ok(!shown.includes('\u001b[36m'), JSON.stringify(shown));
});
