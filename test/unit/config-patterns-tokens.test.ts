import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  filterAllowed,
  filterDenied,
  matchHostname,
  matchPattern,
  matchPatternList,
} from '../../src/text/patterns.js';
import {
  connectionHash,
  connectionTokens,
  dollarExpand,
  percentDollarExpand,
  percentExpand,
  tildeExpand,
} from '../../src/config/tokens.js';
import { TsshError } from '../../src/errors.js';

test('matchPattern: * and ? wildcards, anchored, case-sensitive', () => {
  const cases: Array<[string, string, boolean]> = [
    ['host', 'host', true],
    ['host', 'HOST', false],
    ['host.example.com', '*.example.com', true],
    ['example.com', '*.example.com', false],
    ['a', '?', true],
    ['', '?', false],
    ['', '*', true],
    ['', '', true],
    ['abc', '', false],
    ['abc', 'a*c', true],
    ['abc', 'a*b', false],
    ['abcbc', 'a*bc', true],
    ['aXbYc', 'a*b*c', true],
    ['192.168.0.1', '192.168.?.*', true],
    ['mississippi', '*sip*', true],
    ['mississippi', 'm*s*s*p*i', true],
    ['mississippi', 'm*x*', false],
  ];
  for (const [text, pattern, expected] of cases) assert.equal(matchPattern(text, pattern), expected, `${text} ~ ${pattern}`);
});

test('matchPattern does not blow up on many stars', () => {
  const text = 'a'.repeat(2000);
  const started = process.hrtime.bigint();
  assert.equal(matchPattern(text, `${'*a'.repeat(50)}b`), false);
  assert.ok(process.hrtime.bigint() - started < 1_000_000_000n);
});

test('matchPatternList: comma lists, negation wins, negation alone never matches', () => {
  assert.equal(matchPatternList('foo', 'bar,foo'), 1);
  assert.equal(matchPatternList('foo', 'bar,baz'), 0);
  assert.equal(matchPatternList('foo', '*,!foo'), -1);
  assert.equal(matchPatternList('foo', '!foo,*'), -1);
  assert.equal(matchPatternList('bar', '!foo'), 0);
  assert.equal(matchPatternList('bar', '!foo,*'), 1);
  assert.equal(matchPatternList('FOO', 'foo'), 0);
  assert.equal(matchPatternList('foo', 'FOO', true), 1);
  // Entries of 1023 characters or more make the whole list fail, as in OpenSSH.
  assert.equal(matchPatternList('foo', `foo,${'x'.repeat(1023)}`), 0);
  assert.equal(matchPatternList('foo', `foo,${'x'.repeat(1022)}`), 1);
});

test('matchHostname lowercases the host and the patterns', () => {
  assert.equal(matchHostname('Server.Example.COM', '*.example.com'), 1);
  assert.equal(matchHostname('server', 'SERVER'), 1);
  assert.equal(matchHostname('Server', '!server,*'), -1);
});

test('allow/deny filters keep the list order', () => {
  const names = ['aes128-ctr', 'chacha20-poly1305@openssh.com', 'aes256-gcm@openssh.com'];
  assert.deepEqual(filterAllowed(names, 'aes*'), ['aes128-ctr', 'aes256-gcm@openssh.com']);
  assert.deepEqual(filterDenied(names, 'aes*'), ['chacha20-poly1305@openssh.com']);
  assert.deepEqual(filterDenied(names, 'x,*gcm*'), ['aes128-ctr', 'chacha20-poly1305@openssh.com']);
});

const source = {
  hostName: 'real.example.com',
  originalHost: 'alias',
  port: 2222,
  remoteUser: 'bob',
  localUser: 'alice',
  home: '/home/alice',
  uid: 1000,
  localHostname: 'box.lan.example',
  jumpHost: '',
};

test('connection tokens: every letter, %C is SHA-1 of %l%h%p%r%j', () => {
  const tokens = connectionTokens(source);
  const expectedHash = createHash('sha1').update('box.lan.examplereal.example.com2222bob').digest('hex');
  assert.equal(connectionHash('box.lan.example', 'real.example.com', '2222', 'bob', ''), expectedHash);
  assert.equal(
    percentExpand('%%|%C|%d|%h|%i|%j|%k|%L|%l|%n|%p|%r|%u', tokens),
    `%|${expectedHash}|/home/alice|real.example.com|1000||alias|box|box.lan.example|alias|2222|bob|alice`,
  );
  assert.equal(connectionTokens({ ...source, hostKeyAlias: 'hka' }).k, 'hka');
  // OpenSSH 10.x hashes the jump host too: %C changes with it, and %j is the last hop's host.
  const jumped = connectionTokens({ ...source, jumpHost: 'bastion' });
  assert.equal(jumped.j, 'bastion');
  assert.equal(jumped.C, createHash('sha1').update('box.lan.examplereal.example.com2222bobbastion').digest('hex'));
});

test('percentExpand rejects unknown tokens and a trailing %', () => {
  const isConfigError = (text: string) => (err: unknown) =>
    err instanceof TsshError && err.code === 'CONFIG' && err.message === text;
  // ssh's two lines: what vdollar_percent_expand() found, then which caller failed.
  assert.throws(() => percentExpand('%z', { h: 'x' }), isConfigError('vdollar_percent_expand: unknown key %z\npercent_expand: failed'));
  assert.throws(() => percentExpand('abc%', { h: 'x' }), isConfigError('vdollar_percent_expand: invalid format\npercent_expand: failed'));
  assert.throws(() => percentDollarExpand('%z', { h: 'x' }, {}), isConfigError('vdollar_percent_expand: unknown key %z\npercent_dollar_expand: failed'));
  assert.equal(percentExpand('%h.%%h', { h: 'x' }), 'x.%h');
  // Without dollar expansion ${VAR} stays literal.
  assert.equal(percentExpand('${HOME}', { h: 'x' }), '${HOME}');
});

test('${VAR} expansion: set, unset, unterminated, empty name', () => {
  const env = { FOO: 'bar', EMPTY: '' };
  assert.equal(dollarExpand('a${FOO}b${EMPTY}c', env), 'abarbc');
  assert.equal(dollarExpand('%h $FOO', env), '%h $FOO');
  assert.throws(() => dollarExpand('${NOPE}', env), (err: unknown) =>
    err instanceof TsshError && err.message === 'vdollar_percent_expand: env var ${NOPE} has no value\ninvalid environment variable expansion');
  assert.throws(() => dollarExpand('${FOO', env), /missing closing/);
  assert.throws(() => dollarExpand('${}', env), /zero-length/);
  // One pass: a % produced by a variable is not expanded again.
  assert.equal(percentDollarExpand('${P}/%h', { h: 'host' }, { P: '%p' }), '%p/host');
});

test('tildeExpand: ~, ~/, ~user/, untouched otherwise', () => {
  assert.equal(tildeExpand('~', '/home/a'), '/home/a/');
  assert.equal(tildeExpand('~/', '/home/a'), '/home/a/');
  assert.equal(tildeExpand('~/.ssh/id', '/home/a'), '/home/a/.ssh/id');
  assert.equal(tildeExpand('~//x', '/home/a/'), '/home/a/x');
  assert.equal(tildeExpand('/abs/~', '/home/a'), '/abs/~');
  assert.equal(tildeExpand('rel', '/home/a'), 'rel');
  assert.equal(tildeExpand('~bob/k', '/home/a', (u) => (u === 'bob' ? '/home/bob' : undefined)), '/home/bob/k');
  assert.throws(() => tildeExpand('~nobody-here/k', '/home/a'), /No such user nobody-here/);
});
