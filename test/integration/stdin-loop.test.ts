/**
 * A script that feeds hosts to a loop (`while read h; do tssh host "echo $h"; done < list`) runs the
 * loop once, as with ssh: the command reads the rest of the loop's stdin, every time. ssh is the
 * oracle, run the same way against the same server: a real sshd, and a scripted one whose command
 * ends the moment it starts (its reply, output, exit status and close in one go), where tssh reading
 * stdin only after the exec reply ran the loop 1 to 10 times at random.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startSshd, type Sshd } from '../support/sshd.js';
import { startHostileServer } from '../support/hostile-server.js';
import { runClient, TSSH_BIN } from '../support/run.js';

let sshd: Sshd;
before(async () => {
  sshd = await startSshd();
});
after(async () => {
  await sshd?.stop();
});

const list = (dir: string): string => {
  const file = path.join(dir, 'list');
  writeFileSync(file, Array.from({ length: 10 }, (_, i) => `h${i + 1}\n`).join(''));
  return file;
};

/** How many of 10 runs of the loop with `bin` ran it exactly once (the first command read the rest). */
async function onceIn10(bin: string, args: string[], hosts: string): Promise<number> {
  const quoted = args.map((a) => `'${a}'`).join(' ');
  const loop = `n=0; while read h; do n=$((n+1)); ${bin} ${quoted} "echo $h"; done < '${hosts}'; echo "runs $n"`;
  let once = 0;
  for (let i = 0; i < 10; i++) {
    const r = await runClient('sh', ['-c', loop], { timeoutMs: 60_000 });
    assert.match(r.stdout.toString(), /^h1\n(h\d+\n)*runs \d+\n$/, `${bin}: ${r.stderr}`);
    if (r.stdout.toString() === 'h1\nruns 1\n') once++;
  }
  return once;
}

test('against sshd: the loop runs once with tssh, 10 runs of 10, as with ssh', async () => {
  const hosts = list(sshd.dir);
  // ssh's read of stdin starts at the window sshd grants as it starts the command (a session channel
  // opens with window 0), so a machine under load can very rarely let the command end first.
  assert.ok((await onceIn10('/usr/bin/ssh', sshd.clientArgs(), hosts)) >= 8, 'ssh runs the loop once');
  assert.equal(await onceIn10(TSSH_BIN, sshd.clientArgs(), hosts), 10);
});

test('a command that ends as it starts (reply, output, exit and close in one go): once with tssh, as with ssh', async () => {
  const server = await startHostileServer(async (peer) => {
    const conn = await peer.handshake();
    await conn.authenticate();
    const channel = await conn.acceptSession();
    conn.serveInBackground();
    await channel.finish(`${(channel.command ?? '').replace(/^echo /, '')}\n`, 0);
  });
  try {
    const hosts = list(server.dir);
    for (const bin of ['/usr/bin/ssh', TSSH_BIN]) assert.equal(await onceIn10(bin, server.clientArgs(), hosts), 10, bin);
    assert.deepEqual(server.scriptErrors, []);
  } finally {
    await server.stop();
  }
});
