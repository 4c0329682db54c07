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
import type { KeywordSpec } from './keyword-types.js';
import { PUBKEY_AUTHENTICATION_CHOICES } from './auth-options.js';
import { ADDRESS_FAMILY_CHOICES } from './forward-options.js';

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

const SESSION_TYPE_CHOICES = { none: 'none', subsystem: 'subsystem', default: 'default' } as const;

/** OpenSSH's multistate_yesnoask (UpdateHostKeys, VerifyHostKeyDNS). */
const YES_NO_ASK_CHOICES = { true: 'yes', false: 'no', yes: 'yes', no: 'no', ask: 'ask' } as const;
const CONTROL_MASTER_CHOICES = { true: 'yes', yes: 'yes', false: 'no', no: 'no', auto: 'auto', ask: 'ask', autoask: 'autoask' } as const;
/** `yes`/`true` is OpenSSH's SSH_TUNMODE_DEFAULT, which is point-to-point. */
const TUNNEL_CHOICES = { ethernet: 'ethernet', 'point-to-point': 'point-to-point', true: 'point-to-point', yes: 'point-to-point', false: 'no', no: 'no' } as const;
const CANONICALIZE_CHOICES = { true: 'yes', false: 'no', yes: 'yes', no: 'no', always: 'always' } as const;

/** OpenSSH 10.x multistate_warnweakcrypto: `no-pq-kex` turns off the one warning there is. */
const WARN_WEAK_CRYPTO_CHOICES = { true: 'yes', false: 'no', yes: 'yes', no: 'no', 'no-pq-kex': 'no' } as const;

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
  sessiontype: { name: 'SessionType', kind: 'enum', choices: SESSION_TYPE_CHOICES },
  remotecommand: { name: 'RemoteCommand', kind: 'command' },
  escapechar: { name: 'EscapeChar', kind: 'escapeChar' },
  enableescapecommandline: { name: 'EnableEscapeCommandline', kind: 'flag' },
  stdinnull: { name: 'StdinNull', kind: 'flag' },
  loglevel: { name: 'LogLevel', kind: 'logLevel' },
  ignoreunknown: { name: 'IgnoreUnknown', kind: 'string' },
  // known_hosts and the host-key policy
  hostkeyalias: { name: 'HostKeyAlias', kind: 'string' },
  checkhostip: { name: 'CheckHostIP', kind: 'flag' },
  hashknownhosts: { name: 'HashKnownHosts', kind: 'flag' },
  knownhostscommand: { name: 'KnownHostsCommand', kind: 'command' },
  updatehostkeys: { name: 'UpdateHostKeys', kind: 'enum', choices: YES_NO_ASK_CHOICES },
  verifyhostkeydns: { name: 'VerifyHostKeyDNS', kind: 'enum', choices: YES_NO_ASK_CHOICES },
  visualhostkey: { name: 'VisualHostKey', kind: 'flag' },
  fingerprinthash: { name: 'FingerprintHash', kind: 'digest' },
  nohostauthenticationforlocalhost: { name: 'NoHostAuthenticationForLocalhost', kind: 'flag' },
  revokedhostkeys: { name: 'RevokedHostKeys', kind: 'paths' }, // a list since OpenSSH 9.5 (readconf.c oRevokedHostKeys)
  requiredrsasize: { name: 'RequiredRSASize', kind: 'int' },
  warnweakcrypto: { name: 'WarnWeakCrypto', kind: 'enum', choices: WARN_WEAK_CRYPTO_CHOICES },
  casignaturealgorithms: { name: 'CASignatureAlgorithms', kind: 'algorithms', algorithms: 'casig' },
  // Match tagged, LocalCommand, host name canonicalisation
  tag: { name: 'Tag', kind: 'string' },
  localcommand: { name: 'LocalCommand', kind: 'command' },
  permitlocalcommand: { name: 'PermitLocalCommand', kind: 'flag' },
  canonicalizehostname: { name: 'CanonicalizeHostname', kind: 'enum', choices: CANONICALIZE_CHOICES },
  canonicalizemaxdots: { name: 'CanonicalizeMaxDots', kind: 'int' },
  canonicalizefallbacklocal: { name: 'CanonicalizeFallbackLocal', kind: 'flag' },
  canonicaldomains: { name: 'CanonicalDomains', kind: 'canonicalDomains' },
  canonicalizepermittedcnames: { name: 'CanonicalizePermittedCNAMEs', kind: 'permittedCnames' },
  // Parsed and printed by -G, but the features behind them are not built (see man/tssh.1)
  controlmaster: { name: 'ControlMaster', kind: 'enum', choices: CONTROL_MASTER_CHOICES },
  controlpath: { name: 'ControlPath', kind: 'string' },
  controlpersist: { name: 'ControlPersist', kind: 'controlPersist' },
  ipqos: { name: 'IPQoS', kind: 'ipqos' },
  tunnel: { name: 'Tunnel', kind: 'enum', choices: TUNNEL_CHOICES },
  tunneldevice: { name: 'TunnelDevice', kind: 'tunnelDevice' },
  syslogfacility: { name: 'SyslogFacility', kind: 'syslogFacility', ignoresConditions: true },
  logverbose: { name: 'LogVerbose', kind: 'wordList' },
  xauthlocation: { name: 'XAuthLocation', kind: 'string' },
  forwardx11: { name: 'ForwardX11', kind: 'flag' },
  forwardx11trusted: { name: 'ForwardX11Trusted', kind: 'flag' },
  forwardx11timeout: { name: 'ForwardX11Timeout', kind: 'time' },
  enablesshkeysign: { name: 'EnableSSHKeysign', kind: 'flag' },
  hostbasedauthentication: { name: 'HostbasedAuthentication', kind: 'flag' },
  hostbasedacceptedalgorithms: { name: 'HostbasedAcceptedAlgorithms', kind: 'algorithms', algorithms: 'pubkey' },
  hostbasedkeytypes: { name: 'HostbasedAcceptedAlgorithms', kind: 'algorithms', algorithms: 'pubkey' },
  proxyusefdpass: { name: 'ProxyUseFdpass', kind: 'flag' },
  bindinterface: { name: 'BindInterface', kind: 'string' },
  securitykeyprovider: { name: 'SecurityKeyProvider', kind: 'string' },
  pkcs11provider: { name: 'PKCS11Provider', kind: 'string' },
  smartcarddevice: { name: 'PKCS11Provider', kind: 'string' },
  // OpenSSH 9.5+ session and connection keywords (config/session-options.ts)
  obscurekeystroketiming: { name: 'ObscureKeystrokeTiming', kind: 'keystrokeTiming' },
  channeltimeout: { name: 'ChannelTimeout', kind: 'channelTimeouts' },
  versionaddendum: { name: 'VersionAddendum', kind: 'versionAddendum' },
  refuseconnection: { name: 'RefuseConnection', kind: 'refuseConnection' },
  // User authentication (src/auth, config/auth-options.ts)
  pubkeyauthentication: { name: 'PubkeyAuthentication', kind: 'enum', choices: PUBKEY_AUTHENTICATION_CHOICES },
  dsaauthentication: { name: 'PubkeyAuthentication', kind: 'enum', choices: PUBKEY_AUTHENTICATION_CHOICES },
  passwordauthentication: { name: 'PasswordAuthentication', kind: 'flag' },
  kbdinteractiveauthentication: { name: 'KbdInteractiveAuthentication', kind: 'flag' },
  challengeresponseauthentication: { name: 'KbdInteractiveAuthentication', kind: 'flag' },
  skeyauthentication: { name: 'KbdInteractiveAuthentication', kind: 'flag' },
  tisauthentication: { name: 'KbdInteractiveAuthentication', kind: 'flag' },
  kbdinteractivedevices: { name: 'KbdInteractiveDevices', kind: 'string' },
  preferredauthentications: { name: 'PreferredAuthentications', kind: 'string' },
  numberofpasswordprompts: { name: 'NumberOfPasswordPrompts', kind: 'int' },
  pubkeyacceptedalgorithms: { name: 'PubkeyAcceptedAlgorithms', kind: 'algorithms', algorithms: 'pubkey' },
  pubkeyacceptedkeytypes: { name: 'PubkeyAcceptedAlgorithms', kind: 'algorithms', algorithms: 'pubkey' },
  certificatefile: { name: 'CertificateFile', kind: 'path', accumulate: true },
  identityagent: { name: 'IdentityAgent', kind: 'identityAgent' },
  addkeystoagent: { name: 'AddKeysToAgent', kind: 'addKeysToAgent' },
  // Forwarding and the route to the server (src/forward, src/net, config/forward-options.ts)
  localforward: { name: 'LocalForward', kind: 'forward', accumulate: true },
  remoteforward: { name: 'RemoteForward', kind: 'forward', accumulate: true },
  dynamicforward: { name: 'DynamicForward', kind: 'forward', accumulate: true },
  exitonforwardfailure: { name: 'ExitOnForwardFailure', kind: 'flag' },
  clearallforwardings: { name: 'ClearAllForwardings', kind: 'flag' },
  gatewayports: { name: 'GatewayPorts', kind: 'flag' },
  forwardagent: { name: 'ForwardAgent', kind: 'forwardAgent' },
  permitremoteopen: { name: 'PermitRemoteOpen', kind: 'permitRemoteOpen' },
  streamlocalbindmask: { name: 'StreamLocalBindMask', kind: 'octalMask', ignoresConditions: true },
  streamlocalbindunlink: { name: 'StreamLocalBindUnlink', kind: 'flag' },
  forkafterauthentication: { name: 'ForkAfterAuthentication', kind: 'flag' },
  proxyjump: { name: 'ProxyJump', kind: 'proxyJump' },
  proxycommand: { name: 'ProxyCommand', kind: 'proxyCommand' },
  serveraliveinterval: { name: 'ServerAliveInterval', kind: 'time' },
  protocolkeepalives: { name: 'ServerAliveInterval', kind: 'time' }, // Debian alias
  setuptimeout: { name: 'ServerAliveInterval', kind: 'time' }, // Debian alias
  serveralivecountmax: { name: 'ServerAliveCountMax', kind: 'int' },
  tcpkeepalive: { name: 'TCPKeepAlive', kind: 'flag' },
  keepalive: { name: 'TCPKeepAlive', kind: 'flag' }, // obsolete alias
  connectionattempts: { name: 'ConnectionAttempts', kind: 'int' },
  bindaddress: { name: 'BindAddress', kind: 'string' },
  addressfamily: { name: 'AddressFamily', kind: 'enum', choices: ADDRESS_FAMILY_CHOICES },
  // tssh's own (--reconnect). OpenSSH stops at an unknown keyword, so a config shared with ssh lists
  // it in IgnoreUnknown; tssh knows it, so IgnoreUnknown does not hide it from tssh.
  reconnect: { name: 'Reconnect', kind: 'flag', tsshOnly: true },
};

/** ssh_config keywords (OpenSSH 9.2, Debian's additions, and later releases) tssh does not act on yet. */
/**
 * Debian's GSSAPI keywords, which tssh does not act on. An OpenSSH built without GSSAPI (like the 10.x
 * oracle the tests build) calls them "Unsupported option" errors; a Debian ssh accepts them, and
 * Debian's own /etc/ssh/ssh_config sets GSSAPIAuthentication, so tssh accepts them silently.
 */
const UNIMPLEMENTED_NAMES = [
  'GSSAPIAuthentication', 'GSSAPIClientIdentity', 'GSSAPIDelegateCredentials',
  'GSSAPIKeyExchange', 'GSSAPIKexAlgorithms', 'GSSAPIRenewalForcesRekey', 'GSSAPIServerIdentity',
  'GSSAPITrustDNS',
];

const DEPRECATED = ['cipher', 'fallbacktorsh', 'globalknownhostsfile2', 'rhostsauthentication',
  'userknownhostsfile2', 'useroaming', 'usersh', 'useprivilegedport'];
const UNSUPPORTED = ['afstokenpassing', 'kerberosauthentication', 'kerberostgtpassing', 'rsaauthentication',
  'rhostsrsaauthentication', 'compressionlevel'];

function buildTable(): ReadonlyMap<string, KeywordSpec> {
  const table = new Map<string, KeywordSpec>();
  for (const name of UNIMPLEMENTED_NAMES) table.set(name.toLowerCase(), { name, kind: 'unimplemented' });
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
