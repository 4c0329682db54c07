import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Inbox } from '../../src/auth/inbox.js';
import { TsshError } from '../../src/errors.js';

const settled = async (p: Promise<void> | undefined): Promise<boolean> => {
  if (p === undefined) return true;
  let done = false;
  void p.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
};

test('a full inbox asks for no more input until its reader takes some', async () => {
  const inbox = new Inbox();
  const small = Buffer.from([53, 0, 0, 0, 0]);
  const answers = Array.from({ length: 40 }, (_, i) => inbox.push(small, i));
  assert.ok(answers.slice(0, 31).every((a) => a === undefined), 'room for 31 messages');
  const full = answers[31];
  assert.ok(full instanceof Promise, 'the 32nd asks to wait');
  assert.equal(await settled(full), false);
  await inbox.next();
  assert.equal(await settled(full), false, 'still full: 39 queued');
  for (let i = 0; i < 8; i++) await inbox.next();
  assert.equal(await settled(full), true, 'below the limit again');
  assert.deepEqual(inbox.drain().map((r) => r.seq), Array.from({ length: 31 }, (_, i) => i + 9));
});

test('a quarter MiB queued is full too; draining or failing the inbox lets input go on', async () => {
  const big = Buffer.alloc(128 * 1024, 53);
  const inbox = new Inbox();
  assert.equal(inbox.push(big), undefined);
  const full = inbox.push(big);
  assert.ok(full instanceof Promise);
  inbox.drain();
  assert.equal(await settled(full), true);
  inbox.push(big);
  const again = inbox.push(big);
  inbox.fail(new TsshError('CONNECTION_CLOSED', 'gone'));
  assert.equal(await settled(again), true);
});

test('a waiting reader takes a message at once, without queueing it', async () => {
  const inbox = new Inbox();
  const next = inbox.next();
  assert.equal(inbox.push(Buffer.from([52])), undefined);
  assert.deepEqual(await next, Buffer.from([52]));
  assert.deepEqual(inbox.drain(), []);
});
