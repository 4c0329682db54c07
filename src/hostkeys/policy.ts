/**
 * StrictHostKeyChecking as an injectable verifier, matching OpenSSH 9.2's check_host_key()
 * (sshconnect.c) for plain host keys: look the verified server key up in the user and global
 * known_hosts files, then accept, warn, ask, record or refuse. All I/O goes through ctx.io, so the
 * policy is testable with fakes; nothing here reads the environment or prints.
 */
import { TsshError } from '../errors.js';
import { asciiLowercase } from './host-patterns.js';
import { fingerprintSha256, keyTypeLabel } from './key-blob.js';
import {
  findKeyUnderOtherNames,
  formatKnownHostsLine,
  hostfileName,
  lookupHostKey,
  parseKnownHostsFiles,
  type HostKeyLookup,
  type KnownHostsFile,
  type ParsedKnownHosts,
} from './known-hosts.js';
import {
  FORWARDING_DISABLED_FATAL,
  HOST_KEY_VERIFICATION_FAILED,
  NO_HOST_IP_FOR_PROXY,
  PROMPT_AGAIN_WITH_FINGERPRINT,
  UNSAFE_FEATURE_WARNINGS,
  changedKeyWarning,
  changedStrictRefusal,
  failedToAdd,
  permanentlyAdded,
  revokedKeyWarning,
  revokedStrictRefusal,
  unknownKeyPrompt,
  unknownStrictRefusal,
  type UnsafeFeature,
} from './messages.js';

export type { UnsafeFeature } from './messages.js';

export interface HostKeyCheckIo {
  /** File contents, or undefined if the file does not exist (or cannot be read). */
  readFile(path: string): Promise<string | undefined>;
  appendFile(path: string, text: string): Promise<void>;
  /** Error-level messages (always shown unless LogLevel QUIET). One call per OpenSSH log call; may contain "\n". */
  warn(line: string): void;
  /** INFO-level messages (hidden by -q / LogLevel ERROR). Falls back to warn. */
  info?(line: string): void;
  /** debug1-level messages for -v. */
  debug?(line: string): void;
  /** Shows the prompt on the terminal and reads one answer; undefined when there is no terminal. */
  confirm?(prompt: string): Promise<string | undefined>;
  /** Creates one directory with `mode` (not recursive); resolves if it already exists. */
  makeDirectory?(path: string, mode: number): Promise<void>;
}

export interface HostKeyCheckContext {
  /** Host as given (after HostName); the lookup name is derived from it and the port. */
  host: string;
  port: number;
  hostKeyAlias?: string;
  /** Key type name of the verified server host key ('ssh-ed25519', 'ssh-rsa', ...) and its blob. */
  keyType: string;
  keyBlob: Buffer;
  strict: 'yes' | 'ask' | 'accept-new' | 'no';
  userKnownHostsFiles: string[];
  globalKnownHostsFiles: string[];
  hashKnownHosts: boolean;
  batchMode: boolean;
  io: HostKeyCheckIo;
  /** Numeric address of the peer, shown in the prompt; undefined when connected through a proxy. */
  address?: string;
  /** The user's home directory: `~/` in messages, and ~/.ssh is created when it holds the known_hosts file. */
  homeDir?: string;
  /** Which MITM-sensitive features are on, for the warnings when continuing unsafely. Default: password and keyboard-interactive. */
  enabledFeatures?: Partial<Record<UnsafeFeature, boolean>>;
  /** ExitOnForwardFailure: continuing unsafely then becomes fatal, as in OpenSSH. */
  exitOnForwardFailure?: boolean;
}

export interface HostKeyCheckResult {
  /** A line was appended to the first user known_hosts file. */
  added: boolean;
  /** The key was found, or explicitly accepted by the user (UpdateHostKeys only runs for trusted keys). */
  trusted: boolean;
  /** Set when continuing past a changed or revoked key: password and keyboard-interactive auth must not run. */
  passwordAuthDisabled?: true;
  /** The features the caller must switch off (the ones that were enabled, in OpenSSH's order). */
  disabledFeatures?: UnsafeFeature[];
}

/** Characters that never go into a known_hosts file name (OpenSSH refuses to record such hosts). */
const UNRECORDABLE_HOST = /[@?*#[\]|'"\\]/;

function refuse(): never {
  throw new TsshError('HOSTKEY', HOST_KEY_VERIFICATION_FAILED);
}

/** OpenSSH try_tilde_unexpand: $HOME/x → ~/x, for the "known by other names" list. */
function tildeUnexpand(path: string, home: string | undefined): string {
  if (!path.startsWith('/') || home === undefined || home === '' || !path.startsWith(home)) return path;
  let rest = home.length;
  if (!home.endsWith('/') && path[rest] !== '/') return path;
  if (path[rest] === '/') rest++;
  return `~/${path.slice(rest)}`;
}

async function loadFiles(paths: string[], io: HostKeyCheckIo): Promise<KnownHostsFile[]> {
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
function continueUnsafely(ctx: HostKeyCheckContext): HostKeyCheckResult {
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

/** The yes/no/fingerprint dialogue of OpenSSH's confirm(): empty or "no" refuses, others re-ask. */
async function askToContinue(ctx: HostKeyCheckContext, prompt: string, fingerprint: string): Promise<boolean> {
  if (ctx.batchMode || ctx.io.confirm === undefined) return false;
  for (let message = prompt; ; message = PROMPT_AGAIN_WITH_FINGERPRINT) {
    const answer = await ctx.io.confirm(message);
    if (answer === undefined) return false;
    const word = answer.replace(/^[ \t]+/, '').split(/[ \t\n]/, 1)[0]!;
    const lower = asciiLowercase(word);
    if (word === '' || lower === 'no') return false;
    if (lower === 'yes' || word === fingerprint) return true;
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

function describeFsError(err: unknown): string {
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

/** Appends the key under `name` to the first user file; true on success (OpenSSH add_host_to_hostfile). */
async function recordKey(ctx: HostKeyCheckContext, file: string, existing: string | undefined, name: string): Promise<boolean> {
  await ensureUserSshDirectory(ctx, file);
  const line = formatKnownHostsLine(name, ctx.keyType, ctx.keyBlob, ctx.hashKnownHosts);
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

type DifferingKey = Extract<HostKeyLookup, { status: 'changed' | 'other-types' }>;

/** The entry OpenSSH names in "Offending <TYPE> key in <file>:<line>": the last differing one. */
function offendingEntry(found: DifferingKey): { type: string; file: string; line: number } {
  if (found.status === 'changed') return { type: found.knownType, file: found.file, line: found.line };
  const last = found.entries[found.entries.length - 1]!;
  return { type: last.keyType, file: last.file, line: last.line };
}

/** Names and labels derived once per check, shared by the outcome handlers. */
interface CheckView {
  /** The host, lowercased: the bare name tried on non-22 ports, and the name checked for recordability. */
  host: string;
  /** The known_hosts name: HostKeyAlias, or host / [host]:port, lowercased. */
  name: string;
  /** The peer address as ssh prints it in the prompt. */
  address: string;
  typeLabel: string;
  fingerprint: string;
  userPaths: string[];
  globalPaths: string[];
}

/** A revoked key, or a different key than recorded: warn, then refuse or (StrictHostKeyChecking no) continue unsafely. */
function onRevokedOrChanged(ctx: HostKeyCheckContext, view: CheckView, found: DifferingKey | { status: 'revoked' }): HostKeyCheckResult {
  const { io } = ctx;
  if (found.status === 'revoked') {
    for (const line of revokedKeyWarning(view.typeLabel, view.name)) io.warn(line);
    if (ctx.strict !== 'no') {
      io.warn(revokedStrictRefusal(view.typeLabel, view.name));
      refuse();
    }
    return continueUnsafely(ctx);
  }
  // OpenSSH 9.2 treats a host known only under other key types as a changed key too.
  const offending = offendingEntry(found);
  const warning = changedKeyWarning({
    typeLabel: view.typeLabel,
    fingerprint: view.fingerprint,
    correctionFile: view.userPaths[0] ?? view.globalPaths[0],
    offendingTypeLabel: keyTypeLabel(offending.type),
    offendingFile: offending.file,
    offendingLine: offending.line,
    name: view.name,
  });
  for (const line of warning) io.warn(line);
  if (ctx.strict !== 'no') {
    io.warn(changedStrictRefusal(view.name));
    refuse();
  }
  return continueUnsafely(ctx);
}

/** No line for the name holds this key: try the bare host, then refuse, ask, or record it. */
async function onUnknownKey(
  ctx: HostKeyCheckContext,
  view: CheckView,
  known: ParsedKnownHosts,
  userFiles: KnownHostsFile[],
): Promise<HostKeyCheckResult> {
  const { io } = ctx;
  // A non-standard port: a key recorded for the bare host name will do (OpenSSH "checking without port identifier").
  if (ctx.hostKeyAlias === undefined && ctx.port !== 22 && ctx.port !== 0) {
    const bare = lookupHostKey(known, view.host, ctx.keyType, ctx.keyBlob);
    if (bare.status === 'match') {
      io.debug?.(`found matching key w/out port in ${bare.file}:${bare.line}`);
      return { added: false, trusted: true };
    }
    if (bare.status === 'revoked') {
      for (const line of revokedKeyWarning(view.typeLabel, view.host)) io.warn(line);
      if (ctx.strict === 'no') return continueUnsafely(ctx);
      io.warn(revokedStrictRefusal(view.typeLabel, view.host));
    }
  }

  // OpenSSH never records a key without a user file, or for a name with pattern or quoting characters.
  if (view.userPaths.length === 0 || UNRECORDABLE_HOST.test(view.host)) refuse();
  if (ctx.strict === 'yes') {
    io.warn(unknownStrictRefusal(view.typeLabel, view.name));
    refuse();
  }
  let trusted = false;
  if (ctx.strict === 'ask') {
    const otherNames = findKeyUnderOtherNames(known, [view.name, view.address], ctx.keyBlob).map(
      (e) => `${tildeUnexpand(e.file, ctx.homeDir)}:${e.line}: ${e.hashSalt !== undefined ? '[hashed name]' : e.hosts}`,
    );
    const { name, address, typeLabel, fingerprint } = view;
    const prompt = unknownKeyPrompt({ name, address, typeLabel, fingerprint, otherNames });
    if (!(await askToContinue(ctx, prompt, fingerprint))) refuse();
    trusted = true;
  }

  const file = view.userPaths[0]!;
  const existing = userFiles.find((f) => f.path === file)?.text;
  const added = await recordKey(ctx, file, existing, view.name);
  const message = added ? permanentlyAdded(view.name, view.typeLabel) : failedToAdd(file);
  (io.info ?? io.warn).call(io, message);
  return { added, trusted };
}

/**
 * Decides whether to trust the server's (already signature-verified) host key. Returns how the
 * connection may proceed, or throws TsshError('HOSTKEY', 'Host key verification failed.') after
 * printing OpenSSH's warnings through ctx.io.
 */
export async function checkHostKey(ctx: HostKeyCheckContext): Promise<HostKeyCheckResult> {
  const { io } = ctx;
  const userPaths = ctx.userKnownHostsFiles.filter((p) => p !== 'none');
  const globalPaths = ctx.globalKnownHostsFiles.filter((p) => p !== 'none');
  const userFiles = await loadFiles(userPaths, io);
  const known = parseKnownHostsFiles([...userFiles, ...(await loadFiles(globalPaths, io))]);
  for (const bad of known.malformed) io.debug?.(`${bad.file}:${bad.line}: parse error in hostkeys file (${bad.reason})`);

  const host = asciiLowercase(ctx.host);
  const view: CheckView = {
    host,
    name: ctx.hostKeyAlias !== undefined ? asciiLowercase(ctx.hostKeyAlias) : hostfileName(host, ctx.port),
    address: ctx.address !== undefined ? hostfileName(ctx.address, ctx.port) : NO_HOST_IP_FOR_PROXY,
    typeLabel: keyTypeLabel(ctx.keyType),
    fingerprint: fingerprintSha256(ctx.keyBlob),
    userPaths,
    globalPaths,
  };

  const found = lookupHostKey(known, view.name, ctx.keyType, ctx.keyBlob);
  switch (found.status) {
    case 'match':
      io.debug?.(`Host '${view.name}' is known and matches the ${view.typeLabel} host key.`);
      io.debug?.(`Found key in ${found.file}:${found.line}`);
      return { added: false, trusted: true };
    case 'revoked':
    case 'changed':
    case 'other-types':
      return onRevokedOrChanged(ctx, view, found);
    case 'unknown':
      return onUnknownKey(ctx, view, known, userFiles);
  }
}
