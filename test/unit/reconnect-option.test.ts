import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from '../../src/cli/args.js';
import { checkReconnectUsable } from '../../src/cli/reconnect-session.js';
import { resolveHost } from '../../src/profile/resolve.js';
import { dumpConfig } from '../../src/profile/dump.js';
import { TsshError } from '../../src/errors.js';

const root = mkdtempSync(path.join(tmpdir(), 'tssh-reconnect-option-'));
after(() => rmSync(root, { recursive: true, force: true }));

function resolveWith(config: string | undefined, argv: string[]) {
  const home = mkdtempSync(path.join(root, 'home-'));
  mkdirSync(path.join(home, '.ssh'));
  if (config !== undefined) writeFileSync(path.join(home, '.ssh', 'config'), config, { mode: 0o600 });
  return resolveHost(parseArgs(argv), { home, user: 'alice', env: {}, localHostname: 'box', uid: process.getuid?.() ?? 0, systemConfigFile: path.join(home, 'none') });
}

test('--reconnect: off by default; the flag turns it on, before or after the destination', () => {
  assert.equal(resolveWith(undefined, ['-N', 'h']).reconnect, false);
  assert.equal(resolveWith(undefined, ['--reconnect', '-N', 'h']).reconnect, true);
  assert.equal(resolveWith(undefined, ['-N', 'h', '--reconnect']).reconnect, true);
});

test('--reconnect: after `--` it is an operand (part of the command), not an option', () => {
  assert.equal(parseArgs(['--', 'h', '--reconnect']).command, '--reconnect');
});

test('Reconnect yes in ssh_config, as shared with OpenSSH through IgnoreUnknown; -o Reconnect=no wins over it', () => {
  const config = 'IgnoreUnknown Reconnect\nHost tunnel\n  Reconnect yes\n';
  assert.equal(resolveWith(config, ['-N', 'tunnel']).reconnect, true);
  assert.equal(resolveWith(config, ['-N', 'other']).reconnect, false);
  assert.equal(resolveWith(config, ['-o', 'Reconnect=no', '-N', 'tunnel']).reconnect, false);
});

test('Reconnect is tssh\'s own: -G does not print it, so -G stays comparable with ssh -G', () => {
  assert.doesNotMatch(dumpConfig(resolveWith(undefined, ['--reconnect', '-N', 'h'])), /^reconnect /im);
});

test('--reconnect needs -N: with a command, a shell or -W it is a usage error', () => {
  for (const argv of [['--reconnect', 'h', 'uptime'], ['--reconnect', 'h'], ['--reconnect', '-W', 'x:1', 'h']]) {
    assert.throws(() => checkReconnectUsable(resolveWith(undefined, argv)), (err: unknown) => err instanceof TsshError && err.code === 'USAGE' && /needs -N/.test(err.message), argv.join(' '));
  }
  checkReconnectUsable(resolveWith(undefined, ['--reconnect', '-N', 'h']));
  checkReconnectUsable(resolveWith(undefined, ['-N', 'h', 'uptime'])); // without --reconnect nothing to check
});
