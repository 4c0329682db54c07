/**
 * What the OpenSSH and Dropbear test servers share: the TestServer shape tests use, the client-side
 * files (user keys, known_hosts), start-up on a free port with retries, and teardown.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { userInfo } from 'node:os';
import path from 'node:path';
import { ALL_KEY_TYPES, type GeneratedKey, generateKey, type KeyType, knownHostsContent } from './keys.js';
import { freePort, killTreeNow, speaksSsh, stopTree } from './processes.js';
import { waitFor } from './run.js';

export type { KeyType } from './keys.js';

export interface TestServer {
  port: number;
  host: '127.0.0.1';
  /** The current OS user; the server accepts `userKey` (and every key in `userKeys`) for it. */
  user: string;
  /** `${user}@127.0.0.1`. */
  destination: string;
  /** Temp dir holding config, keys, known_hosts and the log; removed by stop(). */
  dir: string;
  /** Unencrypted ed25519 private key authorized for `user`. */
  userKey: string;
  /** Private keys of every type asked for with userKeyTypes (ed25519 always), all authorized. */
  userKeys: Partial<Record<KeyType, string>>;
  /** known_hosts with a `[127.0.0.1]:port` line for every host key. */
  knownHosts: string;
  /** `SHA256:...` of every host key, in hostKeyTypes order. */
  hostKeyFingerprints: string[];
  logFile: string;
  /** pid of the listening server process. */
  pid: number;
  /** Client flags for an isolated connection, without the destination. */
  clientOptions(): string[];
  /** clientOptions() followed by the destination; append the remote command. */
  clientArgs(): string[];
  /** The server log so far ('' once stopped). */
  readLog(): string;
  /** Stops the server and its children by pid, waits for them, removes `dir`. Idempotent. */
  stop(): Promise<void>;
}

export interface ClientFiles {
  userKey: string;
  userKeys: Partial<Record<KeyType, string>>;
  authorizedKeys: string;
}

/** Makes the user keys (ed25519 plus `extraTypes`) and their authorized_keys text. */
export async function makeClientFiles(dir: string, extraTypes: readonly KeyType[] = []): Promise<ClientFiles> {
  const types = ALL_KEY_TYPES.filter((t) => t === 'ed25519' || extraTypes.includes(t));
  const keys = await Promise.all(types.map((t) => generateKey(dir, `user_${t}`, t)));
  const userKeys: Partial<Record<KeyType, string>> = {};
  for (const key of keys) userKeys[key.type] = key.privatePath;
  return {
    userKey: userKeys.ed25519!,
    userKeys,
    authorizedKeys: keys.map((k) => `${k.publicLine} tssh-test-user\n`).join(''),
  };
}

export function currentUser(): string {
  return userInfo().username;
}

export interface Launch {
  child: ChildProcess;
  /** Everything the process wrote to stderr so far. */
  stderr(): string;
}

export interface StartOnFreePortParams {
  what: string;
  logFile: string;
  /** Writes per-port files and spawns the server listening on 127.0.0.1:port. */
  launch(port: number): Launch;
  /** True if the failure text says the port was taken between our probe and the server's bind. */
  portTaken(failureText: string): boolean;
  timeoutMs: number;
}

/** Starts a server on a free port, retrying when another process grabbed the port first. */
export async function startOnFreePort(params: StartOnFreePortParams): Promise<{ port: number; launch: Launch }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const launch = params.launch(port);
    let exited = false;
    launch.child.once('exit', () => (exited = true));
    try {
      await waitFor(async () => exited || (await speaksSsh(port)), params.timeoutMs, `${params.what} on port ${port}`, 20);
    } catch (err) {
      if (launch.child.pid !== undefined) await stopTree(launch.child.pid);
      throw new Error(`${(err as Error).message}\n${failureText(params.logFile, launch)}`);
    }
    if (!exited) return { port, launch };
    const text = failureText(params.logFile, launch);
    if (attempt < 5 && params.portTaken(text)) continue;
    throw new Error(`${params.what} exited during start-up (code ${launch.child.exitCode}):\n${text}`);
  }
}

function failureText(logFile: string, launch: Launch): string {
  let log = '';
  try {
    log = readFileSync(logFile, 'utf8');
  } catch {
    // no log yet
  }
  return `--- log ${logFile}:\n${log}\n--- stderr:\n${launch.stderr()}`;
}

export interface ServerParts {
  port: number;
  dir: string;
  user: string;
  client: ClientFiles;
  hostKeys: GeneratedKey[];
  logFile: string;
  launch: Launch;
}

/** Writes known_hosts and wraps a running server as a TestServer with idempotent teardown. */
export function makeTestServer(parts: ServerParts): TestServer {
  const { port, dir, user, client, hostKeys, logFile, launch } = parts;
  const pid = launch.child.pid!;
  const knownHosts = path.join(dir, 'known_hosts');
  writeFileSync(knownHosts, knownHostsContent('127.0.0.1', port, hostKeys.map((k) => k.publicLine)));
  const destination = `${user}@127.0.0.1`;
  // If the test process ends without calling stop(), still leave no server behind.
  const onExit = (): void => {
    killTreeNow(pid);
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', onExit);
  let stopping: Promise<void> | undefined;
  const clientOptions = (): string[] => [
    '-p', String(port),
    '-i', client.userKey,
    '-o', 'IdentitiesOnly=yes',
    '-o', `UserKnownHostsFile=${knownHosts}`,
    '-o', 'GlobalKnownHostsFile=/dev/null',
    '-o', 'StrictHostKeyChecking=yes',
    '-o', 'BatchMode=yes',
    '-F', '/dev/null',
  ];
  return {
    port,
    host: '127.0.0.1',
    user,
    destination,
    dir,
    userKey: client.userKey,
    userKeys: client.userKeys,
    knownHosts,
    hostKeyFingerprints: hostKeys.map((k) => k.fingerprint),
    logFile,
    pid,
    clientOptions,
    clientArgs: () => [...clientOptions(), destination],
    readLog: () => {
      try {
        return readFileSync(logFile, 'utf8');
      } catch {
        return '';
      }
    },
    stop: () => {
      stopping ??= (async () => {
        await stopTree(pid);
        process.removeListener('exit', onExit);
        await rm(dir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}
