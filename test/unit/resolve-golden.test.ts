/**
 * Golden comparison of `tssh -G` with OpenSSH 10.x's `ssh -G` (test/unit/golden-ssh.ts): the keywords
 * tssh has had since OpenSSH 9.2. resolve-golden-10.test.ts covers the keywords and criteria 10.x added.
 */
import { test } from 'node:test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import { CORE_ALGORITHMS, compare, compareFailure, dir, options } from './golden-ssh.js';

test('golden: empty config, defaults', options, () => {
  compare('', ['example.org']);
});

test('golden: Host blocks, HostName tokens, first value wins, identity files and env lists', options, () => {
  compare(
    [
      'Host web*',
      '  HostName %h.Internal.Example',
      '  Port 2222',
      '  User deploy',
      '  IdentityFile ~/.ssh/deploy_%r',
      '  IdentityFile /keys/%h-%p',
      '  IdentitiesOnly yes',
      '  SetEnv A=1 B="two words" A=3',
      '  SendEnv LANG LC_*',
      'Host *',
      '  Port 22',
      '  User other',
      '  IdentityFile ~/.ssh/fallback',
      '  SetEnv C=3',
      '  SendEnv -LC_* TERM_PROGRAM',
      '  BatchMode yes',
      '  Compression yes',
      '  ConnectTimeout 1m30',
      '  RekeyLimit 1.5G 2h',
      '  StrictHostKeyChecking accept-new',
      '  RequestTTY force',
      '  LogLevel debug2',
    ].join('\n'),
    ['WebServer1', 'uptime'],
  );
});

test('golden: known hosts files with tokens and ${VAR}; global file printed as written', options, () => {
  compare(
    [
      'UserKnownHostsFile ~/kh/%n %d/kh/%r@%h:%p /x/${GOLDEN_VAR}/%u-%i-%L-%l-%C-%k %%literal',
      'GlobalKnownHostsFile ~/global %h',
      'StrictHostKeyChecking off',
    ].join('\n'),
    ['-l', 'remote', 'Some.Host'],
  );
  compare('UserKnownHostsFile none\nGlobalKnownHostsFile none\n', ['h']);
});

test('golden: Match host/originalhost/user/localuser/all, negation and final pass', options, () => {
  const localUser = userInfo().username;
  compare(
    [
      'Host alias',
      '  HostName real.example',
      'Match host real.example !originalhost nope',
      '  Port 1022',
      `Match localuser ${localUser} user someone`,
      '  RequestTTY yes',
      'Match user someone',
      '  BatchMode yes',
      'Host real.example',
      '  StrictHostKeyChecking no',
      'Match final host real.example',
      '  ConnectTimeout 7',
      'Match !all',
      '  LogLevel ERROR',
      'Match all',
      '  IdentitiesOnly yes',
    ].join('\n'),
    ['-o', 'User=someone', 'alias'],
  );
});

test('golden: Include (absolute glob) and IgnoreUnknown', options, () => {
  const inc = path.join(dir, 'inc');
  mkdirSync(inc);
  writeFileSync(path.join(inc, '10-a.conf'), 'Host h\n  Port 2010\nMatch all\n  User from-a\n', { mode: 0o644 });
  writeFileSync(path.join(inc, '20-b.conf'), 'User from-b\nIdentityFile /from-b\n', { mode: 0o644 });
  writeFileSync(path.join(inc, '.hidden.conf'), 'Port 9\n', { mode: 0o644 });
  compare(`IgnoreUnknown UseKeychain,AddKeysToAgentX\nUseKeychain yes\nInclude ${inc}/*.conf\nHost *\n  Port 5\n`, ['h']);
  compare(`Host other\n  Include ${inc}/*.conf\nHost *\n  Port 5\n`, ['h']);
});

test('golden: command-line precedence (-o, -l, -p, user@host, -t/-T, -q/-v, -C, -n, -i)', options, () => {
  const config = 'User cfg\nPort 2\nRequestTTY no\nLogLevel ERROR\nCompression no\n';
  compare(config, ['-o', 'user=foo', '-l', 'bar', 'baz@host']);
  compare(config, ['baz@host', '-o', 'user=foo', '-l', 'bar']);
  compare(config, ['-p', '7', '-o', 'Port=8', 'h']);
  compare(config, ['-o', 'Port 8', '-p', '7', 'h']);
  compare(config, ['-T', '-t', 'h']);
  compare(config, ['-o', 'RequestTTY=yes', '-t', 'h']);
  compare(config, ['-tt', 'h']);
  compare(config, ['-vqv', 'h']);
  compare(config, ['-q', 'h']);
  compare(config, ['-C', '-n', 'h']);
  compare(config, ['-i', '/dev/null', '-o', 'IdentityFile=/opt/key', 'ssh://u%40x@HOST:2200']);
});

test('golden: explicit algorithm lists with supported names (plain, +, -, ^)', options, () => {
  compare(
    [
      'Ciphers aes256-gcm@openssh.com,aes128-ctr',
      'MACs hmac-sha2-512,hmac-sha2-256-etm@openssh.com',
      'KexAlgorithms curve25519-sha256,ecdh-sha2-nistp256',
      'HostKeyAlgorithms ssh-ed25519,rsa-sha2-512',
    ].join('\n'),
    ['h'],
    CORE_ALGORITHMS,
  );
  compare('Ciphers -aes*\nMACs hmac-sha1\nKexAlgorithms diffie-hellman-group14-sha256\nHostKeyAlgorithms ecdsa-sha2-nistp256\n', ['h'], CORE_ALGORITHMS);
  compare(
    'Ciphers ^aes256-ctr\nMACs hmac-sha2-256\nKexAlgorithms ecdh-sha2-nistp521\nHostKeyAlgorithms rsa-sha2-256\n',
    ['-c', 'aes128-ctr,chacha20-poly1305@openssh.com', 'h'],
    CORE_ALGORITHMS,
  );
});

test('golden: config errors carry the same text as ssh\'s stderr', options, () => {
  const cases = [
    'Foo bar\nPort abc\n',
    'Port 22 33\nBatchMode maybe\n',
    'Match host x extra\n',
    'Ciphers foo\nKexAlgorithms bar\n',
    'RekeyLimit 15\nConnectTimeout 1x\n',
  ];
  for (const config of cases) compareFailure(config);
});

test('golden: known_hosts policy keywords and the UpdateHostKeys default', options, () => {
  compare(
    [
      'Host alias',
      '  HostName real.example',
      '  HostKeyAlias Some-Alias',
      '  CheckHostIP yes',
      '  HashKnownHosts yes',
      '  KnownHostsCommand  =/usr/bin/printf %H %t',
      '  VisualHostKey yes',
      '  FingerprintHash md5',
      '  NoHostAuthenticationForLocalhost yes',
      '  RevokedHostKeys ~/revoked_%h',
      '  CASignatureAlgorithms ssh-ed25519,rsa-sha2-512',
      'Host *',
      '  UpdateHostKeys ask',
      '  CheckHostIP no',
    ].join('\n'),
    ['alias'],
    ['casignaturealgorithms'],
  );
  compare('UserKnownHostsFile ~/.ssh/known_hosts\n', ['h']); // the one spelling that keeps UpdateHostKeys on
  compare('UserKnownHostsFile /tmp/kh\n', ['h']);
  compare('VerifyHostKeyDNS ask\n', ['h']);
  compare('UpdateHostKeys no\nVerifyHostKeyDNS yes\nKnownHostsCommand none\nRevokedHostKeys none\n', ['h']);
});

test('golden: LocalCommand, connection sharing, IPQoS, tunnels, X11, logging and canonicalisation keywords', options, () => {
  compare(
    [
      'LocalCommand echo %h %n "%r"',
      'PermitLocalCommand yes',
      'ControlMaster autoask',
      'ControlPath ~/.ssh/cm-%C-%r@%h:%p',
      'ControlPersist 10m',
      'IPQoS af21 cs1',
      'Tunnel ethernet',
      'TunnelDevice 3:any',
      'SyslogFacility local3',
      'LogVerbose kex.c:*:1000,*:kex_exchange_identification():*',
      'XAuthLocation /opt/X11/bin/xauth',
      'ForwardX11 yes',
      'ForwardX11Trusted no',
      'ForwardX11Timeout 1h',
      'EnableSSHKeysign yes',
      'CanonicalizeHostname no',
      'CanonicalDomains Example.COM b.example',
      'CanonicalizeMaxDots 3',
      'CanonicalizeFallbackLocal no',
    ].join('\n'),
    ['h'],
  );
  compare('ControlPersist yes\nIPQoS 16 none\nTunnel yes\nTunnelDevice 7\nControlMaster no\nControlPath none\n', ['h']);
  compare('ControlPersist 0\nIPQoS ef\nTunnel point-to-point\n', ['-o', 'IPQoS=cs1', '-o', 'TunnelDevice=3:4', 'h']);
  // OpenSSH 10.x: the pre-DSCP names are ignored (the system default, printed none), and va is new.
  compare('IPQoS lowdelay\n', ['h']);
  compare('IPQoS va throughput\n', ['h']);
});

test('golden: Match exec runs through the shell with tokens; Include inside a Match block', options, () => {
  const inc = path.join(dir, 'exec-inc');
  mkdirSync(inc);
  writeFileSync(path.join(inc, 'a.conf'), 'Port 3030\n', { mode: 0o644 });
  compare(
    [
      'Host alias',
      '  HostName real.example',
      '  User someone',
      'Match exec "test %h = real.example -a %n = alias -a %r = someone -a %p = 22"',
      '  CheckHostIP yes',
      'Match exec "exit 3"',
      '  HashKnownHosts yes',
      'Match !exec "exit 3" host real.example',
      `  Include ${inc}/*.conf`,
      'Match host nomatch exec "echo must-not-run >&2; exit 0"',
      '  VisualHostKey yes',
    ].join('\n'),
    ['alias'],
  );
});

test('golden: errors of the newer keywords carry ssh\'s text', options, () => {
  const cases = [
    'IPQoS foo\nTunnelDevice x\n',
    'IPQoS 0x10\nIPQoS af11 256\n', // 10.x reads decimal numbers only
    'FingerprintHash sha3\nCanonicalizeMaxDots x\n',
    'CanonicalDomains a..b\nControlPersist forever\n',
    'SyslogFacility nope\nLogVerbose a none\n',
    'Tunnel maybe\nControlMaster perhaps\nUpdateHostKeys sometimes\n',
    'CanonicalizePermittedCNAMEs nocolon\nCASignatureAlgorithms foo\n',
    'Match exec\n',
  ];
  for (const config of cases) compareFailure(config);
});
