/**
 * Session options: -t/-T/-N/-s/-e, RequestTTY, SessionType, RemoteCommand, EscapeChar and
 * EnableEscapeCommandline, from argv and config to the session plan and `-G`, checked against ssh.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { HostProfile } from '../../src/profile/resolve.js';
import { dumpConfig, visChar } from '../../src/profile/dump.js';
import { planSession } from '../../src/cli/session-runner.js';
import { TsshError } from '../../src/errors.js';
import { openssh10IfBuilt } from '../support/openssh10.js';
import { resolveLikeSsh } from './golden-ssh.js';

const SSH = openssh10IfBuilt('ssh'); // tssh follows the newest OpenSSH: the 10.x build is the oracle
const dir = mkdtempSync(path.join(tmpdir(), 'tssh-session-options-'));
const fakeHome = path.join(dir, 'home');
mkdirSync(fakeHome);
after(() => rmSync(dir, { recursive: true, force: true }));
const testEnv = { HOME: fakeHome, PATH: process.env.PATH ?? '/usr/bin:/bin' };

function resolve(argv: string[]): HostProfile {
  return resolveLikeSsh(argv, testEnv);
}

function failure(argv: string[]): { code: string; message: string } {
  try {
    resolve(argv);
  } catch (err) {
    assert.ok(err instanceof TsshError);
    return { code: err.code, message: err.message };
  }
  assert.fail(`no error for ${argv.join(' ')}`);
}

const plan = (argv: string[], stdinIsTerminal: boolean) => planSession(resolve(['-F', '/dev/null', ...argv]), stdinIsTerminal);

test('pseudo-terminal decision, as ssh.c decides tty_flag', () => {
  // [argv, stdin is a terminal] → [kind, tty, "will not be allocated" message]
  const cases: Array<[string[], boolean, string, boolean, boolean]> = [
    [['h'], true, 'shell', true, false],
    [['h'], false, 'shell', false, true],
    [['h', 'ls'], true, 'exec', false, false],
    [['-t', 'h', 'ls'], true, 'exec', true, false],
    [['-t', 'h', 'ls'], false, 'exec', false, true],
    [['-tt', 'h', 'ls'], false, 'exec', true, false],
    [['-T', 'h'], true, 'shell', false, false],
    [['-t', '-T', 'h'], true, 'shell', false, false],
    [['-T', '-t', 'h'], true, 'shell', true, false],
    [['-n', 'h'], true, 'shell', false, true],
    [['-n', '-tt', 'h'], true, 'shell', true, false],
    [['-N', 'h'], true, 'none', false, false],
    [['-N', '-tt', 'h'], true, 'none', false, false],
    [['-s', 'h', 'sftp'], true, 'subsystem', false, false],
    [['-o', 'RequestTTY=force', 'h', 'ls'], false, 'exec', true, false],
    [['-o', 'RequestTTY=yes', 'h', 'ls'], true, 'exec', true, false],
    [['-o', 'RequestTTY=no', 'h'], true, 'shell', false, false],
    [['-o', 'RemoteCommand=top', 'h'], true, 'exec', false, false],
    [['-o', 'RemoteCommand=top', '-t', 'h'], true, 'exec', true, false],
    [['-o', 'SessionType=none', 'h'], true, 'none', false, false],
    [['-o', 'SessionType=subsystem', 'h', 'sftp'], true, 'subsystem', false, false],
    [['h', ''], true, 'shell', true, false], // an empty command is no command, as in ssh
  ];
  for (const [argv, isTerminal, kind, tty, refused] of cases) {
    const result = plan(argv, isTerminal);
    assert.deepEqual([result.kind, result.tty, result.ttyRefused], [kind, tty, refused], `${argv.join(' ')} (stdin ${isTerminal ? 'tty' : 'pipe'})`);
  }
  assert.equal(plan(['-o', 'RemoteCommand=echo %h:%p', 'h'], true).command, 'echo h:22');
  assert.equal(plan(['-s', 'h', 'sftp'], true).command, 'sftp');
});

test('-e, -N, -s and their conflicts, with ssh messages', () => {
  assert.equal(resolve(['-F', 'none', '-e', '^A', 'h']).escapeChar, 1);
  assert.equal(resolve(['-F', 'none', '-e', 'none', 'h']).escapeChar, 'none');
  assert.equal(resolve(['-F', 'none', '-e', '#', 'h']).escapeChar, 0x23);
  assert.equal(resolve(['-F', 'none', 'h']).escapeChar, 0x7e);
  assert.deepEqual(failure(['-e', 'ab', 'h']), { code: 'CONFIG', message: "Bad escape character 'ab'." });
  assert.deepEqual(failure(['-e', '^?', 'h']), { code: 'CONFIG', message: "Bad escape character '^?'." });
  assert.deepEqual(failure(['-F', 'none', '-o', 'EscapeChar=xy', 'h']), { code: 'CONFIG', message: 'command-line line 0: Bad escape character.' });
  assert.deepEqual(failure(['-N', '-s', 'h', 'x']), { code: 'CONFIG', message: 'Cannot specify -s with -N/SessionType' });
  assert.deepEqual(failure(['-s', '-N', 'h', 'x']), { code: 'CONFIG', message: 'Cannot specify -N with -s/SessionType' });
  assert.deepEqual(failure(['-o', 'SessionType=default', '-N', 'h']), { code: 'CONFIG', message: 'Cannot specify -N with -s/SessionType' });
  const noSubsystem = failure(['-s', 'h']);
  assert.equal(noSubsystem.code, 'USAGE');
  assert.match(noSubsystem.message, /^You must specify a subsystem to invoke\.\nusage: tssh /);
  assert.deepEqual(failure(['-F', 'none', '-o', 'RemoteCommand=ls', 'h', 'cmd']), { code: 'CONFIG', message: 'Cannot execute command-line and remote command.' });
  assert.equal(resolve(['-F', 'none', '-o', 'RemoteCommand=none', 'h', 'cmd']).remoteCommand, undefined);
});

test('EscapeChar as -G prints it (vis(3) with VIS_WHITE)', () => {
  assert.deepEqual([0x7e, 0x01, 0x20, 0x5c, 0x1b, 0x09, 0x23, 0x7f, 0xe1].map(visChar), ['~', '\\^A', '\\040', '\\\\', '\\^[', '\\^I', '#', '\\^?', '\\M-a']);
});

const haveSsh = SSH !== undefined;
let counter = 0;
const SESSION_KEYWORDS = new Set(['requesttty', 'sessiontype', 'enableescapecommandline', 'remotecommand', 'escapechar']);

/** `tssh -G` and `ssh -G` print the same lines for the session keywords. */
function compareWithSsh(config: string, argv: string[]): void {
  const file = path.join(dir, `config${counter++}`);
  writeFileSync(file, config, { mode: 0o600 });
  const args = ['-G', '-F', file, ...argv];
  const pick = (text: string): string[] => text.trimEnd().split('\n').filter((line) => SESSION_KEYWORDS.has(line.split(' ')[0]!));
  const theirs = spawnSync(SSH!, args, { env: testEnv, encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] });
  assert.equal(theirs.status, 0, theirs.stderr);
  assert.deepEqual(pick(dumpConfig(resolve(args))), pick(theirs.stdout), `${config} ${argv.join(' ')}`);
}

test('golden: session keywords in -G match ssh -G', { skip: haveSsh ? false : 'no OpenSSH 10.x build (bash test/support/build-openssh.sh)' }, () => {
  compareWithSsh('', ['h']);
  compareWithSsh('Host *\n  RemoteCommand  echo  "a  b" # not a comment here \n  EscapeChar ^B\n  SessionType subsystem\n  EnableEscapeCommandline yes\n  RequestTTY force\n', ['h']);
  compareWithSsh('Host h\n  RemoteCommand=cd /srv && exec %u-%r@%h:%p %%\n  EscapeChar none\n', ['-l', 'bob', 'h']);
  compareWithSsh('EscapeChar \\\nSessionType none\n', ['h']);
  compareWithSsh('RemoteCommand none\nEnableEscapeCommandline no\n', ['h']);
  compareWithSsh('', ['-N', 'h']);
  compareWithSsh('', ['-s', 'h', 'sftp']);
  compareWithSsh('', ['-tt', '-e', ' ', 'h']);
  compareWithSsh('EscapeChar %\n', ['-e', '^Z', 'h']);
  compareWithSsh('RequestTTY no\n', ['-t', '-o', 'SessionType=default', 'h']);
});
