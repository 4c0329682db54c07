import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { parseArgs } from '../../src/cli/args.js';
import { DEFAULT_IDENTITY_FILES, resolveHost } from '../../src/profile/resolve.js';
import { dumpConfig } from '../../src/profile/dump.js';
import { CIPHER_NAMES, COMPRESSION_NAMES, DEFAULT_HOST_KEY_ALGORITHMS, HOST_KEY_NAMES, KEX_NAMES, MAC_NAMES } from '../../src/crypto/names.js';
import { TsshError } from '../../src/errors.js';
import { type ResolveEnvironment } from '../../src/profile/environment.js';
import { queryLines } from '../../src/config/query.js';

const root = mkdtempSync(path.join(tmpdir(), 'tssh-resolve-'));
after(() => rmSync(root, { recursive: true, force: true }));

let counter = 0;
/** A fresh fake home with an optional ~/.ssh/config and a system config file. */
function setup(files: { user?: string; system?: string; extra?: Record<string, string> } = {}): ResolveEnvironment & { warnings: string[] } {
  const home = path.join(root, `home${counter++}`);
  mkdirSync(path.join(home, '.ssh'), { recursive: true });
  const systemConfigFile = path.join(home, 'etc-ssh_config');
  if (files.user !== undefined) writeFileSync(path.join(home, '.ssh', 'config'), files.user, { mode: 0o600 });
  if (files.system !== undefined) writeFileSync(systemConfigFile, files.system);
  for (const [name, text] of Object.entries(files.extra ?? {})) writeFileSync(path.join(home, name), text);
  const warnings: string[] = [];
  return {
    home,
    user: 'alice',
    env: { TESTVAR: 'tv' },
    localHostname: 'box.lan',
    uid: process.getuid?.() ?? 0,
    systemConfigFile,
    warn: (message) => warnings.push(message),
    warnings,
  };
}

const resolve = (argv: string[], env: ResolveEnvironment) => resolveHost(parseArgs(argv), env);

test('defaults with no config at all', () => {
  const env = setup();
  const o = resolve(['example.org'], env);
  assert.equal(o.host, 'example.org');
  assert.equal(o.hostName, 'example.org');
  assert.equal(o.port, 22);
  assert.equal(o.user, 'alice');
  assert.deepEqual(o.identityFiles, DEFAULT_IDENTITY_FILES.map((f) => path.join(env.home, f.slice(2))));
  assert.equal(o.identityFilesAreDefaults, true);
  assert.deepEqual(o.ciphers, [...CIPHER_NAMES]);
  assert.deepEqual(o.macs, [...MAC_NAMES]);
  assert.deepEqual(o.kexAlgorithms, [...KEX_NAMES]);
  assert.deepEqual(o.hostKeyAlgorithms, [...DEFAULT_HOST_KEY_ALGORITHMS]);
  assert.deepEqual(o.caSignatureAlgorithms, [...HOST_KEY_NAMES]);
  assert.equal(o.hostKeyAlgorithmsFollowKnownHosts, true);
  assert.equal(o.updateHostKeys, 'yes');
  assert.equal(o.checkHostIP, false);
  assert.equal(o.hashKnownHosts, false);
  assert.equal(o.hostKeyAlias, undefined);
  assert.equal(o.strictHostKeyChecking, 'ask');
  assert.deepEqual(o.userKnownHostsFiles, [`${env.home}/.ssh/known_hosts`, `${env.home}/.ssh/known_hosts2`]);
  assert.deepEqual(o.globalKnownHostsFiles, ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2']);
  assert.equal(o.requestTTY, 'auto');
  assert.equal(o.logLevel, 'INFO');
  assert.deepEqual(o.rekeyLimit, { bytes: undefined, seconds: undefined });
  assert.equal(o.connectTimeout, undefined);
  assert.equal(o.compression, false);
  assert.equal(o.batchMode, false);
  assert.equal(o.identitiesOnly, false);
  assert.equal(o.stdinNull, false);
  assert.deepEqual(o.setEnv, []);
  assert.deepEqual(o.sendEnv, []);
  assert.equal(o.command, undefined);
});

test('user precedence on the command line: the first of -o User, -l, user@host (regress sshcfgparse.sh)', () => {
  const env = setup({ user: 'User fromconfig\n' });
  assert.equal(resolve(['-o', 'user=foo', '-l', 'bar', 'baz@host'], env).user, 'foo');
  assert.equal(resolve(['baz@host', '-o', 'user=foo', '-l', 'bar'], env).user, 'baz');
  assert.equal(resolve(['-l', 'bar', '-o', 'user=foo', 'baz@host'], env).user, 'bar');
  assert.equal(resolve(['host'], env).user, 'fromconfig');
  assert.equal(resolve(['ssh://uri@host:2200'], env).user, 'uri');
  assert.equal(resolve(['ssh://uri@host:2200'], env).port, 2200);
  assert.throws(() => resolve(['-l', '-x', 'h'], env), /remote username contains invalid characters/);
  assert.throws(() => resolve(['-o', 'User=a;b', 'h'], env), /remote username contains invalid characters/);
  // Control characters too (regress percent.sh "user-l badchar"), and ${VAR} is never expanded.
  assert.throws(() => resolve(['-l', 'x\x07y', 'h'], env), /remote username contains invalid characters/);
  assert.throws(() => resolve(['x\x07y@h'], env), /remote username contains invalid characters/);
  assert.throws(() => resolve(['${FOO}@h'], env), /remote username contains invalid characters/);
});

test('flags versus -o and config: first obtained wins, except the flags ssh forces', () => {
  const env = setup({ user: 'Port 9\nCiphers aes256-ctr\nCompression no\nRequestTTY no\nLogLevel ERROR\n' });
  assert.equal(resolve(['-p', '2', '-o', 'Port=5', 'h'], env).port, 2);
  assert.equal(resolve(['-o', 'Port=5', '-p', '2', 'h'], env).port, 5);
  assert.equal(resolve(['h'], env).port, 9);
  assert.deepEqual(resolve(['-c', 'aes128-ctr', 'h'], env).ciphers, ['aes128-ctr']);
  assert.deepEqual(resolve(['-o', 'Ciphers=aes192-ctr', '-c', 'aes128-ctr', 'h'], env).ciphers, ['aes128-ctr']);
  assert.deepEqual(resolve(['-c', 'aes128-ctr', '-c', '^aes256-gcm@openssh.com', 'h'], env).ciphers[0], 'aes256-gcm@openssh.com');
  assert.deepEqual(resolve(['-m', 'hmac-sha1', '-o', 'MACs=hmac-sha2-256', 'h'], env).macs, ['hmac-sha1']);
  assert.equal(resolve(['-o', 'Compression=no', '-C', 'h'], env).compression, true);
  assert.equal(resolve(['h'], env).compression, false);
  assert.equal(resolve(['-T', '-t', 'h'], env).requestTTY, 'yes');
  assert.equal(resolve(['-t', '-T', 'h'], env).requestTTY, 'no');
  assert.equal(resolve(['-tt', 'h'], env).requestTTY, 'force');
  assert.equal(resolve(['-o', 'RequestTTY=yes', '-t', 'h'], env).requestTTY, 'force');
  assert.equal(resolve(['h'], env).requestTTY, 'no');
  assert.equal(resolve(['-q', 'h'], env).logLevel, 'QUIET');
  assert.equal(resolve(['-v', 'h'], env).logLevel, 'DEBUG1');
  assert.equal(resolve(['-vv', 'h'], env).logLevel, 'DEBUG2');
  assert.equal(resolve(['-vvvvv', 'h'], env).logLevel, 'DEBUG3');
  assert.equal(resolve(['-v', '-q', 'h'], env).logLevel, 'QUIET');
  assert.equal(resolve(['-q', '-v', 'h'], env).logLevel, 'DEBUG1');
  assert.equal(resolve(['-vqv', 'h'], env).logLevel, 'FATAL'); // as ssh 9.2 does
  assert.equal(resolve(['-o', 'LogLevel=VERBOSE', 'h'], env).logLevel, 'VERBOSE');
  assert.equal(resolve(['h'], env).logLevel, 'ERROR');
  assert.equal(resolve(['-n', 'h'], env).stdinNull, true);
  assert.equal(resolve(['-E', '/tmp/log', 'h'], env).logFile, '/tmp/log');
  assert.equal(resolve(['h', 'uname', '-a'], env).command, 'uname -a');
});

test('-i adds before config identities, ~ expanded; a missing -i file is dropped with ssh\'s warning', () => {
  const env = setup({ user: 'IdentityFile ~/.ssh/from-config\n', extra: { key1: 'x' } });
  const o = resolve(['-i', '~/key1', '-i', '~/missing', '-o', 'IdentityFile=/opt/k', 'h'], env);
  assert.deepEqual(o.identityFiles, [`${env.home}/key1`, '/opt/k', `${env.home}/.ssh/from-config`]);
  assert.deepEqual(o.identityFileSpecs, [`${env.home}/key1`, '/opt/k', '~/.ssh/from-config']);
  assert.equal(o.identityFilesAreDefaults, false);
  assert.deepEqual(env.warnings, [`Warning: Identity file ${env.home}/missing not accessible: No such file or directory.`]);
});

test('-F replaces both config files; -F none reads nothing; a missing -F file is fatal', () => {
  const env = setup({ user: 'Port 1\n', system: 'User sys\n', extra: { alt: 'Port 3\n' } });
  const both = resolve(['h'], env);
  assert.equal(both.port, 1);
  assert.equal(both.user, 'sys');
  const alt = resolve(['-F', path.join(env.home, 'alt'), 'h'], env);
  assert.equal(alt.port, 3);
  assert.equal(alt.user, 'alice');
  assert.equal(resolve(['-F', 'none', 'h'], env).port, 22);
  assert.throws(
    () => resolve(['-F', path.join(env.home, 'nope'), 'h'], env),
    (err: unknown) => err instanceof TsshError && err.message === `Can't open user config file ${env.home}/nope: No such file or directory`,
  );
});

test('~/.ssh/config writable by others is refused; -F files are not checked', () => {
  const env = setup({ user: 'Port 1\n' });
  const config = path.join(env.home, '.ssh', 'config');
  chmodSync(config, 0o666);
  assert.throws(
    () => resolve(['h'], env),
    (err: unknown) => err instanceof TsshError && err.code === 'CONFIG' && err.message === `Bad owner or permissions on ${config}`,
  );
  chmodSync(config, 0o620);
  assert.throws(() => resolve(['h'], env), /Bad owner or permissions/);
  assert.equal(resolve(['-F', config, 'h'], env).port, 1);
  chmodSync(config, 0o644);
  assert.equal(resolve(['h'], env).port, 1);
});

test('HostName tokens and lowercasing; tokens and ${VAR} in UserKnownHostsFile and IdentityFile', () => {
  const env = setup({
    user: [
      'Host Alias',
      '  HostName %h.Example.COM',
      '  Port 2022',
      '  User bob',
      '  UserKnownHostsFile ~/kh-%n %d/%r@%h:%p ${TESTVAR}-%u-%i-%L-%l',
      '  IdentityFile ~/.ssh/id-%r-%C',
      '  GlobalKnownHostsFile ~/global',
    ].join('\n'),
  });
  const o = resolve(['Alias'], env);
  assert.equal(o.host, 'Alias');
  assert.equal(o.hostName, 'alias.example.com');
  const hash = createHash('sha1').update('box.lanalias.example.com2022bob').digest('hex');
  assert.deepEqual(o.userKnownHostsFiles, [
    `${env.home}/kh-Alias`,
    `${env.home}/bob@alias.example.com:2022`,
    `tv-alice-${env.uid}-box-box.lan`,
  ]);
  assert.deepEqual(o.identityFiles, [`${env.home}/.ssh/id-bob-${hash}`]);
  assert.deepEqual(o.identityFileSpecs, ['~/.ssh/id-%r-%C']);
  assert.deepEqual(o.globalKnownHostsFiles, [`${env.home}/global`]);
  assert.deepEqual(o.globalKnownHostsFileSpecs, ['~/global']);
  // Addresses keep their case.
  assert.equal(resolve(['-o', 'HostName=FE80::1', 'h'], env).hostName, 'FE80::1');
  assert.equal(resolve(['UPPER'], env).hostName, 'upper');
  const bad = setup({ user: 'UserKnownHostsFile ${NOT_SET_ANYWHERE}\n' });
  assert.throws(() => resolve(['h'], bad), /invalid environment variable expansion/);
  const none = setup({ user: 'UserKnownHostsFile none\nGlobalKnownHostsFile none\n' });
  assert.deepEqual(resolve(['h'], none).userKnownHostsFiles, []);
  assert.deepEqual(resolve(['h'], none).globalKnownHostsFiles, []);
});

test('Match final re-reads the files with the final host name', () => {
  const env = setup({ user: 'Host real\n  Port 7\nHost alias\n  HostName REAL\nMatch final\n  User z\n' });
  const o = resolve(['alias'], env);
  assert.equal(o.hostName, 'real');
  assert.equal(o.port, 7);
  assert.equal(o.user, 'z');
});

test('values reach ResolvedOptions: rekey limit, timeouts, env lists, algorithm edits', () => {
  const env = setup({
    user: [
      'RekeyLimit 1G 1h',
      'ConnectTimeout 10',
      'StrictHostKeyChecking accept-new',
      'BatchMode yes',
      'IdentitiesOnly yes',
      'SetEnv A=1 B="two words"',
      'SendEnv LANG LC_*',
      'Ciphers -aes*',
      'MACs ^hmac-sha1',
      'KexAlgorithms +diffie-hellman-group1-sha1',
      'HostKeyAlgorithms ssh-ed25519,rsa-sha2-*',
      'IgnoreUnknown UseKeychain',
      'UseKeychain yes',
      'GSSAPITrustDNS yes',
    ].join('\n'),
  });
  const o = resolve(['h'], env);
  assert.deepEqual(o.rekeyLimit, { bytes: 2 ** 30, seconds: 3600 });
  assert.equal(o.connectTimeout, 10);
  assert.equal(o.strictHostKeyChecking, 'accept-new');
  assert.equal(o.batchMode, true);
  assert.equal(o.identitiesOnly, true);
  assert.deepEqual(o.setEnv, [['A', '1'], ['B', 'two words']]);
  assert.deepEqual(o.sendEnv, ['LANG', 'LC_*']);
  assert.deepEqual(o.ciphers, CIPHER_NAMES.filter((n) => !n.startsWith('aes')));
  assert.deepEqual(o.macs, ['hmac-sha1', ...MAC_NAMES.filter((n) => n !== 'hmac-sha1')]);
  assert.deepEqual(o.kexAlgorithms, [...KEX_NAMES, 'diffie-hellman-group1-sha1']);
  // rsa-sha2-* also matches the certificate names (OpenSSH expands wildcards over every key type name).
  assert.deepEqual(o.hostKeyAlgorithms, ['ssh-ed25519', 'rsa-sha2-256', 'rsa-sha2-256-cert-v01@openssh.com', 'rsa-sha2-512', 'rsa-sha2-512-cert-v01@openssh.com']);
  assert.equal(o.hostKeyAlgorithmsFollowKnownHosts, false);
  assert.equal(o.ignoreUnknown, 'UseKeychain');
  assert.deepEqual(o.unimplemented.get('GSSAPITrustDNS'), ['yes']);
  const newest = setup({ user: 'KexAlgorithms mlkem768nistp256-sha256\n' });
  assert.deepEqual(resolve(['h'], newest).kexAlgorithms, ['mlkem768nistp256-sha256']);
});

test('-G output: lowercase keywords in ssh -G order with ssh spellings', () => {
  const env = setup({
    user: 'RequestTTY yes\nStrictHostKeyChecking no\nLogLevel QUIET\nSetEnv A=1\nSendEnv X Y\nConnectTimeout 5\nRekeyLimit 1M\nIgnoreUnknown Foo\n',
  });
  const text = dumpConfig(resolve(['-G', '-i', '/dev/null', 'bob@Example', 'cmd'], env));
  const lines = text.trimEnd().split('\n');
  assert.ok(text.endsWith('\n'));
  const order = [
    'host', 'user', 'hostname', 'port', 'batchmode', 'compression', 'identitiesonly', 'requesttty', 'stdinnull',
    'stricthostkeychecking', 'ciphers', 'hostkeyalgorithms', 'ignoreunknown', 'kexalgorithms', 'loglevel', 'macs',
    'identityfile', 'globalknownhostsfile', 'userknownhostsfile', 'sendenv', 'setenv', 'connecttimeout', 'rekeylimit',
  ];
  const keywords = lines.map((line) => line.split(' ')[0]!).filter((keyword) => order.includes(keyword));
  assert.deepEqual([...new Set(keywords)], order);
  for (const expected of [
    'host Example', 'user bob', 'hostname example', 'port 22', 'requesttty true', 'stricthostkeychecking false',
    'loglevel QUIET', 'identityfile /dev/null', 'sendenv X', 'sendenv Y', 'setenv A=1', 'connecttimeout 5',
    'rekeylimit 1048576 0', 'ignoreunknown Foo', `ciphers ${CIPHER_NAMES.join(',')}`,
  ]) {
    assert.ok(lines.includes(expected), expected);
  }
  const defaults = dumpConfig(resolve(['-G', 'h'], setup()));
  for (const expected of ['identityfile ~/.ssh/id_rsa', 'connecttimeout none', 'rekeylimit 0 0', 'loglevel INFO', 'requesttty auto', 'stricthostkeychecking ask', 'globalknownhostsfile /etc/ssh/ssh_known_hosts /etc/ssh/ssh_known_hosts2']) {
    assert.ok(defaults.split('\n').includes(expected), expected);
  }
  assert.ok(!defaults.includes('sendenv') && !defaults.includes('setenv') && !defaults.includes('ignoreunknown'));
});

test('-Q lists come from names.ts, in OpenSSH 10.x order; aliases as in ssh; unknown is a usage error', () => {
  // `ssh -Q cipher|mac` of OpenSSH 10.3p1 word for word; kex as 10.5 (mlkem768nistp256 after the ECDH ones).
  const ciphers = [
    '3des-cbc', 'aes128-cbc', 'aes192-cbc', 'aes256-cbc', 'aes128-ctr', 'aes192-ctr', 'aes256-ctr',
    'aes128-gcm@openssh.com', 'aes256-gcm@openssh.com', 'chacha20-poly1305@openssh.com',
  ];
  const macs = [
    'hmac-sha1', 'hmac-sha1-96', 'hmac-sha2-256', 'hmac-sha2-512', 'hmac-md5', 'hmac-md5-96', 'umac-64@openssh.com',
    'umac-128@openssh.com', 'hmac-sha1-etm@openssh.com', 'hmac-sha1-96-etm@openssh.com', 'hmac-sha2-256-etm@openssh.com',
    'hmac-sha2-512-etm@openssh.com', 'hmac-md5-etm@openssh.com', 'hmac-md5-96-etm@openssh.com', 'umac-64-etm@openssh.com',
    'umac-128-etm@openssh.com',
  ];
  const kex = [
    'diffie-hellman-group1-sha1', 'diffie-hellman-group14-sha1', 'diffie-hellman-group14-sha256', 'diffie-hellman-group16-sha512',
    'diffie-hellman-group18-sha512', 'diffie-hellman-group-exchange-sha1', 'diffie-hellman-group-exchange-sha256',
    'ecdh-sha2-nistp256', 'ecdh-sha2-nistp384', 'ecdh-sha2-nistp521', 'mlkem768nistp256-sha256', 'curve25519-sha256', 'curve25519-sha256@libssh.org',
    'sntrup761x25519-sha512', 'sntrup761x25519-sha512@openssh.com', 'mlkem768x25519-sha256',
  ];
  assert.deepEqual(queryLines('cipher'), ciphers);
  assert.deepEqual(queryLines('Ciphers'), ciphers);
  assert.deepEqual(queryLines('cipher-auth'), ['aes128-gcm@openssh.com', 'aes256-gcm@openssh.com', 'chacha20-poly1305@openssh.com']);
  assert.deepEqual(queryLines('mac'), macs);
  assert.deepEqual(queryLines('MACS'), macs);
  assert.deepEqual(queryLines('kex'), kex);
  assert.deepEqual(queryLines('KexAlgorithms'), kex);
  // OpenSSH 10.5's lists (ssh -Q of a portable HEAD build): security keys and ML-DSA/Ed25519 included;
  // and ssh-dss where 9.2 lists it (OpenSSH 10.0 dropped DSA, tssh keeps it off by default).
  const plain = [
    'ssh-ed25519', 'sk-ssh-ed25519@openssh.com', 'ssh-mldsa44-ed25519@openssh.com', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384',
    'ecdsa-sha2-nistp521', 'sk-ecdsa-sha2-nistp256@openssh.com', 'ssh-dss', 'ssh-rsa',
  ];
  const cert = (name: string): string => `${name.replace(/@openssh\.com$/, '')}-cert-v01@openssh.com`;
  assert.deepEqual(queryLines('key-plain'), plain);
  assert.deepEqual(queryLines('key-cert'), plain.map(cert));
  assert.deepEqual(queryLines('key'), plain.flatMap((name) => [name, cert(name)]));
  const sig = [
    'ssh-ed25519', 'sk-ssh-ed25519@openssh.com', 'ssh-mldsa44-ed25519@openssh.com', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384',
    'ecdsa-sha2-nistp521', 'sk-ecdsa-sha2-nistp256@openssh.com', 'webauthn-sk-ecdsa-sha2-nistp256@openssh.com', 'ssh-dss', 'ssh-rsa',
    'rsa-sha2-256', 'rsa-sha2-512',
  ];
  assert.deepEqual(queryLines('sig'), sig);
  // OpenSSH 9.6+: what a certificate authority may sign with.
  assert.deepEqual(queryLines('key-ca-sign'), sig);
  assert.deepEqual(queryLines('CASignatureAlgorithms'), sig);
  const keySig = sig.flatMap((name) => [name, cert(name)]);
  assert.ok(keySig.includes('webauthn-sk-ecdsa-sha2-nistp256-cert-v01@openssh.com') && keySig.includes('ssh-mldsa44-ed25519-cert-v01@openssh.com'));
  assert.deepEqual(queryLines('key-sig'), keySig);
  assert.deepEqual(queryLines('HostKeyAlgorithms'), keySig);
  assert.deepEqual(queryLines('pubkeyacceptedalgorithms'), keySig);
  assert.deepEqual(queryLines('compression'), [...COMPRESSION_NAMES]);
  assert.deepEqual(queryLines('protocol-version'), ['2']);
  assert.deepEqual(queryLines('help'), [
    'cipher', 'cipher-auth', 'compression', 'kex', 'key', 'key-cert', 'key-plain', 'key-sig', 'mac', 'protocol-version', 'sig',
  ]);
  for (const bad of ['foo', 'MAC', 'KEX', 'Key-CA-Sign']) {
    assert.throws(() => queryLines(bad), (err: unknown) => err instanceof TsshError && err.code === 'USAGE' && err.message === `Unsupported query "${bad}"`);
  }
});

test('CanonicalizeHostname: suffixes tried in order, the config read again with Match canonical; max dots, fallback, proxies', () => {
  const asked: string[][] = [];
  const resolver = (names: readonly string[]): boolean[] => {
    asked.push([...names]);
    return names.map((n) => n === 'web.b.example.' || n === 'fq.example.');
  };
  const config = [
    'CanonicalizeHostname yes',
    'CanonicalDomains a.example b.example',
    'Host *.b.example',
    '  Port 2200',
    'Match canonical host web.b.example',
    '  User canon',
    'Match !canonical',
    '  IdentitiesOnly yes',
  ].join('\n');
  const env = { ...setup({ user: `${config}\n` }), resolveHostnames: resolver };
  const o = resolve(['web'], env);
  assert.equal(o.hostName, 'web.b.example');
  assert.equal(o.port, 2200);
  assert.equal(o.user, 'canon');
  assert.equal(o.identitiesOnly, true); // first pass, before canonicalisation
  assert.deepEqual(asked, [['web.a.example.', 'web.b.example.']]);
  assert.equal(resolve(['fq.example.'], env).hostName, 'fq.example');
  asked.length = 0;
  assert.equal(resolve(['x.y.z'], env).hostName, 'x.y.z'); // more dots than CanonicalizeMaxDots
  assert.equal(resolve(['10.0.0.1'], env).hostName, '10.0.0.1');
  assert.deepEqual(asked, []);
  assert.equal(resolve(['nowhere'], env).hostName, 'nowhere');
  assert.throws(() => resolve(['-o', 'CanonicalizeFallbackLocal=no', 'nowhere'], env), /^Error: tssh: Could not resolve host "nowhere"$|Could not resolve host "nowhere"/);
  assert.equal(resolve(['-o', 'ProxyCommand=nc %h %p', 'web'], env).hostName, 'web');
  assert.equal(resolve(['-o', 'ProxyCommand=nc %h %p', '-o', 'CanonicalizeHostname=always', 'web'], env).hostName, 'web.b.example');
});
