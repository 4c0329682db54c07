/** What a row of the ssh_config keyword table (keywords.ts) says about its keyword. */
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
  | 'command' // the rest of the line as written (RemoteCommand)
  | 'escapeChar' // one character, `^X`, or `none`
  | 'int' // a decimal integer (atoi_err wording)
  | 'digest' // FingerprintHash: md5, sha256, ...
  | 'ipqos' // one or two IP type-of-service values
  | 'tunnelDevice' // local[:remote], numbers or `any`
  | 'controlPersist' // yes/no or a time
  | 'syslogFacility'
  | 'wordList' // words on one line, first directive wins, `none` alone (LogVerbose)
  | 'canonicalDomains' // like wordList, each a valid domain name
  | 'permittedCnames' // `none`, `*` or source:target pattern lists
  | 'addKeysToAgent' // yes/no/ask/confirm [time], or a time (config/auth-options.ts)
  | 'identityAgent' // a socket path, `none`, `SSH_AUTH_SOCK` or `$VAR`
  | 'forward' // LocalForward/RemoteForward/DynamicForward (config/forward-options.ts), accumulate
  | 'proxyJump' // hop list or `none`; competes with ProxyCommand (first obtained wins)
  | 'proxyCommand' // the rest of the line as written; competes with ProxyJump
  | 'forwardAgent' // yes/no, or an agent socket path
  | 'permitRemoteOpen' // `any`, `none` or host:port words
  | 'octalMask' // StreamLocalBindMask
  | 'keystrokeTiming' // ObscureKeystrokeTiming: yes/no or interval:N (config/session-options.ts)
  | 'channelTimeouts' // ChannelTimeout: type=interval words or `none`, first directive wins
  | 'versionAddendum' // the rest of the line as written; `none` = empty
  | 'refuseConnection' // a message; an applying line ends ssh with it
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
  /** OpenSSH applies the line even inside a Host or Match block that does not apply (SyslogFacility, StreamLocalBindMask). */
  ignoresConditions?: boolean;
  /** tssh's own keyword: OpenSSH does not know it (users list it in IgnoreUnknown), and -G does not print it. */
  tsshOnly?: boolean;
  /** For 'enum': accepted word (lowercase; matched case-insensitively) → stored value. */
  choices?: Readonly<Record<string, string>>;
  /** For 'algorithms'. */
  algorithms?: AlgorithmClass;
}

