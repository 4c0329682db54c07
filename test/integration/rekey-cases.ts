/**
 * The rekey tests, registered per release by rekey.test.ts (9.2) and rekey-10.test.ts (10.x), one file
 * each so that each stays well inside the per-file time limit.
 *
 * Rekeying against a real sshd, started by either side every megabyte in the middle of a transfer.
 * Ciphers whose nonce or MAC depends on the sequence number catch any disagreement about it (strict KEX
 * resets it at every NEWKEYS, not only the first). Against OpenSSH 9.2 every cipher and side; against
 * 10.x one cipher per side; against both the time limit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startSshd, type OpensshRelease } from '../support/sshd.js';
import { releaseLabel } from '../support/releases.js';
import { runClient, TSSH_BIN } from '../support/run.js';

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');
const SIZE = 16 * 1024 * 1024;

/** Transfers with rekeys every 1 MiB for each cipher and side, then the time limit, against `release`. */
export function rekeyTests(release: OpensshRelease, cases: ReadonlyArray<{ cipher: string; side: 'server' | 'client' }>): void {
  for (const { cipher, side } of cases) {
    test(`${releaseLabel(release)} ${cipher}: ${side}-initiated rekeys every 1 MiB keep 16 MiB down and up intact`, async () => {
      const sshd = await startSshd({ release, ciphers: cipher, extraConfig: side === 'server' ? ['RekeyLimit 1M'] : [] });
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

  test(`${releaseLabel(release)} RekeyLimit with a time limit re-keys an idle-then-busy session`, async () => {
    const sshd = await startSshd({ release });
    try {
      const r = await runClient(TSSH_BIN, ['-o', 'RekeyLimit=default 1', ...sshd.clientArgs(), 'sleep 2.5; head -c 1000000 /dev/zero | wc -c'], { timeoutMs: 30_000 });
      assert.equal(r.stdout.toString().trim(), '1000000');
      const exchanges = sshd.readLog().match(/SSH2_MSG_KEXINIT received/g)?.length ?? 0;
      assert.ok(exchanges >= 2, `only ${exchanges} key exchanges seen by sshd`);
    } finally {
      await sshd.stop();
    }
  });
}
