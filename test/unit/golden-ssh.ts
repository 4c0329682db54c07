/**
 * The `-G` golden comparison both golden test files use: `tssh -G` (parseArgs → resolveHost →
 * dumpConfig) against OpenSSH 10.x's `ssh -G -F <file>` (the build of test/support/build-openssh.sh;
 * tssh follows the newest OpenSSH), keyword for keyword and value for value. ssh runs with HOME set
 * to a temp dir and reads only the -F file (never the real ~/.ssh).
 *
 * Excluded rows (ALGORITHM_KEYWORDS): the default algorithm lists, where tssh still lacks algorithms
 * 10.x has (UMAC, sk-*, webauthn: the "legacy" and "pqsk" work); a config that names supported
 * algorithms explicitly compares those rows too.
 */
import { after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { parseArgs } from '../../src/cli/args.js';
import { resolveHost, type HostProfile } from '../../src/profile/resolve.js';
import { dumpConfig } from '../../src/profile/dump.js';
import { parseConfigText } from '../../src/config/parser.js';
import { openssh10IfBuilt, withSystemPaths } from '../support/openssh10.js';

const SSH = openssh10IfBuilt('ssh');
export const options = { skip: SSH !== undefined ? false : 'no OpenSSH 10.x build (bash test/support/build-openssh.sh)' };

export const dir = mkdtempSync(path.join(tmpdir(), 'tssh-golden-'));
const fakeHome = path.join(dir, 'home');
mkdirSync(fakeHome);
after(() => rmSync(dir, { recursive: true, force: true }));

export const CORE_ALGORITHMS = ['ciphers', 'macs', 'kexalgorithms', 'hostkeyalgorithms'];
const ALGORITHM_KEYWORDS = new Set([...CORE_ALGORITHMS, 'casignaturealgorithms', 'pubkeyacceptedalgorithms', 'hostbasedacceptedalgorithms']);
// The environment both sides see for ${VAR}; ssh also needs PATH.
const testEnv = { HOME: fakeHome, PATH: process.env.PATH ?? '/usr/bin:/bin', GOLDEN_VAR: 'golden-value' };

/**
 * Where OpenSSH 10.x's -G output is a bug tssh does not copy: `-C` stores COMP_ZLIB where the
 * Compression table has only COMP_DELAYED for yes, so ssh prints a value it cannot read back.
 */
const KNOWN_OPENSSH_SLIPS = new Map([['compression UNKNOWN', 'compression yes']]);

export function runSsh(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(SSH!, args, { env: testEnv, encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] });
  return { status: result.status, stdout: withSystemPaths(result.stdout), stderr: result.stderr };
}

/** Resolves argv as ssh would for this user, with `env` for ${VAR}. */
export function resolveLikeSsh(args: string[], env: Record<string, string | undefined> = testEnv): HostProfile {
  // ssh expands ~ with the password database's home directory, whatever HOME says.
  const info = userInfo();
  return resolveHost(parseArgs(args), {
    home: info.homedir,
    user: info.username,
    env,
    localHostname: hostname(),
    uid: process.getuid?.() ?? info.uid,
    warn: () => {},
  });
}

export function tsshDump(args: string[]): string {
  return dumpConfig(resolveLikeSsh(args));
}

/** Every keyword some compared config of this process used (lowercase). */
export const keywordsUsed = new Set<string>();

let fileCounter = 0;

/** Writes a config file for one comparison. */
export function configFile(config: string, prefix = 'config'): string {
  const file = path.join(dir, `${prefix}${fileCounter++}`);
  writeFileSync(file, config, { mode: 0o600 });
  return file;
}

/** `algorithms`: the algorithm-list keywords to compare too (those the config sets to supported names). */
export function compare(config: string, argv: string[], algorithms: readonly string[] = []): void {
  for (const line of parseConfigText(config, 'golden')) keywordsUsed.add(line.keyword);
  argv.forEach((arg, i) => {
    if (arg === '-o' && i + 1 < argv.length) keywordsUsed.add(argv[i + 1]!.split(/[= ]/)[0]!.toLowerCase());
  });
  const args = ['-G', '-F', configFile(config), ...argv];
  const theirs = runSsh(args);
  assert.equal(theirs.status, 0, theirs.stderr);
  const compared = (line: string): boolean => {
    const keyword = line.split(' ')[0]!;
    return !ALGORITHM_KEYWORDS.has(keyword) || algorithms.includes(keyword);
  };
  const ours = tsshDump(args).trimEnd().split('\n').filter(compared);
  const expected = theirs.stdout.trimEnd().split('\n').filter(compared).map((line) => KNOWN_OPENSSH_SLIPS.get(line) ?? line);
  assert.deepEqual(ours, expected, `${config}\n${argv.join(' ')}`);
}

/** A config that ssh refuses: tssh refuses it with the same text (ssh ends its log lines with CRLF). */
export function compareFailure(config: string, argv: string[] = ['h']): void {
  for (const line of parseConfigText(config, 'golden')) keywordsUsed.add(line.keyword);
  const args = ['-G', '-F', configFile(config, 'bad'), ...argv];
  const theirs = runSsh(args);
  assert.equal(theirs.status, 255, config);
  const text = theirs.stderr.replace(/\r\n/g, '\n').split('\n').filter((line) => !line.startsWith('Pseudo-terminal')).join('\n').trimEnd();
  assert.throws(
    () => tsshDump(args),
    (err: unknown) => err instanceof Error && err.message === text,
    `${config}: ssh says ${JSON.stringify(text)}`,
  );
}
