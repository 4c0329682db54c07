import type { Duplex } from 'node:stream';
import type net from 'node:net';
import type { Logger } from '../log.js';
import { asTsshError, type TsshError } from '../errors.js';
import type { Channel } from '../connection/channel.js';
import { listenOn, type ForwardListener } from './listen.js';
import { closedWhileDisconnected, openDirect, originatorOf, type ForwardContext } from './local.js';
import { relay } from './relay.js';
import { SocksNegotiation, Socks5Reply, socksCodeForFailure, socksReply, type SocksVersion } from './socks.js';
import type { ForwardSpec } from './spec.js';

/** A complete SOCKS request read from a client stream. */
export interface SocksRequest {
  version: SocksVersion;
  host: string;
  port: number;
}

/** Gives up on a SOCKS client that says nothing useful for this long. */
const HANDSHAKE_TIMEOUT_MS = 60_000;

/**
 * Reads a SOCKS request from `stream`, answering the SOCKS5 method negotiation on the way. Bytes the
 * client sent after its request are put back for the relay. Undefined (after a refusal reply, and
 * with the stream ended) when the client asked for something we do not do.
 */
export function readSocksRequest(stream: Duplex, log: Logger, label: string): Promise<SocksRequest | undefined> {
  return new Promise((resolve) => {
    const negotiation = new SocksNegotiation();
    const done = (request: SocksRequest | undefined): void => {
      clearTimeout(timer);
      stream.removeListener('data', onData);
      stream.removeListener('end', onEnd);
      stream.removeListener('close', onEnd);
      stream.pause();
      resolve(request);
    };
    const onEnd = (): void => done(undefined);
    const onData = (chunk: Buffer): void => {
      const step = negotiation.push(chunk);
      if (step.reply) stream.write(step.reply);
      if (step.kind === 'more') return;
      if (step.kind === 'refuse') {
        log.debug1(`${label}: ${step.reason}`);
        stream.end();
        return done(undefined);
      }
      log.debug2(`${label}: dynamic request: socks${step.version} host ${step.host} port ${step.port} command 1`);
      done({ version: step.version, host: step.host, port: step.port });
      if (step.rest.length > 0) stream.unshift(step.rest); // paused now: it waits for the relay
    };
    const timer = setTimeout(() => {
      log.debug1(`${label}: SOCKS handshake timed out`);
      stream.destroy();
      done(undefined);
    }, HANDSHAKE_TIMEOUT_MS);
    timer.unref();
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('close', onEnd);
    stream.resume();
  });
}

/** The SOCKS failure code for an SSH channel-open refusal (`channel N: open failed: <reason>: <text>`). */
export function socksCodeForOpenFailure(err: TsshError): number {
  const prohibited = err.message.includes('administratively prohibited');
  return socksCodeForFailure(prohibited ? 'prohibited' : 'connect', err.message);
}

/**
 * -D / DynamicForward: a local SOCKS4/4a/5 server; each CONNECT becomes a direct-tcpip channel, and the
 * client hears the outcome (granted, or the SOCKS code closest to the server's refusal).
 */
export async function startDynamicForward(spec: ForwardSpec, context: ForwardContext): Promise<ForwardListener | undefined> {
  const listenPort = spec.listen.kind === 'tcp' ? spec.listen.port : 0;
  return listenOn(spec.listen, context.listen, context.log, (socket) => {
    if (!closedWhileDisconnected(socket, context, listenPort)) void serveSocksClient(socket, listenPort, context);
  });
}

async function serveSocksClient(socket: net.Socket, listenPort: number, context: ForwardContext): Promise<void> {
  socket.on('error', () => socket.destroy());
  const request = await readSocksRequest(socket, context.log, `dynamic forward on port ${listenPort}`);
  if (request === undefined || socket.destroyed) return;
  const origin = originatorOf(socket);
  let channel: Channel;
  try {
    channel = await openDirect(context.connection, { kind: 'tcp', host: request.host, port: request.port }, origin);
  } catch (err) {
    const error = asTsshError(err);
    context.log.info(error.message);
    socket.end(socksReply(request.version, socksCodeForOpenFailure(error)));
    return;
  }
  socket.write(socksReply(request.version, Socks5Reply.SUCCEEDED));
  context.track(channel, `dynamic-tcpip: listening port ${listenPort} for ${request.host} port ${request.port}, connect from ${origin.address} port ${origin.port}`);
  await relay(socket, channel);
}
