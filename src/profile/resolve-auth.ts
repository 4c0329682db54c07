import { assembleOption } from '../config/algorithms.js';
import { addKeysToAgentFrom, type AuthSettings, type PubkeyAuthentication } from '../config/auth-options.js';
import type { SettingsStore } from '../config/store.js';

/** The authentication options with OpenSSH's defaults, and the CertificateFile values as written (for -G). */
export function resolveAuthSettings(
  store: SettingsStore,
  expandPath: (path: string) => string,
  printConfig: boolean,
  debug?: (line: string) => void,
): AuthSettings & { certificateFileSpecs: string[] } {
  // ssh expands these paths only when it uses them, so -G still prints a value whose expansion fails.
  const expand = (path: string): string => {
    if (!printConfig) return expandPath(path);
    try {
      return expandPath(path);
    } catch {
      return path;
    }
  };
  const certificateFileSpecs = [...store.list('CertificateFile')];
  const pubkeyAcceptedAlgorithms = assembleOption('pubkey', 'PubkeyAcceptedAlgorithms', store.string('PubkeyAcceptedAlgorithms'), debug);
  const preferred = store.string('PreferredAuthentications');
  const identityAgent = store.string('IdentityAgent');
  const securityKeyProvider = store.string('SecurityKeyProvider');
  return {
    pubkeyAuthentication: (store.string('PubkeyAuthentication') ?? 'yes') as PubkeyAuthentication,
    passwordAuthentication: store.boolean('PasswordAuthentication') ?? true,
    kbdInteractiveAuthentication: store.boolean('KbdInteractiveAuthentication') ?? true,
    kbdInteractiveDevices: store.string('KbdInteractiveDevices'),
    preferredAuthentications: preferred === undefined ? undefined : preferred.split(',').filter((name) => name !== ''),
    numberOfPasswordPrompts: store.number('NumberOfPasswordPrompts') ?? 3,
    pubkeyAcceptedAlgorithms,
    certificateFiles: certificateFileSpecs.map(expand),
    certificateFileSpecs,
    identityAgent: identityAgent === undefined ? undefined : expand(identityAgent),
    addKeysToAgent: addKeysToAgentFrom(store),
    // Debian's ssh has the FIDO middleware built in ("internal"); ssh-sk-helper resolves that name.
    securityKeyProvider: securityKeyProvider === 'none' ? undefined : (securityKeyProvider ?? 'internal'),
  };
}
