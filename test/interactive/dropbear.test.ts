/**
 * The interactive session against Dropbear, a second independent server: pty-req with TERM and
 * modes, window-change, Ctrl-C, exit status, ~. and the local terminal restored.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dropbearSkipReason, startDropbear, type Sshd } from '../support/sshd.js';
import { PtyShell } from '../support/pty.js';
import { launchTssh, remote, remoteUntil, tsshExit } from '../support/tssh-pty.js';

// Dropbear needs root here (it runs in a private mount namespace); CI runs as root.
const skip = dropbearSkipReason();
let server: Sshd | undefined;
before(async () => {
  if (skip === undefined) server = await startDropbear();
});
after(async () => {
  await server?.stop();
});

test('Dropbear: login shell, TERM, size and resize, Ctrl-C, exit status, terminal restored', { skip }, async () => {
  const shell = await PtyShell.start({ term: 'vt220', columns: 90, rows: 25 });
  try {
    const settings = await shell.sttySettings();
    const session = await launchTssh(shell, server!);
    await remote(shell, 'echo TERM-IS-$TERM', 'TERM-IS-vt220');
    await remote(shell, 'echo SIZE-$(stty size | tr " " x)', 'SIZE-25x90');
    shell.resize(110, 35);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const text = await remote(shell, 'echo NOW-$(stty size | tr " " x)', /NOW-\d+x\d+/);
      if (text.includes('NOW-35x110')) break;
      assert.ok(Date.now() < deadline, `the remote size never became 35x110: ${text}`);
    }
    // The terminal modes arrived: the remote pty erases with the local erase character and echoes.
    await remote(shell, 'echo ERASE-$(stty -a | grep -o "erase = [^;]*" | tr -d " ")', 'ERASE-erase=^?');
    await remote(shell, 'echo SLEEPING-$((1+1)); sleep 60; echo NOT-INTERRUPTED-$((9*9))', 'SLEEPING-2');
    shell.type('\x03');
    await remoteUntil(shell, 'echo ALIVE-$((2+3))', 'ALIVE-5');
    assert.ok(!shell.since(session.start).includes('NOT-INTERRUPTED-81'));
    shell.type('exit 3\r');
    assert.equal((await tsshExit(session)).status, 3);
    assert.equal(await shell.sttySettings(), settings);
  } finally {
    await shell.close();
  }
});

test('Dropbear: ~. disconnects with status 255 and the terminal restored', { skip }, async () => {
  const shell = await PtyShell.start();
  try {
    const settings = await shell.sttySettings();
    const session = await launchTssh(shell, server!);
    await remote(shell, 'echo UP-$((2*2))', 'UP-4');
    shell.type('\r~.');
    const { status, output } = await tsshExit(session);
    assert.equal(status, 255);
    assert.match(output, /Connection to 127\.0\.0\.1 closed\.\r\r\n/);
    assert.equal(await shell.sttySettings(), settings);
  } finally {
    await shell.close();
  }
});
