/**
 * A real OpenSSH sshd for integration tests: a private temp dir with throwaway host and user keys, a
 * config that listens on 127.0.0.1 only and trusts nothing outside that dir, and a free port.
 *
 *   const sshd = await startSshd({ ciphers: 'aes128-gcm@openssh.com' });
 *   try { await runClient(TSSH_BIN, [...sshd.clientArgs(), 'echo hi']) } finally { await sshd.stop() }
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { generateKey, type KeyType } from './keys.js';
import { makeTempDir } from './run.js';
import { openssh10Prefix } from './openssh10.js';
import { currentUser, type Launch, makeClientFiles, makeTestServer, startOnFreePort, type TestServer } from './server.js';

export type { TestServer } from './server.js';
export type { KeyType } from './keys.js';
export { startDropbear, dropbearSkipReason } from './dropbear.js';

export const SSHD_PATH = '/usr/sbin/sshd';

/** Which OpenSSH server: Debian 12's 9.2, or the 10.x that test/support/build-openssh.sh built. */
export type OpensshRelease = '9.2' | '10';

export interface SshdOptions {
  /** Which sshd to run; default '9.2' (the system one). */
  release?: OpensshRelease;
  /** Server-side restrictions, in sshd_config syntax (comma lists, +/-/^ prefixes allowed). */
  kexAlgorithms?: string;
  ciphers?: string;
  macs?: string;
  hostKeyAlgorithms?: string;
  /** Host keys to generate and serve; default ['ed25519']. */
  hostKeyTypes?: KeyType[];
  /** Extra authorized user key types (ed25519 is always made); paths land in `userKeys`. */
  userKeyTypes?: KeyType[];
  /**
   * Extra sshd_config lines, e.g. 'RekeyLimit 1M'. They come before the harness defaults, so they
   * win (sshd takes the first value); from the first `Match` line on they go at the very end.
   */
  extraConfig?: string[];
  /** Start-up deadline; default 10 s. */
  startTimeoutMs?: number;
}

/** The interface tests use; identical for Dropbear. */
export type Sshd = TestServer;

/** The sshd binary of a release. */
export function sshdPath(release: OpensshRelease = '9.2'): string {
  return release === '10' ? path.join(openssh10Prefix(), 'sbin', 'sshd') : SSHD_PATH;
}

/** An sshd's version, e.g. { major: 9, minor: 2 } (from `sshd -V`, which prints to stderr). */
export function sshdVersion(release: OpensshRelease = '9.2'): { major: number; minor: number } {
  const { stderr, stdout } = spawnSync(sshdPath(release), ['-V'], { encoding: 'utf8' });
  const match = /OpenSSH_(\d+)\.(\d+)/.exec(`${stderr}${stdout}`);
  if (match === null) throw new Error(`cannot read the sshd version from: ${stderr}${stdout}`);
  return { major: Number(match[1]), minor: Number(match[2]) };
}

export async function startSshd(opts: SshdOptions = {}): Promise<Sshd> {
  const binary = sshdPath(opts.release);
  if (!existsSync(binary)) throw new Error(`${binary} not found: apt-get install openssh-server, or bash test/support/build-openssh.sh`);
  // Privilege separation directory; the Debian package creates it only when the service starts.
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const dir = makeTempDir('tssh-sshd-');
  try {
    return await startSshdIn(dir, opts);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

async function startSshdIn(dir: string, opts: SshdOptions): Promise<Sshd> {
  const hostKeyTypes = opts.hostKeyTypes ?? ['ed25519'];
  const [client, hostKeys] = await Promise.all([
    makeClientFiles(dir, opts.userKeyTypes),
    Promise.all(hostKeyTypes.map((type) => generateKey(dir, `host_${type}`, type))),
  ]);
  const authorizedKeys = path.join(dir, 'authorized_keys');
  writeFileSync(authorizedKeys, client.authorizedKeys, { mode: 0o600 });
  const configFile = path.join(dir, 'sshd_config');
  const logFile = path.join(dir, 'sshd.log');

  const binary = sshdPath(opts.release);
  const { major, minor } = sshdVersion(opts.release);
  // From 9.8 sshd refuses sources that fail auth or drop connections early; tests do both on purpose.
  const hasPenalties = major > 9 || (major === 9 && minor >= 8);
  const launch = (port: number): Launch => {
    const lines = sshdConfig({
      port,
      hostKeys: hostKeys.map((k) => k.privatePath),
      authorizedKeys,
      opts,
      versionSpecific: hasPenalties ? ['PerSourcePenalties no'] : [],
    });
    writeFileSync(configFile, lines.join('\n') + '\n');
    writeFileSync(logFile, ''); // drop the previous attempt's log
    const child = spawn(binary, ['-D', '-e', '-f', configFile, '-E', logFile], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => (stderr += chunk));
    // A server left running must not keep the test process alive; the 'exit' hook then kills it.
    child.unref();
    (child.stderr as unknown as { unref(): void }).unref();
    return { child, stderr: () => stderr };
  };

  const started = await startOnFreePort({
    what: 'sshd',
    logFile,
    launch,
    portTaken: (text) => text.includes('Address already in use'),
    timeoutMs: opts.startTimeoutMs ?? 10_000,
  });
  return makeTestServer({ port: started.port, dir, user: currentUser(), client, hostKeys, logFile, launch: started.launch });
}

interface ConfigParams {
  port: number;
  hostKeys: string[];
  authorizedKeys: string;
  opts: SshdOptions;
  /** Lines only some sshd versions understand (an unknown keyword is fatal). */
  versionSpecific?: string[];
}

/** sshd_config lines: restrictions and extras first (first value wins), then the harness defaults. */
export function sshdConfig({ port, hostKeys, authorizedKeys, opts, versionSpecific = [] }: ConfigParams): string[] {
  const extra = opts.extraConfig ?? [];
  const matchAt = extra.findIndex((line) => /^\s*Match\s/i.test(line));
  const extraBefore = matchAt < 0 ? extra : extra.slice(0, matchAt);
  const extraMatch = matchAt < 0 ? [] : extra.slice(matchAt);
  const restrictions: string[] = [];
  if (opts.kexAlgorithms !== undefined) restrictions.push(`KexAlgorithms ${opts.kexAlgorithms}`);
  if (opts.ciphers !== undefined) restrictions.push(`Ciphers ${opts.ciphers}`);
  if (opts.macs !== undefined) restrictions.push(`MACs ${opts.macs}`);
  if (opts.hostKeyAlgorithms !== undefined) restrictions.push(`HostKeyAlgorithms ${opts.hostKeyAlgorithms}`);
  return [
    '# Written by test/support/sshd.ts',
    ...restrictions,
    ...extraBefore,
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    ...hostKeys.map((key) => `HostKey ${key}`),
    `AuthorizedKeysFile ${authorizedKeys}`,
    'StrictModes no',
    'PidFile none',
    'UsePAM no',
    'PermitRootLogin yes',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'HostbasedAuthentication no',
    'GSSAPIAuthentication no',
    'PrintMotd no',
    'PrintLastLog no',
    'UseDNS no',
    'Subsystem sftp internal-sftp',
    'LogLevel DEBUG2',
    // bash sources ~/.bashrc for ssh commands only below shell level 2; the tester's rc files (pyenv
    // rehash races under parallel logins) must not write into the remote stderr the tests compare.
    'SetEnv SHLVL=1',
    // Tests log in many clients at once; sshd's default 10:30:100 drops random unauthenticated
    // connections beyond ten ("kex_exchange_identification: Connection closed by remote host").
    'MaxStartups 200',
    ...versionSpecific,
    ...extraMatch,
  ];
}
