import { HOST_KEY_NAMES } from '../crypto/names.js';
import type { AuthOptions } from '../auth/userauth.js';
import type { ResolvedConfig, ResolveEnvironment } from './resolve.js';
import type { CliLogger } from './log.js';
import { identitiesFromFiles } from './identities.js';

/** The user-authentication inputs for this connection: which keys, in which order, and how banners show. */
export function authSetup(options: ResolvedConfig, _env: ResolveEnvironment, log: CliLogger): Omit<AuthOptions, 'user' | 'host' | 'log'> {
  return {
    identities: identitiesFromFiles(options.identityFiles, log),
    acceptedAlgorithms: HOST_KEY_NAMES,
    onBanner: (text) => log.info(text.replace(/\n$/, '')),
  };
}
