/**
 * The ssh_config keywords of issue 4 beyond the core set in resolve.ts: the host-key policy options
 * (HostKeySettings), LocalCommand, Tag, host name canonicalisation, and keywords tssh parses and
 * prints with -G but whose features are not built (ControlMaster, IPQoS, Tunnel, X11, ...), with
 * OpenSSH 9.2's (Debian) defaults (readconf.c fill_default_options).
 */
import { assembleAlgorithms, skippedAlgorithmNote } from '../config/algorithms.js';
import type { FingerprintHash, HostKeySettings, YesNoAsk } from '../config/host-options.js';
import { asciiLowercase } from '../text/patterns.js';
import { TUNNEL_ANY } from '../config/special-values.js';
import type { SettingsStore } from '../config/store.js';

export type CanonicalizeHostname = 'yes' | 'no' | 'always';

/** Keywords read for -G (and LocalCommand/Tag/canonicalisation) that live only in the CLI layer. */
export interface ConfigExtras {
  /** LocalCommand as written (tokens are expanded when it runs); undefined when unset or `none`. */
  localCommand: string | undefined;
  permitLocalCommand: boolean;
  /** Tag (-P): what `Match tagged` matches. */
  tag: string | undefined;
  canonicalizeHostname: CanonicalizeHostname;
  canonicalizeMaxDots: number;
  canonicalizeFallbackLocal: boolean;
  canonicalDomains: string[];
  /** `source:target` pattern-list pairs (`*:*` for `*`). */
  canonicalizePermittedCNAMEs: string[];
  /** Printed by -G only: connection sharing is not built. */
  controlMaster: 'yes' | 'no' | 'auto' | 'ask' | 'autoask';
  /** ControlPath with `~`, tokens and `${VAR}` expanded, as ssh -G prints it; undefined when unset or `none`. */
  controlPath: string | undefined;
  /** `no`, `yes`, or an idle timeout in seconds. */
  controlPersist: string;
  /** IPQoS interactive and bulk values; undefined = Debian's default (lowdelay throughput). */
  ipqos: [interactive: number, bulk: number] | undefined;
  tunnel: 'no' | 'point-to-point' | 'ethernet';
  /** Local and remote tun device numbers; TUNNEL_ANY (-1) for `any`. */
  tunnelDevice: [local: number, remote: number];
  syslogFacility: string;
  logVerbose: string[];
  xauthLocation: string;
  forwardX11: boolean;
  forwardX11Trusted: boolean;
  forwardX11Timeout: number;
  enableSSHKeysign: boolean;
}

/** Debian's ssh: `_PATH_XAUTH`, IPTOS_LOWDELAY / IPTOS_THROUGHPUT, ForwardX11Trusted yes. */
const DEFAULT_XAUTH = '/usr/bin/xauth';
/** OpenSSH compares UserKnownHostsFile with this spelling when choosing the UpdateHostKeys default. */
const DEFAULT_USER_HOSTFILE = '~/.ssh/known_hosts';

export interface ExtrasContext {
  /** `~`, `%` tokens and `${VAR}` expansion for paths (ControlPath). */
  expandPath(path: string): string;
  /** -G tolerates expansions that fail (ssh expands some only when it uses them). */
  printConfig: boolean;
  /** Debug lines (algorithm names skipped because tssh does not implement them). */
  debug?: (line: string) => void;
}

export function resolveExtras(store: SettingsStore, context: ExtrasContext): HostKeySettings & ConfigExtras {
  const flag = (name: string, fallback: boolean): boolean => store.boolean(name) ?? fallback;
  const clearedByNone = (name: string): string | undefined => {
    const value = store.string(name);
    return value === undefined || value.toLowerCase() === 'none' ? undefined : value;
  };
  const hostKeyAlgorithmsSpec = store.string('HostKeyAlgorithms');
  const verifyHostKeyDNS = (store.string('VerifyHostKeyDNS') ?? 'no') as YesNoAsk;
  const userKnownHosts = store.optionalList('UserKnownHostsFile');
  const updateDefault: YesNoAsk =
    verifyHostKeyDNS === 'no' && (userKnownHosts === undefined || (userKnownHosts.length === 1 && userKnownHosts[0] === DEFAULT_USER_HOSTFILE))
      ? 'yes'
      : 'no';
  const ipqos = store.list('IPQoS');
  const tunnelDevice = store.list('TunnelDevice');
  const controlPath = clearedByNone('ControlPath');
  const revoked = clearedByNone('RevokedHostKeys');
  const alias = store.string('HostKeyAlias');
  const tryExpand = (path: string): string => {
    try {
      return context.expandPath(path);
    } catch (err) {
      if (context.printConfig) return path;
      throw err;
    }
  };
  const maxDots = store.number('CanonicalizeMaxDots');

  return {
    hostKeyAlias: alias === undefined ? undefined : asciiLowercase(alias),
    checkHostIP: flag('CheckHostIP', false),
    hashKnownHosts: flag('HashKnownHosts', false),
    knownHostsCommand: clearedByNone('KnownHostsCommand'),
    updateHostKeys: (store.string('UpdateHostKeys') as YesNoAsk | undefined) ?? updateDefault,
    verifyHostKeyDNS,
    visualHostKey: flag('VisualHostKey', false),
    fingerprintHash: (store.string('FingerprintHash') as FingerprintHash | undefined) ?? 'SHA256',
    noHostAuthenticationForLocalhost: flag('NoHostAuthenticationForLocalhost', false),
    revokedHostKeys: revoked,
    caSignatureAlgorithms: assembleAlgorithms('casig', store.string('CASignatureAlgorithms'), (name) =>
      context.debug?.(skippedAlgorithmNote('CASignatureAlgorithms', name)),
    ),
    hostKeyAlgorithmsFollowKnownHosts: hostKeyAlgorithmsSpec === undefined || /^[+-]/.test(hostKeyAlgorithmsSpec),

    localCommand: clearedByNone('LocalCommand'),
    permitLocalCommand: flag('PermitLocalCommand', false),
    tag: store.string('Tag'),
    canonicalizeHostname: (store.string('CanonicalizeHostname') as CanonicalizeHostname | undefined) ?? 'no',
    canonicalizeMaxDots: maxDots ?? 1,
    canonicalizeFallbackLocal: flag('CanonicalizeFallbackLocal', true),
    canonicalDomains: store.list('CanonicalDomains').filter((d) => d !== 'none'),
    canonicalizePermittedCNAMEs: store.list('CanonicalizePermittedCNAMEs').filter((c) => c !== 'none'),
    controlMaster: (store.string('ControlMaster') as ConfigExtras['controlMaster'] | undefined) ?? 'no',
    controlPath: controlPath === undefined ? undefined : tryExpand(controlPath),
    controlPersist: store.string('ControlPersist') ?? 'no',
    ipqos: ipqos.length === 2 ? [Number(ipqos[0]), Number(ipqos[1])] : undefined,
    tunnel: (store.string('Tunnel') as ConfigExtras['tunnel'] | undefined) ?? 'no',
    tunnelDevice: tunnelDevice.length === 2 ? [Number(tunnelDevice[0]), Number(tunnelDevice[1])] : [TUNNEL_ANY, TUNNEL_ANY],
    syslogFacility: store.string('SyslogFacility') ?? 'USER',
    logVerbose: store.list('LogVerbose').filter((v) => v !== 'none'),
    xauthLocation: store.string('XAuthLocation') ?? DEFAULT_XAUTH,
    forwardX11: flag('ForwardX11', false),
    forwardX11Trusted: flag('ForwardX11Trusted', true),
    forwardX11Timeout: store.number('ForwardX11Timeout') ?? 1200,
    enableSSHKeysign: flag('EnableSSHKeysign', false),
  };
}
