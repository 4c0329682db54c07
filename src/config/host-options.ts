/**
 * The known_hosts and host-key policy part of ResolvedOptions (ssh_config keywords HostKeyAlias,
 * CheckHostIP, HashKnownHosts, KnownHostsCommand, UpdateHostKeys, ...), with OpenSSH's defaults
 * already applied by cli/resolve-extras.ts.
 */

/** FingerprintHash values (OpenSSH digest names, as `ssh -G` prints them). */
export type FingerprintHash = 'MD5' | 'SHA1' | 'SHA256' | 'SHA384' | 'SHA512';
export type YesNoAsk = 'yes' | 'no' | 'ask';

export interface HostKeySettings {
  /** HostKeyAlias, lowercased: the known_hosts name used instead of the host (and port). */
  hostKeyAlias: string | undefined;
  checkHostIP: boolean;
  /** Hash host names in entries tssh adds to known_hosts. */
  hashKnownHosts: boolean;
  /** KnownHostsCommand as written (`%` tokens are expanded per lookup); undefined when unset or `none`. */
  knownHostsCommand: string | undefined;
  updateHostKeys: YesNoAsk;
  /** Parsed and shown by -G; tssh does not look up SSHFP records. */
  verifyHostKeyDNS: YesNoAsk;
  visualHostKey: boolean;
  fingerprintHash: FingerprintHash;
  noHostAuthenticationForLocalhost: boolean;
  /** RevokedHostKeys files (KRLs or key lists) with `~`, tokens and `${VAR}` expanded; empty when unset or `none`. */
  revokedHostKeys: string[];
  /** CASignatureAlgorithms, assembled. */
  caSignatureAlgorithms: string[];
  /**
   * True when HostKeyAlgorithms was not set, or only edited with `+` or `-`: the proposal is then
   * reordered to prefer the key types known for the host (OpenSSH order_hostkeyalgs).
   */
  hostKeyAlgorithmsFollowKnownHosts: boolean;
}
