/**
 * Command line + ssh_config → ResolvedOptions, in OpenSSH 9.2's order (ssh.c main): the option flags and
 * -o lines first (first obtained value wins, except the flags ssh lets override), then `-F file` or
 * ~/.ssh/config followed by /etc/ssh/ssh_config, a second "final" pass if a `Match final` asked for it,
 * then defaults and token expansion.
 */
import { TsshError } from '../errors.js';
import { assembleOption, type AlgorithmClass } from '../config/algorithms.js';
import { ConfigEvaluator, type ReadFlags } from '../config/evaluate.js';
import type { ConfigLog, LogLevel } from '../log.js';
import type { MatchSubject } from '../config/match.js';
import type { EscapeChar, RequestTTY, ResolvedOptions, SessionType, StrictHostKeyChecking } from './options.js';
import { asciiLowercase } from '../text/patterns.js';
import { SettingsStore } from '../config/store.js';
import { connectionTokens, connectionTokensWithoutUser, percentDollarExpand, percentExpand, tildeExpand, type TokenValues } from '../config/tokens.js';
import { jumpHostOf } from '../config/match.js';
import { resolveAuthSettings } from './resolve-auth.js';
import { resolveExtras, type ConfigExtras } from './resolve-extras.js';
import { runMatchExec } from './match-exec.js';
import { canonicalizeHostname, systemResolver } from './canonicalize.js';
import { isValidRemoteUser } from './destination.js';
import { interfaceAddresses, nodeConfigFileSystem, statError, type ResolveEnvironment } from './environment.js';
import { USER_FROM_COMMAND_LINE_KEY, replayCommandLine, type CommandLineSetting } from './overrides.js';
import { resolveForwardSettings } from './resolve-forward.js';

/** ResolvedOptions plus what `-G` prints verbatim and what later layers may want to report. */
export interface HostProfile extends ResolvedOptions, ConfigExtras {
  /** IdentityFile values as written (`~` and tokens unexpanded; -i paths are already absolute). */
  identityFileSpecs: string[];
  /** True when no IdentityFile was given and OpenSSH's default list is used (missing ones are skipped silently). */
  identityFilesAreDefaults: boolean;
  /** CertificateFile values as written (`~` and tokens unexpanded). */
  certificateFileSpecs: string[];
  /** GlobalKnownHostsFile values as written. */
  globalKnownHostsFileSpecs: string[];
  ignoreUnknown: string | undefined;
  /** ssh_config keywords that applied but tssh does not implement yet: canonical name → arguments. */
  unimplemented: ReadonlyMap<string, readonly string[]>;
}

/** OpenSSH 10.x's default identity files, in its order (10.0 dropped id_xmss and id_dsa). */
export const DEFAULT_IDENTITY_FILES = [
  '~/.ssh/id_rsa',
  '~/.ssh/id_ecdsa',
  '~/.ssh/id_ecdsa_sk',
  '~/.ssh/id_ed25519',
  '~/.ssh/id_ed25519_sk',
];
const DEFAULT_USER_KNOWN_HOSTS = ['~/.ssh/known_hosts', '~/.ssh/known_hosts2'];
const DEFAULT_GLOBAL_KNOWN_HOSTS = ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'];
const UNIMPLEMENTED_PREFIX = 'unimplemented:';

/** What to resolve: a destination and the settings given with it, as ssh(1)'s command line gives them. */
export interface HostRequest {
  /** The destination host as typed, without user@ or ssh:// parts (%n; Host lines match it). */
  host: string | undefined;
  /** Settings in the order given (-o lines, -l, -p, -i, -L ...), ahead of every config file. */
  settings: readonly CommandLineSetting[];
  /** -F: the only config file to read (`none`: none); default ~/.ssh/config then the system file. */
  configFile?: string | undefined;
  /** The remote command, if any (RemoteCommand may not be combined with one). */
  command?: string | undefined;
  /** -G: paths whose expansion fails are kept as written instead of failing. */
  printConfig?: boolean;
  /** -E. */
  logFile?: string | undefined;
  /** Appended to usage errors (ssh's usage text, for the command line). */
  usage?: string;
}

/** Resolves a destination with its settings and ssh_config into the typed options of one connection. */
export function resolveHost(args: HostRequest, environment: ResolveEnvironment): HostProfile {
  const host = args.host;
  if (host === undefined) throw new TsshError('USAGE', 'no destination given');
  const fs = environment.fs ?? nodeConfigFileSystem();
  const log: ConfigLog = environment.log ?? (() => {});
  const systemConfigFile = environment.systemConfigFile ?? '/etc/ssh/ssh_config';
  const evalEnv = {
    fs,
    home: environment.home,
    uid: environment.uid,
    systemConfigDir: systemConfigFile.slice(0, Math.max(1, systemConfigFile.lastIndexOf('/'))),
    log,
    matchExec: {
      home: environment.home,
      uid: environment.uid,
      localHostname: environment.localHostname,
      env: environment.env,
      localAddresses: environment.localAddresses ?? interfaceAddresses,
      run: environment.runMatchExec ?? ((command: string) => runMatchExec(command, environment.env)),
    },
  };
  const store = new SettingsStore();
  const subject: MatchSubject = { host, originalHost: host, localUser: environment.user, finalPass: false, command: args.command ?? '' };
  const firstPass = new ConfigEvaluator(store, evalEnv, subject);

  replayCommandLine(args.settings, store, firstPass, { ...environment, identityAccessError: environment.identityAccessError ?? statError });
  if (store.string('SessionType') === 'subsystem' && args.command === undefined)
    throw new TsshError('USAGE', `You must specify a subsystem to invoke.${args.usage !== undefined ? `\n${args.usage}` : ''}`);
  const cliUser = store.string('User');
  if (cliUser !== undefined && !isValidRemoteUser(cliUser)) throw invalidUser();

  const readAll = (evaluator: ConfigEvaluator): void => readConfigFiles(args, environment, systemConfigFile, evaluator);
  readAll(firstPass);
  let hostName = finalHostName(store.string('HostName'), host);
  const canonical = canonicalizeHostname(hostName, store, environment.resolveHostnames ?? systemResolver, log);
  if (canonical !== undefined) hostName = canonical;
  if (firstPass.wantFinalPass) log('DEBUG1', 'configuration requests final Match pass');
  if (firstPass.wantFinalPass || store.string('CanonicalizeHostname') === 'yes' || store.string('CanonicalizeHostname') === 'always') {
    if (!firstPass.wantFinalPass) log('DEBUG1', 'hostname canonicalisation enabled, will re-parse configuration');
    store.force('HostName', hostName);
    readAll(new ConfigEvaluator(store, evalEnv, { ...subject, host: hostName, finalPass: true }));
  }
  return fillDefaults(args, environment, store, hostName);
}

function readConfigFiles(
  args: HostRequest,
  environment: ResolveEnvironment,
  systemConfigFile: string,
  evaluator: ConfigEvaluator,
): void {
  if (args.configFile !== undefined) {
    if (args.configFile.toLowerCase() === 'none') return;
    const userFlags: ReadFlags = { userConfig: true, checkPermissions: false };
    const outcome = evaluator.readFile(args.configFile, userFlags);
    if (outcome !== 'read') {
      const reason = outcome === 'missing' ? 'No such file or directory' : outcome.error;
      throw new TsshError('CONFIG', `Can't open user config file ${args.configFile}: ${reason}`);
    }
    return;
  }
  const userConfigFile = environment.userConfigFile ?? `${environment.home}/.ssh/config`;
  evaluator.readFile(userConfigFile, { userConfig: true, checkPermissions: true });
  evaluator.readFile(systemConfigFile, { userConfig: false, checkPermissions: false });
}

/** HostName with %h expanded (or the destination), lowercased unless it is an address. */
function finalHostName(configured: string | undefined, host: string): string {
  const name = configured === undefined ? host : percentExpand(configured, { h: host });
  return looksLikeAddress(name) ? name : asciiLowercase(name);
}

/** OpenSSH's is_addr(): numeric addresses (and anything with `%` or `:`) keep their case. */
function looksLikeAddress(name: string): boolean {
  return name.includes('%') || name.includes(':') || /^[0-9.]*$/.test(name);
}

function invalidUser(): TsshError {
  return new TsshError('CONFIG', 'remote username contains invalid characters');
}

/**
 * The remote user: from the command line as given; from a User directive (-o or a file) with its
 * tokens (all but %r and %C, which contain it) and ${VAR}s expanded, and checked like a command-line
 * name when expansion changed it (OpenSSH 10.x ssh.c); else the local user.
 */
function remoteUser(store: SettingsStore, environment: ResolveEnvironment, tokens: TokenValues): string {
  const configured = store.string('User');
  if (configured === undefined) return environment.user;
  if (store.boolean(USER_FROM_COMMAND_LINE_KEY) === true) return configured;
  const expanded = percentDollarExpand(configured, tokens, environment.env);
  if (expanded !== configured && !isValidRemoteUser(expanded)) throw invalidUser();
  return expanded;
}

function fillDefaults(args: HostRequest, environment: ResolveEnvironment, store: SettingsStore, hostName: string): HostProfile {
  const host = args.host!;
  const port = store.number('Port') ?? 22;
  const tokenSource = {
    hostName,
    originalHost: host,
    port,
    localUser: environment.user,
    home: environment.home,
    uid: environment.uid,
    localHostname: environment.localHostname,
    hostKeyAlias: hostKeyAliasOf(store),
    jumpHost: jumpHostOf(store),
  };
  const user = remoteUser(store, environment, connectionTokensWithoutUser(tokenSource));
  const tokens = connectionTokens({ ...tokenSource, remoteUser: user });
  const expandTokens = (text: string): string => percentDollarExpand(text, tokens, environment.env);
  const expandPath = (path: string): string => expandTokens(tildeExpand(path, environment.home, environment.lookupHome));

  const configuredIdentities = store.list('IdentityFile');
  const identityFilesAreDefaults = configuredIdentities.length === 0;
  const identityFileSpecs = identityFilesAreDefaults ? [...DEFAULT_IDENTITY_FILES] : [...configuredIdentities];
  // ssh expands identity files only when it loads them, so -G prints them even if expansion would fail.
  const identityFiles = identityFileSpecs.map((spec) => (args.printConfig ? tryExpand(expandPath, spec) : expandPath(spec)));

  const userKnownHosts = withoutNone(store.optionalList('UserKnownHostsFile') ?? DEFAULT_USER_KNOWN_HOSTS);
  const globalKnownHostsFileSpecs = withoutNone(store.optionalList('GlobalKnownHostsFile') ?? DEFAULT_GLOBAL_KNOWN_HOSTS);
  const connectTimeout = store.number('ConnectTimeout');
  const rekeyBytes = store.number('RekeyLimit');
  const rekeySeconds = store.number('RekeyLimit.interval');

  return {
    host,
    hostName,
    port,
    user,
    identityFiles,
    identitiesOnly: store.boolean('IdentitiesOnly') ?? false,
    ...resolveAuthSettings(store, expandPath, args.printConfig === true, (line) => environment.log?.('DEBUG1', line)),
    batchMode: store.boolean('BatchMode') ?? false,
    ciphers: algorithms(store, 'Ciphers', 'cipher', environment.log),
    macs: algorithms(store, 'MACs', 'mac', environment.log),
    kexAlgorithms: algorithms(store, 'KexAlgorithms', 'kex', environment.log),
    hostKeyAlgorithms: algorithms(store, 'HostKeyAlgorithms', 'hostkey', environment.log),
    compression: store.string('Compression') === 'yes',
    rekeyLimit: {
      bytes: rekeyBytes === undefined || rekeyBytes === 0 ? undefined : rekeyBytes,
      seconds: rekeySeconds === undefined || rekeySeconds <= 0 ? undefined : rekeySeconds,
    },
    connectTimeout: connectTimeout === undefined || connectTimeout < 0 ? undefined : connectTimeout,
    strictHostKeyChecking: (store.string('StrictHostKeyChecking') ?? 'ask') as StrictHostKeyChecking,
    userKnownHostsFiles: userKnownHosts.map(expandPath),
    globalKnownHostsFiles: globalKnownHostsFileSpecs.map((path) => tildeExpand(path, environment.home, environment.lookupHome)),
    // Only the value of each SetEnv pair takes tokens (OpenSSH 10.x).
    setEnv: store.pairs('SetEnv').map(([name, value]) => [name, expandTokens(value)] as [string, string]),
    sendEnv: [...store.list('SendEnv')],
    requestTTY: (store.string('RequestTTY') ?? 'auto') as RequestTTY,
    sessionType: (store.string('SessionType') ?? 'default') as SessionType,
    remoteCommand: remoteCommand(store.string('RemoteCommand'), args.command, tokens),
    escapeChar: escapeChar(store),
    enableEscapeCommandline: store.boolean('EnableEscapeCommandline') ?? false,
    logLevel: (store.string('LogLevel') ?? 'INFO') as LogLevel,
    stdinNull: store.boolean('StdinNull') ?? false,
    ...resolveExtras(store, { expandPath, expandTokens, printConfig: args.printConfig === true, command: args.command, debug: (line) => environment.log?.('DEBUG1', line) }),
    ...resolveForwardSettings(store, {
      expandPath,
      expandTokens,
      destination: { hostName, port, user },
      command: args.command,
      log: environment.log ?? (() => {}),
    }),
    command: args.command,
    logFile: args.logFile,
    identityFileSpecs,
    identityFilesAreDefaults,
    globalKnownHostsFileSpecs,
    ignoreUnknown: store.string('IgnoreUnknown'),
    unimplemented: new Map(
      store
        .names()
        .filter((name) => name.startsWith(UNIMPLEMENTED_PREFIX))
        .map((name) => [name.slice(UNIMPLEMENTED_PREFIX.length), store.list(name)]),
    ),
  };
}

/** RemoteCommand with its tokens expanded; `none` clears it; it cannot be combined with a command-line command. */
function remoteCommand(spec: string | undefined, command: string | undefined, tokens: TokenValues): string | undefined {
  if (spec === undefined || spec.toLowerCase() === 'none') return undefined;
  if (command !== undefined && command !== '') throw new TsshError('CONFIG', 'Cannot execute command-line and remote command.');
  return percentExpand(spec, tokens);
}

function escapeChar(store: SettingsStore): EscapeChar {
  const value = store.string('EscapeChar') ?? store.number('EscapeChar');
  return value === undefined ? 0x7e : (value as EscapeChar);
}

/** HostKeyAlias, lowercased as ssh does before using it (%k). */
function hostKeyAliasOf(store: SettingsStore): string | undefined {
  const alias = store.string('HostKeyAlias');
  return alias === undefined ? undefined : asciiLowercase(alias);
}

function tryExpand(expand: (path: string) => string, path: string): string {
  try {
    return expand(path);
  } catch {
    return path;
  }
}

/** A known-hosts list of just `none` means no files. */
function withoutNone(paths: readonly string[]): string[] {
  return paths.length === 1 && paths[0]!.toLowerCase() === 'none' ? [] : [...paths];
}

function algorithms(store: SettingsStore, keyword: string, cls: AlgorithmClass, log: ConfigLog | undefined): string[] {
  return assembleOption(cls, keyword, store.string(keyword), (line) => log?.('DEBUG1', line));
}

/** Token values for other keywords that take `%` tokens (exported for later keywords and tests). */
export function tokensFor(options: ResolvedOptions, environment: ResolveEnvironment): TokenValues {
  const lastHop = options.proxyJump?.hops[options.proxyJump.hops.length - 1];
  return connectionTokens({
    jumpHost: lastHop?.host ?? '',
    hostName: options.hostName,
    originalHost: options.host,
    port: options.port,
    remoteUser: options.user,
    localUser: environment.user,
    home: environment.home,
    uid: environment.uid,
    localHostname: environment.localHostname,
    hostKeyAlias: options.hostKeyAlias,
  });
}

