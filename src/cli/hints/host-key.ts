/**
 * Hints after a refused host key. For a changed key ssh's block already names the new fingerprint, the
 * offending file:line and the ssh-keygen -R command; what it lacks is the recorded key's fingerprint.
 */
import type { HostKeyError } from '../../errors.js';
import { keyTypeLabel } from '../../hostkeys/key-blob.js';

export function hostKeyHints(err: HostKeyError): string[] {
  const offered = `${keyTypeLabel(err.keyType)} ${err.fingerprint}`;
  switch (err.status) {
    case 'changed': {
      const where = err.file !== undefined ? `${err.file}:${err.line ?? '?'}` : 'known_hosts';
      const recorded = err.recorded ? `${keyTypeLabel(err.recorded.keyType)} ${err.recorded.fingerprint}` : 'a different key';
      return [
        `recorded for ${err.host} in ${where}: ${recorded}`,
        `offered by the server now: ${offered}`,
        'compare the new fingerprint with one from the server\'s administrator (ssh-keygen -lf on its host key) before removing the old entry',
      ];
    }
    case 'unknown':
      return [
        `no known_hosts file holds a key for ${err.host}; the server offers ${offered}`,
        'once that fingerprint is checked out of band: connect without BatchMode and answer yes, or use -oStrictHostKeyChecking=accept-new',
      ];
    case 'revoked':
      return [`the server's key ${offered} is marked revoked${err.file !== undefined ? ` in ${err.file}` : ''}: do not connect until its administrator has replaced it`];
  }
}
