/**
 * A real Dropbear server for interoperability tests, with the same TestServer shape as startSshd().
 *
 * Dropbear 2022.83 reads authorized keys only from the login user's ~/.ssh/authorized_keys and has no
 * option to look elsewhere. So that no test touches the real ~/.ssh, the server runs in a private mount
 * namespace (unshare -m, root only) where a temp dir is bind-mounted over the user's home directory;
 * the real filesystem never changes. Dropbear has no runtime algorithm settings: restrict the client.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { type GeneratedKey, type KeyType, sha256Fingerprint } from './keys.js';
import { makeTempDir } from './run.js';
import { currentUser, type Launch, makeClientFiles, makeTestServer, startOnFreePort, type TestServer } from './server.js';

const execFileAsync = promisify(execFile);

export const DROPBEAR_PATH = '/usr/sbin/dropbear';

export interface DropbearOptions {
  /** Host keys to generate with dropbearkey; default ['ed25519']. */
  hostKeyTypes?: KeyType[];
  /** Extra authorized user key types (ed25519 is always made). */
  userKeyTypes?: KeyType[];
  /** Extra dropbear flags, e.g. ['-W', '65536']. */
  extraArgs?: string[];
  startTimeoutMs?: number;
}

/** Why Dropbear tests cannot run here, or undefined if they can. Use as `test(name, { skip }, ...)`. */
export function dropbearSkipReason(): string | undefined {
  if (!existsSync(DROPBEAR_PATH)) return 'dropbear is not installed (apt-get install dropbear-bin)';
  if (process.getuid?.() !== 0) return 'the Dropbear harness needs root (private mount namespace)';
  const probe = spawnSync('unshare', ['-m', '--propagation', 'private', 'true'], { stdio: 'ignore' });
  if (probe.status !== 0) return 'unshare -m is not permitted here';
  return undefined;
}

const DROPBEARKEY_ARGS: Record<KeyType, string[]> = {
  ed25519: ['-t', 'ed25519'],
  ecdsa256: ['-t', 'ecdsa', '-s', '256'],
  ecdsa384: ['-t', 'ecdsa', '-s', '384'],
  ecdsa521: ['-t', 'ecdsa', '-s', '521'],
  rsa: ['-t', 'rsa', '-s', '2048'],
};

async function generateDropbearKey(dir: string, type: KeyType): Promise<GeneratedKey> {
  const privatePath = path.join(dir, `dropbear_host_${type}`);
  await execFileAsync('dropbearkey', [...DROPBEARKEY_ARGS[type], '-f', privatePath]);
  // `dropbearkey -y` prints "Public key portion is:", the OpenSSH-format line, then a fingerprint.
  const { stdout } = await execFileAsync('dropbearkey', ['-y', '-f', privatePath]);
  const line = stdout.split('\n').find((l) => /^(ssh-|ecdsa-)/.test(l));
  const [algorithm, base64] = (line ?? '').split(' ');
  if (algorithm === undefined || base64 === undefined) throw new Error(`dropbearkey -y gave no public key:\n${stdout}`);
  const publicPath = `${privatePath}.pub`;
  writeFileSync(publicPath, `${algorithm} ${base64}\n`);
  return { type, privatePath, publicPath, publicLine: `${algorithm} ${base64}`, fingerprint: sha256Fingerprint(base64) };
}

export async function startDropbear(opts: DropbearOptions = {}): Promise<TestServer> {
  const skip = dropbearSkipReason();
  if (skip !== undefined) throw new Error(`cannot start Dropbear: ${skip}`);
  const dir = makeTempDir('tssh-dropbear-');
  try {
    return await startDropbearIn(dir, opts);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

async function startDropbearIn(dir: string, opts: DropbearOptions): Promise<TestServer> {
  const hostKeyTypes = opts.hostKeyTypes ?? ['ed25519'];
  const [client, hostKeys] = await Promise.all([
    makeClientFiles(dir, opts.userKeyTypes),
    Promise.all(hostKeyTypes.map((type) => generateDropbearKey(dir, type))),
  ]);
  // The home the server will see; Dropbear insists it and ~/.ssh are not group/other writable.
  const fakeHome = path.join(dir, 'home');
  mkdirSync(path.join(fakeHome, '.ssh'), { recursive: true, mode: 0o700 });
  writeFileSync(path.join(fakeHome, '.ssh', 'authorized_keys'), client.authorizedKeys, { mode: 0o600 });
  const realHome = userInfo().homedir;
  const logFile = path.join(dir, 'dropbear.log');

  const launch = (port: number): Launch => {
    const logFd = openSync(logFile, 'w');
    const dropbearArgs = [
      '-F', // stay in the foreground so the pid we hold is the server
      '-E', // log to stderr, which is the log file
      '-s', // no password logins
      '-P', path.join(dir, 'dropbear.pid'),
      '-p', `127.0.0.1:${port}`,
      ...hostKeys.flatMap((k) => ['-r', k.privatePath]),
      ...(opts.extraArgs ?? []),
    ];
    // unshare execs sh, which execs dropbear: one pid throughout.
    const script = 'mount --bind "$1" "$2" || exit 97; shift 2; exec "$@"';
    const child = spawn(
      'unshare',
      ['-m', '--propagation', 'private', '/bin/sh', '-c', script, 'sh', fakeHome, realHome, DROPBEAR_PATH, ...dropbearArgs],
      { stdio: ['ignore', logFd, logFd] },
    );
    closeSync(logFd);
    child.unref(); // a server left running must not keep the test process alive
    return { child, stderr: () => '' };
  };

  const started = await startOnFreePort({
    what: 'dropbear',
    logFile,
    launch,
    portTaken: (text) => text.includes('Address already in use'),
    timeoutMs: opts.startTimeoutMs ?? 10_000,
  });
  return makeTestServer({ port: started.port, dir, user: currentUser(), client, hostKeys, logFile, launch: started.launch });
}
