/**
 * Fuzz target for the connection protocol: a Connection over a fake transport opens a session
 * channel, then receives a (mutated) sequence of server messages — open confirmation, data, extended
 * data, window adjusts, requests (exit-status, exit-signal, unknown), replies, EOF, CLOSE, server
 * channel opens and global requests. Each message is handled as the transport would hand it over:
 * the handler returns or throws a TsshError; the channel streams must not emit raw errors.
 */
import { TsshError } from '../../../src/errors.js';
import { Connection } from '../../../src/connection/connection.js';
import { Session } from '../../../src/connection/session.js';
import { Inbox } from '../../../src/auth/inbox.js';
import type { Transport } from '../../../src/transport/transport.js';
import { silentLogger } from '../../../src/log.js';
import { MSG } from '../../../src/wire/messages.js';
import { message, SshWriter } from '../../../src/wire/writer.js';
import { SshReader } from '../../../src/wire/reader.js';
import type { FuzzTarget } from '../engine.js';

const confirm = message(MSG.CHANNEL_OPEN_CONFIRMATION).uint32(0).uint32(5).uint32(1 << 20).uint32(32768).finish();
const data = (text: string): Buffer => message(MSG.CHANNEL_DATA).uint32(0).string(text).finish();
const extended = message(MSG.CHANNEL_EXTENDED_DATA).uint32(0).uint32(1).string('error output').finish();
const adjust = message(MSG.CHANNEL_WINDOW_ADJUST).uint32(0).uint32(65536).finish();
const exitStatus = message(MSG.CHANNEL_REQUEST).uint32(0).string('exit-status').boolean(false).uint32(3).finish();
const exitSignal = message(MSG.CHANNEL_REQUEST).uint32(0).string('exit-signal').boolean(false).string('TERM').boolean(true).string('killed').string('').finish();
const keepalive = message(MSG.CHANNEL_REQUEST).uint32(0).string('keepalive@openssh.com').boolean(true).finish();
const success = message(MSG.CHANNEL_SUCCESS).uint32(0).finish();
const eof = message(MSG.CHANNEL_EOF).uint32(0).finish();
const close = message(MSG.CHANNEL_CLOSE).uint32(0).finish();
const serverOpen = message(MSG.CHANNEL_OPEN).string('forwarded-tcpip').uint32(9).uint32(65536).uint32(32768).string('127.0.0.1').uint32(80).string('10.0.0.1').uint32(5555).finish();
const globalRequest = message(MSG.GLOBAL_REQUEST).string('hostkeys-00@openssh.com').boolean(true).string('blob').finish();
const requestFailure = message(MSG.REQUEST_FAILURE).finish();

function frames(messages: Buffer[]): Buffer {
  const w = new SshWriter();
  for (const m of messages) w.string(m);
  return w.finish();
}

export const channelMessages: FuzzTarget = {
  name: 'channel and connection messages',
  cost: 7,
  framed: { prefix: 0 },
  seeds: () => [
    frames([confirm, success, data('hello'), extended, adjust, exitStatus, eof, close]),
    frames([confirm, success, keepalive, data('x'.repeat(5000)), exitSignal, serverOpen, globalRequest, close]),
    frames([confirm, globalRequest, data('a'), data('b'), close, data('after close'), requestFailure]),
  ],
  async run(input: Buffer) {
    let handler: ((payload: Buffer) => unknown) | undefined;
    let end!: (err: TsshError) => void;
    const closed = new Promise<TsshError>((resolve) => (end = resolve));
    const fake = {
      setHandler: (h: (payload: Buffer) => unknown) => (handler = h),
      send: () => undefined,
      // Bulk channel data is written straight into the packet buffer; exercise the writer the same way.
      sendInPlace: (length: number, write: (packet: Buffer, offset: number) => void) => write(Buffer.alloc(length), 0),
      fail: () => undefined,
      congested: false,
      whenDrained: (callback: () => void) => callback(),
      closed,
      sessionId: Buffer.alloc(32, 1),
    };
    const connection = new Connection(fake as unknown as Transport, silentLogger, new Inbox());
    const opening = Session.open(connection, silentLogger);
    let session: Session | undefined;
    void opening.then((s) => (session = s), () => undefined);
    const raw: unknown[] = [];
    const r = new SshReader(input, 'fuzz frames');
    let started = false;
    try {
      while (r.remaining >= 4) {
        handler!(Buffer.from(r.string()));
        await new Promise((resolve) => setImmediate(resolve));
        if (session && !started) {
          // Once open, the session is used as tssh uses it: exec (want-reply), stdin, output drained.
          started = true;
          session.channel.on('error', (err) => raw.push(err));
          session.channel.stderr.on('error', (err) => raw.push(err));
          session.channel.resume();
          session.channel.stderr.resume();
          session.exec('fuzz').catch(() => undefined);
          session.channel.end(Buffer.from('input'));
          session.exit.catch(() => undefined);
        }
      }
    } finally {
      end(new TsshError('CONNECTION_CLOSED', 'Connection closed by fuzz port 22'));
      opening.catch(() => undefined);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const bad = raw.find((err) => !(err instanceof TsshError));
    if (bad) throw bad;
  },
};
