import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSshd } from '../support/sshd.js';
import { runClient, TSSH_BIN } from '../support/run.js';
import { algorithmTests } from './algorithm-matrix.js';

/** Every kex, cipher, MAC, host key and user key type against OpenSSH 9.2's sshd (algorithm-matrix.ts). */
algorithmTests('9.2');

test('-o KexAlgorithms= restricts what tssh offers', async () => {
  const server = await startSshd({ kexAlgorithms: 'curve25519-sha256' });
  try {
    const result = await runClient(TSSH_BIN, ['-o', 'KexAlgorithms=ecdh-sha2-nistp256', ...server.clientArgs(), 'true']);
    assert.equal(result.code, 255);
    assert.match(result.stderr, /^Unable to negotiate with 127\.0\.0\.1 port \d+: no matching key exchange method found\. Their offer: curve25519-sha256/m);
  } finally {
    await server.stop();
  }
});
