/**
 * The host-key policy's dealings with the outside world, through HostKeyCheckIo: loading known_hosts
 * files, appending entries, the yes/no prompt, and OpenSSH's "continue unsafely" switch-offs.
 */
import { HostKeyError, TsshError, type HostKeyStatus } from '../errors.js';
import { asciiLowercase } from '../text/patterns.js';
import { formatKnownHostsLine, type KnownHostsFile } from './known-hosts.js';
import {
  FORWARDING_DISABLED_FATAL,
  HOST_KEY_VERIFICATION_FAILED,
  PROMPT_AGAIN_WITH_FINGERPRINT,
  PROMPT_AGAIN_YES_NO,
  UNSAFE_FEATURE_WARNINGS,
  type UnsafeFeature,
} from './messages.js';
import type { HostKeyCheckContext, HostKeyCheckIo, HostKeyCheckResult } from './policy-types.js';

/** What a refusal reports (HostKeyError's data). */
export interface Refusal {
  status: HostKeyStatus;
  name: string;
  fingerprint: string;
  keyType: string;
  file?: string;
  line?: number;
  /** A changed key: the one recorded at file:line. */
  recorded?: { keyType: string; fingerprint: string };
}

export function refuse(r: Refusal): never {
  throw new HostKeyError(r.status, r.name, r.fingerprint, r.keyType, r.file, r.line, HOST_KEY_VERIFICATION_FAILED, r.recorded);
}

/** OpenSSH try_tilde_unexpand: $HOME/x → ~/x, for the "known by other names" list. */
export function tildeUnexpand(path: string, home: string | undefined): string {
  if (!path.startsWith('/') || home === undefined || home === '' || !path.startsWith(home)) return path;
  let rest = home.length;
  if (!home.endsWith('/') && path[rest] !== '/') return path;
  if (path[rest] === '/') rest++;
  return `~/${path.slice(rest)}`;
}

export async function loadFiles(paths: readonly string[], io: HostKeyCheckIo): Promise<KnownHostsFile[]> {
  const files: KnownHostsFile[] = [];
  for (const path of paths) {
    let text: string | undefined;
    try {
      text = await io.readFile(path);
    } catch (err) {
      io.debug?.(`load_hostkeys: fopen ${path}: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (text !== undefined) files.push({ path, text });
  }
  return files;
}

/** OpenSSH's continue_unsafe: the connection goes on, without anything a MITM could exploit. */
export function continueUnsafely(ctx: HostKeyCheckContext): HostKeyCheckResult {
  const enabled = { passwordAuthentication: true, kbdInteractiveAuthentication: true, ...ctx.enabledFeatures };
  const disabled: UnsafeFeature[] = [];
  for (const feature of Object.keys(UNSAFE_FEATURE_WARNINGS) as UnsafeFeature[]) {
    if (enabled[feature] !== true) continue;
    ctx.io.warn(UNSAFE_FEATURE_WARNINGS[feature]);
    disabled.push(feature);
  }
  // OpenSSH counts every disabled feature but UpdateHostKeys as "cancelled forwarding", even auth methods.
  if (ctx.exitOnForwardFailure === true && disabled.some((f) => f !== 'updateHostKeys')) {
    throw new TsshError('HOSTKEY', FORWARDING_DISABLED_FATAL);
  }
  return { added: false, trusted: false, passwordAuthDisabled: true, disabledFeatures: disabled };
}

/**
 * OpenSSH's confirm(): empty or "no" refuses, "yes" (or the fingerprint, when one is given) accepts,
 * anything else asks again. No terminal or BatchMode refuses.
 */
export async function askToContinue(ctx: HostKeyCheckContext, prompt: string, fingerprint: string | undefined): Promise<boolean> {
  if (ctx.batchMode || ctx.io.confirm === undefined) return false;
  const again = fingerprint !== undefined ? PROMPT_AGAIN_WITH_FINGERPRINT : PROMPT_AGAIN_YES_NO;
  for (let message = prompt; ; message = again) {
    const answer = await ctx.io.confirm(message);
    if (answer === undefined) return false;
    const word = answer.replace(/^[ \t]+/, '').split(/[ \t\n]/, 1)[0]!;
    const lower = asciiLowercase(word);
    if (word === '' || lower === 'no') return false;
    if (lower === 'yes' || (fingerprint !== undefined && word === fingerprint)) return true;
  }
}

async function ensureUserSshDirectory(ctx: HostKeyCheckContext, file: string): Promise<void> {
  if (ctx.homeDir === undefined || ctx.io.makeDirectory === undefined) return;
  const sshDir = `${ctx.homeDir.replace(/\/+$/, '')}/.ssh`;
  if (file.slice(0, file.lastIndexOf('/')) !== sshDir) return;
  try {
    await ctx.io.makeDirectory(sshDir, 0o700);
  } catch (err) {
    ctx.io.warn(`Could not create directory '${sshDir.slice(0, 200)}' (${describeFsError(err)}).`);
  }
}

export function describeFsError(err: unknown): string {
  const code = (err as { code?: unknown } | undefined)?.code;
  const known: Record<string, string> = {
    EACCES: 'Permission denied',
    ENOENT: 'No such file or directory',
    ENOTDIR: 'Not a directory',
    EROFS: 'Read-only file system',
    ENOSPC: 'No space left on device',
  };
  if (typeof code === 'string' && known[code] !== undefined) return known[code]!;
  return err instanceof Error ? err.message : String(err);
}

/**
 * Appends `name keytype base64` (the name hashed with HashKnownHosts) to `file`; true on success
 * (OpenSSH add_host_to_hostfile). A certificate is never recorded: callers pass the plain key.
 */
export async function recordKey(ctx: HostKeyCheckContext, file: string, name: string, keyType: string, keyBlob: Buffer): Promise<boolean> {
  await ensureUserSshDirectory(ctx, file);
  let existing: string | undefined;
  try {
    existing = await ctx.io.readFile(file);
  } catch {
    existing = undefined;
  }
  const line = formatKnownHostsLine(name, keyType, keyBlob, ctx.hashKnownHosts);
  // Never glue the new entry onto a last line that lacks its newline.
  const separator = existing !== undefined && existing.length > 0 && !existing.endsWith('\n') ? '\n' : '';
  try {
    await ctx.io.appendFile(file, `${separator}${line}\n`);
    return true;
  } catch (err) {
    ctx.io.debug?.(`add_host_to_hostfile: ${file}: ${describeFsError(err)}`);
    return false;
  }
}
