/**
 * How tssh reaches the server: a TCP connection (AddressFamily, BindAddress, ConnectionAttempts,
 * TCPKeepAlive, ConnectTimeout), a ProxyCommand through the user's shell, or ProxyJump hops.
 *
 * OpenSSH turns ProxyJump into `ssh -l user -p port -J <earlier hops> -F <config> -v... -W '[%h]:%p'
 * <last hop>`. tssh does the same in-process: the last jump host is resolved exactly as that command
 * line would be (its own ssh_config, with -J for the earlier hops; the destination's -o options do not
 * apply to it), connected and authenticated, and the next connection runs over a direct-tcpip channel
 * from it. The earlier hops are reached the same way, recursively.
 */
import type { Duplex } from 'node:stream';
import { TsshError, asTsshError } from '../errors.js';
import type { SshClient } from '../client.js';
import { dialTcp } from '../net/dial.js';
import { runProxyCommand } from '../net/proxy.js';
import { percentExpand } from '../config/tokens.js';
import type { JumpHost } from '../config/forward-spec.js';
import { openDirect } from '../forward/local.js';
import { isValidHostname } from '../profile/destination.js';
import type { CommandLineSetting } from '../profile/overrides.js';
import type { Logger } from '../log.js';
import { timed, type Timeline } from '../timeline.js';
import { resolveHost, type HostProfile } from '../profile/resolve.js';
import { type ResolveEnvironment } from '../profile/environment.js';

export interface RouteContext {
  env: ResolveEnvironment;
  log: Logger;
  /** -F of this command, which ssh passes on to its jump hosts. */
  configFile: string | undefined;
  /** Number of -v flags, also passed on. */
  verbosity: number;
  progname: string;
  /** Connects and authenticates to a host with its resolved options, reaching it through `dial`. */
  connect(options: HostProfile, dial: () => Promise<Duplex>, timeline: Timeline | undefined): Promise<SshClient>;
}

/** Jump hosts that name each other in ssh_config must not recurse for ever. */
const MAX_JUMP_DEPTH = 16;

/**
 * The dial function for `options`: through its jump hosts, its ProxyCommand, or straight TCP. `timeline`
 * (--timing) is this connection's; a jump host's phases go to a timeline nested in it.
 */
export function routeTo(options: HostProfile, context: RouteContext, depth = 0, timeline?: Timeline): () => Promise<Duplex> {
  if (options.proxyJump !== undefined) {
    const jump = options.proxyJump;
    const hop = jump.hops[jump.hops.length - 1]!;
    return () => timed(timeline, 'jump', { host: hop.host }, () => throughJumpHost(options, hop, earlierHops(jump.text), context, depth, timeline?.nested()));
  }
  const proxyCommand = options.proxyCommand;
  if (proxyCommand !== undefined) {
    return () =>
      timed(timeline, 'proxy-command', {}, () => runProxyCommand({
        command: percentExpand(proxyCommand, { h: options.hostName, p: String(options.port), r: options.user, n: options.host }),
        shell: context.env.env.SHELL || '/bin/sh',
        env: { ...context.env.env },
        log: context.log,
      }));
  }
  return () =>
    dialTcp({
      host: options.hostName,
      port: options.port,
      timeoutMs: options.connectTimeout === undefined ? undefined : options.connectTimeout * 1000,
      log: context.log,
      progname: context.progname,
      family: options.addressFamily,
      ...(options.bindAddress !== undefined ? { bindAddress: options.bindAddress } : {}),
      attempts: options.connectionAttempts,
      keepAlive: options.tcpKeepAlive,
      ...(timeline ? { timeline } : {}),
    });
}

/** The hops before the last, as written (ssh's jump_extra). */
function earlierHops(text: string): string | undefined {
  const comma = text.lastIndexOf(',');
  return comma > 0 ? text.slice(0, comma) : undefined;
}

/** Connects to the jump host, then opens a channel from it to the destination: the stream to run SSH over. */
async function throughJumpHost(destination: HostProfile, hop: JumpHost, earlier: string | undefined, context: RouteContext, depth: number, timeline: Timeline | undefined): Promise<Duplex> {
  if (depth >= MAX_JUMP_DEPTH) throw new TsshError('CONFIG', `jumphost loop via ${hop.host}`);
  const hopOptions = resolveJumpHost(hop, earlier, context);
  context.log.debug1(`Connecting to jump host ${hopOptions.hostName} port ${hopOptions.port} for ${destination.hostName}`);
  const jumpClient = await context.connect(hopOptions, routeTo(hopOptions, context, depth + 1, timeline), timeline);
  let channel;
  try {
    const span = timeline?.begin('channel-open', { type: 'direct-tcpip', to: `${destination.hostName}:${destination.port}` });
    channel = await openDirect(jumpClient.connection, { kind: 'tcp', host: destination.hostName, port: destination.port }, { address: '127.0.0.1', port: 65535 });
    span?.end();
  } catch (err) {
    // What ssh shows when its `ssh -W` jump process fails and the connection it fed goes away.
    context.log.info(asTsshError(err).message);
    context.log.error('stdio forwarding failed');
    jumpClient.close();
    throw new TsshError('CONNECTION_CLOSED', 'kex_exchange_identification: Connection closed by remote host\nConnection closed by UNKNOWN port 65535');
  }
  // The hop lives exactly as long as the connection through it.
  channel.once('close', () => jumpClient.close());
  void jumpClient.closed.then(() => channel.destroy());
  return channel;
}

/** The jump host's options, as `ssh [-l user] [-p port] [-J earlier] [-F config] [-v...] host` would resolve them. */
function resolveJumpHost(hop: JumpHost, earlier: string | undefined, context: RouteContext): HostProfile {
  if (!isValidHostname(hop.host)) throw new TsshError('CONFIG', 'hostname contains invalid characters');
  const settings: CommandLineSetting[] = [];
  if (hop.user !== undefined) settings.push({ kind: 'user', value: hop.user });
  if (hop.port !== undefined) settings.push({ kind: 'port', value: hop.port });
  if (earlier !== undefined) settings.push({ kind: 'jump', value: earlier });
  for (let i = 0; i < context.verbosity; i++) settings.push({ kind: 'verbose' });
  const log = context.log;
  return resolveHost(
    { host: hop.host, settings, configFile: context.configFile },
    {
      ...context.env,
      log: (level, message) => (level === 'ERROR' || level === 'FATAL' ? log.error(message) : log.debug1(message)),
      warn: (message) => log.error(message),
    },
  );
}
