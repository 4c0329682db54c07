import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSshd, sshdVersion, type SshdOptions, type KeyType } from '../support/sshd.js';
import { PQ_WARNING, runClient, TSSH_BIN } from '../support/run.js';
import { CIPHER_NAMES, HOST_KEY_NAMES, KEX_NAMES, MAC_NAMES, POST_QUANTUM_KEX } from '../../src/crypto/names.js';

/**
 * Every algorithm tssh offers negotiates and runs a command against a real sshd restricted to it alone.
 * The sshd log is the independent witness that the algorithm was really the one in use.
 */
async function runWith(server: SshdOptions, clientFlags: string[], expectInLog: RegExp, stderr = ''): Promise<void> {
  const sshd = await startSshd(server);
  try {
    const result = await runClient(TSSH_BIN, [...clientFlags, ...sshd.clientArgs(), 'echo ok; exit 7']);
    assert.equal(result.stderr, stderr, 'no diagnostics on stderr but the expected ones');
    assert.equal(result.stdout.toString(), 'ok\n');
    assert.equal(result.code, 7);
    assert.match(sshd.readLog(), expectInLog);
  } finally {
    await sshd.stop();
  }
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const sshd = sshdVersion();
const sshdHasMlkem = sshd.major > 9 || (sshd.major === 9 && sshd.minor >= 9);

for (const kex of KEX_NAMES) {
  const skip = kex.startsWith('mlkem') && !sshdHasMlkem ? `sshd ${sshd.major}.${sshd.minor} lacks ${kex} (covered by vectors and pair tests)` : false;
  // A server restricted to a classical kex draws OpenSSH 10.x's post-quantum warning (WarnWeakCrypto).
  const warning = POST_QUANTUM_KEX.has(kex) ? '' : PQ_WARNING;
  test(`sshd restricted to kex ${kex}`, { skip }, () => runWith({ kexAlgorithms: kex }, [], new RegExp(`kex: algorithm: ${escape(kex)}`), warning));
}

for (const cipher of CIPHER_NAMES) {
  test(`sshd restricted to cipher ${cipher}`, () =>
    runWith({ ciphers: cipher }, ['-c', cipher], new RegExp(`kex: client->server cipher: ${escape(cipher)}`)));
}

for (const mac of MAC_NAMES) {
  test(`sshd restricted to MAC ${mac}`, () =>
    runWith({ ciphers: 'aes128-ctr', macs: mac }, ['-m', mac], new RegExp(`kex: client->server cipher: aes128-ctr MAC: ${escape(mac)}`)));
}

const keyTypeFor: Record<string, KeyType> = {
  'ssh-ed25519': 'ed25519',
  'ecdsa-sha2-nistp256': 'ecdsa256',
  'ecdsa-sha2-nistp384': 'ecdsa384',
  'ecdsa-sha2-nistp521': 'ecdsa521',
  'rsa-sha2-256': 'rsa',
  'rsa-sha2-512': 'rsa',
};
for (const alg of HOST_KEY_NAMES) {
  test(`sshd restricted to host key algorithm ${alg}`, () =>
    runWith({ hostKeyTypes: [keyTypeFor[alg]!], hostKeyAlgorithms: alg }, [], new RegExp(`kex: host key algorithm: ${escape(alg)}`)));
}

for (const userKey of ['ecdsa256', 'ecdsa384', 'ecdsa521', 'rsa'] as const) {
  test(`user key ${userKey} authenticates`, async () => {
    const server = await startSshd({ userKeyTypes: [userKey] });
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

test('compression with -C (zlib@openssh.com) against sshd with Compression yes', () =>
  runWith({ extraConfig: ['Compression yes'] }, ['-C'], /kex: client->server cipher: \S+ MAC: \S+ compression: zlib@openssh\.com/));

test('-o KexAlgorithms= restricts what tssh offers', async () => {
  const server = await startSshd({ kexAlgorithms: 'curve25519-sha256' });
  try {
    const result = await runClient(TSSH_BIN, ['-o', 'KexAlgorithms=ecdh-sha2-nistp256', ...server.clientArgs(), 'true']);
    assert.equal(result.code, 255);
    assert.match(result.stderr, /^Unable to negotiate with 127\.0\.0\.1 port \d+: no matching key exchange method found\. Their offer: curve25519-sha256/m);
  } finally {
    await server.stop();
  }
});
