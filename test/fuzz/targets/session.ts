/**
 * Fuzz target for everything after key exchange, through the whole client: SshClient runs over an
 * in-memory stream against a real server Transport. Once the handshake is done, the input's messages
 * are sent by that server, encrypted under the session keys, so each reaches the client's packet
 * codec, its post-NEWKEYS dispatch (IGNORE, DEBUG, UNIMPLEMENTED, EXT_INFO, DISCONNECT, stray KEX
 * messages), user authentication (FAILURE lists, banners, PK_OK, INFO_REQUEST, password change,
 * SUCCESS) and then the connection layer (global requests, a session channel's messages, server-opened
 * channels). An empty message is no message but a command: the server starts a genuine rekey there.
 * The client must end in success or a TsshError; its streams must not emit any other error. The seeds
 * keep OpenSSH's message order (message-order.ts): EXT_INFO before SERVICE_ACCEPT, no rekey before
 * USERAUTH_SUCCESS, so they get to the end of a session and their mutations explore from there.
 */
import type { Duplex } from 'node:stream';
import { TsshError } from '../../../src/errors.js';
import { SshClient, type ClientOptions } from '../../../src/client.js';
import { Transport } from '../../../src/transport/transport.js';
import { encodeKexInit } from '../../../src/transport/kexinit.js';
import type { AlgorithmPreferences } from '../../../src/transport/key-exchange.js';
import { generateHostKeySigner } from '../../../src/crypto/keys/index.js';
import { silentLogger } from '../../../src/log.js';
import { MSG } from '../../../src/wire/messages.js';
import { message, SshWriter } from '../../../src/wire/writer.js';
import { SshReader } from '../../../src/wire/reader.js';
import { memoryPair } from '../../support/memory-pair.js';
import type { FuzzTarget } from '../engine.js';
import { FUZZ_AUTH, userKey } from './auth.js';

/** The cheapest handshake node:crypto offers, so inputs are spent on the messages after it. */
const PREFERENCES: AlgorithmPreferences = {
  kex: ['curve25519-sha256'],
  hostKey: ['ssh-ed25519'],
  ciphers: ['aes128-gcm@openssh.com'],
  macs: ['hmac-sha2-256'],
  compression: ['none'],
};
const hostKey = generateHostKeySigner('ssh-ed25519');
/** Event-loop turns between two server messages: the client's reply to one can go out before the next. */
const TURNS_PER_MESSAGE = 3;
/** After the server has gone, the client settles without I/O or timers: bounded by turns, not time. */
const SETTLE_TURNS = 400;

const REKEY = Buffer.alloc(0);
const ACCEPT = message(MSG.SERVICE_ACCEPT).string('ssh-userauth').finish();
const extInfo = message(MSG.EXT_INFO).uint32(2).string('server-sig-algs').string('ssh-ed25519,rsa-sha2-512').string('publickey-hostbound@openssh.com').string('0').finish();
const failure = (methods: string, partial = false): Buffer => message(MSG.USERAUTH_FAILURE).string(methods).boolean(partial).finish();
const SUCCESS = message(MSG.USERAUTH_SUCCESS).finish();
const banner = message(MSG.USERAUTH_BANNER).string('Welcome\r\n').string('en').finish();
const pkOk = message(MSG.USERAUTH_60).string('ssh-ed25519').string(userKey.publicBlob).finish();
const infoRequest = message(MSG.USERAUTH_60).string('name').string('instruction').string('').uint32(2).string('Password: ').boolean(false).string('Code: ').boolean(true).finish();
const changeRequest = message(MSG.USERAUTH_60).string('Password expired').string('').finish();
const ignore = message(MSG.IGNORE).string('padding').finish();
const debug = message(MSG.DEBUG).boolean(true).string('remote debug text').string('').finish();
const unimplemented = message(MSG.UNIMPLEMENTED).uint32(3).finish();
const globalRequest = message(MSG.GLOBAL_REQUEST).string('hostkeys-00@openssh.com').boolean(true).string(hostKey.publicBlob).finish();
const keepalive = message(MSG.GLOBAL_REQUEST).string('keepalive@openssh.com').boolean(true).finish();
const requestSuccess = message(MSG.REQUEST_SUCCESS).uint32(4711).finish();
const requestFailure = message(MSG.REQUEST_FAILURE).finish();
const confirm = message(MSG.CHANNEL_OPEN_CONFIRMATION).uint32(0).uint32(5).uint32(1 << 20).uint32(32768).finish();
const openFailure = message(MSG.CHANNEL_OPEN_FAILURE).uint32(0).uint32(2).string('connect failed').string('').finish();
const channelSuccess = message(MSG.CHANNEL_SUCCESS).uint32(0).finish();
const channelFailure = message(MSG.CHANNEL_FAILURE).uint32(0).finish();
const data = message(MSG.CHANNEL_DATA).uint32(0).string('hello').finish();
const extended = message(MSG.CHANNEL_EXTENDED_DATA).uint32(0).uint32(1).string('error output').finish();
const adjust = message(MSG.CHANNEL_WINDOW_ADJUST).uint32(0).uint32(65536).finish();
const exitStatus = message(MSG.CHANNEL_REQUEST).uint32(0).string('exit-status').boolean(false).uint32(3).finish();
const exitSignal = message(MSG.CHANNEL_REQUEST).uint32(0).string('exit-signal').boolean(false).string('TERM').boolean(true).string('killed').string('').finish();
const channelKeepalive = message(MSG.CHANNEL_REQUEST).uint32(0).string('keepalive@openssh.com').boolean(true).finish();
const eof = message(MSG.CHANNEL_EOF).uint32(0).finish();
const close = message(MSG.CHANNEL_CLOSE).uint32(0).finish();
const forwardedOpen = message(MSG.CHANNEL_OPEN).string('forwarded-tcpip').uint32(9).uint32(65536).uint32(32768).string('127.0.0.1').uint32(80).string('10.0.0.1').uint32(5555).finish();
const x11Open = message(MSG.CHANNEL_OPEN).string('x11').uint32(10).uint32(65536).uint32(32768).string('127.0.0.1').uint32(6010).finish();
const agentOpen = message(MSG.CHANNEL_OPEN).string('auth-agent@openssh.com').uint32(11).uint32(65536).uint32(32768).finish();
/** A KEXINIT sent as a plain message (not the server's own rekey): its mutations reach parseKexInit mid-session. */
const rawKexinit = encodeKexInit({
  kex: [...PREFERENCES.kex, 'kex-strict-s-v00@openssh.com'],
  hostKey: PREFERENCES.hostKey,
  cipherCtoS: PREFERENCES.ciphers,
  cipherStoC: PREFERENCES.ciphers,
  macCtoS: PREFERENCES.macs,
  macStoC: PREFERENCES.macs,
  compressionCtoS: ['none'],
  compressionStoC: ['none'],
  languageCtoS: [],
  languageStoC: [],
});
const disconnect = message(MSG.DISCONNECT).uint32(11).string('bye').string('').finish();
// Regressions: inputs the fuzzer found, kept so every run tries them first.
/** A CHANNEL_OPEN_CONFIRMATION cut short once left Session.open pending for ever (the open was forgotten before the parse failed). */
const truncatedConfirm = confirm.subarray(0, confirm.length - 1);
/** The same for a CHANNEL_OPEN_FAILURE without its description. */
const truncatedOpenFailure = openFailure.subarray(0, 9);

function frames(messages: Buffer[]): Buffer {
  const w = new SshWriter();
  for (const m of messages) w.string(m);
  return w.finish();
}

function clientOptions(): ClientOptions {
  return {
    host: 'fuzz',
    port: 22,
    user: 'fuzz',
    preferences: PREFERENCES,
    verifyHostKey: async () => undefined,
    onGlobalRequest: () => false,
    auth: FUZZ_AUTH,
    log: silentLogger,
  };
}

async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Bounded by turns: whether `promise` settled within them. */
async function settlesWithin(promise: Promise<unknown>, n: number): Promise<boolean> {
  let settled = false;
  promise.then(() => (settled = true), () => (settled = true));
  for (let turn = 0; turn < n && !settled; turn++) await turns(1);
  return settled;
}

/** How deep the inputs got (the test suite checks that the seeds reach a session's end). */
export const reached = { authenticated: 0, sessionsEnded: 0 };

/** Uses the client as tssh does once it is connected: one exec session, stdin sent, output drained. */
function useClient(client: SshClient, raw: unknown[]): Promise<unknown> {
  reached.authenticated++;
  return client.exec('fuzz').then((session) => {
    session.channel.on('error', (err) => raw.push(err));
    session.channel.stderr.on('error', (err) => raw.push(err));
    session.channel.resume();
    session.channel.stderr.resume();
    session.channel.end(Buffer.from('input'));
    return session.exit.then((exit) => {
      reached.sessionsEnded++;
      return exit;
    });
  });
}

export const sessionStream: FuzzTarget = {
  name: 'post-NEWKEYS stream through SshClient (auth, connection, rekey)',
  cost: 200,
  framed: { prefix: 0 },
  seeds: () => [
    frames([extInfo, ACCEPT, banner, failure('publickey,password'), pkOk, SUCCESS, globalRequest, confirm, channelSuccess, data, extended, adjust, exitStatus, eof, close]),
    frames([ignore, ACCEPT, debug, failure('keyboard-interactive'), infoRequest, SUCCESS, REKEY, keepalive, confirm, channelKeepalive, channelSuccess, REKEY, data, exitSignal, forwardedOpen, x11Open, agentOpen, close]),
    frames([ACCEPT, failure('password'), changeRequest, failure('password', true), unimplemented, SUCCESS, requestSuccess, requestFailure, openFailure, disconnect]),
    frames([ACCEPT, SUCCESS, confirm, channelFailure, data, REKEY, data, eof, exitStatus, close, disconnect]),
    frames([ACCEPT, SUCCESS, confirm, data, rawKexinit, data, exitStatus, close]),
    frames([ACCEPT, SUCCESS, truncatedConfirm, channelFailure, data]),
    frames([ACCEPT, SUCCESS, truncatedOpenFailure, data]),
  ],
  async run(input: Buffer) {
    const [clientStream, serverStream] = memoryPair();
    const server = new Transport(serverStream, {
      role: 'server',
      preferences: PREFERENCES,
      peer: { host: 'fuzz', port: 22 },
      log: silentLogger,
      hostKeys: new Map([['ssh-ed25519', hostKey]]),
    });
    server.setHandler(() => true); // the script speaks; what the client sends is accepted unread
    server.start();
    const raw: unknown[] = [];
    let used: Promise<unknown> | undefined;
    const connecting = SshClient.overStream(clientStream, clientOptions()).then((client) => {
      used = useClient(client, raw);
      used.catch(() => undefined);
      return client;
    });
    connecting.catch(() => undefined);
    try {
      await server.ready;
      const r = new SshReader(input, 'fuzz frames');
      while (r.remaining >= 4 && !server.isClosed) {
        const payload = Buffer.from(r.string());
        if (payload.length === 0) server.startRekey('fuzz');
        else server.send(payload);
        await turns(TURNS_PER_MESSAGE);
      }
    } finally {
      // The server goes away: whatever the client was doing must end.
      (serverStream as Duplex).destroy();
    }
    if (!(await settlesWithin(connecting, SETTLE_TURNS))) throw new Error('the client did not end after the server went away');
    if (used && !(await settlesWithin(used, SETTLE_TURNS))) throw new Error('the session did not end after the server went away');
    const client = await connecting.catch((err: unknown) => {
      if (err instanceof TsshError) return undefined;
      throw err;
    });
    if (client && !(await settlesWithin(client.closed, SETTLE_TURNS))) throw new Error('the transport did not close after the server went away');
    if (used) await used.catch((err: unknown) => { if (!(err instanceof TsshError)) throw err; });
    const bad = raw.find((err) => !(err instanceof TsshError));
    if (bad) throw bad;
  },
};
