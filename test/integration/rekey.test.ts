import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startSshd } from '../support/sshd.js';
import { runClient, TSSH_BIN } from '../support/run.js';

/**
 * Rekeying against a real sshd, started by either side every megabyte in the middle of a transfer.
 * Ciphers whose nonce or MAC depends on the sequence number catch any disagreement about it (strict KEX
 * resets it at every NEWKEYS, not only the first).
 */
const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');
const SIZE = 16 * 1024 * 1024;

for (const cipher of ['chacha20-poly1305@openssh.com', 'aes128-ctr', 'aes256-gcm@openssh.com']) {
  for (const side of ['server', 'client'] as const) {
    test(`${cipher}: ${side}-initiated rekeys every 1 MiB keep 16 MiB down and up intact`, async () => {
      const sshd = await startSshd({ ciphers: cipher, extraConfig: side === 'server' ? ['RekeyLimit 1M'] : [] });
      try {
        const flags = ['-c', cipher, ...(side === 'client' ? ['-o', 'RekeyLimit=1M'] : [])];
        const file = path.join(sshd.dir, 'down.bin');
        const data = randomBytes(SIZE);
        writeFileSync(file, data);
        const down = await runClient(TSSH_BIN, [...flags, ...sshd.clientArgs(), `cat ${file}`], { timeoutMs: 60_000 });
        assert.equal(down.stderr, '');
        assert.equal(sha256(down.stdout), sha256(data));
        const up = await runClient(TSSH_BIN, [...flags, ...sshd.clientArgs(), 'sha256sum'], { input: data, timeoutMs: 60_000 });
        assert.equal(up.stdout.toString().split(' ')[0], sha256(data));
        // sshd's log proves the re-exchanges really happened (one KEXINIT per exchange).
        const exchanges = sshd.readLog().match(/SSH2_MSG_KEXINIT received/g)?.length ?? 0;
        assert.ok(exchanges >= 10, `only ${exchanges} key exchanges seen by sshd`);
      } finally {
        await sshd.stop();
      }
    });
  }
}

test('RekeyLimit with a time limit re-keys an idle-then-busy session', async () => {
  const sshd = await startSshd();
  try {
    const r = await runClient(TSSH_BIN, ['-o', 'RekeyLimit=default 1', ...sshd.clientArgs(), 'sleep 2.5; head -c 1000000 /dev/zero | wc -c'], { timeoutMs: 30_000 });
    assert.equal(r.stdout.toString().trim(), '1000000');
    const exchanges = sshd.readLog().match(/SSH2_MSG_KEXINIT received/g)?.length ?? 0;
    assert.ok(exchanges >= 2, `only ${exchanges} key exchanges seen by sshd`);
  } finally {
    await sshd.stop();
  }
});
