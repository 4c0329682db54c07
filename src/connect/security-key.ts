/**
 * Security keys in files (id_ecdsa_sk, id_ed25519_sk): signatures come from OpenSSH's ssh-sk-helper with
 * the SecurityKeyProvider library, as ssh makes them (sshconnect2.c identity_sign): "Confirm user
 * presence" on a terminal when the key wants a touch, and one retry with a PIN when the device asks.
 */
import fs from 'node:fs';
import { fingerprintSha256 } from '../crypto/keys/index.js';
import { keyTypeShortName } from '../crypto/keys/key-types.js';
import { SK_USER_PRESENCE_REQUIRED, type SecurityKeySigner } from '../crypto/keys/sk-private.js';
import { SkHelperError, SK_WRONG_PIN, skHelperSign } from '../agent/sk-helper.js';
import type { Logger, LogLevel } from '../log.js';

/** Where OpenSSH packages install the helper (Debian's first); SSH_SK_HELPER overrides them. */
const HELPER_PATHS = ['/usr/lib/openssh/ssh-sk-helper', '/usr/libexec/openssh/ssh-sk-helper', '/usr/libexec/ssh-sk-helper', '/usr/local/libexec/ssh-sk-helper'];

const LOG_LEVELS: Readonly<Record<string, number>> = { QUIET: 0, FATAL: 1, ERROR: 2, INFO: 3, VERBOSE: 4, DEBUG1: 5, DEBUG2: 6, DEBUG3: 7 };

export interface SecurityKeySetup {
  /** SecurityKeyProvider as configured (`internal` unless set; `$VAR` names an environment variable). */
  provider: string | undefined;
  env: Record<string, string | undefined>;
  log: Logger;
  /** The log level the helper is told to log at. */
  logLevel: LogLevel;
  /** Asks for the device PIN without echo; '' when nobody can be asked. */
  askPin(prompt: string): Promise<string>;
  /** "Confirm user presence for key ..." and "User presence confirmed" (the CLI shows them on a terminal). */
  notice?(text: string): void;
}

/** ssh's expansion of SecurityKeyProvider: `$NAME` is read from the environment (unset: no provider). */
export function resolveSecurityKeyProvider(provider: string | undefined, env: Record<string, string | undefined>, log: Logger): string | undefined {
  if (provider === undefined || provider === 'none') return undefined;
  if (!provider.startsWith('$') || provider.length < 2) return provider;
  const value = env[provider.slice(1)];
  if (value === undefined) {
    log.debug1(`Authenticator provider ${provider} did not resolve; disabling`);
    return undefined;
  }
  log.debug2(`resolved SecurityKeyProvider ${provider} => ${value}`);
  return value;
}

function helperPath(env: Record<string, string | undefined>): string {
  const named = env.SSH_SK_HELPER;
  if (named !== undefined && named !== '') return named;
  return HELPER_PATHS.find((p) => fs.existsSync(p)) ?? HELPER_PATHS[0]!;
}

/** The signer for one key file (its path names it in the PIN prompt). */
export function securityKeySigner(setup: SecurityKeySetup, path: string): SecurityKeySigner {
  const provider = resolveSecurityKeyProvider(setup.provider, setup.env, setup.log);
  const helper = helperPath(setup.env);
  const { log } = setup;
  return async ({ keyFields, data, key }) => {
    const label = keyTypeShortName(key.type) ?? key.type;
    const touch = (key.flags & SK_USER_PRESENCE_REQUIRED) !== 0;
    const write = (text: string): void => setup.notice?.(text);
    let pin: string | undefined;
    for (;;) {
      if (touch) write(`Confirm user presence for key ${label} ${fingerprintSha256(key.publicKey.blob)}`);
      log.debug1(`sshsk_sign: provider "${provider ?? ''}", key ${label}, helper ${helper}`);
      try {
        const signature = await skHelperSign({ helper, provider, keyFields, data, logLevel: LOG_LEVELS[setup.logLevel] ?? 3, ...(pin !== undefined ? { pin } : {}) });
        if (touch) write('User presence confirmed');
        return signature;
      } catch (err) {
        if (!(err instanceof SkHelperError) || err.sshError !== SK_WRONG_PIN || pin !== undefined) throw err;
        pin = await setup.askPin(`Enter PIN for ${label} key ${path}: `);
      }
    }
  };
}
