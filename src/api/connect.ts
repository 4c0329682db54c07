/**
 * `connect(destination, options)`: the library's way in. The destination is resolved through
 * ssh_config exactly as `ssh destination` would resolve it, the host key is checked against
 * known_hosts with ssh's rules, and keys, the agent and ProxyJump come from the configuration; nothing
 * reads stdin or writes to a terminal unless a callback asks for it.
 */
import type { LogLevel, Logger } from '../log.js';
import type { Prompter } from '../prompt.js';
import { connectHost, type Connected } from '../connect/connect.js';
import { certificateOf } from '../crypto/keys/certificate.js';
import { fingerprint } from '../hostkeys/fingerprint.js';
import { processEnvironment, type ResolveEnvironment } from '../profile/environment.js';
import type { CommandLineSetting } from '../profile/overrides.js';
import { resolveHost, type HostProfile } from '../profile/resolve.js';
import { Connection } from './connection.js';
import { parseDestination } from './destination.js';
import { TimelineRecorder, timed } from '../timeline.js';

/** The key a host-key callback is asked about (known_hosts did not vouch for it). */
export interface HostKeyInfo {
  /** The known_hosts name: `host`, `[host]:port`, or the HostKeyAlias. */
  host: string;
  keyType: string;
  /** `SHA256:...`. */
  fingerprint: string;
}

/**
 * How unknown host keys are treated; a changed or revoked key is always refused.
 * - 'strict': refused (StrictHostKeyChecking yes);
 * - 'accept-new': added to known_hosts and trusted (accept-new);
 * - 'off': any key is trusted and nothing is recorded: for throwaway test servers only;
 * - a function: called with the key; true trusts it and records it in known_hosts, as answering
 *   "yes" to ssh's question does.
 * Default: what ssh_config says, with ssh's question answered "no" (unknown keys are refused).
 */
export type KnownHostsPolicy = 'strict' | 'accept-new' | 'off' | ((key: HostKeyInfo) => boolean | Promise<boolean>);

/** Log lines at or above the configured LogLevel (ssh_config `LogLevel`, default INFO), without a prefix. */
export type LogFunction = (level: LogLevel, message: string) => void;

type Answer = string | undefined | Promise<string | undefined>;

export interface ConnectOptions {
  /** An ssh_config file to read instead of ~/.ssh/config and /etc/ssh/ssh_config; false for none. */
  config?: string | false;
  /** ssh_config keywords and values, as `-o Keyword=value`; they win over every config file. */
  options?: Record<string, string | number | boolean>;
  /** Extra identity files, as `-i`, tried before the configured ones. */
  identityFiles?: string[];
  knownHosts?: KnownHostsPolicy;
  /** Answers "user@host's password:". Without it, password authentication is not tried. */
  password?: (question: { user: string; host: string; prompt: string }) => Answer;
  /** Answers "Enter passphrase for key ...". Without it, encrypted keys are skipped. */
  passphrase?: (question: { path: string; prompt: string }) => Answer;
  /** Answers a keyboard-interactive round. Without it, keyboard-interactive is not tried. */
  keyboardInteractive?: (round: { name: string; instruction: string; prompts: ReadonlyArray<{ prompt: string; echo: boolean }> }) => string[] | Promise<string[]>;
  /** The ssh-agent socket; false for none. Default: IdentityAgent, else $SSH_AUTH_SOCK. */
  agent?: string | false;
  /** The server's USERAUTH_BANNER, control characters made visible. Default: ignored. */
  onBanner?: (text: string) => void;
  signal?: AbortSignal;
  log?: LogFunction;
  /** The home directory for `~` and ~/.ssh (default $HOME). */
  home?: string;
  /** Environment for `${VAR}` in ssh_config and SSH_AUTH_SOCK (default process.env). */
  env?: Record<string, string | undefined>;
  /**
   * Record where the connection's time goes (what `tssh --timing` prints): true, then read
   * `conn.timeline()`; or a TimelineRecorder of your own, which you can read also when connecting fails.
   */
  timeline?: boolean | TimelineRecorder;
}

/** Connects, verifies the host key and authenticates. Rejects with TsshError or a typed subclass. */
export async function connect(destination: string, options: ConnectOptions = {}): Promise<Connection> {
  const environment = environmentFor(options);
  const timeline = options.timeline === true ? new TimelineRecorder() : options.timeline || undefined;
  const profile = await timed(timeline, 'config', { host: destination }, async () => resolveFor(destination, options, environment));
  const log = loggerFor(options.log, profile.logLevel);
  const connected = await connectHost(profile, {
    environment,
    log,
    ui: { prompter: prompterFor(options, profile), onBanner: options.onBanner ?? (() => {}) },
    progname: 'tssh',
    jumps: { configFile: configFileOf(options), verbosity: 0 },
    ...(options.signal ? { signal: options.signal } : {}),
    ...(timeline ? { timeline } : {}),
  });
  return new Connection(connected, log, fingerprintOf(connected, profile), timeline);
}

/** The HostProfile `connect` would use for `destination`: ssh_config resolved, nothing connected. */
export function resolveConfig(destination: string, options: Pick<ConnectOptions, 'config' | 'options' | 'identityFiles' | 'home' | 'env' | 'knownHosts' | 'agent' | 'password' | 'keyboardInteractive'> = {}): HostProfile {
  return resolveFor(destination, options, environmentFor(options));
}

function environmentFor(options: Pick<ConnectOptions, 'home' | 'env'>): ResolveEnvironment {
  const base = processEnvironment();
  const env = options.env ?? base.env;
  return {
    ...base,
    env,
    ...(options.home !== undefined ? { home: options.home } : {}),
    // Nothing may write to the caller's stderr: ssh's warnings go nowhere unless logged.
    warn: () => {},
  };
}

function configFileOf(options: Pick<ConnectOptions, 'config'>): string | undefined {
  return options.config === false ? 'none' : options.config;
}

function resolveFor(destination: string, options: Omit<ConnectOptions, 'signal' | 'log' | 'onBanner' | 'passphrase'>, environment: ResolveEnvironment): HostProfile {
  const target = parseDestination(destination);
  const settings: CommandLineSetting[] = [];
  if (target.user !== undefined) settings.push({ kind: 'user', value: target.user });
  if (target.port !== undefined) settings.push({ kind: 'port', value: target.port });
  for (const path of options.identityFiles ?? []) settings.push({ kind: 'identityFile', path });
  const option = (text: string): void => void settings.push({ kind: 'option', text });
  // The policy the caller chose wins over its own `options` and over every config file.
  for (const text of knownHostsOptions(options.knownHosts)) option(text);
  if (options.agent !== undefined) option(`IdentityAgent=${options.agent === false ? 'none' : options.agent}`);
  for (const [keyword, value] of Object.entries(options.options ?? {})) {
    option(`${keyword}=${typeof value === 'boolean' ? (value ? 'yes' : 'no') : String(value)}`);
  }
  // Methods that need a person run only when the caller can answer them (its own options may say otherwise).
  if (options.password === undefined) option('PasswordAuthentication=no');
  if (options.keyboardInteractive === undefined) option('KbdInteractiveAuthentication=no');
  return resolveHost({ host: target.host, settings, configFile: configFileOf(options) }, environment);
}

function knownHostsOptions(policy: KnownHostsPolicy | undefined): string[] {
  switch (policy) {
    case undefined:
      return [];
    case 'strict':
      return ['StrictHostKeyChecking=yes'];
    case 'accept-new':
      return ['StrictHostKeyChecking=accept-new'];
    case 'off':
      return ['StrictHostKeyChecking=no', 'UserKnownHostsFile=/dev/null', 'GlobalKnownHostsFile=/dev/null', 'CheckHostIP=no', 'UpdateHostKeys=no'];
    default:
      return ['StrictHostKeyChecking=ask'];
  }
}

/** Every question answered from the caller's callbacks, by what it is for; the rest get no answer. */
function prompterFor(options: ConnectOptions, profile: HostProfile): Prompter {
  let kbdAnswers: string[] = [];
  return {
    ask: async (prompt, how) => {
      const { purpose } = how;
      switch (purpose.kind) {
        case 'password':
          return options.password?.({ user: profile.user, host: profile.hostName, prompt });
        case 'passphrase':
          return options.passphrase?.({ path: purpose.path, prompt });
        case 'keyboard-interactive':
          if (options.keyboardInteractive === undefined) return undefined;
          if (purpose.index === 0) kbdAnswers = await options.keyboardInteractive({ name: purpose.name, instruction: purpose.instruction, prompts: purpose.prompts });
          return kbdAnswers[purpose.index] ?? '';
        case 'host-key': {
          const policy = options.knownHosts;
          if (typeof policy !== 'function') return undefined;
          return (await policy({ host: purpose.host, keyType: purpose.keyType, fingerprint: purpose.fingerprint })) ? 'yes' : 'no';
        }
        default:
          // Password changes, UpdateHostKeys and AddKeysToAgent confirmations: nobody to ask.
          return how.allowEof ? undefined : '';
      }
    },
  };
}

function fingerprintOf(connected: Connected, profile: HostProfile): string | undefined {
  const key = connected.hostKey?.key;
  if (key === undefined) return undefined;
  return fingerprint(certificateOf(key)?.plainBlob ?? key.blob, profile.fingerprintHash);
}

const RANK: Record<LogLevel, number> = { QUIET: 0, FATAL: 1, ERROR: 2, INFO: 3, VERBOSE: 4, DEBUG1: 5, DEBUG2: 6, DEBUG3: 7 };

function loggerFor(sink: LogFunction | undefined, level: LogLevel): Logger {
  const at = (lineLevel: LogLevel) => (message: string): void => {
    if (sink !== undefined && RANK[lineLevel] <= RANK[level]) sink(lineLevel, message);
  };
  return { error: at('ERROR'), info: at('INFO'), verbose: at('VERBOSE'), debug1: at('DEBUG1'), debug2: at('DEBUG2'), debug3: at('DEBUG3') };
}

