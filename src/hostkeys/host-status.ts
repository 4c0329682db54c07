/**
 * The known_hosts verdict for one name and one key, as OpenSSH's hostfile.c computes it
 * (check_key_in_hostkeys): the entries loaded for the name decide whether the server key is known (OK),
 * unknown (NEW), different from what is recorded (CHANGED) or revoked (REVOKED). A certificate is
 * known when its CA is listed under `@cert-authority` for the name.
 */
import type { OpenSSHCertificate } from '../crypto/keys/certificate.js';
import { entryMatchesName, type KnownHostsEntry, type ParsedKnownHosts } from './known-hosts.js';

/** A known_hosts entry, remembering whether it came from KnownHostsCommand (then nothing is written back). */
export interface LoadedHostEntry extends KnownHostsEntry {
  readonly fromCommand: boolean;
}

/** The server host key being checked: a plain key, or a certificate and the key it certifies. */
export interface CheckedKey {
  type: string;
  blob: Buffer;
  certificate?: OpenSSHCertificate;
}

export type HostStatus =
  | { status: 'ok'; found: LoadedHostEntry }
  | { status: 'new' }
  /** `found` is the last entry holding a different key (OpenSSH's "Offending" line). */
  | { status: 'changed'; found: LoadedHostEntry }
  | { status: 'revoked' };

/** The entries of `known` whose hostnames field names `name` (every marker), in file order. */
export function entriesForName(known: ParsedKnownHosts, name: string, fromCommand = false): LoadedHostEntry[] {
  return known.entries.filter((e) => entryMatchesName(e, name)).map((e) => ({ ...e, fromCommand }));
}

/** OpenSSH check_hostkeys_by_key_or_type for a key (not a bare type). */
export function checkKeyInHostKeys(entries: readonly LoadedHostEntry[], key: CheckedKey): HostStatus {
  const cert = key.certificate;
  let result: HostStatus = { status: 'new' };
  for (const entry of entries) {
    if (entry.marker !== (cert !== undefined ? 'cert-authority' : undefined)) continue;
    if (cert !== undefined) {
      if (entry.keyBlob.equals(cert.signatureKey)) {
        result = { status: 'ok', found: entry };
        break;
      }
      continue;
    }
    if (entry.keyBlob.equals(key.blob)) {
      result = { status: 'ok', found: entry };
      break;
    }
    result = { status: 'changed', found: entry };
  }
  const revoked = entries.some(
    (e) => e.marker === 'revoked' && (e.keyBlob.equals(cert?.plainBlob ?? key.blob) || (cert !== undefined && e.keyBlob.equals(cert.signatureKey))),
  );
  return revoked ? { status: 'revoked' } : result;
}

/** Whether any plain entry for the name has a key of `keyType` (OpenSSH lookup_key_in_hostkeys_by_type). */
export function hasKeyOfType(entries: readonly LoadedHostEntry[], keyType: string): boolean {
  return entries.some((e) => e.marker === undefined && e.keyType === keyType);
}

/** Whether a `@cert-authority` line names this host (OpenSSH lookup_marker_in_hostkeys). */
export function hasCertAuthority(entries: readonly LoadedHostEntry[]): boolean {
  return entries.some((e) => e.marker === 'cert-authority');
}
