/**
 * `tssh -Q` and the algorithm keywords of `tssh -G` against OpenSSH 10.x's ssh (the oracle built by
 * test/support/build-openssh.sh), for the defaults and for +, -, ^ and -c/-m edits, legacy names
 * included, and the errors for names 10.x does not know. Names 10.x has that tssh does not implement
 * yet (src/crypto/openssh-names.ts) are left out of ssh's side, so the comparison fails on anything
 * else: a missing, extra or misordered name.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { openssh10 } from '../support/openssh10.js';
import { TSSH_BIN, isolatedEnv, makeTempDir } from '../support/run.js';
import { queryLines } from '../../src/config/query.js';

const home = makeTempDir('tssh-lists-');
after(() => rmSync(home, { recursive: true, force: true }));
const env = isolatedEnv(home);

function run(bin: string, args: string[]): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync(bin, ['-F', '/dev/null', ...args], { env, encoding: 'utf8', timeout: 20_000, stdio: ['ignore', 'pipe', 'pipe'] });
  return { stdout: r.stdout, stderr: r.stderr.replace(/\r\n/g, '\n'), status: r.status };
}

/**
 * What tssh lists beyond the 10.3p1 oracle on purpose: OpenSSH 10.5's new names, and DSA, which 10.0
 * removed and tssh keeps (off by default) for old servers.
 */
const BEYOND_ORACLE = /^(mlkem768nistp256-sha256|ssh-mldsa44-ed25519(-cert-v01)?@openssh\.com|ssh-dss(-cert-v01@openssh\.com)?)$/;
const withinOracle = (text: string): string => text.split('\n').filter((name) => !BEYOND_ORACLE.test(name)).join('\n');

/** Every name tssh lists in any -Q query: what it implements. */
const IMPLEMENTED = new Set(['cipher', 'mac', 'kex', 'key-sig'].flatMap((what) => queryLines(what)));
const implementedOnly = (names: string[]): string[] => names.filter((name) => IMPLEMENTED.has(name));

test('tssh -Q cipher, mac, kex and cipher-auth print exactly what 10.x prints; key lists lack only sk-*', () => {
  for (const what of ['cipher', 'mac', 'kex', 'cipher-auth', 'Ciphers', 'MACs', 'KexAlgorithms']) {
    assert.equal(withinOracle(run(TSSH_BIN, ['-Q', what]).stdout), run(openssh10('ssh'), ['-Q', what]).stdout, `-Q ${what}`);
  }
  for (const what of ['key', 'key-plain', 'key-cert', 'sig', 'key-sig']) {
    const ours = withinOracle(run(TSSH_BIN, ['-Q', what]).stdout).trimEnd().split('\n');
    const theirs = run(openssh10('ssh'), ['-Q', what]).stdout.trimEnd().split('\n');
    assert.deepEqual(ours, implementedOnly(theirs), `-Q ${what}`);
    assert.ok(theirs.filter((name) => !ours.includes(name)).every((name) => /^(sk-|webauthn-)/.test(name)), `-Q ${what}: only sk-* missing`);
  }
});

const KEYWORDS = ['kexalgorithms', 'ciphers', 'macs', 'hostkeyalgorithms', 'pubkeyacceptedalgorithms', 'casignaturealgorithms'];
const OPTION_SETS: string[][] = [
  [],
  ['-oCiphers=+aes128-cbc,3des-cbc'],
  ['-c', 'aes256-cbc'],
  ['-oMACs=+hmac-md5'],
  ['-m', 'hmac-sha1-96,umac-128@openssh.com'],
  ['-oMACs=^hmac-md5-96-etm@openssh.com'],
  ['-oMACs=-umac*'],
  ['-oKexAlgorithms=+diffie-hellman-group1-sha1,diffie-hellman-group-exchange-sha1'],
  ['-oKexAlgorithms=-*sha1,mlkem*'],
  ['-oKexAlgorithms=diffie-hellman-group14-sha1,curve25519-sha256'],
  ['-oHostKeyAlgorithms=+ssh-rsa', '-oPubkeyAcceptedAlgorithms=+ssh-rsa', '-oCASignatureAlgorithms=+ssh-rsa'],
  ['-oHostKeyAlgorithms=ssh-rsa*,ecdsa*'],
  ['-oPubkeyAcceptedAlgorithms=-*cert*'],
];

/** The -G lines for the algorithm keywords, with names tssh does not implement taken out. */
function algorithmLines(bin: string, args: string[], filter: boolean): Record<string, string[]> {
  const r = run(bin, [...args, '-G', 'example.com']);
  assert.equal(r.status, 0, `${bin} ${args.join(' ')}: ${r.stderr}`);
  const lines: Record<string, string[]> = {};
  for (const line of r.stdout.split('\n')) {
    const [keyword, value] = line.split(' ');
    if (keyword !== undefined && value !== undefined && KEYWORDS.includes(keyword)) {
      const names = value.split(',');
      lines[keyword] = filter ? implementedOnly(names) : names;
    }
  }
  return lines;
}

test('tssh -G prints the algorithm lists 10.x ssh -G prints, defaults and edits alike', () => {
  for (const args of OPTION_SETS) {
    assert.deepEqual(algorithmLines(TSSH_BIN, args, false), algorithmLines(openssh10('ssh'), args, true), args.join(' ') || 'defaults');
  }
});

test('names 10.x does not know are errors with 10.x words and exit status', () => {
  for (const args of [
    ['-c', 'blowfish-cbc'],
    ['-m', 'hmac-ripemd160'],
    ['-oCiphers=+arcfour'],
    ['-oMACs=hmac-md5,bar'],
    ['-oKexAlgorithms=+diffie-hellman-group15-sha1'],
    ['-oCASignatureAlgorithms=ssh-ed25519-cert-v01@openssh.com'],
    ['-oPubkeyAcceptedAlgorithms=+nope*'],
  ]) {
    const ours = run(TSSH_BIN, [...args, '-G', 'example.com']);
    const theirs = run(openssh10('ssh'), [...args, '-G', 'example.com']);
    assert.deepEqual([ours.stderr, ours.status, ours.stdout], [theirs.stderr, theirs.status, theirs.stdout], args.join(' '));
    assert.equal(ours.status, 255);
  }
});
