/**
 * The one table of ssh_config(5) keywords: lowercase keyword → canonical name and value kind. A later
 * issue implements a keyword by giving its row a real kind (and reading it in cli/resolve.ts).
 *
 * Kinds of keywords that carry no setting:
 * - 'unimplemented': a real ssh_config keyword tssh does not act on yet; accepted and ignored (debug log),
 *   because real user configs are full of them;
 * - 'deprecated' / 'ignore' / 'unsupported': OpenSSH's own obsolete keywords, handled as OpenSSH does
 *   (debug log / silence / an error message that does not stop parsing).
 */
import type { AlgorithmClass } from './algorithms.js';

export type KeywordKind =
  | 'host'
  | 'match'
  | 'include'
  | 'string' // one argument, first obtained value wins
  | 'port'
  | 'flag' // yes/no/true/false
  | 'enum' // one of `choices`
  | 'time' // seconds (convtime syntax) or `none`
  | 'rekeyLimit' // bytes [time]
  | 'logLevel'
  | 'algorithms'
  | 'path' // one path per directive (IdentityFile accumulates)
  | 'paths' // several paths on one line; the first directive wins; `none` alone clears
  | 'sendEnv' // names, accumulate; `-pattern` removes earlier names
  | 'setEnv' // NAME=value words; only the first SetEnv directive counts
  | 'unimplemented'
  | 'deprecated'
  | 'ignore'
  | 'unsupported';

export interface KeywordSpec {
  /** Canonical spelling, also the key under which the value is stored ('StrictHostKeyChecking'). */
  name: string;
  kind: KeywordKind;
  /** Every directive adds to the list instead of the first one winning. */
  accumulate?: boolean;
  /** For 'enum': accepted word (lowercase; matched case-insensitively) → stored value. */
  choices?: Readonly<Record<string, string>>;
  /** For 'algorithms'. */
  algorithms?: AlgorithmClass;
}

/** yes/no/true/false → OpenSSH's normalised value. */
const STRICT_HOST_KEY_CHOICES = {
  true: 'yes',
  false: 'no',
  yes: 'yes',
  no: 'no',
  ask: 'ask',
  off: 'no',
  'accept-new': 'accept-new',
} as const;

const REQUEST_TTY_CHOICES = { true: 'yes', yes: 'yes', false: 'no', no: 'no', force: 'force', auto: 'auto' } as const;

/** Compression accepts only yes/no (OpenSSH's multistate_compression). */
const COMPRESSION_CHOICES = { yes: 'yes', no: 'no' } as const;

const SUPPORTED: Record<string, KeywordSpec> = {
  host: { name: 'Host', kind: 'host' },
  match: { name: 'Match', kind: 'match' },
  include: { name: 'Include', kind: 'include' },
  port: { name: 'Port', kind: 'port' },
  user: { name: 'User', kind: 'string' },
  hostname: { name: 'HostName', kind: 'string' },
  identityfile: { name: 'IdentityFile', kind: 'path', accumulate: true },
  identityfile2: { name: 'IdentityFile', kind: 'path', accumulate: true }, // obsolete alias
  identitiesonly: { name: 'IdentitiesOnly', kind: 'flag' },
  batchmode: { name: 'BatchMode', kind: 'flag' },
  ciphers: { name: 'Ciphers', kind: 'algorithms', algorithms: 'cipher' },
  macs: { name: 'MACs', kind: 'algorithms', algorithms: 'mac' },
  kexalgorithms: { name: 'KexAlgorithms', kind: 'algorithms', algorithms: 'kex' },
  hostkeyalgorithms: { name: 'HostKeyAlgorithms', kind: 'algorithms', algorithms: 'hostkey' },
  compression: { name: 'Compression', kind: 'enum', choices: COMPRESSION_CHOICES },
  rekeylimit: { name: 'RekeyLimit', kind: 'rekeyLimit' },
  connecttimeout: { name: 'ConnectTimeout', kind: 'time' },
  stricthostkeychecking: { name: 'StrictHostKeyChecking', kind: 'enum', choices: STRICT_HOST_KEY_CHOICES },
  userknownhostsfile: { name: 'UserKnownHostsFile', kind: 'paths' },
  globalknownhostsfile: { name: 'GlobalKnownHostsFile', kind: 'paths' },
  setenv: { name: 'SetEnv', kind: 'setEnv' },
  sendenv: { name: 'SendEnv', kind: 'sendEnv', accumulate: true },
  requesttty: { name: 'RequestTTY', kind: 'enum', choices: REQUEST_TTY_CHOICES },
  stdinnull: { name: 'StdinNull', kind: 'flag' },
  loglevel: { name: 'LogLevel', kind: 'logLevel' },
  ignoreunknown: { name: 'IgnoreUnknown', kind: 'string' },
};

/** ssh_config keywords (OpenSSH 9.2, Debian's additions, and later releases) tssh does not act on yet. */
const UNIMPLEMENTED_NAMES = [
  'AddKeysToAgent', 'AddressFamily', 'BindAddress', 'BindInterface', 'CanonicalDomains',
  'CanonicalizeFallbackLocal', 'CanonicalizeHostname', 'CanonicalizeMaxDots', 'CanonicalizePermittedCNAMEs',
  'CASignatureAlgorithms', 'CertificateFile', 'ChannelTimeout', 'CheckHostIP', 'ClearAllForwardings',
  'ConnectionAttempts', 'ControlMaster', 'ControlPath', 'ControlPersist', 'DynamicForward',
  'EnableEscapeCommandline', 'EnableSSHKeysign', 'EscapeChar', 'ExitOnForwardFailure', 'FingerprintHash',
  'ForkAfterAuthentication', 'ForwardAgent', 'ForwardX11', 'ForwardX11Timeout', 'ForwardX11Trusted',
  'GatewayPorts', 'GSSAPIAuthentication', 'GSSAPIClientIdentity', 'GSSAPIDelegateCredentials',
  'GSSAPIKeyExchange', 'GSSAPIKexAlgorithms', 'GSSAPIRenewalForcesRekey', 'GSSAPIServerIdentity',
  'GSSAPITrustDNS', 'HashKnownHosts', 'HostbasedAcceptedAlgorithms', 'HostbasedAuthentication',
  'HostKeyAlias', 'IdentityAgent', 'IPQoS', 'KbdInteractiveAuthentication', 'KbdInteractiveDevices',
  'KnownHostsCommand', 'LocalCommand', 'LocalForward', 'LogVerbose', 'NoHostAuthenticationForLocalhost',
  'NumberOfPasswordPrompts', 'ObscureKeystrokeTiming', 'PasswordAuthentication', 'PermitLocalCommand',
  'PermitRemoteOpen', 'PKCS11Provider', 'PreferredAuthentications', 'ProxyCommand', 'ProxyJump',
  'ProxyUseFdpass', 'PubkeyAcceptedAlgorithms', 'PubkeyAuthentication', 'RefuseConnection', 'RemoteCommand',
  'RemoteForward', 'RequiredRSASize', 'RevokedHostKeys', 'SecurityKeyProvider', 'ServerAliveCountMax',
  'ServerAliveInterval', 'SessionType', 'StreamLocalBindMask', 'StreamLocalBindUnlink', 'SyslogFacility',
  'Tag', 'TCPKeepAlive', 'Tunnel', 'TunnelDevice', 'UpdateHostKeys', 'VerifyHostKeyDNS', 'VersionAddendum',
  'VisualHostKey', 'WarnWeakCrypto', 'XAuthLocation',
];

/** Old spellings OpenSSH still accepts for an unimplemented keyword: alias → canonical name. */
const UNIMPLEMENTED_ALIASES: Record<string, string> = {
  challengeresponseauthentication: 'KbdInteractiveAuthentication',
  skeyauthentication: 'KbdInteractiveAuthentication',
  tisauthentication: 'KbdInteractiveAuthentication',
  dsaauthentication: 'PubkeyAuthentication',
  keepalive: 'TCPKeepAlive',
  hostbasedkeytypes: 'HostbasedAcceptedAlgorithms',
  pubkeyacceptedkeytypes: 'PubkeyAcceptedAlgorithms',
  smartcarddevice: 'PKCS11Provider',
  protocolkeepalives: 'ServerAliveInterval', // Debian
  setuptimeout: 'ServerAliveInterval', // Debian
};

const DEPRECATED = ['cipher', 'fallbacktorsh', 'globalknownhostsfile2', 'rhostsauthentication',
  'userknownhostsfile2', 'useroaming', 'usersh', 'useprivilegedport'];
const UNSUPPORTED = ['afstokenpassing', 'kerberosauthentication', 'kerberostgtpassing', 'rsaauthentication',
  'rhostsrsaauthentication', 'compressionlevel'];

function buildTable(): ReadonlyMap<string, KeywordSpec> {
  const table = new Map<string, KeywordSpec>();
  for (const name of UNIMPLEMENTED_NAMES) table.set(name.toLowerCase(), { name, kind: 'unimplemented' });
  for (const [alias, name] of Object.entries(UNIMPLEMENTED_ALIASES)) table.set(alias, { name, kind: 'unimplemented' });
  for (const keyword of DEPRECATED) table.set(keyword, { name: keyword, kind: 'deprecated' });
  for (const keyword of UNSUPPORTED) table.set(keyword, { name: keyword, kind: 'unsupported' });
  table.set('protocol', { name: 'Protocol', kind: 'ignore' });
  for (const [keyword, spec] of Object.entries(SUPPORTED)) table.set(keyword, spec);
  return table;
}

/** Every keyword tssh recognises, by lowercase spelling. */
export const KEYWORDS: ReadonlyMap<string, KeywordSpec> = buildTable();

/** Looks a keyword up case-insensitively. */
export function lookupKeyword(keyword: string): KeywordSpec | undefined {
  return KEYWORDS.get(keyword.toLowerCase());
}
