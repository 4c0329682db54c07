/**
 * UpdateHostKeys (OpenSSH clientloop.c client_input_hostkeys and hostfile.c hostfile_replace_entries):
 * after authentication the server lists all its host keys (hostkeys-00@openssh.com); keys the user
 * file does not hold yet must be proven (hostkeys-prove-00@openssh.com) before they are written, and
 * recorded keys the server no longer has are removed. Pure functions over file texts; the CLI does the
 * I/O and the wire exchange.
 */
import { parsePublicKeyBlob } from '../crypto/keys/parse-key.js';
import { isCertificateName } from '../crypto/keys/certificate.js';
import type { PublicKey } from '../crypto/keys/types.js';
import { SshReader } from '../wire/reader.js';
import { SshWriter } from '../wire/writer.js';
import { matchPatternList } from '../text/patterns.js';
import { keyTypeLabel } from './key-blob.js';
import { entryMatchesName, formatKnownHostsLine, parseKnownHosts, type KnownHostsFile } from './known-hosts.js';

export type LogFn = (message: string) => void;

export interface UpdateLog {
  error: LogFn;
  debug1: LogFn;
  debug3: LogFn;
}

/** The server's offer, filtered as OpenSSH does; 'abort' when the server repeated a key. */
export function parseHostKeysOffer(data: Buffer, hostKeyAlgorithms: readonly string[], log: UpdateLog): PublicKey[] | 'abort' {
  const r = new SshReader(data, 'hostkeys-00@openssh.com');
  const keys: PublicKey[] = [];
  const accepted = hostKeyAlgorithms.join(',');
  while (r.remaining > 0) {
    let blob: Buffer;
    try {
      blob = r.string();
    } catch {
      log.error('client_input_hostkeys: parse key: invalid format');
      return 'abort';
    }
    let key: PublicKey;
    try {
      key = parsePublicKeyBlob(blob);
    } catch (err) {
      log.debug1(`client_input_hostkeys: convert key: ${(err as Error).message}`);
      continue;
    }
    const rsa = key.type === 'ssh-rsa' && (matchPatternList('rsa-sha2-256', accepted) === 1 || matchPatternList('rsa-sha2-512', accepted) === 1);
    if (!rsa && matchPatternList(key.type, accepted) !== 1) {
      log.debug3(`client_input_hostkeys: ${key.type} key not permitted by HostkeyAlgorithms`);
      continue;
    }
    if (isCertificateName(key.type)) {
      log.debug3(`client_input_hostkeys: ${key.type} key is a certificate; skipping`);
      continue;
    }
    if (keys.some((k) => k.blob.equals(key.blob))) {
      log.error(`client_input_hostkeys: received duplicated ${key.type} host key`);
      return 'abort';
    }
    keys.push(key);
  }
  return keys;
}

const MATCH_HOST = 1;
const MATCH_IP = 2;

/** How the user files relate to the offered keys (OpenSSH hostkeys_update_ctx). */
export interface UpdatePlan {
  keys: PublicKey[];
  /** Per key: MATCH_HOST | MATCH_IP for the names it is already recorded under. */
  matches: number[];
  /** Keys recorded for the host that the server no longer offers (to be removed). */
  oldKeys: Buffer[];
  /** Why the update must not happen, or undefined. */
  skip: string | undefined;
}

/** Hosts fields OpenSSH refuses to rewrite: wildcards, or more than `host,ip`. */
function isComplexHostSpec(hosts: string): boolean {
  if (hosts.includes('*') || hosts.includes('?')) return true;
  const comma = hosts.indexOf(',');
  return comma >= 0 && hosts.indexOf(',', comma + 1) >= 0;
}

function lineMatch(entry: Parameters<typeof entryMatchesName>[0], host: string, ip: string | undefined): number {
  return (entryMatchesName(entry, host) ? MATCH_HOST : 0) | (ip !== undefined && entryMatchesName(entry, ip) ? MATCH_IP : 0);
}

/** Compares the offer with the user files (hostkeys_find, check_old_keys_othernames). */
export function planHostKeyUpdate(keys: PublicKey[], userFiles: readonly KnownHostsFile[], host: string, ip: string | undefined, log: UpdateLog): UpdatePlan {
  const matches = keys.map(() => 0);
  const oldKeys: Buffer[] = [];
  let complex = false;
  let otherNameSeen = false;
  const entries = userFiles.flatMap((f) => parseKnownHosts(f.path, f.text).entries);
  for (const entry of entries) {
    const match = lineMatch(entry, host, ip);
    if (match === 0) {
      if (keys.some((k) => k.blob.equals(entry.keyBlob))) {
        otherNameSeen = true;
        log.debug3(`hostkeys_find: found ${entry.keyType} key under different name/addr at ${entry.file}:${entry.line}`);
      }
      continue;
    }
    if (entry.marker !== undefined) {
      log.debug3(`hostkeys_find: hostkeys file ${entry.file}:${entry.line} has CA/revocation marker`);
      complex = true;
      continue;
    }
    if (ip !== undefined && entry.hosts.includes(',')) {
      if ((match & MATCH_HOST) === 0) {
        otherNameSeen = true;
        continue;
      }
      if ((match & MATCH_IP) === 0) otherNameSeen = true;
    }
    if (isComplexHostSpec(entry.hosts)) {
      log.debug3(`hostkeys_find: hostkeys file ${entry.file}:${entry.line} complex host specification`);
      complex = true;
      continue;
    }
    const index = keys.findIndex((k) => k.blob.equals(entry.keyBlob));
    if (index >= 0) matches[index]! |= match;
    else {
      log.debug3(`hostkeys_find: deprecated ${entry.keyType} key at ${entry.file}:${entry.line}`);
      oldKeys.push(entry.keyBlob);
    }
  }
  const nnew = matches.filter((m) => m === 0).length;
  let skip: string | undefined;
  if (nnew === 0 && oldKeys.length === 0) skip = 'no new or deprecated keys from server';
  else if (complex) skip = 'CA/revocation marker, manual host list or wildcard host pattern found, skipping UserKnownHostsFile update';
  else if (otherNameSeen) skip = 'host key found matching a different name/address, skipping UserKnownHostsFile update';
  else if (oldKeys.length > 0 && entries.some((e) => lineMatch(e, host, ip) === 0 && oldKeys.some((k) => k.equals(e.keyBlob))))
    skip = `key(s) for ${host}${ip === undefined ? '' : `,${ip}`} exist under other names; skipping UserKnownHostsFile update`;
  return { keys, matches, oldKeys, skip };
}

/** The data a server signs to prove it holds a host key (PROTOCOL: hostkeys-prove-00@openssh.com). */
export function hostKeyProofData(sessionId: Buffer, keyBlob: Buffer): Buffer {
  return Buffer.from(new SshWriter(64 + keyBlob.length).string('hostkeys-prove-00@openssh.com').string(sessionId).string(keyBlob).finish());
}

/**
 * Checks the signatures in the hostkeys-prove reply, one per new key in offer order. RSA proofs use the
 * negotiated RSA signature type if the session's host key is RSA, else only rsa-sha2-256/512 count
 * (an ssh-rsa proof drops that key). Returns the keys that may be written, or undefined on a bad proof.
 */
export function verifyHostKeyProofs(plan: UpdatePlan, reply: Buffer, sessionId: Buffer, negotiatedAlgorithm: string, log: UpdateLog): PublicKey[] | undefined {
  const r = new SshReader(reply, 'hostkeys-prove-00@openssh.com reply');
  const kept: PublicKey[] = [];
  const rsaKex = negotiatedAlgorithm.startsWith('rsa-sha2-') || negotiatedAlgorithm.startsWith('ssh-rsa') ? negotiatedAlgorithm.replace(/-cert-v01@openssh\.com$/, '') : undefined;
  try {
    plan.keys.forEach((key, i) => {
      if (plan.matches[i] !== 0) {
        kept.push(key);
        return;
      }
      const signature = r.string();
      const algorithm = new SshReader(signature, 'signature').text();
      if (key.type === 'ssh-rsa' && rsaKex === undefined && algorithm !== 'rsa-sha2-256' && algorithm !== 'rsa-sha2-512') {
        log.debug1(`client_global_hostkeys_prove_confirm: server used untrusted RSA signature algorithm ${algorithm} for key ${i}, disregarding`);
        return;
      }
      const wanted = key.type === 'ssh-rsa' ? (rsaKex ?? algorithm) : algorithm;
      if (!key.verify(wanted, hostKeyProofData(sessionId, key.blob), signature)) throw new Error(`server gave bad signature for ${key.type} key ${i}`);
      kept.push(key);
    });
    r.end();
  } catch (err) {
    log.error(`client_global_hostkeys_prove_confirm: ${(err as Error).message}`);
    return undefined;
  }
  return kept;
}

/**
 * hostfile_replace_entries: drops the plain lines for host (or ip) whose key is not in `keys`, keeps the
 * others untouched, and appends each key not yet recorded under both names. Returns the new text,
 * whether anything changed, and OpenSSH's VERBOSE log lines.
 */
export function replaceHostEntries(
  file: KnownHostsFile,
  host: string,
  ip: string | undefined,
  keys: readonly PublicKey[],
  hash: boolean,
  fingerprintOf: (key: PublicKey) => string,
): { text: string; modified: boolean; log: string[] } {
  const entries = new Map(parseKnownHosts(file.path, file.text).entries.map((e) => [e.line, e]));
  const rawLines = file.text.split('\n');
  if (rawLines[rawLines.length - 1] === '') rawLines.pop();
  const out: string[] = [];
  const log: string[] = [];
  const matches = keys.map(() => 0);
  let modified = false;
  rawLines.forEach((raw, index) => {
    const entry = entries.get(index + 1);
    const match = entry === undefined ? 0 : lineMatch(entry, host, ip);
    if (entry === undefined || match === 0 || entry.marker !== undefined) {
      out.push(raw);
      return;
    }
    const k = keys.findIndex((key) => key.blob.equals(entry.keyBlob));
    if (k >= 0) {
      matches[k]! |= match;
      out.push(raw);
      return;
    }
    log.push(`${file.path}:${index + 1}: Removed ${keyTypeLabel(entry.keyType)} key for host ${host}`);
    modified = true;
  });
  const want = MATCH_HOST | (ip === undefined ? 0 : MATCH_IP);
  keys.forEach((key, i) => {
    const have = matches[i]!;
    if ((have & want) === want) return;
    let what: string;
    if (have === 0) {
      what = 'Adding new key';
      if (hash) {
        out.push(formatKnownHostsLine(host, key.type, key.blob, true));
        if (ip !== undefined) out.push(formatKnownHostsLine(ip, key.type, key.blob, true));
      } else out.push(formatKnownHostsLine(ip === undefined ? host : `${host},${ip}`, key.type, key.blob, false));
    } else if ((want & ~have) === MATCH_HOST) {
      what = 'Fixing match (hostname)';
      out.push(formatKnownHostsLine(host, key.type, key.blob, hash));
    } else {
      what = 'Fixing match (address)';
      out.push(formatKnownHostsLine(ip!, key.type, key.blob, hash));
    }
    log.push(`${what} for ${host}${ip === undefined ? '' : `,${ip}`} to ${file.path}: ${key.type} ${fingerprintOf(key)}`);
    modified = true;
  });
  return { text: out.length === 0 ? '' : `${out.join('\n')}\n`, modified, log };
}
