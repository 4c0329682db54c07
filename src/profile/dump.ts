/**
 * `ssh -G`: a resolved profile printed as OpenSSH 10.x prints its configuration, keyword for keyword.
 */
import type { RequestTTY, ResolvedOptions, StrictHostKeyChecking } from './options.js';
import type { LogLevel } from '../log.js';
import type { HostProfile } from './resolve.js';
import type { ConfigExtras } from './resolve-extras.js';
import { TUNNEL_ANY, ipqosName } from '../config/special-values.js';
import { formatAddKeysToAgent, formatPubkeyAuthentication } from '../config/auth-options.js';
import { formatProxyJump, forwardDumpValues } from '../config/forward-spec.js';
import { DEFAULT_KEYSTROKE_INTERVAL_MS } from '../config/session-options.js';

/** ssh -G spellings. */
const STRICT_HOST_KEY_NAMES: Record<StrictHostKeyChecking, string> = {
  yes: 'true',
  no: 'false',
  ask: 'ask',
  'accept-new': 'accept-new',
};
const REQUEST_TTY_NAMES: Record<RequestTTY, string> = { yes: 'true', no: 'false', force: 'force', auto: 'auto' };
/** The first name OpenSSH's log-level table gives each level: DEBUG1 is printed DEBUG. */
export const LOG_LEVEL_NAMES: Record<LogLevel, string> = {
  QUIET: 'QUIET',
  FATAL: 'FATAL',
  ERROR: 'ERROR',
  INFO: 'INFO',
  VERBOSE: 'VERBOSE',
  DEBUG1: 'DEBUG',
  DEBUG2: 'DEBUG2',
  DEBUG3: 'DEBUG3',
};

type Dumpable = ResolvedOptions & Partial<Pick<HostProfile, 'identityFileSpecs' | 'globalKnownHostsFileSpecs' | 'ignoreUnknown' | 'certificateFileSpecs'>> & ConfigExtras;

const yesNo = (value: boolean): string => (value ? 'yes' : 'no');
/** Multistate values ssh -G prints as true/false (the first name OpenSSH's tables give them). */
const TRUE_FALSE: Readonly<Record<string, string>> = { yes: 'true', no: 'false' };
const optional = (value: string | undefined): string[] => (value === undefined ? [] : [value]);
const oneLine = (values: readonly string[]): string => (values.length === 0 ? 'none' : values.join(' '));

/** A -G row: the keyword and its printed values (one line each). */
type DumpRow = readonly [keyword: string, values: (o: Dumpable) => string[]];

/**
 * Every keyword `ssh -G` prints, in OpenSSH 10.x's order (readconf.c dump_client_config; an ssh built
 * with GSSAPI, such as Debian's, also prints gssapi* rows, which tssh does not have). A getter
 * returning [] prints nothing; several values print one line each.
 */
const DUMP_ORDER: readonly DumpRow[] = [
  ['host', (o) => [o.host]],
  ['user', (o) => [o.user]],
  ['hostname', (o) => [o.hostName]],
  ['port', (o) => [String(o.port)]],
  // Flag options
  ['addressfamily', (o) => [o.addressFamily]],
  ['batchmode', (o) => [yesNo(o.batchMode)]],
  ['canonicalizefallbacklocal', (o) => [yesNo(o.canonicalizeFallbackLocal)]],
  ['canonicalizehostname', (o) => [TRUE_FALSE[o.canonicalizeHostname] ?? o.canonicalizeHostname]],
  ['checkhostip', (o) => [yesNo(o.checkHostIP)]],
  ['compression', (o) => [yesNo(o.compression)]],
  ['controlmaster', (o) => [TRUE_FALSE[o.controlMaster] ?? o.controlMaster]],
  ['enablesshkeysign', (o) => [yesNo(o.enableSSHKeysign)]],
  ['clearallforwardings', (o) => [yesNo(o.clearAllForwardings)]],
  ['exitonforwardfailure', (o) => [yesNo(o.exitOnForwardFailure)]],
  ['fingerprinthash', (o) => [o.fingerprintHash]],
  ['forwardx11', (o) => [yesNo(o.forwardX11)]],
  ['forwardx11trusted', (o) => [yesNo(o.forwardX11Trusted)]],
  ['gatewayports', (o) => [yesNo(o.gatewayPorts)]],
  ['hashknownhosts', (o) => [yesNo(o.hashKnownHosts)]],
  ['hostbasedauthentication', (o) => [yesNo(o.hostbasedAuthentication)]],
  ['identitiesonly', (o) => [yesNo(o.identitiesOnly)]],
  ['kbdinteractiveauthentication', (o) => [yesNo(o.kbdInteractiveAuthentication)]],
  ['nohostauthenticationforlocalhost', (o) => [yesNo(o.noHostAuthenticationForLocalhost)]],
  ['passwordauthentication', (o) => [yesNo(o.passwordAuthentication)]],
  ['permitlocalcommand', (o) => [yesNo(o.permitLocalCommand)]],
  ['proxyusefdpass', (o) => [yesNo(o.proxyUseFdpass)]],
  ['pubkeyauthentication', (o) => [formatPubkeyAuthentication(o.pubkeyAuthentication)]],
  ['requesttty', (o) => [REQUEST_TTY_NAMES[o.requestTTY]]],
  ['sessiontype', (o) => [o.sessionType]],
  ['stdinnull', (o) => [yesNo(o.stdinNull)]],
  ['forkafterauthentication', (o) => [yesNo(o.forkAfterAuthentication)]],
  ['streamlocalbindunlink', (o) => [yesNo(o.streamLocalBindUnlink)]],
  ['stricthostkeychecking', (o) => [STRICT_HOST_KEY_NAMES[o.strictHostKeyChecking]]],
  ['tcpkeepalive', (o) => [yesNo(o.tcpKeepAlive)]],
  ['tunnel', (o) => [TRUE_FALSE[o.tunnel] ?? o.tunnel]],
  ['verifyhostkeydns', (o) => [TRUE_FALSE[o.verifyHostKeyDNS] ?? o.verifyHostKeyDNS]],
  ['visualhostkey', (o) => [yesNo(o.visualHostKey)]],
  ['updatehostkeys', (o) => [TRUE_FALSE[o.updateHostKeys] ?? o.updateHostKeys]],
  ['enableescapecommandline', (o) => [yesNo(o.enableEscapeCommandline)]],
  ['warnweakcrypto', (o) => [yesNo(o.warnWeakCrypto)]],
  // Integer options
  ['canonicalizemaxdots', (o) => [String(o.canonicalizeMaxDots)]],
  ['connectionattempts', (o) => [String(o.connectionAttempts)]],
  ['forwardx11timeout', (o) => [String(o.forwardX11Timeout)]],
  ['numberofpasswordprompts', (o) => [String(o.numberOfPasswordPrompts)]],
  ['serveralivecountmax', (o) => [String(o.serverAliveCountMax)]],
  ['serveraliveinterval', (o) => [String(o.serverAliveInterval)]],
  ['requiredrsasize', (o) => [String(o.requiredRSASize)]],
  ['obscurekeystroketiming', (o) => [keystrokeTimingText(o.obscureKeystrokeTiming)]],
  // String options (printed only when set, except where ssh always has a value)
  ['bindaddress', (o) => optional(o.bindAddress)],
  ['bindinterface', (o) => optional(o.bindInterface)],
  ['ciphers', (o) => [o.ciphers.join(',')]],
  ['controlpath', (o) => optional(o.controlPath)],
  ['hostkeyalgorithms', (o) => [o.hostKeyAlgorithms.join(',')]],
  ['hostkeyalias', (o) => optional(o.hostKeyAlias)],
  ['hostbasedacceptedalgorithms', (o) => [o.hostbasedAcceptedAlgorithms.join(',')]],
  ['identityagent', (o) => (o.identityAgent === undefined ? [] : [o.identityAgent])],
  ['ignoreunknown', (o) => (o.ignoreUnknown === undefined ? [] : [o.ignoreUnknown])],
  ['kbdinteractivedevices', (o) => (o.kbdInteractiveDevices === undefined ? [] : [o.kbdInteractiveDevices])],
  ['kexalgorithms', (o) => [o.kexAlgorithms.join(',')]],
  ['casignaturealgorithms', (o) => [o.caSignatureAlgorithms.join(',')]],
  ['localcommand', (o) => optional(o.localCommand)],
  ['remotecommand', (o) => (o.remoteCommand === undefined ? [] : [o.remoteCommand])],
  ['loglevel', (o) => [LOG_LEVEL_NAMES[o.logLevel]]],
  ['macs', (o) => [o.macs.join(',')]],
  ['pkcs11provider', (o) => optional(o.pkcs11Provider)],
  ['securitykeyprovider', (o) => optional(o.securityKeyProvider)],
  ['preferredauthentications', (o) => (o.preferredAuthentications === undefined ? [] : [o.preferredAuthentications.join(',')])],
  ['pubkeyacceptedalgorithms', (o) => [o.pubkeyAcceptedAlgorithms.join(',')]],
  ['xauthlocation', (o) => [o.xauthLocation]],
  ['knownhostscommand', (o) => optional(o.knownHostsCommand)],
  ['tag', (o) => optional(o.tag)], // OpenSSH 9.4+
  ['versionaddendum', (o) => optional(o.versionAddendum)], // `none` prints as an empty value
  // Forwards
  ['dynamicforward', (o) => forwardDumpValues('dynamicforward', o.localForwards)],
  ['localforward', (o) => forwardDumpValues('localforward', o.localForwards)],
  ['remoteforward', (o) => forwardDumpValues('remoteforward', o.remoteForwards)],
  // String arrays
  ['identityfile', (o) => [...(o.identityFileSpecs ?? o.identityFiles)]],
  ['canonicaldomains', (o) => [oneLine(o.canonicalDomains)]],
  ['certificatefile', (o) => [...(o.certificateFileSpecs ?? o.certificateFiles)]],
  ['globalknownhostsfile', (o) => [oneLine(o.globalKnownHostsFileSpecs ?? o.globalKnownHostsFiles)]],
  ['userknownhostsfile', (o) => [oneLine(o.userKnownHostsFiles)]],
  ['revokedhostkeys', (o) => [oneLine(o.revokedHostKeys)]],
  ['sendenv', (o) => [...o.sendEnv]],
  ['setenv', (o) => o.setEnv.map(([name, value]) => `${name}=${value}`)],
  ['logverbose', (o) => [oneLine(o.logVerbose)]],
  ['channeltimeout', (o) => [oneLine(o.channelTimeouts)]],
  // Special cases
  ['permitremoteopen', (o) => [o.permitRemoteOpen.length === 0 ? 'any' : o.permitRemoteOpen.join(' ')]],
  ['addkeystoagent', (o) => [formatAddKeysToAgent(o.addKeysToAgent)]],
  ['forwardagent', (o) => [o.forwardAgentPath ?? yesNo(o.forwardAgent)]],
  ['connecttimeout', (o) => [o.connectTimeout === undefined ? 'none' : String(o.connectTimeout)]],
  ['tunneldevice', (o) => [o.tunnelDevice.map((n) => (n === TUNNEL_ANY ? 'any' : String(n))).join(':')]],
  ['canonicalizePermittedcnames', (o) => [oneLine(o.canonicalizePermittedCNAMEs)]], // sic: OpenSSH 9.2 prints this one in camel case
  ['controlpersist', (o) => [o.controlPersist]],
  ['escapechar', (o) => [o.escapeChar === 'none' ? 'none' : visChar(o.escapeChar)]],
  ['ipqos', (o) => [o.ipqos.map(ipqosName).join(' ')]],
  ['rekeylimit', (o) => [`${o.rekeyLimit.bytes ?? 0} ${o.rekeyLimit.seconds ?? 0}`]],
  ['streamlocalbindmask', (o) => [`0${o.streamLocalBindMask.toString(8)}`]],
  ['syslogfacility', (o) => [o.syslogFacility]],
  ['proxycommand', (o) => (o.proxyJump === undefined ? optional(o.proxyCommand) : [])], // ssh prints proxyjump instead when a jump host is set
  ['proxyjump', (o) => (o.proxyJump === undefined ? [] : [formatProxyJump(o.proxyJump.text, o.proxyJump.hops)])],
];

/** ObscureKeystrokeTiming as ssh -G prints it: no, yes (the default 20 ms), or the interval. */
function keystrokeTimingText(interval: number): string {
  return interval === 0 ? 'no' : interval === DEFAULT_KEYSTROKE_INTERVAL_MS ? 'yes' : String(interval);
}

/** One byte as vis(3) with VIS_WHITE shows it, as ssh -G prints EscapeChar: `~`, `\\`, `\040`, `\^A`, `\M-a`. */
export function visChar(byte: number): string {
  if (byte === 0x5c) return '\\\\';
  if (byte > 0x20 && byte < 0x7f) return String.fromCharCode(byte);
  if ((byte & 0x7f) === 0x20) return `\\${byte.toString(8).padStart(3, '0')}`;
  const meta = byte & 0x80 ? 'M' : '';
  const low = byte & 0x7f;
  if (low < 0x20 || low === 0x7f) return `\\${meta}^${low === 0x7f ? '?' : String.fromCharCode(low + 64)}`;
  return `\\${meta}-${String.fromCharCode(low)}`;
}

/** `tssh -G` output: `keyword value` lines (lowercase keywords), newline-terminated. */
export function dumpConfig(opts: ResolvedOptions & ConfigExtras): string {
  const dumpable = opts as Dumpable;
  let out = '';
  for (const [keyword, values] of DUMP_ORDER) {
    for (const value of values(dumpable)) out += `${keyword} ${value}\n`;
  }
  return out;
}
