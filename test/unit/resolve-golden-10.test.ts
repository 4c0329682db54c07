/**
 * Golden comparison of `tssh -G` with OpenSSH 10.x's `ssh -G` (test/unit/golden-ssh.ts) for a set of
 * configs that together use every ssh_config keyword tssh knows, and for what 10.x added since 9.2:
 * Match version/sessiontype/command/localnetwork and `attribute=value`, %j and %C with %j, tokens in
 * User, SetEnv and Include, RevokedHostKeys as a list, IdentityFile none, the new keywords and their
 * errors. The last test checks that the configs here used every keyword of the table.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { KEYWORDS } from '../../src/config/keywords.js';
import { compare, compareFailure, dir, keywordsUsed, options } from './golden-ssh.js';

/** One line per keyword (OpenSSH 10.3's readconf.c table), each with a value other than its default. */
const EVERY_KEYWORD = [
  'Host h',
  '  HostName real.%h.example',
  '  User deploy_%h',
  '  Port 2200',
  '  AddKeysToAgent confirm 5m',
  '  AddressFamily inet',
  '  BatchMode yes',
  '  BindAddress 127.0.0.1',
  '  BindInterface lo',
  '  CanonicalDomains a.example b.example',
  '  CanonicalizeFallbackLocal no',
  '  CanonicalizeHostname no',
  '  CanonicalizeMaxDots 3',
  '  CanonicalizePermittedCNAMEs *.a.example:*.b.example',
  '  CASignatureAlgorithms ssh-ed25519,rsa-sha2-512',
  '  CertificateFile ~/.ssh/cert-%r',
  '  ChannelTimeout session=5m direct-tcpip=1h global=30',
  '  CheckHostIP yes',
  '  Ciphers aes256-gcm@openssh.com',
  '  ClearAllForwardings no',
  '  Compression yes',
  '  ConnectionAttempts 4',
  '  ConnectTimeout 12',
  '  ControlMaster auto',
  '  ControlPath ~/.ssh/cm-%C',
  '  ControlPersist 5m',
  '  DynamicForward 1080',
  '  EnableEscapeCommandline yes',
  '  EnableSSHKeysign yes',
  '  EscapeChar ^A',
  '  ExitOnForwardFailure yes',
  '  FingerprintHash md5',
  '  ForkAfterAuthentication no',
  '  ForwardAgent yes',
  '  ForwardX11 yes',
  '  ForwardX11Timeout 2h',
  '  ForwardX11Trusted yes',
  '  GatewayPorts yes',
  '  GlobalKnownHostsFile /etc/ssh/gk1 /etc/ssh/gk2',
  '  HashKnownHosts yes',
  '  HostbasedAcceptedAlgorithms ssh-ed25519',
  '  HostbasedAuthentication yes',
  '  HostKeyAlgorithms ssh-ed25519,rsa-sha2-256',
  '  HostKeyAlias alias-%h',
  '  IdentitiesOnly yes',
  '  IdentityAgent ~/agent.sock',
  '  IdentityFile ~/.ssh/id_%r',
  '  IdentityFile none',
  '  IgnoreUnknown Foo*',
  '  IPQoS af21 cs1',
  '  KbdInteractiveAuthentication no',
  '  KbdInteractiveDevices pam',
  '  KexAlgorithms curve25519-sha256',
  '  KnownHostsCommand /bin/echo %H %t',
  '  LocalCommand echo %h %j',
  '  LocalForward 8080 localhost:80',
  '  LogLevel VERBOSE',
  '  LogVerbose kex.c:*',
  '  MACs hmac-sha2-256',
  '  NoHostAuthenticationForLocalhost yes',
  '  NumberOfPasswordPrompts 5',
  '  ObscureKeystrokeTiming interval:50',
  '  PasswordAuthentication no',
  '  PermitLocalCommand yes',
  '  PermitRemoteOpen localhost:22 any:80',
  '  PKCS11Provider /usr/lib/p11.so',
  '  PreferredAuthentications publickey,password',
  '  ProxyJump jumper@bastion.example:2222',
  '  ProxyUseFdpass yes',
  '  PubkeyAcceptedAlgorithms ssh-ed25519,rsa-sha2-512',
  '  PubkeyAuthentication host-bound',
  '  RekeyLimit 1G 1h',
  '  RemoteCommand echo %C %j',
  '  RemoteForward 9090 localhost:90',
  '  RequestTTY force',
  '  RequiredRSASize 3072',
  '  RevokedHostKeys ~/rev1 /rev/%h',
  '  SecurityKeyProvider /usr/lib/sk.so',
  '  SendEnv LANG LC_*',
  '  ServerAliveCountMax 7',
  '  ServerAliveInterval 15',
  '  SessionType default',
  '  SetEnv FOO=%h BAR="x y"',
  '  StdinNull yes',
  '  StreamLocalBindMask 0022',
  '  StreamLocalBindUnlink yes',
  '  StrictHostKeyChecking accept-new',
  '  SyslogFacility LOCAL1',
  '  Tag tagged',
  '  TCPKeepAlive no',
  '  Tunnel ethernet',
  '  TunnelDevice 1:2',
  '  UpdateHostKeys ask',
  '  UserKnownHostsFile ~/kh1 ~/kh/%j',
  '  VerifyHostKeyDNS yes',
  '  VersionAddendum hi %h from %u # a comment is part of it',
  '  VisualHostKey yes',
  '  WarnWeakCrypto no-pq-kex',
  '  XAuthLocation /opt/xauth',
  '',
].join('\n');

/** The other values of the new keywords, the new Match criteria and the new token uses. */
const NEWER_FORMS = [
  'Match version OpenSSH_10.* sessiontype shell',
  '  Port 2201',
  'Match sessiontype exec',
  '  Port 2202',
  'Match command "uptime*" sessiontype exec',
  '  User cmduser',
  'Match localnetwork 127.0.0.0/8',
  '  Tag lo-net',
  'Match tagged lo-net',
  '  SetEnv LOCALNET=yes',
  'Match !localnetwork 203.0.113.0/24,2001:db8::/32',
  '  SendEnv NOT_DOC_NET',
  'Match host=h* user=root,!nobody',
  '  CheckHostIP yes',
  'Match !final',
  '  ConnectTimeout 3',
  'Match final',
  '  HashKnownHosts yes',
  'Match tagged=""',
  '  VisualHostKey yes',
  'Host *',
  '  ObscureKeystrokeTiming no',
  '  ChannelTimeout none',
  '  VersionAddendum none',
  '  ProxyCommand nc %h %p',
  '  ProxyUseFdpass yes',
  '  RevokedHostKeys none',
  '  SecurityKeyProvider none',
  '  WarnWeakCrypto no',
  '  IPQoS none',
  '  UpdateHostKeys ask',
  '  ForwardX11Trusted no',
  '  LogLevel QUIET',
  '  User %u-%n-%p-%d-%i-%k-%L-%l-%j-x',
  '  SetEnv HASH=%C USER=%r JUMP=[%j] VAR=${GOLDEN_VAR}',
  '  IdentityFile ~/.ssh/k-%C',
  '  CertificateFile %d/c-%r',
  '',
].join('\n');

test('golden 10.x: one config with every keyword', options, () => {
  compare(EVERY_KEYWORD, ['h']);
  compare(EVERY_KEYWORD, ['-p', '2', '-l', 'cli%h', '-o', 'RemoteCommand=none', 'h', 'uptime']);
  compare(EVERY_KEYWORD, ['-J', 'other@jump:99', '-o', 'VersionAddendum=cli', 'h']);
  // The same keywords where they do not apply: every line is still parsed.
  compare(EVERY_KEYWORD, ['elsewhere']);
});

test('golden 10.x: Match version/sessiontype/command/localnetwork/tagged, attribute=value, final', options, () => {
  compare(NEWER_FORMS, ['h']);
  compare(NEWER_FORMS, ['h', 'uptime', '-x']);
  compare(NEWER_FORMS, ['-N', 'h']);
  compare(NEWER_FORMS, ['-s', 'h', 'sftp']);
  compare(NEWER_FORMS, ['-W', 'x:1', 'h']);
  compare(NEWER_FORMS, ['-P', 'lo-net', '-J', 'u@j1,u2@J2.example:2', 'h']);
  compare(NEWER_FORMS, ['-o', 'RemoteCommand=uptime', 'h']); // RemoteCommand is not what Match command sees
});

test('golden 10.x: %j and %C with %j, tokens in User and SetEnv, UpdateHostKeys=ask turned off', options, () => {
  const config = [
    'UserKnownHostsFile /k/%j/%C',
    'ControlPath /c/%j-%C',
    'RemoteCommand echo %j',
    'SetEnv A=%j/%h/%r B=${GOLDEN_VAR} C=%%',
    'UpdateHostKeys ask',
    '',
  ].join('\n');
  compare(config, ['-J', 'u@a:1,u2@B.x:2', 'h']);
  compare(config, ['-J', '[::1]:2222', 'h']);
  compare(config, ['-o', 'ProxyJump=none', 'h']);
  compare('User x%hy-%n\nControlPath /c/%C\n', ['h']);
  compare('User ${GOLDEN_VAR}\n', ['h']);
  compare('User literal\n', ['-o', 'User=cli-%h', 'h']); // -o User is a directive: expanded
  compare('User %h\n', ['-l', 'cli', 'h']); // -l is the command line: never expanded, and first
  compare('UpdateHostKeys ask\nLogLevel ERROR\n', ['h']);
  compare('UpdateHostKeys ask\nControlPersist yes\nControlPath /tmp/c\n', ['h']);
  compare('UpdateHostKeys ask\n', ['-T', 'h']);
});

test('golden 10.x: Include takes tokens and ${VAR}; unset variables skip the file with an error', options, () => {
  const inc = path.join(dir, 'inc10');
  mkdirSync(inc);
  writeFileSync(path.join(inc, 'h-jumper-22'), 'Port 2345\n', { mode: 0o644 });
  writeFileSync(path.join(inc, 'golden-value.conf'), 'User from-var\n', { mode: 0o644 });
  compare(`Include ${inc}/%h-%j-%p\nInclude ${inc}/\${GOLDEN_VAR}.conf\n`, ['-J', 'jumper', 'h']);
  compare(`Include ${inc}/\${NOT_SET_ANYWHERE}\nPort 9\n`, ['h']);
});

test('golden 10.x: IdentityFile none, RevokedHostKeys list, ObscureKeystrokeTiming and IPQoS forms', options, () => {
  compare('IdentityFile none\n', ['h']);
  compare('IdentityFile none\nIdentityFile ~/.ssh/other\n', ['-i', '/dev/null', 'h']);
  compare('RevokedHostKeys ~/a %d/b-%h\nRevokedHostKeys /not-this-one\n', ['h']);
  compare('ObscureKeystrokeTiming interval:20\n', ['h']);
  compare('ObscureKeystrokeTiming false\n', ['h']);
  compare('ChannelTimeout agent-connection=1m x11-connection=1 session:*=1h\n', ['h']);
  compare('VersionAddendum=x\nWarnWeakCrypto yes\nRequiredRSASize 2048\n', ['h']);
  compare('', ['-o', 'SecurityKeyProvider=internal', '-o', 'HostbasedAuthentication=yes', '-o', 'BindInterface=eth0', 'h']);
});

test('golden 10.x: errors of the 10.x keywords and criteria carry ssh\'s text', options, () => {
  const cases = [
    'ObscureKeystrokeTiming YES\n',
    'ObscureKeystrokeTiming interval:0\nObscureKeystrokeTiming interval:x\n',
    'ObscureKeystrokeTiming yes no\nObscureKeystrokeTiming interval:\nObscureKeystrokeTiming interval:-3\n',
    'ChannelTimeout session=1 x\n',
    'Port x\nChannelTimeout session=1 x\n', // fatal at once, after the earlier bad line's message
    'ChannelTimeout none x\n',
    'WarnWeakCrypto maybe\n',
    'RefuseConnection  "go away" \nPort 5\n',
    'Port x\nRefuseConnection bye\n',
    'RefuseConnection ""\n',
    'RequiredRSASize x\nRequiredRSASize ""\n',
    'VersionAddendum "a\rb"\n',
    'Match sessiontype=exec\n',
    'Match host\n',
    'Match host ""\n',
    'Match localnetwork 10.0.0.0/33\n',
    'Match localnetwork 127.0.0.0/8,x\n',
    'Match localnetwork 127.0.0.1/8\n',
    'Match localnetwork ,\n',
    'Match localnetwork 10.0.0.0/x\n',
    'Match version\n',
    'Include /tmp/%q\n',
    'RevokedHostKeys a none\nRevokedHostKeys ""\n',
    'User %r\n',
    'User %C\n',
    'User a;b%h\n',
    'SetEnv A=%q\n',
    'SetEnv A=${NOT_SET_ANYWHERE}\n',
    'VersionAddendum %q\n',
    'HostbasedAcceptedAlgorithms foo\nHostbasedAuthentication maybe\nProxyUseFdpass maybe\n',
    'ProxyCommand -\nProxyUseFdpass yes\n',
    'Match tagged\nMatch command\n',
  ];
  for (const config of cases) compareFailure(config);
  compareFailure('', ['-o', 'RefuseConnection=no', 'h']);
  keywordsUsed.add('refuseconnection');
  compareFailure('', ['-o', 'User=${NOT_SET_ANYWHERE}', 'h']);
  // Jump hops given on the command line have their names checked (strict parse_jump), last hop first.
  compareFailure('', ['-J', 'u@h,c$d', 'h']);
  compareFailure('', ['-J', 'u;x@h', 'h']);
  compareFailure('', ['-o', 'ProxyJump=-x,b', 'h']);
});

test('golden 10.x: the configs above used every keyword tssh knows', options, () => {
  // Debian's GSSAPI keywords are accepted and ignored by tssh; an OpenSSH built without GSSAPI (the
  // oracle) calls them unsupported, so they cannot be compared; nor can tssh's own keywords.
  const comparable = [...KEYWORDS.entries()].filter(([, spec]) => spec.tsshOnly !== true && !['unimplemented', 'deprecated', 'unsupported', 'ignore', 'host', 'match', 'include'].includes(spec.kind));
  const canonical = new Set([...keywordsUsed].map((keyword) => KEYWORDS.get(keyword)?.name));
  const missing = comparable.filter(([, spec]) => !canonical.has(spec.name)).map(([keyword]) => keyword);
  assert.deepEqual(missing, []);
});
