/**
 * Connection sharing from the library: connect() with a ControlPath joins a running tssh master (the
 * CLI's, started with -M -S -fN) instead of logging in, and 1,000 such clients one after another leave
 * the master with the descriptors and channels it had before them.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { connect } from '../../src/index.js';
import { startSshd, type Sshd } from '../support/sshd.js';
import { isAlive, stopTree } from '../support/processes.js';
import { isolatedEnv, makeTempDir, runClient, TSSH_BIN, waitFor } from '../support/run.js';
import { libraryOptions } from './support.js';

const CLIENTS = 1000;
let sshd: Sshd;
let control: string;
let masterPid: number | undefined;
const env = isolatedEnv(makeTempDir('tssh-lib-sharing-home-'));

before(async () => {
  sshd = await startSshd({ release: '10' });
  control = path.join(makeTempDir('tssh-lib-sharing-'), 'cm');
  const started = await runClient(TSSH_BIN, [...sshd.clientOptions(), '-M', '-S', control, '-f', '-N', sshd.destination], { env, timeoutMs: 60_000 });
  assert.equal(started.code, 0, started.stderr);
  const check = await runClient(TSSH_BIN, [...sshd.clientOptions(), '-S', control, '-O', 'check', sshd.destination], { env });
  masterPid = Number(/pid=(\d+)/.exec(check.stderr)?.[1]);
  assert.ok(masterPid > 0, check.stderr);
});

after(async () => {
  if (masterPid !== undefined && isAlive(masterPid)) await stopTree(masterPid);
  await sshd?.stop();
});

const logins = (): number => (sshd.readLog().match(/Accepted publickey for /g) ?? []).length;
const descriptors = (pid: number): number => readdirSync(`/proc/${pid}/fd`).length;

/** The master's open channels, as `-O channels` lists them (one line per channel after the heading). */
async function masterChannels(): Promise<string[]> {
  const r = await runClient(TSSH_BIN, [...sshd.clientOptions(), '-S', control, '-O', 'channels', sshd.destination], { env });
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.toString().split(/\r?\n/).filter((line) => /^\s+#\d+/.test(line));
}

async function sharedExec(command: string): Promise<{ stdout: string; code: number | null }> {
  const conn = await connect(sshd.destination, libraryOptions(sshd, { options: { ControlPath: control, ControlMaster: 'no' } }));
  try {
    const r = await conn.exec(command);
    return { stdout: r.stdout.toString(), code: r.code };
  } finally {
    await conn.close();
  }
}

test(`connect() joins a tssh master, and ${CLIENTS} clients in a row leak neither descriptors nor channels`, async () => {
  const pid = masterPid!;
  const loginsBefore = logins();
  // A few clients first: whatever the master allocates once (lazily loaded code, buffers) is in place.
  for (let i = 0; i < 5; i++) assert.deepEqual(await sharedExec(`echo warm-${i}`), { stdout: `warm-${i}\n`, code: 0 });
  const fdsBefore = descriptors(pid);
  const channelsBefore = await masterChannels();
  for (let i = 0; i < CLIENTS; i++) {
    const r = await sharedExec(i % 100 === 0 ? `echo ${i}; exit 3` : 'true');
    assert.equal(r.code, i % 100 === 0 ? 3 : 0, `client ${i}`);
    if (i % 100 === 0) assert.equal(r.stdout, `${i}\n`);
  }
  assert.equal(logins(), loginsBefore, 'every client went over the master');
  assert.deepEqual(await masterChannels(), channelsBefore, 'the master holds the channels it held before');
  // The -O channels client was attached while it asked: the master closes its socket when it sees it go.
  // (Fewer is fine: the last warm-up client's socket may still have been closing when they were counted.)
  await waitFor(() => descriptors(pid) <= fdsBefore, 10_000, `the master's descriptors back to ${fdsBefore} (now ${descriptors(pid)})`);
});
