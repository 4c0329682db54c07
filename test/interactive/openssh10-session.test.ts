/**
 * Terminal sessions against the OpenSSH 10.x sshd, each compared with the 10.x ssh in the same kind of
 * pseudo-terminal: ObscureKeystrokeTiming (keystrokes on a clock, PING chaff the server answers) and
 * the ~I escape's connection information.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { startSshd, type Sshd } from '../support/sshd.js';
import { PtyShell } from '../support/pty.js';
import { makeTempDir, waitFor } from '../support/run.js';
import { launchTssh, remote, tsshExit } from '../support/tssh-pty.js';
import { openssh10IfBuilt } from '../support/openssh10.js';

const SSH = openssh10IfBuilt('ssh');
const skip = SSH !== undefined ? false : 'no OpenSSH 10.x build (bash test/support/build-openssh.sh)';
let server: Sshd;
let dir: string;
before(async () => {
  if (skip) return;
  dir = makeTempDir('tssh-openssh10-pty-');
  server = await startSshd({ release: '10' });
});
after(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs `body` in a fresh local shell with the client (tssh, or `bin`) logged in; the session then exits. */
async function session(bin: string | undefined, args: string[], body: (shell: PtyShell) => Promise<void>): Promise<void> {
  const shell = await PtyShell.start({});
  try {
    const launched = await launchTssh(shell, server, args, bin === undefined ? {} : { bin });
    await body(shell);
    shell.type('\rexit\r');
    assert.equal((await tsshExit(launched)).status, 0);
  } finally {
    await shell.close();
  }
}

const logOf = (file: string): string => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
};

test('ObscureKeystrokeTiming: typing starts the 20 ms clock, chaff follows and stops, as in ssh -vvv', { skip }, async () => {
  const CHAFF_STOPPED = /debug3: obfuscate_keystroke_timing: stopping: chaff time expired \((\d+) chaff packets sent\)/;
  for (const bin of [undefined, SSH]) {
    const log = path.join(dir, `keystrokes-${bin === undefined ? 'tssh' : 'ssh'}.log`);
    await session(bin, ['-vvv', '-E', log], async (shell) => {
      await remote(shell, 'echo RAN-$((40+2))', 'RAN-42');
      await waitFor(() => CHAFF_STOPPED.test(logOf(log)), 15_000, 'the chaff to stop after typing');
    });
    const text = logOf(log);
    assert.match(text, /debug3: obfuscate_keystroke_timing: starting: interval ~20ms/, bin ?? 'tssh');
    assert.ok(Number(CHAFF_STOPPED.exec(text)![1]) > 0, `${bin ?? 'tssh'}: chaff was sent (the server offers ping@openssh.com)`);
    assert.doesNotMatch(text, /dispatch_protocol_error|UNIMPLEMENTED/, `${bin ?? 'tssh'}: the server took every PING`);
  }
  // Off: no clock, no chaff.
  const off = path.join(dir, 'keystrokes-off.log');
  await session(undefined, ['-vvv', '-E', off, '-o', 'ObscureKeystrokeTiming=no'], async (shell) => {
    await remote(shell, 'echo OFF-$((40+2))', 'OFF-42');
  });
  assert.doesNotMatch(logOf(off), /obfuscate_keystroke_timing/);
});

test('~I shows the connection information in ssh 10.x\'s layout', { skip }, async () => {
  const shapes: string[][] = [];
  for (const bin of [undefined, SSH]) {
    await session(bin, [], async (shell) => {
      await remote(shell, 'echo READY-$((1+1))', 'READY-2');
      const mark = shell.mark();
      shell.type('\r~I');
      const shown = await shell.waitFor(/  traffic .*\r\n/, { after: mark, what: 'the ~I report' });
      // From the echo of ~I to the end of its traffic line: what the remote shell prints after varies.
      const start = shown.indexOf('~I\r\n');
      const block = shown.slice(start, shown.indexOf('\r\n', shown.indexOf('  traffic ', start)));
      // Numbers that differ between runs and clients (pid, ports, counters) become #.
      shapes.push(block.split('\r\n').filter((line) => line !== '').map((line) => line.replace(/\d+(\.\d+)?/g, '#')));
    });
  }
  assert.deepEqual(shapes[0], shapes[1]);
  const [echo, title, tcp, kex] = shapes[0]!;
  assert.equal(echo, '~I');
  assert.match(title!, /^Connection information for \S+ pid #$/);
  assert.match(tcp!, /^  tcp [#.]+:# -> [#.]+:#$/);
  assert.equal(kex, '  kexalgorithm mlkem#x#-sha#');
});
