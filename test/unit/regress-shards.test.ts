/**
 * The regress shards (test/support/regress.ts) must cover every name of the lists they cut exactly once,
 * and pass everything else through to tssh unchanged, or a sharded script would silently test less.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { shardWrapper } from '../support/regress.js';
import { makeTempDir } from '../support/run.js';
import { queryLines } from '../../src/config/query.js';

const dir = makeTempDir('tssh-shards-');
after(() => rmSync(dir, { recursive: true, force: true }));
/** What the regress client lists: tssh's names that Debian's 9.2 ssh also knows (the suite is 9.2's). */
const listed = (query: string): string[] => {
  const known = new Set(spawnSync('/usr/bin/ssh', ['-Q', query], { encoding: 'utf8' }).stdout.split('\n'));
  return queryLines(query).filter((name) => known.has(name));
};
const list = (wrapper: string, args: string[]): string[] =>
  spawnSync(wrapper, args, { encoding: 'utf8', timeout: 20_000 }).stdout.trimEnd().split('\n').filter((line) => line !== '');

test('shards of the cut -Q lists partition them; other queries and calls pass through', () => {
  const count = 3;
  const wrappers = Array.from({ length: count }, (_, index) => {
    const shardDir = path.join(dir, String(index));
    mkdirSync(shardDir);
    return shardWrapper(shardDir, { queries: ['mac', 'cipher-auth'], index, count });
  });
  for (const query of ['mac', 'cipher-auth']) {
    const shards = wrappers.map((wrapper) => list(wrapper, ['-E/dev/null', '-Q', query]));
    assert.deepEqual(shards.flat().sort(), listed(query).sort(), `-Q ${query}: every name once`);
    assert.ok(shards.every((shard) => shard.length <= Math.ceil(listed(query).length / count)));
  }
  assert.deepEqual(list(wrappers[1]!, ['-E/dev/null', '-Q', 'cipher']), listed('cipher'), 'a query not cut is whole');
  assert.deepEqual(list(wrappers[2]!, ['-Q', 'kex']), listed('kex'), 'a call without the log option is whole');
});
