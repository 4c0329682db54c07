/**
 * Every kex, cipher, MAC, host key and user key type against OpenSSH 10.x's sshd (algorithm-matrix.ts):
 * mlkem768x25519-sha256, tssh's first choice, against a real server among them. And where the two
 * servers' defaults differ.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSshd } from '../support/sshd.js';
import { runClient, TSSH_BIN } from '../support/run.js';
import { opensshClient, releaseLabel } from '../support/releases.js';
import { algorithmTests } from './algorithm-matrix.js';

algorithmTests('10');

test(`${releaseLabel('10')} sshd no longer offers finite-field DH by default (9.2 does): tssh is refused in ssh 10.x's words`, async () => {
  const [sshd92, sshd10] = await Promise.all([startSshd(), startSshd({ release: '10' })]);
  try {
    const dh = ['-o', 'KexAlgorithms=diffie-hellman-group14-sha256,diffie-hellman-group-exchange-sha256'];
    const on92 = await runClient(TSSH_BIN, [...dh, ...sshd92.clientArgs(), 'echo ok']);
    assert.equal(on92.stdout.toString(), 'ok\n', on92.stderr);
    const [tssh, ssh] = await Promise.all([TSSH_BIN, opensshClient('10')].map((bin) => runClient(bin, [...dh, ...sshd10.clientArgs(), 'echo ok'])));
    assert.equal(tssh.code, 255);
    assert.equal(ssh.code, 255);
    // ssh ends its log lines with CR LF; the words are the same.
    assert.equal(tssh.stderr, ssh.stderr.replaceAll('\r\n', '\n'));
    assert.match(tssh.stderr, /^Unable to negotiate with 127\.0\.0\.1 port \d+: no matching key exchange method found\. Their offer: mlkem768x25519-sha256,sntrup761x25519-sha512,sntrup761x25519-sha512@openssh\.com,curve25519-sha256,curve25519-sha256@libssh\.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,ext-info-s,kex-strict-s-v00@openssh\.com\n$/);
  } finally {
    await Promise.all([sshd92.stop(), sshd10.stop()]);
  }
});
