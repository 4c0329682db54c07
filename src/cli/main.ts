import fs from 'node:fs';
import { TsshError, asTsshError } from '../errors.js';
import { SshClient } from '../client.js';
import { TSSH_VERSION } from '../transport/ident.js';
import { parseArgs, type ParsedArgs } from './args.js';
import { processEnvironment, resolveOptions, type ResolvedConfig, type ResolveEnvironment } from './resolve.js';
import { dumpConfig, queryLines } from './query.js';
import { createLogger, type CliLogger } from './log.js';
import { hostKeyVerifier } from './host-key-check.js';
import { authSetup } from './auth-setup.js';
import { runRemoteSession } from './session-runner.js';

const PROGNAME = 'tssh';

/**
 * The tssh command: argv in, exit status out. The only place that prints errors and the only caller of
 * process.exit (in `main`). Exit status: the remote command's, or 255 for any error.
 */
export async function run(argv: readonly string[], env: ResolveEnvironment = processEnvironment()): Promise<number> {
  let log = createLogger('INFO', undefined);
  try {
    const args = parseArgs(argv);
    if (args.version) {
      process.stderr.write(`tssh ${TSSH_VERSION} (OpenSSH-compatible), Node.js ${process.version}, OpenSSL ${process.versions.openssl}\n`);
      return 0;
    }
    if (args.query !== undefined) {
      process.stdout.write(queryLines(args.query).map((l) => `${l}\n`).join(''));
      return 0;
    }
    const options = resolveOptions(args, { ...env, log: (level, message) => logAt(log, level, message), warn: (m) => log.error(m) });
    if (args.printConfig) {
      process.stdout.write(dumpConfig(options));
      return 0;
    }
    log = createLogger(options.logLevel, options.logFile);
    rejectUnsupported(args, options);
    return await connectAndRun(options, env, log);
  } catch (err) {
    reportError(asTsshError(err), log);
    return 255;
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
function rejectUnsupported(args: ParsedArgs, options: ResolvedConfig): void {
  const [flag] = args.unsupportedFlags;
  if (flag) throw new TsshError('USAGE', `${PROGNAME}: option ${flag} is not supported yet`);
  const wantsTty = options.requestTTY === 'force' || ((options.requestTTY === 'yes' || (options.requestTTY === 'auto' && options.command === undefined)) && process.stdin.isTTY === true);
  if (wantsTty) throw new TsshError('USAGE', `${PROGNAME}: pseudo-terminal sessions are not supported yet (use -T, or give a command)`);
}

async function connectAndRun(options: ResolvedConfig, env: ResolveEnvironment, log: CliLogger): Promise<number> {
  const ttyWanted = options.requestTTY === 'yes' || (options.requestTTY === 'auto' && options.command === undefined);
  if (ttyWanted && !process.stdin.isTTY) {
    log.info('Pseudo-terminal will not be allocated because stdin is not a terminal.');
  }
  const client = await SshClient.connect({
    host: options.hostName,
    port: options.port,
    user: options.user,
    preferences: {
      kex: options.kexAlgorithms,
      hostKey: options.hostKeyAlgorithms,
      ciphers: options.ciphers,
      macs: options.macs,
      compression: options.compression ? ['zlib@openssh.com', 'zlib', 'none'] : ['none', 'zlib@openssh.com', 'zlib'],
    },
    rekeyLimit: options.rekeyLimit,
    ...(options.connectTimeout !== undefined ? { connectTimeoutMs: options.connectTimeout * 1000 } : {}),
    verifyHostKey: hostKeyVerifier(options, log, env.home, undefined),
    ...authSetup(options, env, log),
    log,
    progname: PROGNAME,
  });
  try {
    return await runRemoteSession(client, options, env, log);
  } finally {
    client.close();
  }
}

function reportError(err: TsshError, log: CliLogger): void {
  if (err.code === 'USAGE' || err.code === 'CONFIG') {
    // Usage and configuration errors are shown even with -q, as ssh does.
    fs.writeSync(2, `${err.message}\n`);
    return;
  }
  if (err.code === 'INTERNAL') log.fatal(`${PROGNAME}: internal error: ${err.message}`);
  else log.fatal(err.message);
}

export async function main(): Promise<void> {
  const status = await run(process.argv.slice(2));
  // Let stdout drain (it may be a pipe) before exiting; stderr is written synchronously.
  process.stdout.write('', () => process.exit(status));
}
