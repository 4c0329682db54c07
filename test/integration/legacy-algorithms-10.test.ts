/**
 * Old-server algorithms against OpenSSH 10.x's sshd, compared with 10.x's ssh (see legacy-cases.ts), and
 * UMAC interoperability with 10.x. A name of OpenSSH 10.5 that this 10.x server lacks is
 * offered and passed over in negotiation, as any other.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSshd } from '../support/sshd.js';
import { runClient, TSSH_BIN } from '../support/run.js';
import { legacyCaseTests, umacTests } from './legacy-cases.js';

legacyCaseTests('10');
umacTests('10');

test('a name only OpenSSH 10.5 has is offered; a 10.x server without it negotiates the next', async () => {
  const sshd = await startSshd({ release: '10', kexAlgorithms: 'curve25519-sha256' });
  try {
    const r = await runClient(TSSH_BIN, ['-v', '-oKexAlgorithms=mlkem768nistp256-sha256,curve25519-sha256', ...sshd.clientArgs(), 'echo ok']);
    assert.equal(r.stdout.toString(), 'ok\n', r.stderr);
    assert.equal(r.code, 0);
    assert.doesNotMatch(r.stderr, /skipping/);
    assert.match(r.stderr, /^debug1: kex: algorithm: curve25519-sha256$/m);
  } finally {
    await sshd.stop();
  }
});
