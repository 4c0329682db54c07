/**
 * The inputs and outputs of the host-key policy (policy.ts), and the I/O it is given. Everything the
 * policy touches (files, the terminal, KnownHostsCommand) goes through HostKeyCheckIo, so it runs on
 * fakes in unit tests.
 */
import type { OpenSSHCertificate } from '../crypto/keys/certificate.js';
import type { FingerprintHash } from '../config/host-options.js';
import type { UnsafeFeature } from './messages.js';

export interface HostKeyCheckIo {
  /** File contents, or undefined if the file does not exist (or cannot be read). */
  readFile(path: string): Promise<string | undefined>;
  appendFile(path: string, text: string): Promise<void>;
  /** Error-level messages (always shown unless LogLevel QUIET). One call per OpenSSH log call; may contain "\n". */
  warn(line: string): void;
  /** INFO-level messages (hidden by -q / LogLevel ERROR). Falls back to warn. */
  info?(line: string): void;
  /** debug1-level messages for -v. */
  debug?(line: string): void;
  /** Shows the prompt on the terminal and reads one answer; undefined when there is no terminal. */
  confirm?(prompt: string): Promise<string | undefined>;
  /** Creates one directory with `mode` (not recursive); resolves if it already exists. */
  makeDirectory?(path: string, mode: number): Promise<void>;
  /**
   * KnownHostsCommand: runs the command for `invocation` (OpenSSH's %I) and the known_hosts name being
   * looked up (%H), returning its output (known_hosts lines). Throws a TsshError when the command fails.
   */
  knownHostsCommand?(invocation: 'HOSTNAME' | 'ADDRESS', name: string): Promise<string>;
}

export interface HostKeyCheckContext {
  /** Host as given (after HostName); the lookup name is derived from it and the port. */
  host: string;
  port: number;
  hostKeyAlias?: string;
  /** Type name and blob of the verified server host key ('ssh-ed25519', 'ssh-ed25519-cert-v01@openssh.com', ...). */
  keyType: string;
  keyBlob: Buffer;
  /** The parsed certificate when the server presented one (keyType/keyBlob are then the certificate's). */
  certificate?: OpenSSHCertificate;
  /** CASignatureAlgorithms: algorithms a host certificate's CA may have signed with. */
  caSignatureAlgorithms?: readonly string[];
  strict: 'yes' | 'ask' | 'accept-new' | 'no';
  userKnownHostsFiles: string[];
  globalKnownHostsFiles: string[];
  hashKnownHosts: boolean;
  batchMode: boolean;
  io: HostKeyCheckIo;
  /** Numeric address of the peer, shown in the prompt; undefined when connected through a proxy. */
  address?: string;
  /** CheckHostIP: also look the address up, record it and warn when it disagrees. */
  checkHostIP?: boolean;
  /** NoHostAuthenticationForLocalhost: accept any key from a loopback address (without HostKeyAlias). */
  noHostAuthenticationForLocalhost?: boolean;
  /** VisualHostKey: show the random-art picture with fingerprints. */
  visualHostKey?: boolean;
  /** FingerprintHash; default SHA256. */
  fingerprintHash?: FingerprintHash;
  /** The user's home directory: `~/` in messages, and ~/.ssh is created when it holds the known_hosts file. */
  homeDir?: string;
  /** Which MITM-sensitive features are on, for the warnings when continuing unsafely. Default: password and keyboard-interactive. */
  enabledFeatures?: Partial<Record<UnsafeFeature, boolean>>;
  /** ExitOnForwardFailure: continuing unsafely then becomes fatal, as in OpenSSH. */
  exitOnForwardFailure?: boolean;
  /** Seconds since the epoch for certificate validity; default now. */
  now?: number;
}

export interface HostKeyCheckResult {
  /** A line was appended to the first user known_hosts file. */
  added: boolean;
  /** The key was found, or explicitly accepted by the user (UpdateHostKeys only runs for trusted keys). */
  trusted: boolean;
  /** Set when continuing past a changed or revoked key: password and keyboard-interactive auth must not run. */
  passwordAuthDisabled?: true;
  /** The features the caller must switch off (the ones that were enabled, in OpenSSH's order). */
  disabledFeatures?: UnsafeFeature[];
  /**
   * Why UpdateHostKeys must not run although the key is trusted (it was found in a global file or
   * through KnownHostsCommand, or is a certificate); undefined when nothing stands in its way.
   */
  noHostKeyUpdate?: string;
}
