import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSshd, type SshdOptions, type KeyType } from '../support/sshd.js';
import { runClient, TSSH_BIN } from '../support/run.js';
import { releaseLabel, unlessImplemented, type OpensshRelease } from '../support/releases.js';
import { CIPHER_NAMES, HOST_KEY_NAMES, KEX_NAMES, MAC_NAMES } from '../../src/crypto/names.js';

/**
 * The algorithm matrix, registered per release by algorithms.test.ts (9.2) and algorithms-10.test.ts
 * (10.x), one file each so that each stays well inside the per-file time limit.
 *
 * Every algorithm tssh offers negotiates and runs a command against a real sshd restricted to it alone,
 * OpenSSH 9.2's and 10.x's. The sshd log is the independent witness that the algorithm was really the
 * one in use. A name a release does not implement (its own `ssh -Q` does not list it) is skipped for
 * that release. The client asks for the name with `+` (kex, host keys) or -c/-m, so algorithms tssh
 * leaves out of its default proposal, as ssh does, are tested the way users enable them: a new name in
 * src/crypto/names.ts is tested here with no change (a new host key type needs its line in keyTypeFor).
 */
async function runWith(server: SshdOptions, clientFlags: string[], expectInLog: RegExp): Promise<void> {
  const sshd = await startSshd(server);
  try {
    const result = await runClient(TSSH_BIN, [...clientFlags, ...sshd.clientArgs(), 'echo ok; exit 7']);
    assert.equal(result.stderr, '', 'no diagnostics on stderr');
    assert.equal(result.stdout.toString(), 'ok\n');
    assert.equal(result.code, 7);
    assert.match(sshd.readLog(), expectInLog);
  } finally {
    await sshd.stop();
  }
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The host key to generate for each host key algorithm. */
const keyTypeFor: Record<string, KeyType> = {
  'ssh-ed25519': 'ed25519',
  'ecdsa-sha2-nistp256': 'ecdsa256',
  'ecdsa-sha2-nistp384': 'ecdsa384',
  'ecdsa-sha2-nistp521': 'ecdsa521',
  'rsa-sha2-512': 'rsa',
  'rsa-sha2-256': 'rsa',
  'ssh-rsa': 'rsa',
};

/** Registers the whole matrix against one release's sshd. */
export function algorithmTests(release: OpensshRelease): void {
  const label = releaseLabel(release);
  for (const kex of KEX_NAMES) {
    test(`${label} sshd restricted to kex ${kex}`, { skip: unlessImplemented(release, 'kex', kex) }, () =>
      runWith({ release, kexAlgorithms: kex }, ['-o', `KexAlgorithms=+${kex}`], new RegExp(`kex: algorithm: ${escape(kex)}`)));
  }
  for (const cipher of CIPHER_NAMES) {
    test(`${label} sshd restricted to cipher ${cipher}`, { skip: unlessImplemented(release, 'cipher', cipher) }, () =>
      runWith({ release, ciphers: cipher }, ['-c', cipher], new RegExp(`kex: client->server cipher: ${escape(cipher)}`)));
  }
  for (const mac of MAC_NAMES) {
    test(`${label} sshd restricted to MAC ${mac}`, { skip: unlessImplemented(release, 'mac', mac) }, () =>
      runWith({ release, ciphers: 'aes128-ctr', macs: mac }, ['-m', mac], new RegExp(`kex: client->server cipher: aes128-ctr MAC: ${escape(mac)}`)));
  }
  // Security-key host keys need OpenSSH's sk-dummy provider in sshd: test/integration/security-keys.test.ts;
  // ssh-dss and ML-DSA host keys are tested there and in pq-openssh.test.ts.
  for (const alg of HOST_KEY_NAMES.filter((name) => !/^(sk-|webauthn-|ssh-dss|ssh-mldsa)/.test(name))) {
    test(`${label} sshd restricted to host key algorithm ${alg}`, { skip: unlessImplemented(release, 'HostKeyAlgorithms', alg) }, () => {
      const type = keyTypeFor[alg];
      assert.ok(type, `no host key type for ${alg}: add it to keyTypeFor`);
      return runWith({ release, hostKeyTypes: [type], hostKeyAlgorithms: alg }, ['-o', `HostKeyAlgorithms=+${alg}`], new RegExp(`kex: host key algorithm: ${escape(alg)}`));
    });
  }
  for (const userKey of ['ecdsa256', 'ecdsa384', 'ecdsa521', 'rsa'] as const) {
    test(`${label} user key ${userKey} authenticates`, async () => {
      const server = await startSshd({ release, userKeyTypes: [userKey] });
      try {
        const args = server.clientArgs().map((a) => (a === server.userKey ? server.userKeys[userKey]! : a));
        const result = await runClient(TSSH_BIN, [...args, 'echo ok']);
        assert.equal(result.stdout.toString(), 'ok\n', result.stderr);
        assert.equal(result.code, 0);
        const expected = userKey === 'rsa' ? /Accepted publickey for \S+ from 127\.0\.0\.1 port \d+ ssh2: RSA SHA256/ : /Accepted publickey for \S+ from 127\.0\.0\.1 port \d+ ssh2: ECDSA SHA256/;
        assert.match(server.readLog(), expected);
        if (userKey === 'rsa') assert.match(server.readLog(), /rsa-sha2-512/);
      } finally {
        await server.stop();
      }
    });
  }
  test(`${label} compression with -C (zlib@openssh.com) against sshd with Compression yes`, () =>
    runWith({ release, extraConfig: ['Compression yes'] }, ['-C'], /kex: client->server cipher: \S+ MAC: \S+ compression: zlib@openssh\.com/));
}

