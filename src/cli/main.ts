import fs from 'node:fs';
import { TsshError, asTsshError } from '../errors.js';
import { TSSH_VERSION } from '../transport/ident.js';
import { parseArgs, type ParsedArgs } from './args.js';
import { resolveHost, type HostProfile } from '../profile/resolve.js';
import { dumpConfig } from '../profile/dump.js';
import { createLogger, type CliLogger } from './log.js';
import { runLocalCommandIfPermitted } from './local-command.js';
import { connectHost, type ConnectHooks } from '../connect/connect.js';
import { becomesMaster, persistSeconds } from '../connect/sharing.js';
import { runMuxCommand } from './mux-command.js';
import { isPersistentMasterChild, masterAnswers, persistentMasterProfile, startPersistentMaster } from './sharing.js';
import { identitiesToTry } from '../connect/identity-list.js';
import { terminalUserInterface } from './terminal-prompts.js';
import { planSession, runRemoteSession } from './session-runner.js';
import { isTerminalRaw } from './terminal.js';
import { runWithForwarding } from './forward-session.js';
import { isBackgroundChild, runInBackground } from './background.js';
import { transferCollector } from './reclaim.js';
import { processEnvironment, type ResolveEnvironment } from '../profile/environment.js';
import { queryLines } from '../config/query.js';
import { hintColour, hintsFor, hintsWanted } from './hints/index.js';
import { startTiming, type CliTiming } from './timing.js';
import { timed } from '../timeline.js';
import { checkReconnectUsable, runReconnecting } from './reconnect-session.js';

const PROGNAME = 'tssh';

/**
 * The tssh command: argv in, exit status out. The only place that prints errors and the only caller of
 * process.exit (in `main`). Exit status: the remote command's, or 255 for any error.
 */
export async function run(argv: readonly string[], env: ResolveEnvironment = processEnvironment()): Promise<number> {
  let log = createLogger('INFO', undefined);
  let timing: CliTiming | undefined;
  let failure: string | undefined;
  try {
    const args = parseArgs(argv);
    if (args.timing) timing = startTiming(args.timing, env.env);
    // As ssh, -v already applies while the configuration files are read ("Reading configuration data").
    if (args.verbosity > 0) log.level = args.verbosity === 1 ? 'DEBUG1' : args.verbosity === 2 ? 'DEBUG2' : 'DEBUG3';
    if (args.version) {
      process.stderr.write(`tssh ${TSSH_VERSION} (OpenSSH-compatible), Node.js ${process.version}, OpenSSL ${process.versions.openssl}\n`);
      return 0;
    }
    if (args.query !== undefined) {
      process.stdout.write(queryLines(args.query).map((l) => `${l}\n`).join(''));
      return 0;
    }
    const options = await timed(timing?.timeline, 'config', { host: args.host ?? '' }, async () =>
      resolveHost(args, { ...env, log: (level, message) => logAt(log, level, message), warn: (m) => log.error(m) }),
    );
    if (args.printConfig) {
      process.stdout.write(dumpConfig(options));
      return 0;
    }
    log = createLogger(options.logLevel, options.logFile, isTerminalRaw);
    if (args.listKeys) {
      process.stdout.write((await identitiesToTry(options, env, log)).map((line) => `${line}\n`).join(''));
      return 0;
    }
    rejectUnsupported(args);
    if (args.muxCommand === undefined) checkReconnectUsable(options);
    // -f: a copy of tssh does the work and this process waits until it is up (cli/background.ts).
    if (options.forkAfterAuthentication && !isBackgroundChild(env.env)) return await runInBackground(argv, options.sessionType !== 'none' || options.stdioForward !== undefined);
    if (args.muxCommand !== undefined && args.muxCommand !== 'proxy') return await runMuxCommand(options, args.muxCommand, log);
    return await connectAndRun(args.muxCommand === 'proxy' ? { ...options, controlMaster: 'no' } : options, env, log, args, argv, timing);
  } catch (err) {
    const error = asTsshError(err);
    failure = error.message;
    reportError(error, log, env.env);
    return 255;
  } finally {
    timing?.report(failure);
  }
}

function logAt(log: CliLogger, level: string, message: string): void {
  switch (level) {
    case 'QUIET':
    case 'FATAL':
    case 'ERROR':
      return log.error(message);
    case 'INFO':
      return log.info(message);
    case 'VERBOSE':
      return log.verbose(message);
    case 'DEBUG1':
      return log.debug1(message);
    case 'DEBUG2':
      return log.debug2(message);
    default:
      return log.debug3(message);
  }
}

/** Features not built yet fail loudly rather than being silently ignored. */
function rejectUnsupported(args: ParsedArgs): void {
  const [flag] = args.unsupportedFlags;
  if (flag) throw new TsshError('USAGE', `${PROGNAME}: option ${flag} is not supported yet`);
}

async function connectAndRun(
  options: HostProfile,
  env: ResolveEnvironment,
  log: CliLogger,
  args: ParsedArgs,
  argv: readonly string[],
  timing: CliTiming | undefined,
): Promise<number> {
  if (planSession(options, process.stdin.isTTY === true).ttyRefused) {
    log.info('Pseudo-terminal will not be allocated because stdin is not a terminal.');
  }
  const ui = terminalUserInterface(env, log);
  const hooks: ConnectHooks = {
    environment: env,
    log,
    ui,
    progname: PROGNAME,
    jumps: { configFile: args.configFile, verbosity: args.verbosity },
    reclaim: transferCollector(),
    ...(timing ? { timeline: timing.timeline } : {}),
  };
  if (options.reconnect && args.muxCommand === undefined) return runReconnecting(options, hooks, env, log);
  const persistentMaster = isPersistentMasterChild(env.env);
  let profile0 = persistentMaster ? persistentMasterProfile(options) : options;
  // ControlPersist: the master lives in a background copy of tssh, which this command then joins.
  if (!persistentMaster && !isBackgroundChild(env.env) && becomesMaster(profile0) && persistSeconds(profile0) !== undefined && !(await masterAnswers(profile0, log))) {
    // The master outlives this command, and its stderr with it: its timeline would go nowhere.
    const status = await startPersistentMaster(argv.filter((_, i) => !args.timingIndexes.includes(i)), log);
    if (status !== 0) return status;
    profile0 = { ...profile0, controlMaster: 'no' };
  }
  if (args.muxCommand === 'proxy' && profile0.controlPath === undefined) throw new TsshError('CONFIG', 'No ControlPath specified for "-O" command');
  const connected = await connectHost(profile0, hooks);
  const { client, profile } = connected;
  try {
    runLocalCommandIfPermitted(profile, env, log);
    return await runWithForwarding(client, profile, env, log, (extras) => runRemoteSession(client, profile, env, log, { ...extras, shared: connected.joined }), {
      joined: connected.joined,
      persistentMaster,
      prompter: ui.prompter,
    });
  } finally {
    await connected.close();
  }
}

function reportError(err: TsshError, log: CliLogger, environment: NodeJS.ProcessEnv): void {
  if (err.code === 'USAGE' || err.code === 'CONFIG') {
    // Usage and configuration errors are shown even with -q, as ssh does.
    fs.writeSync(2, `${err.message}\n`);
    return;
  }
  if (err.code === 'INTERNAL') log.fatal(`${PROGNAME}: internal error: ${err.message}`);
  else log.fatal(err.message);
  const terminal = process.stderr.isTTY === true;
  if (!hintsWanted(terminal, log.level.startsWith('DEBUG'))) return;
  const hints = hintsFor(err);
  if (hints.length > 0) log.hints(hints, hintColour(terminal, environment));
}

/** bin/tssh keeps NODE_EXTRA_CA_CERTS from tssh's own start-up (see there); the programs tssh runs get it back. */
function restoreHandedOverEnvironment(): void {
  const handedOver = process.env['TSSH_NODE_EXTRA_CA_CERTS'];
  if (handedOver === undefined) return;
  process.env['NODE_EXTRA_CA_CERTS'] = handedOver;
  delete process.env['TSSH_NODE_EXTRA_CA_CERTS'];
}

export async function main(): Promise<void> {
  restoreHandedOverEnvironment();
  const status = await run(process.argv.slice(2));
  // Let stdout drain (it may be a pipe) before exiting; stderr is written synchronously.
  process.stdout.write('', () => process.exit(status));
}
