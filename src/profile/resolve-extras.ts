/**
 * The ssh_config keywords beyond the core set in resolve.ts: the host-key policy options
 * (HostKeySettings), OpenSSH 10.x's session options (SessionSettings), LocalCommand, Tag, host name
 * canonicalisation, and keywords tssh parses and prints with -G but whose features are not built
 * (ControlMaster, IPQoS, Tunnel, HostbasedAuthentication, ...), with OpenSSH 10.x's defaults
 * (readconf.c fill_default_options).
 */
import { TsshError } from '../errors.js';
import { assembleAlgorithms, skippedAlgorithmNote } from '../config/algorithms.js';
import { DEFAULT_KEYSTROKE_INTERVAL_MS, DEFAULT_REQUIRED_RSA_SIZE, type SessionSettings } from '../config/session-options.js';
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
  /** IPQoS interactive and bulk values (default `ef cs0` since OpenSSH 10.0). */
  ipqos: [interactive: number, bulk: number];
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
  /** Printed by -G only: tssh has no host-based authentication. */
  hostbasedAuthentication: boolean;
  hostbasedAcceptedAlgorithms: string[];
  /** Printed by -G only: a ProxyCommand's stdout is always used as the connection. */
  proxyUseFdpass: boolean;
  /** Printed by -G only (BindAddress is honoured; binding to an interface is not built). */
  bindInterface: string | undefined;
  /** SecurityKeyProvider as written (`$SSH_SK_PROVIDER` by default); undefined for `none`. */
  securityKeyProvider: string | undefined;
  /** Printed by -G only: PKCS#11 tokens are not supported. */
  pkcs11Provider: string | undefined;
}

/** `_PATH_XAUTH` as Debian builds it. */
const DEFAULT_XAUTH = '/usr/bin/xauth';
/** IPTOS_DSCP_EF and IPTOS_DSCP_CS0, OpenSSH 10.0's IPQoS defaults. */
const DEFAULT_IPQOS: [number, number] = [0xb8, 0x00];
/** OpenSSH compares UserKnownHostsFile with this spelling when choosing the UpdateHostKeys default. */
const DEFAULT_USER_HOSTFILE = '~/.ssh/known_hosts';

export interface ExtrasContext {
  /** `~`, `%` tokens and `${VAR}` expansion for paths (ControlPath, RevokedHostKeys). */
  expandPath(path: string): string;
  /** `%` tokens and `${VAR}` without `~` (VersionAddendum). */
  expandTokens(text: string): string;
  /** -G tolerates expansions that fail (ssh expands some only when it uses them). */
  printConfig: boolean;
  /** Debug lines (algorithm names skipped because tssh does not implement them). */
  debug?: (line: string) => void;
  /** The command-line command, if any. */
  command: string | undefined;
}

/**
 * UpdateHostKeys=ask needs someone to ask: ssh turns it off with ControlPersist, a remote command, no
 * tty, or a log level below INFO (ssh.c main).
 */
function askCompatible(value: YesNoAsk, store: SettingsStore, context: ExtrasContext): YesNoAsk {
  if (value !== 'ask') return value;
  const persist = store.string('ControlPersist');
  const controlPath = store.string('ControlPath');
  if (persist !== undefined && persist !== 'no' && controlPath !== undefined && controlPath.toLowerCase() !== 'none') return 'no';
  const remoteCommand = store.string('RemoteCommand');
  if ((context.command ?? '') !== '' || (remoteCommand !== undefined && remoteCommand.toLowerCase() !== 'none') || store.string('RequestTTY') === 'no') return 'no';
  const quiet = ['QUIET', 'FATAL', 'ERROR'].includes(store.string('LogLevel') ?? 'INFO');
  return quiet ? 'no' : 'ask';
}

export function resolveExtras(store: SettingsStore, context: ExtrasContext): HostKeySettings & ConfigExtras & SessionSettings {
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
  const revoked = store.list('RevokedHostKeys');
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
  const versionAddendum = store.string('VersionAddendum');
  const proxyUseFdpass = flag('ProxyUseFdpass', false) && !store.has('ProxyJump');
  if (proxyUseFdpass && store.string('ProxyCommand') === '-') throw new TsshError('CONFIG', 'ProxyCommand=- and ProxyUseFDPass are incompatible');

  return {
    hostKeyAlias: alias === undefined ? undefined : asciiLowercase(alias),
    checkHostIP: flag('CheckHostIP', false),
    hashKnownHosts: flag('HashKnownHosts', false),
    knownHostsCommand: clearedByNone('KnownHostsCommand'),
    updateHostKeys: askCompatible((store.string('UpdateHostKeys') as YesNoAsk | undefined) ?? updateDefault, store, context),
    verifyHostKeyDNS,
    visualHostKey: flag('VisualHostKey', false),
    fingerprintHash: (store.string('FingerprintHash') as FingerprintHash | undefined) ?? 'SHA256',
    noHostAuthenticationForLocalhost: flag('NoHostAuthenticationForLocalhost', false),
    revokedHostKeys: revoked.length === 1 && revoked[0]!.toLowerCase() === 'none' ? [] : revoked.map((path) => context.expandPath(path)),
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
    ipqos: ipqos.length === 2 ? [Number(ipqos[0]), Number(ipqos[1])] : DEFAULT_IPQOS,
    tunnel: (store.string('Tunnel') as ConfigExtras['tunnel'] | undefined) ?? 'no',
    tunnelDevice: tunnelDevice.length === 2 ? [Number(tunnelDevice[0]), Number(tunnelDevice[1])] : [TUNNEL_ANY, TUNNEL_ANY],
    syslogFacility: store.string('SyslogFacility') ?? 'USER',
    logVerbose: store.list('LogVerbose').filter((v) => v !== 'none'),
    xauthLocation: store.string('XAuthLocation') ?? DEFAULT_XAUTH,
    forwardX11: flag('ForwardX11', false),
    forwardX11Trusted: flag('ForwardX11Trusted', false),
    forwardX11Timeout: store.number('ForwardX11Timeout') ?? 1200,
    enableSSHKeysign: flag('EnableSSHKeysign', false),
    hostbasedAuthentication: flag('HostbasedAuthentication', false),
    hostbasedAcceptedAlgorithms: assembleAlgorithms('pubkey', store.string('HostbasedAcceptedAlgorithms')),
    // ssh never passes a descriptor through the ProxyCommand it builds for ProxyJump.
    proxyUseFdpass,
    bindInterface: store.string('BindInterface'),
    securityKeyProvider: store.string('SecurityKeyProvider') === undefined ? '$SSH_SK_PROVIDER' : clearedByNone('SecurityKeyProvider'),
    pkcs11Provider: clearedByNone('PKCS11Provider'),

    warnWeakCrypto: (store.string('WarnWeakCrypto') ?? 'yes') === 'yes',
    kexAlgorithmsSet: store.has('KexAlgorithms'),
    obscureKeystrokeTiming: store.number('ObscureKeystrokeTiming') ?? DEFAULT_KEYSTROKE_INTERVAL_MS,
    channelTimeouts: withoutNone(store.list('ChannelTimeout')),
    versionAddendum: versionAddendum === undefined ? undefined : context.expandTokens(versionAddendum),
    requiredRSASize: store.number('RequiredRSASize') ?? DEFAULT_REQUIRED_RSA_SIZE,
  };
}

/** A list of just `none` is empty. */
function withoutNone(values: readonly string[]): string[] {
  return values.length === 1 && values[0]!.toLowerCase() === 'none' ? [] : [...values];
}
