/**
 * tssh in a real pseudo-terminal (node-pty) against a real sshd, driven like a person at a terminal.
 * Every test compares the local terminal's `stty -g` before and after: tssh must always put it back.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSshd, type Sshd } from '../support/sshd.js';
import { LOCAL_PROMPT, PtyShell, shellQuote } from '../support/pty.js';
import { TSSH_BIN } from '../support/run.js';
import { launchTssh, remote, remoteUntil, tsshExit, tsshPid } from '../support/tssh-pty.js';

let server: Sshd;
let noTty: Sshd;
before(async () => {
  [server, noTty] = await Promise.all([startSshd(), startSshd({ extraConfig: ['PermitTTY no'] })]);
});
after(async () => {
  await Promise.all([server?.stop(), noTty?.stop()]);
});

/** Runs `body` with a fresh local shell in a pty and checks the terminal settings survive it. */
async function withTerminal(options: { term?: string; columns?: number; rows?: number }, body: (shell: PtyShell) => Promise<void>): Promise<void> {
  const shell = await PtyShell.start(options);
  try {
    const settings = await shell.sttySettings();
    await body(shell);
    assert.equal(await shell.sttySettings(), settings, 'stty -g after tssh differs from before');
  } finally {
    await shell.close();
  }
}

test('login shell: prompt, a typed command, TERM, window size and resize, exit status', async () => {
  await withTerminal({ term: 'vt220', columns: 100, rows: 30 }, async (shell) => {
    const session = await launchTssh(shell, server);
    await remote(shell, 'echo RAN-$((40+2))', 'RAN-42');
    await remote(shell, 'echo TERM-IS-$TERM', 'TERM-IS-vt220');
    await remote(shell, 'echo SIZE-$(stty size | tr " " x)', 'SIZE-30x100');
    shell.resize(120, 40);
    // SIGWINCH → window-change is asynchronous: ask again until the remote side sees the new size.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const text = await remote(shell, 'echo NOW-$(stty size | tr " " x)', /NOW-\d+x\d+/);
      if (text.includes('NOW-40x120')) break;
      assert.ok(Date.now() < deadline, `the remote size never became 40x120: ${text}`);
    }
    shell.type('exit 3\r');
    const { status, output } = await tsshExit(session);
    assert.equal(status, 3);
    assert.match(output, /Connection to 127\.0\.0\.1 closed\.\r\r\n/);
  });
});

test('Ctrl-C interrupts the remote command and the session lives on; arrow keys arrive as escape sequences', async () => {
  await withTerminal({}, async (shell) => {
    const session = await launchTssh(shell, server);
    await remote(shell, 'echo SLEEPING-$((1+1)); sleep 60; echo NOT-INTERRUPTED-$((9*9))', 'SLEEPING-2');
    shell.type('\x03');
    await remoteUntil(shell, 'echo ALIVE-$((2+3))', 'ALIVE-5');
    assert.ok(!shell.since(session.start).includes('NOT-INTERRUPTED-81'));
    await remote(shell, 'echo READING-$((3+4)); head -c 6 | od -An -tx1', 'READING-7');
    const mark = shell.mark();
    shell.type('\x1b[A\x1b[B\r'); // up, down
    await shell.waitFor('1b 5b 41 1b 5b 42', { after: mark, what: 'the arrow keys as the remote side read them' });
    shell.type('exit\r');
    assert.equal((await tsshExit(session)).status, 0);
  });
});

test("the local terminal's modes reach the remote pty (erase ^H, intr ^G)", async () => {
  const shell = await PtyShell.start();
  try {
    await shell.runLocal('stty erase ^H intr ^G');
    const settings = await shell.sttySettings();
    const session = await launchTssh(shell, server);
    const text = await remote(shell, 'echo MODES-$((1+1)); stty -a | grep -o "intr = [^;]*\\|erase = [^;]*"', /erase = \S+/);
    assert.match(text, /MODES-2[^]*intr = \^G[^]*erase = \^H/);
    // The remote pty now interrupts on ^G.
    await remote(shell, 'echo SLEEPING-$((2+2)); sleep 60', 'SLEEPING-4');
    shell.type('\x07');
    await remoteUntil(shell, 'echo ALIVE-$((3+3))', 'ALIVE-6');
    shell.type('exit\r');
    assert.equal((await tsshExit(session)).status, 0);
    assert.equal(await shell.sttySettings(), settings);
  } finally {
    await shell.close();
  }
});

test('a full-screen program (top) runs and quits cleanly', async () => {
  await withTerminal({ term: 'xterm-256color', columns: 100, rows: 30 }, async (shell) => {
    const session = await launchTssh(shell, server);
    const mark = shell.mark();
    shell.type('top -d 1\r');
    await shell.waitFor(/load average/, { after: mark, what: "top's screen" });
    // top's screen control (home, clear, CR LF from the remote pty) reaches the terminal unchanged:
    // no local output processing turns its line ends into CR CR LF.
    assert.match(shell.since(mark), /\x1b\[H\x1b\[2J/);
    assert.ok(!shell.since(mark).includes('\r\r\n'));
    shell.type('q');
    // top flushes pending input when it restores the terminal, so a line typed too early is lost: retype.
    await remoteUntil(shell, 'echo TOP-DONE-$((1+2))', 'TOP-DONE-3');
    shell.type('exit 0\r');
    assert.equal((await tsshExit(session)).status, 0);
  });
});

test('~? prints ssh help text; ~. disconnects with status 255', async () => {
  await withTerminal({}, async (shell) => {
    const session = await launchTssh(shell, server);
    const mark = shell.mark();
    shell.type('\r~?');
    await shell.waitFor('(Note that escapes are only recognized immediately after newline.)\r\n', { after: mark, what: 'the escape help' });
    assert.ok(shell.since(mark).includes('~?\r\nSupported escape sequences:\r\n ~.   - terminate connection (and any multiplexed sessions)\r\n'));
    shell.type('\r~.');
    const { status, output } = await tsshExit(session);
    assert.equal(status, 255);
    assert.match(output, /Connection to 127\.0\.0\.1 closed\.\r\r\n/);
  });
});

test('~# lists the session channel; ~B ~R ~v ~V work; ~C is disabled by default', async () => {
  await withTerminal({}, async (shell) => {
    const session = await launchTssh(shell, server, ['-o', 'EnableEscapeCommandline=no']);
    const mark = shell.mark();
    shell.type('\r~#');
    await shell.waitFor(/The following connections are open:\r\n {2}#0 client-session \(t4 \[session\] r\d+ nm0 i0\/0 o0\/0/, { after: mark, what: '~# output' });
    shell.type('~B~R~v');
    await shell.waitFor('~B\r\n~v [LogLevel VERBOSE]\r\n', { after: mark, what: '~B and ~v' });
    shell.type('~V~C');
    await shell.waitFor('~V [LogLevel INFO]\r\ncommandline disabled\r\n', { after: mark, what: '~V and ~C' });
    // The rekey really happened: the session still works afterwards.
    await remote(shell, 'echo AFTER-REKEY-$((6*7))', 'AFTER-REKEY-42');
    shell.type('exit 0\r');
    assert.equal((await tsshExit(session)).status, 0);
  });
});

test('~C with EnableEscapeCommandline: the ssh> prompt, help, and forwarding not available yet', async () => {
  await withTerminal({}, async (shell) => {
    const session = await launchTssh(shell, server, ['-o', 'EnableEscapeCommandline=yes', '-e', '%']);
    let mark = shell.mark();
    shell.type('\r%C');
    await shell.waitFor('\r\nssh> ', { after: mark, what: 'the ssh> prompt' });
    shell.type('-h\r');
    await shell.waitFor('      -KD[bind_address:]port                 Cancel dynamic forward\r\n', { after: mark, what: '~C help' });
    mark = shell.mark();
    shell.type('%C-L 8080:localhost:80\r');
    await shell.waitFor(/Port forwarding is not supported by tssh yet\.\r\n|Forwarding port\.\r\n/, { after: mark, what: '~C -L' });
    // With -e %, ~. at the start of a line is ordinary text for the remote shell, not a disconnect.
    await remote(shell, '~.', /command not found/);
    await remote(shell, 'echo STILL-$((8+1))', 'STILL-9');
    shell.type('exit 0\r');
    assert.equal((await tsshExit(session)).status, 0);
  });
});

for (const signal of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) {
  test(`${signal} to tssh ends the session with status 255 and the terminal restored`, async () => {
    await withTerminal({}, async (shell) => {
      const session = await launchTssh(shell, server);
      await remote(shell, 'echo UP-$((2*2))', 'UP-4');
      process.kill(tsshPid(shell), signal);
      assert.equal((await tsshExit(session)).status, 255);
    });
  });
}

test('the remote end goes away: "closed by remote host", status 255', async () => {
  await withTerminal({}, async (shell) => {
    const session = await launchTssh(shell, server);
    shell.type('kill -9 $PPID\r');
    const { status, output } = await tsshExit(session);
    assert.equal(status, 255);
    assert.match(output, /Connection to 127\.0\.0\.1 closed by remote host\.\r\r\nConnection to 127\.0\.0\.1 closed\.\r\r\n/);
  });
});

test('~^Z suspends tssh with the terminal restored; fg resumes the session', async () => {
  await withTerminal({}, async (shell) => {
    const settings = await shell.sttySettings();
    const session = await launchTssh(shell, server, [], { alone: true });
    const mark = shell.mark();
    shell.type('\r~\x1a');
    await shell.waitFor(new RegExp(`~\\^Z \\[suspend ssh\\]\\r\\n[^]*${LOCAL_PROMPT}$`), { after: mark, what: 'tssh to stop' });
    assert.equal(await shell.sttySettings(), settings, 'the terminal is not restored while tssh is suspended');
    shell.type('fg\r');
    await shell.waitForRawMode('tssh to resume in raw mode');
    await remote(shell, 'echo BACK-$((5+5))', 'BACK-10');
    shell.type('exit 4\r');
    await shell.waitFor(new RegExp(`${LOCAL_PROMPT}$`), { after: session.start + 1, what: 'tssh to exit after fg' });
    const rc = await shell.runLocal('echo "RC=$?"');
    assert.match(rc, /RC=4/);
  });
});

test('a server refusing the pty: a login shell carries on without one; -t makes it fatal', async () => {
  await withTerminal({}, async (shell) => {
    const start = shell.mark();
    shell.type(`${launchLine([], noTty)}; echo "TSSH-RC=$?"\r`);
    await shell.waitFor('PTY allocation request failed on channel 0\r\n', { after: start, what: 'the pty refusal' });
    // No remote pty: the local terminal echoes what is typed, the remote shell still runs it.
    await remote(shell, 'echo NO-PTY-$((5*5))', 'NO-PTY-25');
    shell.type('exit 7\r');
    const { status, output } = await tsshExit({ shell, start });
    assert.equal(status, 7);
    assert.match(output, /Connection to 127\.0\.0\.1 closed\.\r\r\n/);
  });
  await withTerminal({}, async (shell) => {
    const start = shell.mark();
    shell.type(`${launchLine(['-t'], noTty)}; echo "TSSH-RC=$?"\r`);
    const { status, output } = await tsshExit({ shell, start });
    assert.equal(status, 255);
    assert.match(output, /PTY allocation request failed on channel 0\r\n/);
  });
});

test('~& says it is backgrounded, ends the remote shell with a fake end-of-file and exits 0', async () => {
  await withTerminal({}, async (shell) => {
    const session = await launchTssh(shell, server);
    await remote(shell, 'echo UP-$((2*2))', 'UP-4');
    const mark = shell.mark();
    shell.type('\r~&');
    await shell.waitFor('~& [backgrounded]\r\n', { after: mark, what: '~& message' });
    assert.equal((await tsshExit(session)).status, 0);
  });
});

test('-N stays connected without a session until SIGTERM, then exits 0', async () => {
  await withTerminal({}, async (shell) => {
    const start = shell.mark();
    shell.type(`${launchLine(['-N', '-v'])}; echo "TSSH-RC=$?"\r`);
    await shell.waitFor('Authenticated to 127.0.0.1', { after: start, what: 'tssh -N to log in' });
    process.kill(tsshPid(shell), 'SIGTERM');
    assert.equal((await tsshExit({ shell, start })).status, 0);
  });
});

/** The tssh command line for the shell, with the server's isolated-client arguments. */
function launchLine(args: string[], target: Sshd = server): string {
  return [TSSH_BIN, ...args, ...target.clientArgs()].map(shellQuote).join(' ');
}
