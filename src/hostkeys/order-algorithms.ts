/**
 * OpenSSH's order_hostkeyalgs (sshconnect2.c): when HostKeyAlgorithms was left to its default, the
 * client proposes first the algorithms whose key types known_hosts already holds for the host, so a
 * server with several host keys presents the one the user has (and no false "host key changed" alarm
 * is raised for a key type that was simply never recorded).
 */
import { isCertificateName, plainAlgorithm } from '../crypto/keys/certificate.js';
import { keyTypeForAlgorithm } from '../crypto/keys/key-types.js';
import { hasCertAuthority, hasKeyOfType, type LoadedHostEntry } from './host-status.js';

/** The plain key type an algorithm needs: 'rsa-sha2-512-cert-v01@openssh.com' → 'ssh-rsa'. */
function plainKeyTypeOf(algorithm: string): string {
  return keyTypeForAlgorithm(plainAlgorithm(algorithm));
}

/**
 * Reorders `algorithms` for the host whose known_hosts entries are `entries`. Returns the list
 * unchanged when the first algorithm's key type is already known.
 */
export function orderHostKeyAlgorithms(algorithms: readonly string[], entries: readonly LoadedHostEntry[]): { ordered: string[]; preferred: string[] } {
  const [best] = algorithms;
  if (best === undefined || hasKeyOfType(entries, plainKeyTypeOf(best))) return { ordered: [...algorithms], preferred: [] };
  const first: string[] = [];
  const last: string[] = [];
  const ca = hasCertAuthority(entries);
  for (const algorithm of algorithms) {
    if ((isCertificateName(algorithm) && ca) || hasKeyOfType(entries, plainKeyTypeOf(algorithm))) first.push(algorithm);
    else last.push(algorithm);
  }
  return { ordered: [...first, ...last], preferred: first };
}
