/**
 * The user-authentication options (ssh_config PubkeyAuthentication ... AddKeysToAgent): their resolved
 * form, and the parsing of the two keywords with a syntax of their own, with OpenSSH 9.2's error texts.
 */
import type { KeywordSpec } from './keyword-types.js';
import type { SettingsStore } from './store.js';
import { parseTimeInterval } from './scalars.js';

export type PubkeyAuthentication = 'yes' | 'no' | 'unbound' | 'host-bound';

/** AddKeysToAgent: no, yes, ask, confirm, each optionally with a lifetime (`confirm 5m`, or `1h` = yes). */
export interface AddKeysToAgent {
  mode: 'no' | 'yes' | 'ask' | 'confirm';
  /** Seconds the agent keeps an added key; undefined = until it exits. */
  lifetimeSeconds: number | undefined;
}

export interface AuthSettings {
  pubkeyAuthentication: PubkeyAuthentication;
  passwordAuthentication: boolean;
  kbdInteractiveAuthentication: boolean;
  /** KbdInteractiveDevices (sent as keyboard-interactive submethods). */
  kbdInteractiveDevices: string | undefined;
  /** PreferredAuthentications, or undefined for OpenSSH's default order. */
  preferredAuthentications: string[] | undefined;
  numberOfPasswordPrompts: number;
  /** PubkeyAcceptedAlgorithms, assembled. */
  pubkeyAcceptedAlgorithms: string[];
  /** CertificateFile paths, `~`, tokens and variables expanded. */
  certificateFiles: string[];
  /** IdentityAgent with `~`, tokens and variables expanded: a socket path, `none`, `SSH_AUTH_SOCK` or `$VAR`. */
  identityAgent: string | undefined;
  addKeysToAgent: AddKeysToAgent;
  /** SecurityKeyProvider as written (`internal`, a library path, `$VAR`), or undefined for `none`. */
  securityKeyProvider: string | undefined;
}

export const PUBKEY_AUTHENTICATION_CHOICES = {
  true: 'yes',
  false: 'no',
  yes: 'yes',
  no: 'no',
  unbound: 'unbound',
  'host-bound': 'host-bound',
} as const;

const ADD_KEYS_MODES: Readonly<Record<string, AddKeysToAgent['mode']>> = { true: 'yes', false: 'no', yes: 'yes', no: 'no', ask: 'ask', confirm: 'confirm' };

type Fail = (message: string) => Error;

/** Parses AddKeysToAgent and IdentityAgent; anything else is not an auth keyword (undefined). */
export function parseAuthSetting(spec: KeywordSpec, queue: string[], fail: Fail): ((store: SettingsStore) => void) | undefined {
  if (spec.kind === 'addKeysToAgent') {
    const value = parseAddKeysToAgent(queue.shift(), queue.shift(), fail);
    return (store) => store.setFirst(spec.name, [value.mode, String(value.lifetimeSeconds ?? 0)]);
  }
  if (spec.kind === 'identityAgent') {
    const path = queue.shift();
    if (path === undefined || path === '') throw fail('Missing argument.');
    // The legacy `$NAME` form (not `${NAME}`) must name a valid variable.
    if (path.startsWith('$') && !path.startsWith('${') && !/^[A-Za-z0-9_]+$/.test(path.slice(1))) {
      throw fail(`Invalid environment name ${path}.`);
    }
    return (store) => store.setFirst(spec.name, path);
  }
  return undefined;
}

function parseAddKeysToAgent(first: string | undefined, second: string | undefined, fail: Fail): AddKeysToAgent {
  if (first === undefined || first === '') throw fail('missing argument.');
  const mode = ADD_KEYS_MODES[first.toLowerCase()];
  if (mode === 'confirm' && second !== undefined) {
    const seconds = parseTimeInterval(second);
    if (seconds === undefined) throw fail('invalid time value.');
    return { mode, lifetimeSeconds: seconds };
  }
  if (mode === undefined && second === undefined) {
    const seconds = parseTimeInterval(first);
    if (seconds === undefined) throw fail('unsupported option');
    return { mode: 'yes', lifetimeSeconds: seconds };
  }
  if (mode === undefined || second !== undefined) throw fail('unsupported option');
  return { mode, lifetimeSeconds: undefined };
}

/** The stored AddKeysToAgent value (default no). */
export function addKeysToAgentFrom(store: SettingsStore): AddKeysToAgent {
  const [mode, seconds] = store.list('AddKeysToAgent');
  const lifetime = Number(seconds ?? 0);
  return { mode: (mode as AddKeysToAgent['mode'] | undefined) ?? 'no', lifetimeSeconds: lifetime > 0 ? lifetime : undefined };
}

/** `ssh -G`'s addkeystoagent line: false/true/ask/confirm, or the lifetime (`confirm 300`, `300`). */
export function formatAddKeysToAgent(value: AddKeysToAgent): string {
  const word = { no: 'false', yes: 'true', ask: 'ask', confirm: 'confirm' }[value.mode];
  if (value.lifetimeSeconds === undefined) return word;
  return value.mode === 'confirm' ? `confirm ${value.lifetimeSeconds}` : String(value.lifetimeSeconds);
}

/** `ssh -G`'s pubkeyauthentication: yes prints as true, no as false. */
export function formatPubkeyAuthentication(value: PubkeyAuthentication): string {
  return value === 'yes' ? 'true' : value === 'no' ? 'false' : value;
}
