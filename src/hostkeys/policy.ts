/**
 * StrictHostKeyChecking as an injectable verifier, following OpenSSH 9.2's check_host_key()
 * (sshconnect.c): look the verified server key up in the user and global known_hosts files (and
 * KnownHostsCommand), under the host name or HostKeyAlias and, with CheckHostIP, the address; then
 * accept, warn, ask, record or refuse. A host certificate is accepted through a matching
 * `@cert-authority` line and a valid certificate, else checked again as its plain key. All I/O goes
 * through ctx.io; nothing here reads the environment or prints.
 */
import type { HostKeyStatus } from '../errors.js';
import { ipLiteralVersion } from '../net/ip-literal.js';
import { checkHostCertificate } from '../crypto/keys/certificate.js';
import { fingerprint, randomArt } from './fingerprint.js';
import { asciiLowercase } from '../text/patterns.js';
import { checkKeyInHostKeys, entriesForName, type CheckedKey, type HostStatus, type LoadedHostEntry } from './host-status.js';
import { keyTypeLabel } from './key-blob.js';
import { findKeyUnderOtherNames, hostfileName, parseKnownHosts, parseKnownHostsFiles, type ParsedKnownHosts } from './known-hosts.js';
import {
  CONTINUE_YES_NO,
  EXITING_STRICT,
  NO_HOST_IP_FOR_PROXY,
  changedKeyWarning,
  changedStrictRefusal,
  dnsSpoofingWarning,
  failedToAdd,
  failedToAddIp,
  ipKeyDiffers,
  ipNotKnown,
  permanentlyAdded,
  permanentlyAddedIp,
  revokedKeyWarning,
  revokedStrictRefusal,
  unknownKeyPrompt,
  unknownStrictRefusal,
} from './messages.js';
import { askToContinue, continueUnsafely, loadFiles, recordKey, refuse, tildeUnexpand } from './policy-io.js';
import type { HostKeyCheckContext, HostKeyCheckResult } from './policy-types.js';

export type { UnsafeFeature } from './messages.js';
export type { HostKeyCheckContext, HostKeyCheckIo, HostKeyCheckResult } from './policy-types.js';

/** Characters that never go into a known_hosts file name (OpenSSH refuses to record such hosts). */
const UNRECORDABLE_HOST = /[@?*#[\]|'"\\]/;

/** OpenSSH's RDRW / RDONLY / ROQUIET. */
type Access = 'write' | 'read' | 'quiet';

/** Everything loaded once per connection: the parsed files and which of them are the user's. */
interface Loaded {
  known: ParsedKnownHosts;
  userPaths: string[];
  globalPaths: string[];
}

/** Raised inside a check to leave it the way OpenSSH's `goto fail` does. */
/** The key is not trusted: why, under which known_hosts name, and the entry that says so (if any). */
class CheckFailed extends Error {
  constructor(
    readonly status: HostKeyStatus,
    readonly hostName: string,
    readonly entry?: { file: string; line: number; keyType?: string; keyBlob?: Buffer },
  ) {
    super(status);
  }
}

/** INFO-level output, shown as a warning when the caller has no INFO channel. */
function info(io: HostKeyCheckContext['io'], message: string): void {
  (io.info ?? io.warn).call(io, message);
}

function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  if (ipLiteralVersion(address) === 4) return address.startsWith('127.');
  return address === '::1';
}

/**
 * Decides whether to trust the server's (already signature-verified) host key. Returns how the
 * connection may proceed, or throws TsshError('HOSTKEY', 'Host key verification failed.') after
 * printing OpenSSH's warnings through ctx.io.
 */
export async function checkHostKey(ctx: HostKeyCheckContext): Promise<HostKeyCheckResult> {
  if (ctx.noHostAuthenticationForLocalhost === true && isLoopback(ctx.address) && ctx.hostKeyAlias === undefined) {
    ctx.io.debug?.('Forcing accepting of host key for loopback/localhost.');
    return { added: false, trusted: false };
  }
  const userPaths = ctx.userKnownHostsFiles.filter((p) => p !== 'none');
  const globalPaths = ctx.globalKnownHostsFiles.filter((p) => p !== 'none');
  const known = parseKnownHostsFiles([...(await loadFiles(userPaths, ctx.io)), ...(await loadFiles(globalPaths, ctx.io))]);
  for (const bad of known.malformed) ctx.io.debug?.(`${bad.file}:${bad.line}: parse error in hostkeys file (${bad.reason})`);
  const loaded: Loaded = { known, userPaths, globalPaths };
  try {
    return await checkOnce(ctx, loaded, ctx.port, 'write', false);
  } catch (err) {
    if (err instanceof CheckFailed) {
      const plainBlob = ctx.certificate?.plainBlob ?? ctx.keyBlob;
      const hash = ctx.fingerprintHash ?? 'SHA256';
      const entry = err.entry;
      const recorded = err.status === 'changed' && entry?.keyBlob && entry.keyType ? { recorded: { keyType: entry.keyType, fingerprint: fingerprint(entry.keyBlob, hash) } } : {};
      refuse({ status: err.status, name: err.hostName, fingerprint: fingerprint(plainBlob, hash), keyType: ctx.keyType, ...(entry ? { file: entry.file, line: entry.line } : {}), ...recorded });
    }
    throw err;
  }
}

async function loadEntries(ctx: HostKeyCheckContext, loaded: Loaded, name: string, invocation: 'HOSTNAME' | 'ADDRESS', withCommand: boolean): Promise<LoadedHostEntry[]> {
  const entries = entriesForName(loaded.known, name);
  if (withCommand && ctx.io.knownHostsCommand !== undefined) {
    const text = await ctx.io.knownHostsCommand(invocation, name);
    entries.push(...entriesForName(parseKnownHosts(`KnownHostsCommand-${invocation}`, text), name, true));
  }
  return entries;
}

/** One pass of OpenSSH check_host_key for `port` (0 = the bare host name: "checking without port identifier"). */
async function checkOnce(ctx: HostKeyCheckContext, loaded: Loaded, port: number, initialAccess: Access, clobberPort: boolean): Promise<HostKeyCheckResult> {
  const { io } = ctx;
  const host = asciiLowercase(ctx.host);
  let access = initialAccess;
  if (UNRECORDABLE_HOST.test(host)) {
    io.debug?.(`invalid hostname "${host}"; will not record`);
    if (access === 'write') access = 'read';
  }
  const effectivePort = clobberPort ? 0 : port;
  const name = ctx.hostKeyAlias !== undefined ? asciiLowercase(ctx.hostKeyAlias) : hostfileName(host, effectivePort);
  if (ctx.hostKeyAlias !== undefined) io.debug?.(`using hostkeyalias: ${name}`);
  const ip = ctx.address !== undefined ? hostfileName(ctx.address, effectivePort) : NO_HOST_IP_FOR_PROXY;
  const checkHostIp = ctx.checkHostIP === true && !isLoopback(ctx.address) && host !== ip && ctx.address !== undefined;

  const hostEntries = await loadEntries(ctx, loaded, name, 'HOSTNAME', !clobberPort);
  const ipEntries = ctx.certificate === undefined && checkHostIp ? await loadEntries(ctx, loaded, ip, 'ADDRESS', !clobberPort) : undefined;

  let key: CheckedKey = { type: ctx.keyType, blob: ctx.keyBlob, ...(ctx.certificate ? { certificate: ctx.certificate } : {}) };
  for (;;) {
    const cert = key.certificate;
    const hostStatus = checkKeyInHostKeys(hostEntries, key);
    try {
      return await judge(ctx, loaded, { key, name, host, ip, port, access, clobberPort, checkHostIp, hostStatus, ipEntries });
    } catch (err) {
      if (!(err instanceof CheckFailed) || cert === undefined || hostStatus.status === 'revoked') throw err;
      io.debug?.('No matching CA found. Retry with plain key');
      key = { type: cert.plainType, blob: cert.plainBlob };
    }
  }
}

interface Judgement {
  key: CheckedKey;
  name: string;
  host: string;
  ip: string;
  port: number;
  access: Access;
  clobberPort: boolean;
  checkHostIp: boolean;
  hostStatus: HostStatus;
  ipEntries: LoadedHostEntry[] | undefined;
}

/** The switch of check_host_key for one key (the certificate, or the plain key after a retry). */
async function judge(ctx: HostKeyCheckContext, loaded: Loaded, j: Judgement): Promise<HostKeyCheckResult> {
  const { io } = ctx;
  const { key, name, ip, hostStatus } = j;
  const cert = key.certificate;
  const typeLabel = keyTypeLabel(key.type);
  const plainBlob = cert?.plainBlob ?? key.blob;
  const hash = ctx.fingerprintHash ?? 'SHA256';
  let access = j.access;
  if (access === 'write' && (loaded.userPaths.length === 0 || (hostStatus.status === 'ok' && hostStatus.found.fromCommand))) access = 'read';

  let ipStatus: HostStatus = hostStatus;
  let hostIpDiffer = false;
  if (cert === undefined && j.ipEntries !== undefined) {
    ipStatus = checkKeyInHostKeys(j.ipEntries, key);
    if (hostStatus.status === 'changed' && (ipStatus.status !== 'changed' || !ipStatus.found.keyBlob.equals(hostStatus.found.keyBlob)))
      hostIpDiffer = true;
  }
  const checkHostIp = j.checkHostIp;
  let result: HostKeyCheckResult = { added: false, trusted: false };

  switch (hostStatus.status) {
    case 'ok': {
      const what = cert !== undefined ? 'certificate' : 'key';
      io.debug?.(`Host '${name}' is known and matches the ${typeLabel} host ${what}.`);
      io.debug?.(`Found ${cert !== undefined ? 'CA key' : 'key'} in ${hostStatus.found.file}:${hostStatus.found.line}`);
      let noHostKeyUpdate: string | undefined;
      if (cert !== undefined) {
        const principal = ctx.hostKeyAlias !== undefined ? asciiLowercase(ctx.hostKeyAlias) : j.host;
        const problem = checkHostCertificate(cert, principal, ctx.caSignatureAlgorithms ?? [], ctx.now);
        if (problem !== undefined) {
          io.warn(problem);
          throw new CheckFailed('unknown', name);
        }
        noHostKeyUpdate = 'certificate host key in use';
      } else if (loaded.globalPaths.includes(hostStatus.found.file) || (ipStatus.status === 'ok' && loaded.globalPaths.includes(ipStatus.found.file))) {
        noHostKeyUpdate = 'host key found in GlobalKnownHostsFile';
      } else if (hostStatus.found.fromCommand) {
        noHostKeyUpdate = 'host key found via KnownHostsCommand';
      }
      if (checkHostIp && ipStatus.status === 'new') {
        if (access !== 'write' || cert !== undefined) info(io, ipNotKnown(typeLabel, ip));
        else if (!(await recordKey(ctx, loaded.userPaths[0]!, ip, key.type, key.blob))) info(io, failedToAddIp(typeLabel, ip, loaded.userPaths[0]!));
        else info(io, permanentlyAddedIp(typeLabel, ip));
      } else if (ctx.visualHostKey === true) {
        info(io, `Host key fingerprint is ${fingerprint(plainBlob, hash)}\n${randomArt(plainBlob, hash, typeLabel, bitsOf(ctx, key))}`);
      }
      result = { added: false, trusted: true, ...(noHostKeyUpdate !== undefined ? { noHostKeyUpdate } : {}) };
      break;
    }
    case 'new': {
      if (ctx.hostKeyAlias === undefined && j.port !== 0 && j.port !== 22 && !j.clobberPort) {
        io.debug?.('checking without port identifier');
        let bare: HostKeyCheckResult | undefined;
        try {
          bare = await checkOnce(ctx, loaded, 0, 'quiet', true);
        } catch (err) {
          if (!(err instanceof CheckFailed)) throw err;
        }
        if (bare !== undefined) {
          io.debug?.('found matching key w/out port');
          // Only a key continued past unsafely carries over; a key found this way is not "trusted" (UpdateHostKeys).
          if (bare.passwordAuthDisabled === true) result = bare;
          break;
        }
      }
      if (access !== 'write' || cert !== undefined) throw new CheckFailed('unknown', name);
      result = await onNewKey(ctx, loaded, j, ipStatus);
      break;
    }
    case 'revoked':
      for (const line of revokedKeyWarning(typeLabel, name)) io.warn(line);
      if (ctx.strict !== 'no') {
        io.warn(revokedStrictRefusal(typeLabel, name));
        throw new CheckFailed('revoked', name);
      }
      result = continueUnsafely(ctx);
      break;
    case 'changed': {
      const found = hostStatus.found;
      if (cert !== undefined) {
        io.debug?.(`Host certificate authority does not match @cert-authority in ${found.file}:${found.line}`);
        throw new CheckFailed('changed', name, found);
      }
      if (access === 'quiet') throw new CheckFailed('changed', name, found);
      if (checkHostIp && hostIpDiffer) {
        const ipState = ipStatus.status === 'ok' ? 'ok' : ipStatus.status === 'new' ? 'new' : 'changed';
        const offendingIp = ipStatus.status === 'changed' ? `${ipStatus.found.file}:${ipStatus.found.line}` : undefined;
        for (const line of dnsSpoofingWarning(typeLabel, name, ip, ipState, ipStatus.status === 'new' ? undefined : offendingIp)) io.warn(line);
      }
      const warning = changedKeyWarning({
        typeLabel,
        fingerprint: fingerprint(plainBlob, hash),
        correctionFile: loaded.userPaths[0] ?? loaded.globalPaths[0],
        offendingTypeLabel: keyTypeLabel(found.keyType),
        offendingFile: found.file,
        offendingLine: found.line,
        name,
      });
      for (const line of warning) io.warn(line);
      if (ctx.strict !== 'no') {
        io.warn(changedStrictRefusal(name));
        throw new CheckFailed('changed', name, found);
      }
      result = continueUnsafely(ctx);
      break;
    }
  }

  if (checkHostIp && hostStatus.status !== 'changed' && ipStatus.status === 'changed') {
    const matching = hostStatus.status === 'ok' ? `${hostStatus.found.file}:${hostStatus.found.line}` : undefined;
    const message = ipKeyDiffers(typeLabel, name, ip, `${ipStatus.found.file}:${ipStatus.found.line}`, matching);
    if (ctx.strict === 'ask') {
      if (!(await askToContinue(ctx, `${message}${CONTINUE_YES_NO}`, undefined))) throw new CheckFailed('changed', name, ipStatus.found);
    } else if (ctx.strict !== 'no') {
      info(io, message);
      io.warn(EXITING_STRICT);
      throw new CheckFailed('changed', name, ipStatus.found);
    } else {
      info(io, message);
    }
  }
  return result;
}

function bitsOf(ctx: HostKeyCheckContext, key: CheckedKey): number {
  if (key.certificate !== undefined) return key.certificate.key.bits;
  if (key.type === 'ssh-ed25519') return 256;
  const curve = /nistp(\d+)/.exec(key.type);
  if (curve !== null) return Number(curve[1]);
  return ctx.certificate?.key.bits ?? rsaBits(key.blob);
}

/** The modulus size of an ssh-rsa blob (string type, mpint e, mpint n). */
function rsaBits(blob: Buffer): number {
  let offset = 0;
  const next = (): Buffer => {
    const length = blob.readUInt32BE(offset);
    const value = blob.subarray(offset + 4, offset + 4 + length);
    offset += 4 + length;
    return value;
  };
  next();
  next();
  const n = next();
  let i = 0;
  while (i < n.length && n[i] === 0) i++;
  if (i === n.length) return 0;
  return (n.length - i - 1) * 8 + (32 - Math.clz32(n[i]!));
}

/** HOST_NEW: refuse (yes), ask, then record the key (and with CheckHostIP the address). */
async function onNewKey(ctx: HostKeyCheckContext, loaded: Loaded, j: Judgement, ipStatus: HostStatus): Promise<HostKeyCheckResult> {
  const { io } = ctx;
  const { key, name, ip } = j;
  const typeLabel = keyTypeLabel(key.type);
  const hash = ctx.fingerprintHash ?? 'SHA256';
  if (ctx.strict === 'yes') {
    io.warn(unknownStrictRefusal(typeLabel, name));
    throw new CheckFailed('unknown', name);
  }
  let trusted = false;
  if (ctx.strict === 'ask') {
    const fp = fingerprint(key.blob, hash);
    const otherNames = findKeyUnderOtherNames(loaded.known, [name, ip], key.blob).map(
      (e) => `${tildeUnexpand(e.file, ctx.homeDir)}:${e.line}: ${e.hashSalt !== undefined ? '[hashed name]' : e.hosts}`,
    );
    const art = ctx.visualHostKey === true ? randomArt(key.blob, hash, typeLabel, bitsOf(ctx, key)) : undefined;
    const prompt = unknownKeyPrompt({ name, address: ip, typeLabel, fingerprint: fp, otherNames, ...(art !== undefined ? { art } : {}) });
    if (!(await askToContinue(ctx, prompt, fp))) throw new CheckFailed('unknown', name);
    trusted = true;
  }
  const file = loaded.userPaths[0]!;
  let added: boolean;
  let shown = name;
  if (j.checkHostIp && ipStatus.status === 'new') {
    shown = `${name},${ip}`;
    added = ctx.hashKnownHosts
      ? (await recordKey(ctx, file, name, key.type, key.blob)) && (await recordKey(ctx, file, ip, key.type, key.blob))
      : await recordKey(ctx, file, shown, key.type, key.blob);
  } else {
    added = await recordKey(ctx, file, name, key.type, key.blob);
  }
  info(io, added ? permanentlyAdded(shown, typeLabel) : failedToAdd(file));
  return { added, trusted };
}
