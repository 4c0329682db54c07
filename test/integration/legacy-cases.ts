/**
 * Old-server algorithms against a real sshd that offers nothing else, each compared with OpenSSH's ssh
 * on the same server: refused by default with ssh's exact "Unable to negotiate" text, connecting once
 * enabled the way ssh enables it (`+name`, -c, -m). Used by legacy-algorithms.test.ts (sshd 9.2) and
 * legacy-algorithms-10.test.ts (sshd 10.x), so each file stays inside the per-file time limit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { startSshd, type OpensshRelease, type SshdOptions } from '../support/sshd.js';
import { openssh10 } from '../support/openssh10.js';
import { runClient, TSSH_BIN, type ClientResult } from '../support/run.js';

export interface LegacyCase {
  /** The algorithm the server is restricted to. */
  name: string;
  server: SshdOptions;
  /** Client arguments that enable it, as ssh takes them. */
  enable: string[];
  /** What `Unable to negotiate ... no matching <what> found` names. */
  what: 'key exchange method' | 'cipher' | 'MAC' | 'host key type';
  /** The sshd log line that proves the algorithm was the one in use. */
  witness: RegExp;
  /** Replace the ed25519 user key with this one (for user-signature cases). */
  userKey?: 'rsa';
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const kex = (name: string): LegacyCase => ({
  name,
  server: { kexAlgorithms: name },
  enable: [`-oKexAlgorithms=+${name}`],
  what: 'key exchange method',
  witness: new RegExp(`kex: algorithm: ${escape(name)}\\b`),
});
const cipher = (name: string, enable: string[]): LegacyCase => ({
  name,
  server: { ciphers: name },
  enable,
  what: 'cipher',
  witness: new RegExp(`kex: client->server cipher: ${escape(name)} `),
});
// A MAC only matters with a non-AEAD cipher: the server offers aes128-ctr alone.
const mac = (name: string, enable: string[]): LegacyCase => ({
  name,
  server: { ciphers: 'aes128-ctr', macs: name },
  enable,
  what: 'MAC',
  witness: new RegExp(`kex: client->server cipher: aes128-ctr MAC: ${escape(name)} `),
});

export const LEGACY_CASES: readonly LegacyCase[] = [
  kex('diffie-hellman-group1-sha1'),
  kex('diffie-hellman-group14-sha1'),
  kex('diffie-hellman-group-exchange-sha1'),
  cipher('aes128-cbc', ['-oCiphers=+aes128-cbc']),
  cipher('aes192-cbc', ['-oCiphers=+aes192-cbc']),
  cipher('aes256-cbc', ['-c', 'aes256-cbc']),
  cipher('3des-cbc', ['-c', '3des-cbc']),
  mac('hmac-sha1-96', ['-m', 'hmac-sha1-96']),
  mac('hmac-md5', ['-oMACs=+hmac-md5']),
  mac('hmac-md5-96', ['-m', 'hmac-md5-96']),
  mac('hmac-sha1-96-etm@openssh.com', ['-oMACs=+hmac-sha1-96-etm@openssh.com']),
  mac('hmac-md5-etm@openssh.com', ['-m', 'hmac-md5-etm@openssh.com']),
  mac('hmac-md5-96-etm@openssh.com', ['-oMACs=^hmac-md5-96-etm@openssh.com']),
  {
    name: 'ssh-rsa',
    server: { hostKeyTypes: ['rsa'], hostKeyAlgorithms: 'ssh-rsa' },
    enable: ['-oHostKeyAlgorithms=+ssh-rsa'],
    what: 'host key type',
    witness: /kex: host key algorithm: ssh-rsa\b/,
  },
];

/** OpenSSH's ssh of the same release as the server. */
const sshOf = (release: OpensshRelease): string => (release === '10' ? openssh10('ssh') : '/usr/bin/ssh');
/** ssh ends log lines with CR LF on stderr; tssh with LF. */
const text = (stderr: string): string => stderr.replace(/\r\n/g, '\n');

/** tssh and ssh side by side (independent connections), to keep the file inside its time limit. */
function both(release: OpensshRelease, args: string[], command: string): Promise<[ClientResult, ClientResult]> {
  return Promise.all([runClient(TSSH_BIN, [...args, command]), runClient(sshOf(release), [...args, command])]);
}

/** Registers one test per legacy case against the given sshd. */
export function legacyCaseTests(release: OpensshRelease): void {
  for (const c of LEGACY_CASES) {
    test(`sshd ${release} offering only ${c.name}: refused by default in ssh's words, used once enabled as ssh enables it`, async () => {
      const sshd = await startSshd({ release, ...c.server });
      try {
        const [tssh, ssh] = await both(release, sshd.clientArgs(), 'true');
        assert.equal(tssh.code, 255);
        assert.match(tssh.stderr, new RegExp(`^Unable to negotiate with 127\\.0\\.0\\.1 port ${sshd.port}: no matching ${c.what} found\\. Their offer: ${escape(c.name)}`));
        assert.equal(tssh.stderr, text(ssh.stderr), 'the same words as ssh');
        assert.equal(ssh.code, 255);
        const [enabled, sshEnabled] = await both(release, [...c.enable, ...sshd.clientArgs()], 'echo ok; exit 3');
        assert.deepEqual([enabled.stdout.toString(), enabled.stderr, enabled.code], ['ok\n', '', 3]);
        assert.deepEqual([sshEnabled.stdout.toString(), text(sshEnabled.stderr), sshEnabled.code], ['ok\n', '', 3]);
        assert.equal(sshd.readLog().match(new RegExp(c.witness.source, 'g'))?.length, 2, 'both sessions used it');
      } finally {
        await sshd.stop();
      }
    });
  }

  // ssh-rsa user signatures. sshd 9.2 lists rsa-sha2-* in server-sig-algs whatever it accepts, so
  // `+ssh-rsa` still signs with rsa-sha2-512 there (ssh and tssh both fail); 10.x lists what it
  // accepts, so `+ssh-rsa` is enough. A plain `ssh-rsa` list works on both.
  test(`sshd ${release} accepting only ssh-rsa (SHA-1) user signatures: tssh does what ssh does`, async () => {
    const sshd = await startSshd({ release, userKeyTypes: ['rsa'], extraConfig: ['PubkeyAcceptedAlgorithms ssh-rsa'] });
    try {
      const args = sshd.clientArgs().map((a) => (a === sshd.userKey ? sshd.userKeys['rsa']! : a));
      const denied = `${sshd.user}@127.0.0.1: Permission denied (publickey).\n`;
      for (const [flags, expected] of [
        [[], 'denied'],
        [['-oPubkeyAcceptedAlgorithms=+ssh-rsa'], release === '10' ? 'ok' : 'denied'],
        [['-oPubkeyAcceptedAlgorithms=ssh-rsa'], 'ok'],
      ] as const) {
        const [tssh, ssh] = await both(release, [...flags, ...args], 'echo ok');
        const outcome = (r: ClientResult): string[] => [r.stdout.toString(), text(r.stderr), String(r.code)];
        assert.deepEqual(outcome(tssh), outcome(ssh), `${flags.join(' ')}: the same as ssh`);
        assert.deepEqual(outcome(tssh), expected === 'ok' ? ['ok\n', '', '0'] : ['', denied, '255'], flags.join(' '));
      }
      assert.match(sshd.readLog(), /userauth_pubkey: authenticated 1 pkalg ssh-rsa\b/);
      assert.doesNotMatch(sshd.readLog(), /authenticated 1 pkalg rsa-sha2/, 'only SHA-1 signatures were accepted');
    } finally {
      await sshd.stop();
    }
  });
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/**
 * UMAC, OpenSSH's default first MAC, against the same server restricted to it with aes128-ctr: no flag
 * needed, and 2 MiB each way intact (hundreds of packets, so the nonce runs through many sequence numbers).
 */
export function umacTests(release: OpensshRelease): void {
  for (const name of ['umac-64-etm@openssh.com', 'umac-128-etm@openssh.com', 'umac-64@openssh.com', 'umac-128@openssh.com']) {
    test(`sshd ${release} restricted to ${name} with aes128-ctr: negotiated by default, data intact both ways`, async () => {
      const sshd = await startSshd({ release, ciphers: 'aes128-ctr', macs: name });
      try {
        const data = randomBytes(2 * 1024 * 1024);
        const r = await runClient(TSSH_BIN, [...sshd.clientArgs(), 'sha256sum; head -c 2097152 /dev/zero'], { input: data, timeoutMs: 60_000 });
        assert.equal(r.stderr, '');
        assert.equal(r.code, 0);
        const out = r.stdout;
        assert.equal(out.subarray(0, 64).toString(), sha256(data), 'client → server');
        assert.equal(sha256(out.subarray(out.indexOf('\n') + 1)), sha256(Buffer.alloc(2 * 1024 * 1024)), 'server → client');
        assert.match(sshd.readLog(), new RegExp(`kex: client->server cipher: aes128-ctr MAC: ${escape(name)} `));
      } finally {
        await sshd.stop();
      }
    });
  }
}

const MODPIPE = '/usr/lib/openssh/regress/modpipe';

/**
 * CBC with a plaintext MAC hides where a forged packet failed by reading on to 256 KiB first (OpenSSH
 * packet.c, against the 2009 length-oracle attack). A byte of the server's output flipped in transit
 * (OpenSSH's own modpipe, as its integrity test does it) must give ssh's lines: the MAC error, then
 * "Finished discarding", then the read error ssh's session loop reports.
 */
export function cbcDiscardTests(release: OpensshRelease): void {
  const skip = existsSync(MODPIPE) ? false : `${MODPIPE} missing: apt-get install openssh-tests`;
  for (const [cipher, mac] of [['aes128-cbc', 'hmac-sha1'], ['3des-cbc', 'umac-64@openssh.com']] as const) {
    test(`sshd ${release}, ${cipher} + ${mac}, a byte flipped in transit: tssh discards and fails as ssh does`, { skip }, async () => {
      const sshd = await startSshd({ release, ciphers: cipher, macs: mac });
      try {
        for (const offset of [4000, 100_000]) {
          const proxy = `-oProxyCommand=nc 127.0.0.1 ${sshd.port} | ${MODPIPE} -wm xor:${offset}:1`;
          const [tssh, ssh] = await both(release, [proxy, '-c', cipher, '-m', mac, ...sshd.clientArgs()], 'head -c 2000000 /dev/zero');
          assert.equal(text(tssh.stderr), text(ssh.stderr), `offset ${offset}: ssh's words`);
          assert.match(text(tssh.stderr), /^Corrupted MAC on input\.\nFinished discarding for UNKNOWN port 65535\nRead from remote host 127\.0\.0\.1: message authentication code incorrect\n$/);
          assert.deepEqual([tssh.code, ssh.code], [255, 255]);
          assert.ok(tssh.stdout.length < offset, 'nothing after the flipped byte reaches stdout');
        }
      } finally {
        await sshd.stop();
      }
    });
  }
}
