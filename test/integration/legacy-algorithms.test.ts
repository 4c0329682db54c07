/**
 * Old-server algorithms against OpenSSH 9.2's sshd (see legacy-cases.ts) and Dropbear, and UMAC
 * interoperability. The same cases against sshd 10.x are in legacy-algorithms-10.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dropbearSkipReason, startDropbear } from '../support/sshd.js';
import { runClient, TSSH_BIN } from '../support/run.js';
import { cbcDiscardTests, legacyCaseTests, umacTests } from './legacy-cases.js';

legacyCaseTests('9.2');
umacTests('9.2');
cbcDiscardTests('9.2');

// Dropbear 2022.83 has diffie-hellman-group14-sha1 and ssh-rsa (not CBC or MD5); it cannot be restricted,
// so the client is: tssh and ssh both connect using only the legacy algorithm.
const skip = dropbearSkipReason();
test('Dropbear with only diffie-hellman-group14-sha1, an ssh-rsa host key and an ssh-rsa user signature', { skip }, async () => {
  const server = await startDropbear({ hostKeyTypes: ['rsa'], userKeyTypes: ['rsa'] });
  try {
    const args = server.clientArgs().map((a) => (a === server.userKey ? server.userKeys['rsa']! : a));
    const legacy = ['-oKexAlgorithms=diffie-hellman-group14-sha1', '-oHostKeyAlgorithms=ssh-rsa', '-oPubkeyAcceptedAlgorithms=ssh-rsa'];
    for (const client of [TSSH_BIN, '/usr/bin/ssh']) {
      const r = await runClient(client, ['-v', ...legacy, ...args, 'echo ok']);
      assert.equal(r.stdout.toString(), 'ok\n', r.stderr);
      assert.equal(r.code, 0);
      assert.match(r.stderr, /debug1: kex: algorithm: diffie-hellman-group14-sha1\r?\n/);
      assert.match(r.stderr, /debug1: kex: host key algorithm: ssh-rsa\r?\n/);
      assert.match(r.stderr, /Server accepts key: .*RSA SHA256:/);
    }
  } finally {
    await server.stop();
  }
});
