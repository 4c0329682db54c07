/**
 * FIDO security keys against real sshd 9.2 and 10.x, with OpenSSH's dummy authenticator from its regress
 * suite (sk-dummy.so: Debian's openssh-tests for 9.2, test/support/build-openssh.sh for 10.x) standing
 * in for the device. Keys are made by that release's ssh-keygen -w; sshd signs with its sk host keys
 * through SecurityKeyProvider. tssh verifies sk-* host keys and their certificates, logs in with sk keys
 * held by ssh-agent and with sk key files through ssh-sk-helper, and words a device failure as ssh does.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { startSshd, type Sshd, type OpensshRelease } from '../support/sshd.js';
import { isolatedEnv, makeTempDir, runClient, TSSH_BIN, unixSocketAccepts, waitFor } from '../support/run.js';
import { isAlive } from '../support/processes.js';
import { openssh10Prefix } from '../support/openssh10.js';

const execFileAsync = promisify(execFile);

interface Release {
  release: OpensshRelease;
  bin: (program: string) => string;
  dummy: string;
  helper: string;
}

function releaseTools(release: OpensshRelease): Release {
  if (release === '9.2') {
    return {
      release,
      bin: (p) => `/usr/bin/${p}`,
      dummy: '/usr/lib/openssh/regress/misc/sk-dummy/sk-dummy.so',
      helper: '/usr/lib/openssh/ssh-sk-helper',
    };
  }
  const prefix = openssh10Prefix();
  return { release, bin: (p) => path.join(prefix, 'bin', p), dummy: path.join(prefix, 'libexec', 'sk-dummy.so'), helper: path.join(prefix, 'libexec', 'ssh-sk-helper') };
}

const SK_TYPES = { 'ecdsa-sk': 'sk-ecdsa-sha2-nistp256@openssh.com', 'ed25519-sk': 'sk-ssh-ed25519@openssh.com' } as const;
type SkKind = keyof typeof SK_TYPES;

for (const release of ['9.2', '10'] as const) {
  describe(`security keys against sshd ${release}`, () => {
    let tools: Release;
    let sshd: Sshd;
    let dir: string;
    const hostPub: Partial<Record<SkKind, string>> = {};
    let caPub: string;
    const userKey: Partial<Record<SkKind, string>> = {};

    const keygen = (args: string[]) => execFileAsync(tools.bin('ssh-keygen'), args, { env: { PATH: process.env.PATH } });

    before(async () => {
      tools = releaseTools(release);
      assert.ok(existsSync(tools.dummy), `${tools.dummy} missing (openssh-tests, or build-openssh.sh)`);
      dir = makeTempDir('tssh-sk-');
      await keygen(['-q', '-t', 'ed25519', '-N', '', '-C', 'ca', '-f', path.join(dir, 'ca')]);
      caPub = readFileSync(path.join(dir, 'ca.pub'), 'utf8').trim();
      const extraConfig = [`SecurityKeyProvider ${tools.dummy}`];
      for (const kind of Object.keys(SK_TYPES) as SkKind[]) {
        const host = path.join(dir, `host_${kind}`);
        await keygen(['-q', '-t', kind, '-w', tools.dummy, '-N', '', '-C', 'host', '-f', host]);
        await keygen(['-q', '-s', path.join(dir, 'ca'), '-h', '-I', 'host', '-n', '127.0.0.1', `${host}.pub`]);
        hostPub[kind] = readFileSync(`${host}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
        extraConfig.push(`HostKey ${host}`, `HostCertificate ${host}-cert.pub`);
        const user = path.join(dir, `user_${kind}`);
        await keygen(['-q', '-t', kind, '-w', tools.dummy, '-N', '', '-C', `user-${kind}`, '-f', user]);
        userKey[kind] = user;
      }
      const algorithms = Object.values(SK_TYPES).flatMap((t) => [t, t.replace('@openssh.com', '-cert-v01@openssh.com')]);
      sshd = await startSshd({ release, hostKeyAlgorithms: `+${algorithms.join(',')}`, extraConfig });
      for (const kind of Object.keys(SK_TYPES) as SkKind[]) appendFileSync(path.join(sshd.dir, 'authorized_keys'), readFileSync(`${userKey[kind]}.pub`));
    });
    after(async () => {
      await sshd?.stop();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    function args(knownHosts: string, extra: string[]): string[] {
      return ['-F', '/dev/null', '-p', String(sshd.port), '-o', 'BatchMode=yes', '-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'GlobalKnownHostsFile=/dev/null', '-o', 'StrictHostKeyChecking=yes', ...extra, sshd.destination, 'echo ok'];
    }
    const name = (): string => `[127.0.0.1]:${sshd.port}`;
    function knownHosts(text: string): string {
      const file = path.join(dir, `kh-${Math.random().toString(36).slice(2)}`);
      writeFileSync(file, text);
      return file;
    }
    const userArgs = (): string[] => ['-i', sshd.userKey, '-o', 'IdentitiesOnly=yes'];

    for (const [kind, type] of Object.entries(SK_TYPES) as Array<[SkKind, string]>) {
      test(`${type} host key, and its certificate through @cert-authority`, async () => {
        const plain = await runClient(TSSH_BIN, args(knownHosts(`${name()} ${hostPub[kind]}\n`), [...userArgs(), '-o', `HostKeyAlgorithms=${type}`]));
        assert.equal(plain.code, 0, plain.stderr);
        assert.equal(plain.stdout.toString(), 'ok\n');
        const certType = type.replace('@openssh.com', '-cert-v01@openssh.com');
        const cert = await runClient(TSSH_BIN, args(knownHosts(`@cert-authority 127.0.0.1 ${caPub}\n`), [...userArgs(), '-o', `HostKeyAlgorithms=${certType}`]));
        assert.equal(cert.code, 0, cert.stderr);
        // A host key listed for another name is no substitute: refused as by ssh.
        const unknownArgs = args(knownHosts(`other.example ${hostPub[kind]}\n`), [...userArgs(), '-o', `HostKeyAlgorithms=${type}`]);
        const refused = await runClient(TSSH_BIN, unknownArgs);
        const oracle = await runClient(tools.bin('ssh'), unknownArgs);
        assert.equal(refused.code, 255);
        assert.equal(refused.stderr, oracle.stderr.replace(/\r\n/g, '\n'));
      });

      test(`${type} key file signs through ssh-sk-helper with SecurityKeyProvider`, async () => {
        const env = isolatedEnv(makeTempDir('tssh-home-'), { SSH_SK_HELPER: tools.helper });
        // The server's ed25519 host key only: with the default list its sk host certificates come first.
        const kh = sshd.knownHosts;
        const key = ['-i', userKey[kind]!, '-o', 'IdentitiesOnly=yes', '-o', 'HostKeyAlgorithms=ssh-ed25519'];
        const ok = await runClient(TSSH_BIN, args(kh, [...key, '-o', `SecurityKeyProvider=${tools.dummy}`]), { env });
        assert.equal(ok.code, 0, ok.stderr);
        assert.equal(ok.stdout.toString(), 'ok\n');
        assert.match(sshd.readLog(), new RegExp(`Accepted publickey for \\S+ from 127\\.0\\.0\\.1 port \\d+ ssh2: ${kind === 'ecdsa-sk' ? 'ECDSA-SK' : 'ED25519-SK'}`));
        // The same key with $SSH_SK_PROVIDER, the form ssh's own default takes without built-in FIDO support.
        const viaEnv = await runClient(TSSH_BIN, args(kh, [...key, '-o', 'SecurityKeyProvider=$SSH_SK_PROVIDER']), { env: { ...env, SSH_SK_PROVIDER: tools.dummy } });
        assert.equal(viaEnv.code, 0, viaEnv.stderr);
        // No authenticator behind the provider: ssh's words, then Permission denied.
        const failArgs = args(kh, [...key, '-o', 'SecurityKeyProvider=internal']);
        const failed = await runClient(TSSH_BIN, failArgs, { env });
        const oracle = await runClient(tools.bin('ssh'), failArgs, { env });
        assert.equal(failed.code, 255);
        assert.equal(failed.stderr.replace(/\r\n/g, '\n'), oracle.stderr.replace(/\r\n/g, '\n'));
      });
    }

    test('security keys held by ssh-agent (added with ssh-add -S) log in; the agent signs', async (t) => {
      const socket = path.join(dir, 'agent.sock');
      const agent = spawn(tools.bin('ssh-agent'), ['-D', '-a', socket, '-P', `${path.dirname(tools.dummy)}/*`], { stdio: 'ignore' });
      t.after(async () => {
        if (agent.pid !== undefined && isAlive(agent.pid)) {
          process.kill(agent.pid, 'SIGTERM');
          await waitFor(() => !isAlive(agent.pid!), 5000, 'ssh-agent to exit');
        }
      });
      await waitFor(() => unixSocketAccepts(socket), 5000, 'the ssh-agent socket');
      const addEnv = { PATH: process.env.PATH, SSH_AUTH_SOCK: socket, SSH_SK_HELPER: tools.helper };
      await execFileAsync(tools.bin('ssh-add'), ['-S', tools.dummy, userKey['ecdsa-sk']!, userKey['ed25519-sk']!], { env: addEnv });
      const env = { ...isolatedEnv(makeTempDir('tssh-home-')), SSH_AUTH_SOCK: socket };
      const r = await runClient(TSSH_BIN, args(sshd.knownHosts, ['-v', '-o', 'HostKeyAlgorithms=ssh-ed25519']), { env });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /Offering public key: user-ecdsa-sk ECDSA-SK SHA256:\S+ authenticator agent/);
      assert.match(r.stderr, /Authenticated to 127\.0\.0\.1/);
    });
  });
}
