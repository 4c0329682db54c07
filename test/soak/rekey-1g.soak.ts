/**
 * Soak: 1 GiB down and 1 GiB up through tssh against a real sshd, with key re-exchanges started by
 * both sides every megabyte (sshd `RekeyLimit 1M`, tssh `-o RekeyLimit=1M`): over a thousand
 * exchanges each way in the middle of the data. sha256 on both ends, peak RSS of tssh reported.
 * Too slow for `npm test`; run with `npm run soak`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, createHash } from 'node:crypto';
import { startSshd, type Sshd } from '../support/sshd.js';
import { TSSH_BIN } from '../support/run.js';
import { ClientProcess } from '../support/hostile/client-process.js';

const GIB = 1024 * 1024 * 1024;
const KEY = Buffer.alloc(16, 0x42);
const IV = Buffer.alloc(16, 0x24);
const CHUNK = 1024 * 1024;

/** The AES-128-CTR keystream over zeros, in 1 MiB chunks: what `openssl enc -aes-128-ctr` makes of /dev/zero. */
function* keystream(total: number): Generator<Buffer> {
  const cipher = createCipheriv('aes-128-ctr', KEY, IV);
  const zeros = Buffer.alloc(CHUNK);
  for (let sent = 0; sent < total; sent += CHUNK) yield cipher.update(zeros.subarray(0, Math.min(CHUNK, total - sent)));
}

function expectedSha256(total: number): string {
  const hash = createHash('sha256');
  for (const chunk of keystream(total)) hash.update(chunk);
  return hash.digest('hex');
}

function rekeysSeen(sshd: Sshd): number {
  return sshd.readLog().match(/SSH2_MSG_KEXINIT received/g)?.length ?? 0;
}

for (const cipher of ['chacha20-poly1305@openssh.com', 'aes128-gcm@openssh.com']) {
  test(`${cipher}: 1 GiB down and up with rekeys from both sides every 1 MiB`, { timeout: 30 * 60_000 }, async (t) => {
    const sshd = await startSshd({ ciphers: cipher, extraConfig: ['RekeyLimit 1M'] });
    const flags = ['-c', cipher, '-o', 'RekeyLimit=1M'];
    const expected = expectedSha256(GIB);
    try {
      // Down: sshd generates the keystream, tssh's stdout is hashed here.
      const started = Date.now();
      const hash = createHash('sha256');
      const remote = `openssl enc -aes-128-ctr -K ${KEY.toString('hex')} -iv ${IV.toString('hex')} -nosalt -in /dev/zero 2>/dev/null | head -c ${GIB}`;
      const down = new ClientProcess(TSSH_BIN, [...flags, ...sshd.clientArgs(), remote], (chunk) => hash.update(chunk));
      down.child.stdin.end();
      const downExit = await down.exit(20 * 60_000);
      const downSeconds = (Date.now() - started) / 1000;
      assert.deepEqual(downExit, { code: 0, signal: null }, down.stderr);
      assert.equal(down.stdoutBytes, GIB);
      assert.equal(hash.digest('hex'), expected, 'downloaded data differs');
      const afterDown = rekeysSeen(sshd);

      // Up: the keystream is written to tssh's stdin as fast as it takes it; sshd hashes it.
      const upStarted = Date.now();
      let remoteSum = '';
      const up = new ClientProcess(TSSH_BIN, [...flags, ...sshd.clientArgs(), 'sha256sum'], (chunk) => (remoteSum += chunk.toString()));
      for (const chunk of keystream(GIB)) {
        if (!up.child.stdin.write(chunk)) await new Promise((resolve) => up.child.stdin.once('drain', resolve));
      }
      up.child.stdin.end();
      const upExit = await up.exit(20 * 60_000);
      const upSeconds = (Date.now() - upStarted) / 1000;
      assert.deepEqual(upExit, { code: 0, signal: null }, up.stderr);
      assert.equal(remoteSum.split(' ')[0], expected, 'uploaded data differs');
      const total = rekeysSeen(sshd);
      t.diagnostic(
        `${cipher}: down ${downSeconds.toFixed(1)} s (${(1024 / downSeconds).toFixed(0)} MiB/s, peak RSS ${down.peakRssMb()} MB, ${afterDown} key exchanges); ` +
          `up ${upSeconds.toFixed(1)} s (${(1024 / upSeconds).toFixed(0)} MiB/s, peak RSS ${up.peakRssMb()} MB, ${total - afterDown} key exchanges)`,
      );
      assert.ok(afterDown > 1000 && total - afterDown > 1000, `key exchanges: ${afterDown} down, ${total - afterDown} up`);
      assert.ok(down.peakRssMb() < 200 && up.peakRssMb() < 200, 'peak RSS under 200 MB');
    } finally {
      await sshd.stop();
    }
  });
}
