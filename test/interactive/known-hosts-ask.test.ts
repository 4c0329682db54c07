/**
 * StrictHostKeyChecking=ask in a real terminal (node-pty): the question with the SHA256 fingerprint,
 * "Please type 'yes', 'no' or the fingerprint" for anything else, accepting with the fingerprint itself
 * (the key is then recorded), and refusing with "no" (255). The terminal settings survive every case.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startSshd, type Sshd } from '../support/sshd.js';
import { PtyShell, shellQuote, LOCAL_PROMPT } from '../support/pty.js';
import { TSSH_BIN } from '../support/run.js';

let server: Sshd;
before(async () => {
  server = await startSshd();
});
after(async () => {
  await server?.stop();
});

const QUESTION = 'Are you sure you want to continue connecting (yes/no/[fingerprint])? ';

async function askedSession(answers: string[]): Promise<{ status: number; output: string; knownHosts: string }> {
  const knownHosts = path.join(server.dir, `kh-ask-${answers.join('-').replace(/[^a-z]/gi, '')}`);
  writeFileSync(knownHosts, '');
  const shell = await PtyShell.start();
  try {
    const settings = await shell.sttySettings();
    const args = [
      '-F', '/dev/null', '-p', String(server.port), '-i', server.userKey, '-o', 'IdentitiesOnly=yes',
      '-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'GlobalKnownHostsFile=/dev/null', '-o', 'StrictHostKeyChecking=ask',
      server.destination, 'echo CONNECTED-$((6*7))',
    ];
    const start = shell.mark();
    shell.type(`${[TSSH_BIN, ...args].map(shellQuote).join(' ')}; echo "TSSH-RC=$?"\r`);
    let after = start;
    for (const answer of answers) {
      const shown = await shell.waitFor(/\? $|: $/, { after, what: 'a question from tssh' });
      after = start + shown.length;
      shell.type(`${answer}\r`);
    }
    const text = await shell.waitFor(new RegExp(`TSSH-RC=(\\d+)\\r\\n${LOCAL_PROMPT}$`), { after: start, what: 'tssh to exit' });
    assert.equal(await shell.sttySettings(), settings, 'stty -g after tssh differs from before');
    return { status: Number(/TSSH-RC=(\d+)/.exec(text)![1]), output: text, knownHosts: readFileSync(knownHosts, 'utf8') };
  } finally {
    await shell.close();
  }
}

test('ask: the fingerprint question, re-asked until answered with the fingerprint; the key is recorded', async () => {
  const fingerprint = server.hostKeyFingerprints[0]!;
  const { status, output, knownHosts } = await askedSession(['maybe', fingerprint]);
  const name = `[127.0.0.1]:${server.port}`;
  assert.ok(output.includes(`The authenticity of host '${name} (${name})' can't be established.\r\nED25519 key fingerprint is ${fingerprint}.\r\n`), output);
  assert.ok(output.includes(`This key is not known by any other names.\r\n${QUESTION}`), output);
  assert.ok(output.includes("Please type 'yes', 'no' or the fingerprint: "), output);
  assert.ok(output.includes(`Warning: Permanently added '${name}' (ED25519) to the list of known hosts.`), output);
  assert.match(output, /CONNECTED-42/);
  assert.equal(status, 0);
  assert.match(knownHosts, new RegExp(`^\\[127\\.0\\.0\\.1\\]:${server.port} ssh-ed25519 \\S+\\n$`));
});

test('ask: "no" refuses with Host key verification failed and 255, recording nothing', async () => {
  const { status, output, knownHosts } = await askedSession(['no']);
  assert.match(output, /Host key verification failed\.\r\n/);
  assert.doesNotMatch(output, /CONNECTED-42/);
  assert.equal(status, 255);
  assert.equal(knownHosts, '');
});
