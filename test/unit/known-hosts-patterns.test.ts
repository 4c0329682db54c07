import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchHostname, matchPattern, matchPatternList } from '../../src/text/patterns.js';

test('matchPattern: * and ? wildcards over the whole string', () => {
  const yes: Array<[string, string]> = [
    ['', ''], ['', '*'], ['abc', 'abc'], ['abc', 'a?c'], ['abc', '*'], ['abc', 'a*'], ['abc', '*c'], ['abc', 'a*c'],
    ['abc', '***'], ['abc', '?*?'], ['a.b.c', '*.*'], ['aaa', 'a*a*a'], ['[h]:22', '[h]:2?'],
  ];
  const no: Array<[string, string]> = [
    ['abc', 'ab'], ['abc', 'abcd'], ['abc', 'a?'], ['', '?'], ['abc', '*d'], ['abc', 'A*'], ['ab', 'a*b*c'], ['aa', 'a*a*a'],
  ];
  for (const [s, p] of yes) assert.equal(matchPattern(s, p), true, `${s} ~ ${p}`);
  for (const [s, p] of no) assert.equal(matchPattern(s, p), false, `${s} !~ ${p}`);
});

test('matchPattern stays fast on hostile patterns', () => {
  const start = process.hrtime.bigint();
  assert.equal(matchPattern('a'.repeat(5000), '*a'.repeat(200) + 'b'), false);
  assert.ok(process.hrtime.bigint() - start < 2_000_000_000n);
});

test('matchPatternList: comma lists and negation', () => {
  assert.equal(matchPatternList('x', 'a,x,b', false), 1);
  assert.equal(matchPatternList('x', 'a,b', false), 0);
  assert.equal(matchPatternList('x', '*,!x', false), -1);
  assert.equal(matchPatternList('x', '!x,*', false), -1);
  assert.equal(matchPatternList('y', '*,!x', false), 1);
  assert.equal(matchPatternList('y', '!x', false), 0); // negation alone never matches
  assert.equal(matchPatternList('', 'a,', false), 0); // a trailing comma is no empty pattern
  assert.equal(matchPatternList('', 'a,,b', false), 1); // an inner empty pattern is
  assert.equal(matchPatternList('x', 'x'.repeat(1023) + ',x', false), 0); // over-long subpattern
});

test('matchHostname is case-insensitive on both sides', () => {
  assert.equal(matchHostname('WWW.Example.COM', '*.example.com'), 1);
  assert.equal(matchHostname('www.example.com', '*.EXAMPLE.com'), 1);
  assert.equal(matchHostname('Bad.example.com', '*.example.com,!BAD.*'), -1);
});
