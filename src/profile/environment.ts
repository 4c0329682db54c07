/**
 * What resolving a host needs from the world around it: the home directory, the local user, the
 * environment for `${VAR}`, file access, and how `Match exec` and CanonicalizeHostname reach out.
 * processEnvironment() is this process's; tests and embedders pass their own.
 */
import { closeSync, fstatSync, openSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { hostname as osHostname, networkInterfaces, userInfo } from 'node:os';
import type { ConfigFileSystem } from '../config/evaluate.js';
import type { ConfigLog } from '../log.js';
import type { HostnameResolver } from './canonicalize.js';

export interface ResolveEnvironment {
  /** Home directory for `~`, %d and ~/.ssh. */
  home: string;
  /** Local user name (%u, the default remote user). */
  user: string;
  /** Environment for `${VAR}` expansion. */
  env: Record<string, string | undefined>;
  /** Local host name with domain (%l; %L is its first label). */
  localHostname: string;
  uid: number;
  /** Default `${home}/.ssh/config`. */
  userConfigFile?: string;
  /** Default /etc/ssh/ssh_config; relative Includes in it resolve against its directory. */
  systemConfigFile?: string;
  /** Default: node:fs. */
  fs?: ConfigFileSystem;
  /** Why a -i file cannot be used (strerror text), or undefined if it exists. Default: stat(2). */
  identityAccessError?: (path: string) => string | undefined;
  /** Home directory of another user, for `~user/` paths. */
  lookupHome?: (user: string) => string | undefined;
  /** Leveled diagnostics (debug lines, "Unsupported option" errors). */
  log?: ConfigLog;
  /** CanonicalizeHostname lookups: which names resolve (default: the system resolver). */
  resolveHostnames?: HostnameResolver;
  /** Runs a `Match exec` command (default: through $SHELL with stdin and stdout on /dev/null). */
  runMatchExec?: (command: string) => number | 'abnormal';
  /** Addresses of the local interfaces that are up (Match localnetwork); default: the system's. */
  localAddresses?: () => string[];
  /** Messages ssh prints whatever the log level ("Warning: Identity file ... not accessible"). */
  warn?: (message: string) => void;
}

const STRERROR: Record<string, string> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  ENOTDIR: 'Not a directory',
  EISDIR: 'Is a directory',
  ELOOP: 'Too many levels of symbolic links',
  ENAMETOOLONG: 'File name too long',
};

function errnoText(err: unknown): { code: string; message: string } {
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? 'EIO';
  return { code, message: STRERROR[code] ?? (err instanceof Error ? err.message : String(err)) };
}

/** Why `path` cannot be used (strerror text), or undefined when it exists. */
export function statError(path: string): string | undefined {
  try {
    statSync(path);
    return undefined;
  } catch (err) {
    return errnoText(err).message;
  }
}

/**
 * The addresses of this host's interfaces that are up, as getifaddrs(3) lists them for ssh; a scoped
 * IPv6 address carries its `%interface`, as getnameinfo(3) writes it.
 */
export function interfaceAddresses(): string[] {
  return Object.entries(networkInterfaces()).flatMap(([name, entries]) =>
    (entries ?? []).map((entry) => (entry.family === 'IPv6' && entry.scopeid ? `${entry.address}%${name}` : entry.address)),
  );
}

/** Config file access through node:fs. */
export function nodeConfigFileSystem(): ConfigFileSystem {
  return {
    read(path) {
      let fd: number;
      try {
        fd = openSync(path, 'r');
      } catch (err) {
        return { ok: false, ...errnoText(err) };
      }
      try {
        const stat = fstatSync(fd);
        if (stat.isDirectory()) return { ok: false, code: 'EISDIR', message: STRERROR.EISDIR! };
        return { ok: true, text: readFileSync(fd, 'utf8'), uid: stat.uid, mode: stat.mode };
      } catch (err) {
        return { ok: false, ...errnoText(err) };
      } finally {
        closeSync(fd);
      }
    },
    list(dir) {
      try {
        return readdirSync(dir);
      } catch {
        return undefined;
      }
    },
  };
}

/**
 * The environment of this process. The home directory is $HOME when set (so a test harness can
 * point it elsewhere), else the password database's; OpenSSH itself always uses the latter.
 */
export function processEnvironment(): ResolveEnvironment {
  const info = userInfo();
  const home = process.env.HOME !== undefined && process.env.HOME !== '' ? process.env.HOME : info.homedir;
  return {
    home,
    user: info.username,
    env: { ...process.env },
    localHostname: osHostname(),
    uid: process.getuid?.() ?? info.uid,
  };
}
