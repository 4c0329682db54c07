/**
 * The fully resolved options for one connection: flags + ssh_config, tokens and `~` expanded, defaults
 * applied. cli/resolve.ts builds it; everything below cli/ reads only the part it needs.
 */
import type { AuthSettings } from '../config/auth-options.js';
import type { HostKeySettings } from '../config/host-options.js';
import type { ForwardSettings } from '../config/forward-options.js';
import type { SessionSettings } from '../config/session-options.js';
import type { LogLevel } from '../log.js';

export type StrictHostKeyChecking = 'yes' | 'ask' | 'accept-new' | 'no';
export type RequestTTY = 'auto' | 'yes' | 'no' | 'force';
/** SessionType: `none` is -N (no session), `subsystem` is -s. */
export type SessionType = 'default' | 'subsystem' | 'none';
/** EscapeChar: a byte, or escapes disabled. */
export type EscapeChar = number | 'none';

export interface RekeyLimit {
  /** Bytes before rekeying; undefined = cipher-dependent default (OpenSSH: 2^(blocksize bits/4) blocks, max 4 GiB). */
  bytes: number | undefined;
  /** Seconds before rekeying; undefined = no time limit. */
  seconds: number | undefined;
}

export interface ResolvedOptions extends AuthSettings, HostKeySettings, ForwardSettings, SessionSettings {
  /** The destination as typed (%n). */
  host: string;
  /** Where to connect (HostName, tokens expanded). */
  hostName: string;
  port: number;
  user: string;
  identityFiles: string[];
  identitiesOnly: boolean;
  batchMode: boolean;
  ciphers: string[];
  macs: string[];
  kexAlgorithms: string[];
  hostKeyAlgorithms: string[];
  compression: boolean;
  rekeyLimit: RekeyLimit;
  /** Seconds; undefined = none. Covers TCP connect, banner and key exchange. */
  connectTimeout: number | undefined;
  strictHostKeyChecking: StrictHostKeyChecking;
  userKnownHostsFiles: string[];
  globalKnownHostsFiles: string[];
  /** SetEnv: sent unconditionally, in order. */
  setEnv: Array<[name: string, value: string]>;
  /** SendEnv patterns (wildcards allowed). */
  sendEnv: string[];
  requestTTY: RequestTTY;
  sessionType: SessionType;
  /** RemoteCommand with tokens expanded; undefined when unset or `none`. */
  remoteCommand: string | undefined;
  escapeChar: EscapeChar;
  /** `~C` is available only when set (OpenSSH 9.2 default: off). */
  enableEscapeCommandline: boolean;
  logLevel: LogLevel;
  /** -n / StdinNull. */
  stdinNull: boolean;
  /** The remote command (arguments joined by single spaces), or undefined for a shell. */
  command: string | undefined;
  /** -E: append log to this file instead of stderr. */
  logFile: string | undefined;
}
