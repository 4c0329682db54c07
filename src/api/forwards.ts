/**
 * Port forwarding for library callers, in ssh's own forward syntax: `listen` is `[bind_address:]port`
 * (port 0 lets the system choose) or a Unix socket path, `to` is `host:port` or a socket path on the
 * server's side, exactly as in `-L listen:to`, `-R listen:to` and `-D listen`.
 */
import type { Duplex } from 'node:stream';
import { TsshError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Channel } from '../connection/channel.js';
import type { Connection as ConnectionLayer } from '../connection/connection.js';
import { parseForwardSpec, type ForwardSpec } from '../config/forward-spec.js';
import { startDynamicForward } from '../forward/dynamic.js';
import type { ForwardListener, ListenSettings } from '../forward/listen.js';
import { openDirect, startLocalForward, type ForwardContext } from '../forward/local.js';
import { RemoteForwarding } from '../forward/remote.js';

/** An address to listen on: a port, `bind_address:port`, `[v6]:port`, or a Unix socket path. */
export type ListenAddress = number | string;
/** Where forwarded connections go: `host:port`, `{ host, port }`, or `{ path }` for a Unix socket. */
export type ForwardTarget = string | { host: string; port: number } | { path: string };

/** A forward that is up; close() stops it (connections already made go on until they end). */
export interface Forward {
  /** The TCP port it listens on (the one chosen for port 0); undefined for a Unix socket. */
  readonly port: number | undefined;
  close(): Promise<void>;
}

function targetText(to: ForwardTarget): string {
  if (typeof to === 'string') return to;
  if ('path' in to) return to.path;
  return `${to.host.includes(':') ? `[${to.host}]` : to.host}:${to.port}`;
}

function parse(listen: ListenAddress, to: ForwardTarget | undefined, dynamic: boolean): ForwardSpec {
  const text = to === undefined ? String(listen) : `${listen}:${targetText(to)}`;
  // `remote: true` only allows a listen port of 0, which a library caller may want locally too.
  const spec = parseForwardSpec(text, { dynamic, remote: true });
  if (spec === undefined) throw new TsshError('CONFIG', `Bad forwarding specification '${text}'`);
  return spec;
}

/** The forwards of one library connection. */
export class Forwards {
  private remote: RemoteForwarding | undefined;
  private readonly context: ForwardContext;

  constructor(private readonly connection: ConnectionLayer, log: Logger, listen: ListenSettings) {
    this.context = { connection, log, listen, track: () => {} };
  }

  async local(listen: ListenAddress, to: ForwardTarget): Promise<Forward> {
    const spec = parse(listen, to, false);
    return this.listening((context) => startLocalForward(spec, context), listen);
  }

  async dynamic(listen: ListenAddress): Promise<Forward> {
    const spec = parse(listen, undefined, true);
    return this.listening((context) => startDynamicForward(spec, context), listen);
  }

  async remoteForward(listen: ListenAddress, to: ForwardTarget | undefined): Promise<Forward> {
    const spec = parse(listen, to, to === undefined);
    this.remote ??= new RemoteForwarding(this.context, { permitRemoteOpen: [], addressFamily: this.context.listen.addressFamily });
    const remote = this.remote;
    const granted = await remote.requestListening(spec);
    if (granted === undefined) throw new TsshError('CHANNEL', `remote port forwarding failed for listen ${spec.listen.kind === 'unix' ? 'path ' + spec.listen.path : 'port ' + spec.listen.port}`);
    const listenSpec = spec.listen.kind === 'tcp' ? { ...spec.listen, port: granted.port ?? spec.listen.port } : spec.listen;
    return {
      port: granted.port,
      close: async () => {
        await remote.cancel(listenSpec);
      },
    };
  }

  /** A channel to host:port (or a socket path) on the server's side, as a Duplex: what -W carries. */
  async direct(to: ForwardTarget): Promise<Duplex> {
    const spec = parse('0', to, false);
    const channel: Channel = await openDirect(this.connection, spec.connect as Exclude<ForwardSpec['connect'], { kind: 'socks' }>, { address: '127.0.0.1', port: 65535 });
    return channel;
  }

  /** Starts a listener; when nothing could be bound, the error says why in the words ssh logs. */
  private async listening(start: (context: ForwardContext) => Promise<ForwardListener | undefined>, listen: ListenAddress): Promise<Forward> {
    const problems: string[] = [];
    const log = this.context.log;
    const capturing: Logger = { ...log, error: (m) => (problems.push(m), log.error(m)) };
    const listener = await start({ ...this.context, log: capturing });
    if (listener === undefined) throw new TsshError('CHANNEL', problems.length > 0 ? problems.join('\n') : `Could not listen on ${listen}`);
    const address = listener.addresses.find((a) => typeof a !== 'string');
    return {
      port: typeof address === 'object' ? address.port : undefined,
      close: async () => listener.close(),
    };
  }
}
