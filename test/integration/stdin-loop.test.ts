/**
 * A script that feeds hosts to a loop (`while read h; do tssh host "echo $h"; done < list`) runs the
 * loop once, as with ssh: the command reads the rest of the loop's stdin, every time. ssh is the
 * oracle, run the same way against the same sshd.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startSshd, type Sshd } from '../support/sshd.js';
import { runClient, TSSH_BIN } from '../support/run.js';

let sshd: Sshd;
before(async () => {
  sshd = await startSshd();
});
after(async () => {
  await sshd?.stop();
});

test('`while read h; do tssh host "echo $h"; done < list` runs once, as with ssh: the command reads the rest of stdin (10 runs each)', async () => {
  const list = path.join(sshd.dir, 'list');
  writeFileSync(list, Array.from({ length: 10 }, (_, i) => `h${i + 1}\n`).join(''));
  const args = sshd.clientArgs().map((a) => `'${a}'`).join(' ');
  const loop = (bin: string): string => `n=0; while read h; do n=$((n+1)); ${bin} ${args} "echo $h"; done < '${list}'; echo "runs $n"`;
  const onceIn10 = async (bin: string): Promise<number> => {
    let once = 0;
    for (let i = 0; i < 10; i++) {
      const r = await runClient('sh', ['-c', loop(bin)], { timeoutMs: 60_000 });
      assert.match(r.stdout.toString(), /^h1\n(h\d+\n)*runs \d+\n$/, `${bin}: ${r.stderr}`);
      if (r.stdout.toString() === 'h1\nruns 1\n') once++;
    }
    return once;
  };
  // ssh's read of stdin starts at the window sshd grants as it starts the command (a session channel
  // opens with window 0), so a machine under load can very rarely let the command end first.
  assert.ok((await onceIn10('/usr/bin/ssh')) >= 8, 'ssh runs the loop once');
  assert.equal(await onceIn10(TSSH_BIN), 10);
});
