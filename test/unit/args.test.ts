import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs, parseSshUri, USAGE } from '../../src/cli/args.js';
import { TsshError } from '../../src/errors.js';
import { type CommandLineSetting } from '../../src/profile/overrides.js';

function rejects(argv: string[], code: string, message: string | RegExp): void {
  assert.throws(
    () => parseArgs(argv),
    (err: unknown) => {
      assert.ok(err instanceof TsshError);
      assert.equal(err.code, code);
      if (typeof message === 'string') assert.equal(err.message, message);
      else assert.match(err.message, message);
      return true;
    },
  );
}

const kinds = (settings: CommandLineSetting[]): string[] =>
  settings.map((s) => ('value' in s ? `${s.kind}=${s.value}` : 'text' in s ? `o:${s.text}` : s.kind));

test('bundled flags, attached values and counted -v/-t', () => {
  const args = parseArgs(['-vvvnT', '-p2222', '-oPort=1', '-qF', 'cfg', '-tt', 'host']);
  assert.equal(args.verbosity, 3);
  assert.equal(args.stdinNull, true);
  assert.equal(args.quiet, true);
  assert.equal(args.configFile, 'cfg');
  assert.equal(args.host, 'host');
  assert.equal(args.command, undefined);
  assert.deepEqual(args.options, ['Port=1']);
  assert.deepEqual(kinds(args.settings), [
    'verbose', 'verbose', 'verbose', 'stdinNull', 'requestTty', 'port=2222', 'o:Port=1', 'quiet', 'requestTty', 'requestTty',
  ]);
});

test('-o keeps the raw text, with a space or = separator', () => {
  const args = parseArgs(['-o', 'Port 2222', '-oUser=bob', '-o', 'ForwardX11 no', 'h']);
  assert.deepEqual(args.options, ['Port 2222', 'User=bob', 'ForwardX11 no']);
});

test('options after the destination are parsed until the first non-option (getopt restart)', () => {
  const args = parseArgs(['h', '-p', '5', '-l', 'u', 'echo', '-p', '6', 'x']);
  assert.equal(args.host, 'h');
  assert.equal(args.command, 'echo -p 6 x');
  assert.deepEqual(kinds(args.settings), ['port=5', 'user=u']);
});

test('-- ends options: before the host no restart happens; after it the rest is the command', () => {
  const before = parseArgs(['--', 'h', '-p', '5']);
  assert.equal(before.host, 'h');
  assert.equal(before.command, '-p 5');
  assert.deepEqual(before.settings, []);
  const after = parseArgs(['h', '--', '-p', '5']);
  assert.equal(after.command, '-p 5');
  assert.deepEqual(after.settings, []);
  // ssh checks the element before the operands, so a flag value of `--` also stops the restart.
  const quirk = parseArgs(['-F', '--', 'h', 'x', '-p', '1']);
  assert.equal(quirk.configFile, '--');
  assert.equal(quirk.command, 'x -p 1');
});

test('command arguments are joined with single spaces, empty ones included', () => {
  assert.equal(parseArgs(['h', 'ls', '-l', 'a b']).command, 'ls -l a b');
  assert.equal(parseArgs(['h', '']).command, '');
});

test('user@host splits at the last @; regress sshcfgparse precedence order is kept', () => {
  const args = parseArgs(['a@b@c']);
  assert.equal(args.host, 'c');
  assert.deepEqual(kinds(args.settings), ['user=a@b']);
  // -o user=foo -l bar baz@host → the first of them (foo) wins when replayed by resolve.
  assert.deepEqual(kinds(parseArgs(['-o', 'user=foo', '-l', 'bar', 'baz@host']).settings), [
    'o:user=foo', 'user=bar', 'user=baz',
  ]);
  assert.deepEqual(kinds(parseArgs(['baz@host', '-o', 'user=foo', '-l', 'bar']).settings), [
    'user=baz', 'o:user=foo', 'user=bar',
  ]);
  assert.equal(parseArgs(['user@']).host, '');
  rejects(['@host'], 'USAGE', USAGE);
});

test('ssh:// URIs: user, port, parameters, trailing slash; paths and bad ports are usage errors', () => {
  const args = parseArgs(['ssh://us%40er;fp=x@Host.Example:2222']);
  assert.equal(args.host, 'Host.Example');
  assert.deepEqual(kinds(args.settings), ['user=us@er', 'port=2222']);
  assert.deepEqual(parseSshUri('ssh://h/'), { host: 'h' });
  assert.deepEqual(parseSshUri('ssh://h:'), { host: 'h' });
  for (const bad of ['ssh://u@h:22/path', 'ssh://u@h:0', 'ssh://u@h:abc', 'ssh://[::1]:22', 'ssh://', 'ssh://@h', 'ssh://u@v@h']) {
    rejects([bad], 'USAGE', USAGE);
  }
  // The scheme is case-sensitive: anything else is a plain host name.
  assert.equal(parseArgs(['SSH://h']).host, 'SSH://h');
});

test('bad ports: only the first -p is checked, with ssh\'s wording', () => {
  rejects(['-p', '0', 'h'], 'CONFIG', "Bad port '0'");
  rejects(['-p', 'abc', 'h'], 'CONFIG', "Bad port 'abc'");
  rejects(['-p', '70000', 'h'], 'CONFIG', "Bad port '70000'");
  rejects(['-p', '22x', 'h'], 'CONFIG', "Bad port '22x'");
  rejects(['-p', '--', 'h'], 'CONFIG', "Bad port '--'");
  assert.deepEqual(kinds(parseArgs(['-p', ' 22', 'h']).settings), ['port=22']);
  assert.deepEqual(kinds(parseArgs(['-p', '1', '-p', 'abc', 'h']).settings), ['port=1']);
});

test('unknown flags, missing arguments and missing destination print the usage', () => {
  rejects(['-U', 'h'], 'USAGE', `unknown option -- U\n${USAGE}`);
  rejects(['-l'], 'USAGE', `option requires an argument -- l\n${USAGE}`);
  rejects([], 'USAGE', USAGE);
  rejects(['-G'], 'USAGE', USAGE);
  rejects(['-v'], 'USAGE', USAGE);
  assert.ok(USAGE.startsWith('usage: tssh [-46AaCfGgKkMNnqsTtVvXxYyZ] [-B bind_interface] [-b bind_address]\n'));
  assert.equal(USAGE.split('\n').length, 8);
  assert.ok(USAGE.endsWith('\n       tssh [-Q query_option]'));
  assert.equal(parseArgs(['-Z', 'h']).listKeys, true); // OpenSSH 10.5
});

test('-1 is fatal, -2 is accepted and ignored, -P takes a tag (OpenSSH 9.4+)', () => {
  rejects(['-1', 'h'], 'CONFIG', 'SSH protocol v.1 is no longer supported');
  const args = parseArgs(['-2', 'h']);
  assert.deepEqual(args.settings, []);
  assert.deepEqual(args.unsupportedFlags, []);
  assert.deepEqual(parseArgs(['-2Pprod', 'h', '-P', 'other']).settings, [
    { kind: 'tag', value: 'prod' },
    { kind: 'tag', value: 'other' },
  ]);
  rejects(['h', '-P'], 'USAGE', `option requires an argument -- P\n${USAGE}`);
});

test('-V and -Q stop parsing where they appear, as ssh exits there', () => {
  const version = parseArgs(['-V', '-U']);
  assert.equal(version.version, true);
  assert.equal(version.host, undefined);
  rejects(['-U', '-V'], 'USAGE', /^unknown option -- U/);
  const query = parseArgs(['-Q', 'cipher', '-U']);
  assert.equal(query.query, 'cipher');
  assert.equal(parseArgs(['-G', '-V', 'h']).version, true);
});

test('valid but unimplemented flags consume their arguments and are listed once', () => {
  // Tunnels and syslog are not built.
  const args = parseArgs(['-w1', 'h', '-y', '-w', '2', 'cmd']);
  assert.deepEqual(args.unsupportedFlags, ['-w', '-y']);
  assert.equal(args.host, 'h');
  assert.equal(args.command, 'cmd');
});

test('-M, -S and -O: connection sharing flags as ssh reads them', () => {
  const args = parseArgs(['-M', '-S', '/tmp/ctl', '-O', 'check', '-M', 'h', 'cmd']);
  assert.deepEqual(args.settings, [{ kind: 'controlMaster' }, { kind: 'controlPath', value: '/tmp/ctl' }, { kind: 'controlMaster' }]);
  assert.equal(args.muxCommand, 'check');
  assert.deepEqual(args.unsupportedFlags, []);
  for (const command of ['check', 'forward', 'cancel', 'exit', 'stop', 'proxy', 'conninfo', 'channels']) assert.equal(parseArgs(['-O', command, 'h']).muxCommand, command);
  rejects(['-O', 'status', 'h'], 'CONFIG', 'Invalid multiplex command.');
});


test('-c and -m are checked like ssh (+/^ allowed for -c only)', () => {
  assert.deepEqual(kinds(parseArgs(['-c', '+aes128-cbc', '-m', 'hmac-sha1', 'h']).settings), ['ciphers', 'macs']);
  rejects(['-c', 'foo', 'h'], 'CONFIG', "Unknown cipher type 'foo'");
  rejects(['-c', '-aes128-ctr', 'h'], 'CONFIG', "Unknown cipher type '-aes128-ctr'");
  rejects(['-c', 'aes128-cbc,foo', 'h'], 'CONFIG', "Unknown cipher type 'aes128-cbc,foo'");
  rejects(['-m', '+hmac-md5', 'h'], 'CONFIG', "Unknown mac type '+hmac-md5'");
});

test('-i, -E, -F: -i accumulates in order, the last -E/-F wins', () => {
  const args = parseArgs(['-i', 'a', '-E', 'l1', '-F', 'c1', '-ib', '-E', 'l2', '-F', 'c2', 'h']);
  assert.deepEqual(kinds(args.settings), ['identityFile', 'identityFile']);
  assert.deepEqual(
    args.settings.map((s) => (s.kind === 'identityFile' ? s.path : '')),
    ['a', 'b'],
  );
  assert.equal(args.logFile, 'l2');
  assert.equal(args.configFile, 'c2');
});

test('host names with shell metacharacters or a leading dash are refused', () => {
  rejects(['--', '-p'], 'CONFIG', 'hostname contains invalid characters');
  rejects(['-'], 'CONFIG', 'hostname contains invalid characters');
  rejects(['a;b'], 'CONFIG', 'hostname contains invalid characters');
  rejects(['a b'], 'CONFIG', 'hostname contains invalid characters');
  assert.equal(parseArgs(['[::1]']).host, '[::1]');
  assert.equal(parseArgs(['fe80::1%eth0']).host, 'fe80::1%eth0');
});
