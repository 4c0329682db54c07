/**
 * A throwaway local user with a known password, for password and keyboard-interactive tests against
 * an sshd with `UsePAM yes`. Creating users needs root (CI runs as root); `testUserSkipReason()` says
 * why a test cannot run otherwise.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface TestUser {
  name: string;
  password: string;
  /** Home directory (for ~/.ssh/authorized_keys). */
  home: string;
  /** Writes `lines` as the user's ~/.ssh/authorized_keys, owned by the user. */
  authorize(lines: string): Promise<void>;
  /** Deletes the user and its home directory. Idempotent. */
  remove(): Promise<void>;
}

export function testUserSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'creating a throwaway login user (useradd, chpasswd) needs root; CI runs the tests as root';
  return undefined;
}

export async function createTestUser(): Promise<TestUser> {
  const name = `tssh${randomBytes(4).toString('hex')}`;
  const password = `Pw-${randomBytes(9).toString('base64url')}`;
  await execFileAsync('useradd', ['--create-home', '--shell', '/bin/sh', name]);
  let removed: Promise<void> | undefined;
  const remove = (): Promise<void> => {
    removed ??= execFileAsync('userdel', ['--force', '--remove', name]).then(
      () => undefined,
      () => undefined, // already gone
    );
    return removed;
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const child = execFile('chpasswd', (err) => (err ? reject(err) : resolve()));
      child.stdin!.end(`${name}:${password}\n`);
    });
  } catch (err) {
    await remove();
    throw err;
  }
  const home = (await execFileAsync('getent', ['passwd', name])).stdout.split(':')[5]!;
  const authorize = async (lines: string): Promise<void> => {
    await mkdir(path.join(home, '.ssh'), { recursive: true, mode: 0o700 });
    await writeFile(path.join(home, '.ssh', 'authorized_keys'), lines, { mode: 0o600 });
    await execFileAsync('chown', ['-R', `${name}:`, path.join(home, '.ssh')]);
  };
  return { name, password, home, authorize, remove };
}
