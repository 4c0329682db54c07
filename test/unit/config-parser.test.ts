import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfigLine, parseConfigText } from '../../src/config/parser.js';
import { splitArguments } from '../../src/text/words.js';
import { ConfigEvaluator, type ConfigFileSystem, type ReadFlags } from '../../src/config/evaluate.js';
import { expandInclude } from '../../src/config/include.js';
import { KEYWORDS, lookupKeyword } from '../../src/config/keywords.js';
import { SettingsStore } from '../../src/config/store.js';
import { parseScaledBytes, parseTimeInterval } from '../../src/config/scalars.js';
import { TsshError } from '../../src/errors.js';
import type { MatchExecContext } from '../../src/config/match.js';
import { createHash } from 'node:crypto';

/** An in-memory file tree: path → text (owner uid 1000, mode 0644 unless given). */
function memoryFs(files: Record<string, string | { text: string; uid?: number; mode?: number }>): ConfigFileSystem {
  const entries = new Map(
    Object.entries(files).map(([path, file]) => [path, typeof file === 'string' ? { text: file } : file] as const),
  );
  return {
    read(path) {
      const file = entries.get(path);
      if (file === undefined) return { ok: false, code: 'ENOENT', message: 'No such file or directory' };
      return { ok: true, text: file.text, uid: file.uid ?? 1000, mode: file.mode ?? 0o100644 };
    },
    list(dir) {
      const prefix = dir.endsWith('/') ? dir : `${dir}/`;
      const names = new Set<string>();
      for (const path of entries.keys()) if (path.startsWith(prefix)) names.add(path.slice(prefix.length).split('/')[0]!);
      return names.size === 0 ? undefined : [...names];
    },
  };
}

interface Evaluation {
  store: SettingsStore;
  logs: string[];
  evaluator: ConfigEvaluator;
}

function evaluate(
  files: Parameters<typeof memoryFs>[0],
  host = 'host',
  options: { cli?: string[]; flags?: Partial<ReadFlags>; file?: string; finalPass?: boolean; store?: SettingsStore; exec?: MatchExecContext; command?: string } = {},
): Evaluation {
  const store = options.store ?? new SettingsStore();
  const logs: string[] = [];
  const evaluator = new ConfigEvaluator(
    store,
    {
      fs: memoryFs(files),
      home: '/home/me',
      uid: 1000,
      systemConfigDir: '/etc/ssh',
      log: (level, message) => logs.push(`${level} ${message}`),
      ...(options.exec !== undefined ? { matchExec: options.exec } : {}),
    },
    { host, originalHost: host, localUser: 'me', finalPass: options.finalPass ?? false, command: options.command ?? '' },
  );
  for (const line of options.cli ?? []) evaluator.applyCommandLineOption(line);
  const outcome = evaluator.readFile(options.file ?? '/cfg', { userConfig: true, checkPermissions: false, ...options.flags });
  assert.equal(outcome, 'read');
  return { store, logs, evaluator };
}

function configError(files: Parameters<typeof memoryFs>[0], expected: string, host = 'host'): void {
  assert.throws(
    () => evaluate(files, host),
    (err: unknown) => err instanceof TsshError && err.code === 'CONFIG' && err.message === expected,
  );
}

test('line syntax: keyword case, =, whitespace, quotes, comments', () => {
  const line = (text: string) => parseConfigLine(text, 'f', 1);
  assert.deepEqual(line('Port 22')?.args, ['22']);
  assert.equal(line('PORT 22')?.keyword, 'port');
  assert.deepEqual(line('Port=22')?.args, ['22']);
  assert.deepEqual(line('  Port  =  22  ')?.args, ['22']);
  assert.deepEqual(line('\tPort\t=\t"22"')?.args, ['22']);
  assert.deepEqual(line('Port = = 23')?.args, ['=', '23']);
  assert.deepEqual(line('Port 22 # comment')?.args, ['22']);
  assert.deepEqual(line('Port 22#x')?.args, ['22#x']);
  assert.deepEqual(line('User "a b" \'c d\' e\\ f g"h i"j')?.args, ['a b', 'c d', 'e f', 'gh ij']);
  assert.deepEqual(line('X a\\"b \\\\ c\\d')?.args, ['a"b', '\\', 'c\\d']);
  assert.equal(line('Port "22')?.args, undefined);
  assert.equal(line('# comment'), undefined);
  assert.equal(line('   '), undefined);
  assert.equal(line('   #x'), undefined);
  assert.equal(line('Port')?.missingArgument, true);
  assert.equal(line('User=')?.missingArgument, true);
  assert.equal(line('Port 22\r')?.args?.[0], '22');
  assert.deepEqual(splitArguments('a  b\tc'), ['a', 'b', 'c']);
  assert.deepEqual(splitArguments('""'), ['']);
  const lines = parseConfigText('Host a\n\n  Port 1\n# c\nUser u\n', 'f');
  assert.deepEqual(lines.map((l) => [l.line, l.keyword]), [[1, 'host'], [3, 'port'], [5, 'user']]);
});

test('keyword table: one row per keyword, aliases share the canonical name', () => {
  assert.equal(lookupKeyword('StrictHostKeyChecking')?.name, 'StrictHostKeyChecking');
  assert.equal(lookupKeyword('identityfile2')?.name, 'IdentityFile');
  assert.equal(lookupKeyword('ChallengeResponseAuthentication')?.name, 'KbdInteractiveAuthentication');
  assert.equal(lookupKeyword('gssapiauthentication')?.kind, 'unimplemented'); // Debian's, accepted and ignored
  assert.equal(lookupKeyword('refuseconnection')?.kind, 'refuseConnection'); // OpenSSH 10.x keyword
  assert.equal(lookupKeyword('checkhostip')?.kind, 'flag');
  assert.equal(lookupKeyword('useroaming')?.kind, 'deprecated');
  assert.equal(lookupKeyword('rsaauthentication')?.kind, 'unsupported');
  assert.equal(lookupKeyword('nonsense'), undefined);
  for (const keyword of ['host', 'match', 'include', 'port', 'user', 'hostname', 'identityfile', 'identitiesonly', 'batchmode',
    'ciphers', 'macs', 'kexalgorithms', 'hostkeyalgorithms', 'compression', 'rekeylimit', 'connecttimeout',
    'stricthostkeychecking', 'userknownhostsfile', 'globalknownhostsfile', 'setenv', 'sendenv', 'requesttty',
    'loglevel', 'ignoreunknown', 'hostkeyalias', 'checkhostip', 'hashknownhosts', 'knownhostscommand', 'updatehostkeys',
    'casignaturealgorithms', 'localcommand', 'permitlocalcommand', 'tag', 'canonicalizehostname', 'controlpath', 'ipqos']) {
    const spec = KEYWORDS.get(keyword);
    assert.ok(spec !== undefined && spec.kind !== 'unimplemented', keyword);
  }
});

test('first obtained value wins; Host patterns with wildcards, lists and negation', () => {
  const config = [
    'Host other',
    '  Port 1',
    'Host h?st *.example',
    '  Port 2',
    '  User first',
    'Host *',
    '  Port 3',
    '  User second',
    '  HostName fallback',
  ].join('\n');
  const { store, logs } = evaluate({ '/cfg': config });
  assert.equal(store.number('Port'), 2);
  assert.equal(store.string('User'), 'first');
  assert.equal(store.string('HostName'), 'fallback');
  assert.ok(logs.includes('DEBUG1 /cfg line 3: Applying options for h?st'));
  // Host matching is case-sensitive and a comma is not a list separator on Host lines.
  assert.equal(evaluate({ '/cfg': 'Host host\n Port 1\n' }, 'HOST').store.number('Port'), undefined);
  assert.equal(evaluate({ '/cfg': 'Host x,host\n Port 1\n' }).store.number('Port'), undefined);
  // A matching negated pattern cancels the line, whatever its position.
  assert.equal(evaluate({ '/cfg': 'Host !host *\n Port 1\n' }).store.number('Port'), undefined);
  assert.equal(evaluate({ '/cfg': 'Host * !host\n Port 1\n' }).store.number('Port'), undefined);
  assert.equal(evaluate({ '/cfg': 'Host !other\n Port 1\n' }).store.number('Port'), undefined);
  assert.equal(evaluate({ '/cfg': 'Host !other *\n Port 1\n' }).store.number('Port'), 1);
});

test('accumulating keywords: IdentityFile (deduplicated), SendEnv (with -pattern removal); SetEnv first directive only', () => {
  const config = [
    'IdentityFile ~/.ssh/a',
    'SendEnv LANG LC_* XYZ',
    'SetEnv A=1 B="two words" A=3',
    'Host *',
    '  IdentityFile ~/.ssh/b',
    '  IdentityFile ~/.ssh/a',
    '  SendEnv -LC_* FOO',
    '  SetEnv C=3',
  ].join('\n');
  const { store } = evaluate({ '/cfg': config });
  assert.deepEqual(store.list('IdentityFile'), ['~/.ssh/a', '~/.ssh/b']);
  assert.deepEqual(store.list('SendEnv'), ['LANG', 'XYZ', 'FOO']);
  assert.deepEqual(store.pairs('SetEnv'), [['A', '1'], ['B', 'two words']]);
});

test('known hosts files: the first directive wins as a whole; none must stand alone', () => {
  const { store } = evaluate({ '/cfg': 'UserKnownHostsFile ~/a ~/b\nUserKnownHostsFile ~/c\n' });
  assert.deepEqual(store.list('UserKnownHostsFile'), ['~/a', '~/b']);
  configError(
    { '/cfg': 'GlobalKnownHostsFile none /x\n' },
    '/cfg line 1: keyword globalknownhostsfile "none" argument must appear alone.\n/cfg: terminating, 1 bad configuration options',
  );
});

test('values: flags, enums, times, rekey limits, log levels', () => {
  const config = [
    'BatchMode YES',
    'IdentitiesOnly false',
    'Compression yes',
    'StrictHostKeyChecking off',
    'RequestTTY true',
    'ConnectTimeout 1m30s',
    'RekeyLimit 1.5K 1h',
    'RekeyLimit 2G 10',
    'LogLevel debug',
  ].join('\n');
  const { store } = evaluate({ '/cfg': config });
  assert.equal(store.boolean('BatchMode'), true);
  assert.equal(store.boolean('IdentitiesOnly'), false);
  assert.equal(store.string('Compression'), 'yes');
  assert.equal(store.string('StrictHostKeyChecking'), 'no');
  assert.equal(store.string('RequestTTY'), 'yes');
  assert.equal(store.number('ConnectTimeout'), 90);
  assert.equal(store.number('RekeyLimit'), 1536);
  assert.equal(store.number('RekeyLimit.interval'), 3600);
  assert.equal(store.string('LogLevel'), 'DEBUG1');
  assert.equal(parseTimeInterval('1w2d3h4m5'), 604800 + 2 * 86400 + 3 * 3600 + 4 * 60 + 5);
  assert.equal(parseTimeInterval('2147483648'), undefined);
  assert.equal(parseTimeInterval('-1'), undefined);
  assert.equal(parseScaledBytes('1E'), 2 ** 60);
  assert.equal(parseScaledBytes('1.25K'), 1280);
  assert.equal(parseScaledBytes('10E'), 'Numerical result out of range');
  assert.equal(parseScaledBytes('1KB'), 'Invalid argument');
  assert.equal(parseScaledBytes('0x10'), 'Invalid argument');
});

test('bad lines are all reported, counted, and end the file with OpenSSH\'s messages', () => {
  configError(
    { '/cfg': 'Foo bar\nPort abc\nPort\nPort 1 2\nBatchMode maybe\nCompression true\nConnectTimeout x\n' },
    [
      '/cfg: line 1: Bad configuration option: foo',
      "/cfg line 2: Bad port 'abc'.",
      '/cfg line 3: no argument after keyword "port"',
      '/cfg line 4: keyword port extra arguments at end of line',
      '/cfg line 5: unsupported option "maybe".',
      '/cfg line 6: unsupported option "true".',
      '/cfg line 7: invalid time value.',
      '/cfg: terminating, 7 bad configuration options',
    ].join('\n'),
  );
  configError({ '/cfg': 'RekeyLimit 15\n' }, '/cfg line 1: RekeyLimit too small\n/cfg: terminating, 1 bad configuration options');
  configError({ '/cfg': "RekeyLimit 1x\n" }, "/cfg line 1: Bad number '1x': Invalid argument\n/cfg: terminating, 1 bad configuration options");
  configError({ '/cfg': 'LogLevel loud\n' }, "/cfg line 1: unsupported log level 'loud'\n/cfg: terminating, 1 bad configuration options");
  configError({ '/cfg': 'SendEnv A=1\n' }, '/cfg line 1: Invalid environment name.\n/cfg: terminating, 1 bad configuration options');
  configError({ '/cfg': 'SetEnv A\n' }, '/cfg line 1: Invalid SetEnv.\n/cfg: terminating, 1 bad configuration options');
  configError({ '/cfg': 'User ""\n' }, '/cfg line 1: Missing argument.\n/cfg: terminating, 1 bad configuration options');
  configError({ '/cfg': 'User "a\n' }, '/cfg line 1: invalid quotes\n/cfg: terminating, 1 bad configuration options');
  configError(
    { '/cfg': 'KexAlgorithms foo\n' },
    'Unsupported KEX algorithm "foo"\n/cfg line 1: Bad SSH2 KexAlgorithms \'foo\'.\n/cfg: terminating, 1 bad configuration options',
  );
  // Lines that do not apply are checked all the same.
  configError({ '/cfg': 'Host nomatch\n Port 0\n' }, "/cfg line 2: Bad port '0'.\n/cfg: terminating, 1 bad configuration options");
});

test('IgnoreUnknown applies to the lines after it; known-but-unimplemented and obsolete keywords are accepted', () => {
  const { store, logs } = evaluate({
    '/cfg': 'IgnoreUnknown Fo*,bar\nFoo 1\nBAR 2\nGSSAPIKeyExchange yes\nGSSAPIAuthentication yes\nProtocol 2\nUseRoaming no\nRSAAuthentication yes\n',
  });
  assert.equal(store.string('IgnoreUnknown'), 'Fo*,bar');
  assert.deepEqual(store.list('unimplemented:GSSAPIAuthentication'), ['yes']);
  assert.ok(logs.includes('DEBUG1 /cfg line 2: Ignored unknown option "foo"'));
  assert.ok(logs.includes('DEBUG1 /cfg line 7: Deprecated option "useroaming"'));
  assert.ok(logs.includes('ERROR /cfg line 8: Unsupported option "rsaauthentication"'));
  configError({ '/cfg': 'Foo 1\nIgnoreUnknown foo\n' }, '/cfg: line 1: Bad configuration option: foo\n/cfg: terminating, 1 bad configuration options');
});

test('command-line options: same syntax, errors are immediate, Host/Match/Include refused', () => {
  const { store } = evaluate({ '/cfg': 'Port 5\nUser cfg\n' }, 'host', { cli: ['Port 4', 'user=cli'] });
  assert.equal(store.number('Port'), 4);
  assert.equal(store.string('User'), 'cli');
  const cliError = (line: string, expected: string): void =>
    assert.throws(() => evaluate({ '/cfg': '' }, 'host', { cli: [line] }), (err: unknown) => err instanceof TsshError && err.message === expected);
  cliError('Port=abc', "command-line line 0: Bad port 'abc'.");
  cliError('Foo=1', 'command-line: line 0: Bad configuration option: foo');
  cliError('Host x', 'Host directive not supported as a command-line option');
  cliError('Match all', 'Host directive not supported as a command-line option');
  cliError('Include /x', 'Include directive not supported as a command-line option');
  cliError('IdentityFile', 'command-line line 0: no argument after keyword "identityfile"');
});

test('Match: all, host (after HostName), originalhost, user, localuser, negation, final', () => {
  const port = (config: string, host = 'host'): number | undefined => evaluate({ '/cfg': config }, host).store.number('Port');
  assert.equal(port('Match all\n Port 1\n'), 1);
  assert.equal(port('Match !all\n Port 1\n'), undefined);
  assert.equal(port('Match host HOST\n Port 1\n'), 1); // case-insensitive
  assert.equal(port('Match host other\n Port 1\n'), undefined);
  assert.equal(port('Hostname real\nMatch host real\n Port 1\n'), 1);
  assert.equal(port('Hostname %h.example\nMatch host host.example\n Port 1\n'), 1);
  assert.equal(port('Match host real\n Port 1\nHost *\n Hostname real\n'), undefined);
  assert.equal(port('Hostname real\nMatch originalhost host\n Port 1\n'), 1);
  assert.equal(port('Match user me\n Port 1\n'), 1); // no User yet: the local user
  assert.equal(port('User bob\nMatch user b*\n Port 1\n'), 1);
  assert.equal(port('Match localuser me\n Port 1\n'), 1);
  assert.equal(port('Match !localuser me\n Port 1\n'), undefined);
  assert.equal(port('Match host host,!bar user *\n Port 1\n'), 1);
  assert.equal(port('Match host host !user me\n Port 1\n'), undefined);
  assert.equal(port('Match host host # comment\n Port 1\n'), 1);
  assert.equal(port('Match host host all\n Port 1\n'), 1);
  assert.equal(port('Match canonical\n Port 1\n'), undefined);
  assert.equal(port('Match !final\n Port 1\n'), 1);
  const first = evaluate({ '/cfg': 'Match final\n Port 1\n' });
  assert.equal(first.evaluator.wantFinalPass, true);
  assert.equal(first.store.number('Port'), undefined);
  assert.equal(evaluate({ '/cfg': 'Match final\n Port 1\n' }, 'host', { finalPass: true }).store.number('Port'), 1);
  // Without a runner (below cli/ nothing runs commands by itself) an exec that would run is an error.
  assert.equal(port('Match host other exec "false"\n Port 1\nMatch all\n Port 2\n'), 2);
  assert.throws(() => port('Match exec "true"\n Port 1\n'), /\/cfg line 1: match exec 'true' error/);
});

test('Match exec runs its command with tokens expanded; exit status 0 matches; tagged matches Tag', () => {
  const ran: string[] = [];
  const exec: MatchExecContext = {
    home: '/home/me',
    uid: 1000,
    localHostname: 'box.lan',
    env: {},
    localAddresses: () => [],
    run: (command) => {
      ran.push(command);
      return command.startsWith('ok') ? 0 : command.startsWith('crash') ? 'abnormal' : 1;
    },
  };
  const port = (config: string, cli: string[] = []): number | undefined => evaluate({ '/cfg': config }, 'host', { exec, cli }).store.number('Port');
  assert.equal(port('User bob\nHostKeyAlias ka\nMatch exec "ok %h %n %r %u %d %i %L %l %p %k %%"\n Port 1\n'), 1);
  assert.deepEqual(ran, ['ok host host bob me /home/me 1000 box box.lan 22 ka %']);
  assert.equal(port('Match exec "no"\n Port 1\n'), undefined);
  assert.equal(port('Match !exec "no"\n Port 1\n'), 1);
  assert.equal(port('Hostname real.example\nMatch exec "ok %h %k %C"\n Port 1\n'), 1);
  const hash = createHash('sha1').update('box.lanreal.example22me').digest('hex');
  assert.equal(ran[ran.length - 1], `ok real.example real.example ${hash}`);
  assert.throws(() => port('Match exec "crash"\n Port 1\n'), /match exec 'crash' error/);
  assert.throws(() => port('Match exec "%x"\n Port 1\n'), /unknown key %x/);
  // %j: the last ProxyJump hop's host, which %C hashes too (OpenSSH 10.x).
  assert.equal(port('ProxyJump u@first,second:2222\nMatch exec "ok %j %C"\n Port 1\n'), 1);
  const jumpHash = createHash('sha1').update('box.lanhost22mesecond').digest('hex');
  assert.equal(ran[ran.length - 1], `ok second ${jumpHash}`);
  assert.equal(port('Match tagged prod\n Port 1\n', ['Tag prod']), 1);
  assert.equal(port('Match tagged p*,!pre\n Port 1\n', ['Tag pre']), undefined);
  // OpenSSH 10.x: with no tag only the empty criterion matches.
  assert.equal(port('Match tagged *\n Port 1\n'), undefined);
  assert.equal(port('Match tagged ""\n Port 1\n'), 1);
  assert.equal(port('Match tagged ""\n Port 1\n', ['Tag x']), undefined);
  assert.equal(port('Match tagged=prod\n Port 1\n', ['Tag prod']), 1);
});

test('Match version, command, sessiontype, localnetwork and attribute=value (OpenSSH 10.x)', () => {
  const exec: MatchExecContext = {
    home: '/home/me',
    uid: 1000,
    localHostname: 'box.lan',
    env: {},
    localAddresses: () => ['127.0.0.1', '192.168.7.20', '::1', 'fe80::1%eth0'],
    run: () => 1,
  };
  const port = (config: string, options: { cli?: string[]; command?: string } = {}): number | undefined =>
    evaluate({ '/cfg': config }, 'host', { exec, ...options }).store.number('Port');
  assert.equal(port('Match version OpenSSH_10.*\n Port 1\n'), 1);
  assert.equal(port('Match version=OpenSSH_9*\n Port 1\n'), undefined);
  assert.equal(port('Match command "ls -l*"\n Port 1\n', { command: 'ls -la' }), 1);
  assert.equal(port('Match command ""\n Port 1\n'), 1);
  assert.equal(port('Match command *\n Port 1\n'), undefined); // no command: only "" matches
  assert.equal(port('Match sessiontype shell\n Port 1\n'), 1);
  assert.equal(port('Match sessiontype exec\n Port 1\n', { command: 'ls' }), 1);
  assert.equal(port('Match sessiontype none\n Port 1\n', { cli: ['SessionType none'] }), 1);
  assert.equal(port('Match sessiontype subsystem\n Port 1\n', { cli: ['SessionType subsystem'], command: 'sftp' }), 1);
  assert.equal(port('Match localnetwork 192.168.0.0/16\n Port 1\n'), 1);
  assert.equal(port('Match localnetwork 10.0.0.0/8,::1\n Port 1\n'), 1);
  assert.equal(port('Match !localnetwork 10.0.0.0/8\n Port 1\n'), 1);
  // A scoped (link-local) interface address never matches: OpenSSH compares scope ids.
  assert.equal(port('Match localnetwork fe80::/10\n Port 1\n'), undefined);
  assert.equal(port('Match host=host user=me\n Port 1\n'), 1);
  // `final` asks for a second pass only when not negated.
  assert.equal(evaluate({ '/cfg': 'Match !final\n Port 1\n' }).evaluator.wantFinalPass, false);
  assert.equal(evaluate({ '/cfg': 'Match final\n Port 1\n' }).evaluator.wantFinalPass, true);
});

test('Match errors use OpenSSH\'s wording', () => {
  const suffix = '\n/cfg line 1: Bad Match condition\n/cfg: terminating, 1 bad configuration options';
  configError({ '/cfg': 'Match foo\n' }, `/cfg line 1: missing argument for Match 'foo'${suffix}`);
  configError({ '/cfg': 'Match host\n' }, `/cfg line 1: missing argument for Match 'host'${suffix}`);
  configError({ '/cfg': 'Match host ""\n' }, `Missing Match criteria for host${suffix}`);
  configError({ '/cfg': 'Match sessiontype=exec\n' }, `/cfg line 1: missing argument for Match 'sessiontype=exec'${suffix}`);
  configError({ '/cfg': 'Match localnetwork 10.0.0.1/8\n' }, `Inconsistent mask length for network "10.0.0.1/8"\n/cfg line 1: Bad Match condition\n/cfg: terminating, 1 bad configuration options`);
  configError({ '/cfg': 'Match bogus x\n' }, `Unsupported Match attribute bogus${suffix}`);
  configError({ '/cfg': 'Match all host x\n' }, `/cfg line 1: 'all' cannot be combined with other Match attributes${suffix}`);
  configError({ '/cfg': 'Match host x extra\n' }, `/cfg line 1: missing argument for Match 'extra'${suffix}`);
});

test('Include: globs sorted, relative to ~/.ssh, inactive blocks parse only, Match state restored', () => {
  const files = {
    '/home/me/.ssh/config.d/b.conf': 'User from-b\n',
    '/home/me/.ssh/config.d/a.conf': 'Host host\n  Port 1\nMatch all\n  User from-a\n',
    '/home/me/.ssh/config.d/.hidden.conf': 'Port 9\n',
    '/etc/ssh/ssh_config.d/x.conf': 'Port 7\n',
  };
  const included = evaluate({ ...files, '/cfg': 'Host other\nInclude config.d/*.conf\nHost *\nPort 3\n' });
  assert.equal(included.store.number('Port'), 3); // the Include sat in an inactive Host block
  const active = evaluate({ ...files, '/cfg': 'Include config.d/*.conf\nPort 3\n' });
  assert.equal(active.store.number('Port'), 1);
  assert.equal(active.store.string('User'), 'from-a');
  // The system file resolves relative includes against its own directory and refuses ~.
  const system = evaluate({ ...files, '/etc/ssh/ssh_config': 'Include ssh_config.d/*.conf\n' }, 'host', {
    file: '/etc/ssh/ssh_config',
    flags: { userConfig: false },
  });
  assert.equal(system.store.number('Port'), 7);
  assert.throws(
    () => evaluate({ '/etc/ssh/ssh_config': 'Include ~/x\n' }, 'host', { file: '/etc/ssh/ssh_config', flags: { userConfig: false } }),
    /bad include path ~\/x\./,
  );
  // Inactive blocks still check the included file's syntax.
  assert.throws(() => evaluate({ '/inc': 'Bogus 1\n', '/cfg': 'Host other\nInclude /inc\n' }), /\/inc: line 1: Bad configuration option: bogus/);
  const none = evaluate({ '/cfg': 'Include /nowhere/*.conf ~/nothing\nPort 2\n' });
  assert.equal(none.store.number('Port'), 2);
  assert.ok(none.logs.some((l) => l.includes('include /nowhere/*.conf matched no files')));
});

test('Include depth is limited to 16 and included files must not be writable by others', () => {
  assert.throws(() => evaluate({ '/cfg': 'Include /cfg\n' }), /^TsshError: Too many recursive configuration includes$|Too many recursive/);
  assert.throws(
    () => evaluate({ '/inc': { text: 'Port 1\n', mode: 0o100666 }, '/cfg': 'Include /inc\n' }),
    (err: unknown) => err instanceof TsshError && err.message === 'Bad owner or permissions on /inc',
  );
  assert.throws(
    () => evaluate({ '/inc': { text: 'Port 1\n', uid: 4242 }, '/cfg': 'Include /inc\n' }),
    /Bad owner or permissions on \/inc/,
  );
  assert.equal(evaluate({ '/inc': { text: 'Port 1\n', uid: 0 }, '/cfg': 'Include /inc\n' }).store.number('Port'), 1);
});

test('expandInclude: *, ?, [...] per component, no hidden files, sorted, missing → none', () => {
  const fs = memoryFs({ '/d/b.conf': '', '/d/a.conf': '', '/d/.h.conf': '', '/d/ab.txt': '', '/d/sub/x.conf': '' });
  assert.deepEqual(expandInclude('/d/*.conf', '/home', fs), ['/d/a.conf', '/d/b.conf']);
  assert.deepEqual(expandInclude('/d/?.conf', '/home', fs), ['/d/a.conf', '/d/b.conf']);
  assert.deepEqual(expandInclude('/d/[!a].conf', '/home', fs), ['/d/b.conf']);
  assert.deepEqual(expandInclude('/d/.*.conf', '/home', fs), ['/d/.h.conf']);
  assert.deepEqual(expandInclude('/d/*/x.conf', '/home', fs), ['/d/sub/x.conf']);
  assert.deepEqual(expandInclude('/d/a.conf', '/home', fs), ['/d/a.conf']);
  assert.deepEqual(expandInclude('/d/zz.conf', '/home', fs), []);
  assert.deepEqual(expandInclude('~/*.conf', '/d', fs), ['/d/a.conf', '/d/b.conf']);
});
