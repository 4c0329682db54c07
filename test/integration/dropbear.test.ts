import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { dropbearSkipReason, startDropbear } from '../support/sshd.js';
import { PQ_WARNING, runClient, TSSH_BIN } from '../support/run.js';

// Dropbear is a second, independent server implementation. It needs root here (it runs in a private
// mount namespace so it never reads the real ~/.ssh); CI runs as root.
const skip = dropbearSkipReason();
const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

// Debian's Dropbear 2022.83 is built without AES-GCM: it offers chacha20-poly1305 and AES-CTR.
for (const cipher of ['chacha20-poly1305@openssh.com', 'aes128-ctr', 'aes256-ctr']) {
  test(`Dropbear with ${cipher}: exit status, stderr and 8 MiB round trip`, { skip }, async () => {
    const server = await startDropbear({ hostKeyTypes: ['ed25519', 'rsa'] });
    try {
      const status = await runClient(TSSH_BIN, ['-c', cipher, ...server.clientArgs(), 'echo out; echo err >&2; exit 5']);
      assert.equal(status.stdout.toString(), 'out\n');
      // Debian's Dropbear has no post-quantum key exchange: OpenSSH 10.x's warning comes first.
      assert.equal(status.stderr, `${PQ_WARNING}err\n`);
      assert.equal(status.code, 5);
      const data = randomBytes(8 * 1024 * 1024);
      const echo = await runClient(TSSH_BIN, ['-c', cipher, ...server.clientArgs(), 'cat'], { input: data, timeoutMs: 60_000 });
      assert.equal(sha256(echo.stdout), sha256(data));
    } finally {
      await server.stop();
    }
  });
}

test('Dropbear with an RSA host key (rsa-sha2-256/512 signatures)', { skip }, async () => {
  const server = await startDropbear({ hostKeyTypes: ['rsa'] });
  try {
    const r = await runClient(TSSH_BIN, ['-o', 'HostKeyAlgorithms=rsa-sha2-512,rsa-sha2-256', ...server.clientArgs(), 'echo ok']);
    assert.equal(r.stdout.toString(), 'ok\n', r.stderr);
  } finally {
    await server.stop();
  }
});
