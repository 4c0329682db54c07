/**
 * Forwarding specifications and jump lists (config/forward-spec.ts), and the forwarding keywords and
 * flags as `ssh -G` prints them: OpenSSH 9.2's own `ssh -G` is the oracle.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import {
  formatProxyJump,
  forwardDumpValues,
  parseForwardSpec,
  parseJumpList,
  parseRemoteForwardSpec,
  parseStdioForward,
} from '../../src/config/forward-spec.js';
import { parseArgs } from '../../src/cli/args.js';
import { resolveHost } from '../../src/profile/resolve.js';
import { dumpConfig } from '../../src/profile/dump.js';
import { TsshError } from '../../src/errors.js';
import { openssh10IfBuilt } from '../support/openssh10.js';
import { fixedBindAddresses, localBindChoice, remoteBindHost } from '../../src/forward/spec.js';

const local = (spec: string) => parseForwardSpec(spec, { dynamic: false, remote: false });
const dynamic = (spec: string) => parseForwardSpec(spec, { dynamic: true, remote: false });

test('-L forms: [bind:]port:host:hostport, sockets on either side, brackets and backslash escapes', () => {
  assert.deepEqual(local('8080:localhost:80'), { listen: { kind: 'tcp', host: undefined, port: 8080 }, connect: { kind: 'tcp', host: 'localhost', port: 80 } });
  assert.deepEqual(local('*:8080:db:5432'), { listen: { kind: 'tcp', host: '*', port: 8080 }, connect: { kind: 'tcp', host: 'db', port: 5432 } });
  assert.deepEqual(local('[::1]:8080:[fe80::1]:22'), { listen: { kind: 'tcp', host: '::1', port: 8080 }, connect: { kind: 'tcp', host: 'fe80::1', port: 22 } });
  assert.deepEqual(local('8080:/run/app.sock'), { listen: { kind: 'tcp', host: undefined, port: 8080 }, connect: { kind: 'unix', path: '/run/app.sock' } });
  assert.deepEqual(local('/tmp/l.sock:h:1'), { listen: { kind: 'unix', path: '/tmp/l.sock' }, connect: { kind: 'tcp', host: 'h', port: 1 } });
  assert.deepEqual(local('/tmp/a:/tmp/b'), { listen: { kind: 'unix', path: '/tmp/a' }, connect: { kind: 'unix', path: '/tmp/b' } });
  assert.deepEqual(local('h\\:x:1:h:2'), { listen: { kind: 'tcp', host: 'h:x', port: 1 }, connect: { kind: 'tcp', host: 'h', port: 2 } });
  for (const bad of ['8080', '8080:h', '0:h:80', 'x:h:80', '1:h:0', '1:h:70000', '1:2:3:4:5', '[::1:1:h:2', '1:h:2\\']) {
    assert.equal(local(bad), undefined, bad);
  }
});

test('-R and -D forms: port 0 only remotely, a target-less -R is remote SOCKS', () => {
  assert.deepEqual(parseRemoteForwardSpec('0:h:80'), { listen: { kind: 'tcp', host: undefined, port: 0 }, connect: { kind: 'tcp', host: 'h', port: 80 } });
  assert.deepEqual(parseRemoteForwardSpec('9000'), { listen: { kind: 'tcp', host: undefined, port: 9000 }, connect: { kind: 'socks' } });
  assert.deepEqual(parseRemoteForwardSpec('[::]:9000'), { listen: { kind: 'tcp', host: '::', port: 9000 }, connect: { kind: 'socks' } });
  assert.deepEqual(dynamic('1080'), { listen: { kind: 'tcp', host: undefined, port: 1080 }, connect: { kind: 'socks' } });
  assert.deepEqual(dynamic('localhost:1080'), { listen: { kind: 'tcp', host: 'localhost', port: 1080 }, connect: { kind: 'socks' } });
  assert.equal(dynamic('0'), undefined);
  assert.equal(dynamic('1:2:3'), undefined);
  assert.deepEqual(parseStdioForward('[::1]:22'), { host: '::1', port: 22 });
  assert.equal(parseStdioForward('22'), undefined);
});

test('ssh -G spelling of forwards, with 9.2\'s habit of listing socket-target -L lines as dynamicforward too', () => {
  const forwards = [local('8080:localhost:80')!, local('/tmp/a:/tmp/b')!, dynamic('*:1080')!];
  assert.deepEqual(forwardDumpValues('localforward', forwards), ['8080 [localhost]:80', '/tmp/a /tmp/b']);
  assert.deepEqual(forwardDumpValues('dynamicforward', forwards), ['/tmp/a', '[*]:1080']);
  assert.deepEqual(forwardDumpValues('remoteforward', [parseRemoteForwardSpec('9000')!]), ['9000 [socks]:0']);
});

test('jump lists: user@host:port, ssh:// URIs, IPv6 in brackets, none', () => {
  assert.deepEqual(parseJumpList('a,u@b:2222,ssh://v@c:22,[::1]:7'), [
    { user: undefined, host: 'a', port: undefined },
    { user: 'u', host: 'b', port: 2222 },
    { user: 'v', host: 'c', port: 22 },
    { user: undefined, host: '::1', port: 7 },
  ]);
  assert.equal(parseJumpList('none'), 'none');
  for (const bad of ['@h', 'h:0', 'h:x', 'a,,b', 'ssh://h/path']) assert.equal(parseJumpList(bad), undefined, bad);
  assert.equal(formatProxyJump('a,b@1.2.3.4:5', parseJumpList('a,b@1.2.3.4:5') as never), 'a,b@[1.2.3.4]:5');
});

test('bind addresses: loopback by default, everything with -g or *, as given otherwise', () => {
  assert.deepEqual(fixedBindAddresses(localBindChoice(undefined, false), 'any'), ['::1', '127.0.0.1']);
  assert.deepEqual(fixedBindAddresses(localBindChoice(undefined, true), 'inet'), ['0.0.0.0']);
  assert.deepEqual(fixedBindAddresses(localBindChoice('*', false), 'inet6'), ['::']);
  assert.deepEqual(localBindChoice('localhost', true), { kind: 'loopback' });
  assert.deepEqual(localBindChoice('10.0.0.1', false), { kind: 'named', host: '10.0.0.1' });
  assert.equal(remoteBindHost(undefined), 'localhost');
  assert.equal(remoteBindHost('*'), '');
});

// ---- ssh -G as the oracle ----

const SSH = openssh10IfBuilt('ssh'); // tssh follows the newest OpenSSH: the 10.x build is the oracle
const skip = SSH !== undefined ? false : 'no OpenSSH 10.x build (bash test/support/build-openssh.sh)';
const dir = mkdtempSync(path.join(tmpdir(), 'tssh-fwd-golden-'));
const fakeHome = path.join(dir, 'home');
mkdirSync(fakeHome);
after(() => rmSync(dir, { recursive: true, force: true }));
const testEnv = { HOME: fakeHome, PATH: process.env.PATH ?? '/usr/bin:/bin', FWD_VAR: 'v' };
const KEYWORDS =
  /^(addressfamily|clearallforwardings|exitonforwardfailure|gatewayports|forkafterauthentication|stdinnull|sessiontype|requesttty|streamlocalbindunlink|tcpkeepalive|connectionattempts|serveralive\w+|bindaddress|dynamicforward|localforward|remoteforward|permitremoteopen|forwardagent|streamlocalbindmask|proxycommand|proxyjump) /;

function tssh(args: string[]): { stdout: string; error?: string } {
  const info = userInfo();
  try {
    const options = resolveHost(parseArgs(args), { home: info.homedir, user: info.username, env: testEnv, localHostname: hostname(), uid: process.getuid?.() ?? info.uid, warn: () => {}, log: () => {} });
    return { stdout: dumpConfig(options) };
  } catch (err) {
    return { stdout: '', error: (err as TsshError).message };
  }
}

let files = 0;
function compare(config: string, argv: string[]): void {
  const file = path.join(dir, `config${files++}`);
  writeFileSync(file, config, { mode: 0o600 });
  const args = ['-G', '-F', file, ...argv];
  const theirs = spawnSync(SSH!, args, { env: testEnv, encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] });
  const ours = tssh(args);
  if (theirs.status !== 0) {
    const lastLine = theirs.stderr.trim().split('\n').filter((line) => !line.startsWith('Pseudo-terminal')).pop();
    assert.equal(ours.error, lastLine, `${argv.join(' ')}: ssh failed, so must tssh`);
    return;
  }
  assert.equal(ours.error, undefined);
  const pick = (text: string) => text.split('\n').filter((line) => KEYWORDS.test(line));
  assert.deepEqual(pick(ours.stdout), pick(theirs.stdout), argv.join(' '));
}

test('golden: forwarding flags as ssh -G prints them', { skip }, () => {
  compare('', ['-L', '8080:localhost:80', '-L', '[::1]:81:/tmp/sock', '-L', '/tmp/a:/tmp/b', '-R', '0:h:1', '-R', '9000', '-R', '/tmp/r:h:4', '-D', '1080', '-D', '*:1081', 'x']);
  compare('', ['-W', 'h:2', '-L', '1:h:2', '-f', '-g', '-A', '-4', '-b', '1.2.3.4', 'x']);
  compare('', ['-W', '[::1]:2', '-o', 'ClearAllForwardings=no', '-o', 'ExitOnForwardFailure=no', '-L', '1:h:2', '-L', '1:h:2', '-6', 'x']);
  compare('', ['-J', 'ssh://u@j1:2222,j2', '-o', 'ServerAliveInterval=5', '-o', 'ServerAliveCountMax=7', '-o', 'TCPKeepAlive=no', 'x']);
  compare('', ['-J', '1.2.3.4:5,[::1]:6', '-a', 'x']);
  compare('', ['-f', 'x', 'cmd']);
});

test('golden: forwarding keywords from ssh_config, and what ssh refuses', { skip }, () => {
  compare(
    [
      'Host *',
      '  LocalForward 1 h:2',
      '  LocalForward /tmp/%h.sock /run/${FWD_VAR}.sock',
      '  RemoteForward 3',
      '  RemoteForward [::1]:4 localhost:5',
      '  DynamicForward 6',
      '  GatewayPorts yes',
      '  PermitRemoteOpen a:1 [::1]:*',
      '  StreamLocalBindMask 0',
      '  StreamLocalBindUnlink yes',
      '  ForwardAgent /tmp',
      '  ConnectionAttempts 3',
      '  AddressFamily inet6',
      '  BindAddress ::1',
      '  ProxyJump a,b@c:2',
      '  ProxyCommand nc %h %p',
      '',
    ].join('\n'),
    ['x'],
  );
  compare('Host *\n  ProxyCommand nc %h %p\n  ProxyJump a\n', ['x']);
  compare('Host *\n  ProxyJump none\n  ProxyCommand nc %h %p\n', ['x']);
  compare('Host *\n  ClearAllForwardings yes\n  LocalForward 1 h:2\n', ['-R', '5', 'x']);
  compare('', ['-L', '8080', 'x']);
  compare('', ['-D', '1:2:3', 'x']);
  compare('', ['-W', 'h:1', '-W', 'h:2', 'x']);
  compare('', ['-J', 'a', '-J', 'b', 'x']);
  compare('', ['-o', 'ProxyCommand=x', '-J', 'b', 'x']);
  compare('', ['-J', 'u@h:0', 'x']);
  compare('', ['-f', 'x']);
  compare('', ['-o', 'ConnectionAttempts=0', 'x']);
  compare('', ['-o', 'PermitRemoteOpen=x', 'x']);
  compare('', ['-o', 'StreamLocalBindMask=8', 'x']);
  compare('', ['-o', 'LocalForward 1', 'x']);
  compare('', ['-J', '127.0.0.1:22', '-p', '22', '127.0.0.1']);
});
