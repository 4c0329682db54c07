/**
 * Messages allowed in one phase only, sent in another: each is ignored or fatal exactly as OpenSSH's
 * client treats it (src/transport/message-order.ts), shown by running tssh and ssh 9.2 and 10.3
 * against the same hostile server and comparing exit status, stdout and stderr (ext-info.test.ts
 * shows that what such an EXT_INFO says is never used).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runClient, TSSH_BIN } from '../support/run.js';
import { startHostileServer, type HostilePeer, type HostileScript, type KexHooks, type ServerConnection, type ServerWire } from '../support/hostile-server.js';
import { serverKex } from '../support/hostile/kex.js';
import { MSG } from '../../src/wire/messages.js';
import { SshReader } from '../../src/wire/reader.js';
import { message } from '../../src/wire/writer.js';
import { extInfo, NOT_STRICT, OFFERS_EXT_INFO_IN_AUTH, SSH10, SSH92, tolerant } from './ordering-support.js';

const INJECT: Record<string, () => Buffer> = {
  'EXT_INFO': () => extInfo(),
  'SERVICE_ACCEPT': () => message(MSG.SERVICE_ACCEPT).string('ssh-userauth').finish(),
  'SERVICE_REQUEST': () => message(MSG.SERVICE_REQUEST).string('ssh-userauth').finish(),
  'USERAUTH_SUCCESS': () => message(MSG.USERAUTH_SUCCESS).finish(),
  'USERAUTH_FAILURE': () => message(MSG.USERAUTH_FAILURE).string('publickey').boolean(false).finish(),
  'USERAUTH_BANNER': () => message(MSG.USERAUTH_BANNER).string('BANNER\n').string('').finish(),
  'USERAUTH_INFO_REQUEST': () => message(MSG.USERAUTH_60).string('').string('').string('').uint32(0).finish(),
  'CHANNEL_DATA': () => message(MSG.CHANNEL_DATA).uint32(0).string('x').finish(),
  'GLOBAL_REQUEST': () => message(MSG.GLOBAL_REQUEST).string('keepalive@openssh.com').boolean(true).finish(),
  'KEX_ECDH_REPLY': () => message(31).string('stray').finish(),
  'message 49': () => message(49).finish(),
};

interface Steps {
  hooks?: KexHooks;
  /** After the first key exchange, once SERVICE_REQUEST arrived. */
  service?(wire: ServerWire, conn: ServerConnection, peer: HostilePeer): Promise<void> | void;
  /** After SERVICE_ACCEPT, once the first USERAUTH_REQUEST arrived. */
  auth?(wire: ServerWire, conn: ServerConnection, peer: HostilePeer): Promise<void> | void;
  /** Right after USERAUTH_SUCCESS. */
  authenticated?(wire: ServerWire): void;
  /** After USERAUTH_SUCCESS, once the session asked for its command. */
  session?(wire: ServerWire, conn: ServerConnection, peer: HostilePeer): Promise<void> | void;
}

/** A whole connection (any request succeeds) with faults at the steps given; the command prints "ok". */
function connection(steps: Steps): HostileScript {
  return async (peer) => {
    const conn = await peer.handshake(steps.hooks);
    const expect = tolerant(peer.wire);
    await expect(MSG.SERVICE_REQUEST);
    await steps.service?.(peer.wire, conn, peer);
    peer.wire.send(message(MSG.SERVICE_ACCEPT).string('ssh-userauth').finish());
    await expect(MSG.USERAUTH_REQUEST);
    await steps.auth?.(peer.wire, conn, peer);
    peer.wire.send(message(MSG.USERAUTH_SUCCESS).finish());
    steps.authenticated?.(peer.wire);
    const channel = await conn.acceptSession();
    await steps.session?.(peer.wire, conn, peer);
    conn.serveInBackground();
    await channel.finish('ok\n', 0);
  };
}

const send = (name: string) => (wire: ServerWire): void => wire.send(INJECT[name]!());
/** A key re-exchange the server starts (faults may go in before its NEWKEYS). */
const serverRekey = (hooks: KexHooks = {}) => async (wire: ServerWire, conn: ServerConnection, peer: HostilePeer): Promise<void> => {
  await serverKex(wire, peer.hostKey, hooks, { sessionId: conn.kex.sessionId, strictKex: conn.kex.strictKex });
};

interface OrderCase {
  name: string;
  script: HostileScript;
  /** 10.x: ssh 9.2 differs and 10.3 is followed. */
  matches: 'both' | '10.x';
  /** What tssh must print (pinned; <P> is the port). */
  stderr: string;
  ok: boolean;
}

const fatalInAuth = (type: number): string => `input_userauth_error: bad message during authentication: type ${type}\n`;

const CASES: OrderCase[] = [
  // ---- during the first key exchange, without strict KEX ----
  ...(['EXT_INFO', 'SERVICE_ACCEPT', 'KEX_ECDH_REPLY'] as const).map((name): OrderCase => ({
    name: `${name} in the first key exchange is ignored`,
    script: connection({ hooks: { ...NOT_STRICT, beforeNewKeys: send(name) } }),
    matches: 'both',
    stderr: `kex_protocol_error: type ${INJECT[name]!()[0]} seq 2\n`,
    ok: true,
  })),
  ...(['USERAUTH_SUCCESS', 'CHANNEL_DATA'] as const).map((name): OrderCase => ({
    name: `${name} in the first key exchange has no handler`,
    script: connection({ hooks: { ...NOT_STRICT, beforeNewKeys: send(name) } }),
    matches: 'both',
    stderr: 'Disconnected from 127.0.0.1 port <P>\n',
    ok: false,
  })),
  // ---- after NEWKEYS, before SERVICE_ACCEPT ----
  { name: 'EXT_INFO right after NEWKEYS is taken', script: connection({ hooks: { afterNewKeys: send('EXT_INFO') } }), matches: 'both', stderr: '', ok: true },
  {
    name: 'a second EXT_INFO before SERVICE_ACCEPT is ignored',
    script: connection({ hooks: { afterNewKeys: send('EXT_INFO') }, service: send('EXT_INFO') }),
    matches: 'both',
    stderr: 'kex_protocol_error: type 7 seq 1\n',
    ok: true,
  },
  ...(['USERAUTH_SUCCESS', 'CHANNEL_DATA', 'SERVICE_REQUEST', 'message 49'] as const).map((name): OrderCase => ({
    name: `${name} before SERVICE_ACCEPT is fatal`,
    script: connection({ hooks: { afterNewKeys: send(name) } }),
    matches: 'both',
    stderr: fatalInAuth(INJECT[name]!()[0]!),
    ok: false,
  })),
  { name: 'a key re-exchange before SERVICE_ACCEPT is fatal', script: connection({ service: serverRekey() }), matches: 'both', stderr: fatalInAuth(20), ok: false },
  // ---- during authentication ----
  { name: 'EXT_INFO during authentication is fatal without ext-info-s', script: connection({ auth: send('EXT_INFO') }), matches: 'both', stderr: fatalInAuth(7), ok: false },
  {
    name: 'EXT_INFO during authentication is taken when the server offered ext-info-s (10.x)',
    script: connection({ hooks: { ...OFFERS_EXT_INFO_IN_AUTH, afterNewKeys: send('EXT_INFO') }, auth: send('EXT_INFO') }),
    matches: '10.x',
    stderr: '',
    ok: true,
  },
  { name: 'a second SERVICE_ACCEPT during authentication is ignored', script: connection({ auth: send('SERVICE_ACCEPT') }), matches: 'both', stderr: '', ok: true },
  {
    name: 'a second USERAUTH_SUCCESS is a protocol error, ignored',
    script: connection({ auth: send('USERAUTH_SUCCESS') }),
    matches: 'both',
    stderr: 'dispatch_protocol_error: type 52 seq <N>\n',
    ok: true,
  },
  ...(['SERVICE_REQUEST', 'GLOBAL_REQUEST', 'message 49'] as const).map((name): OrderCase => ({
    name: `${name} during authentication is fatal`,
    script: connection({ auth: send(name) }),
    matches: 'both',
    stderr: fatalInAuth(INJECT[name]!()[0]!),
    ok: false,
  })),
  { name: 'a key re-exchange during authentication is fatal', script: connection({ auth: serverRekey() }), matches: 'both', stderr: fatalInAuth(20), ok: false },
  // ---- once authenticated ----
  ...(['USERAUTH_BANNER', 'SERVICE_ACCEPT'] as const).map((name): OrderCase => ({
    name: `${name} right after USERAUTH_SUCCESS is a protocol error, ignored`,
    script: connection({ authenticated: send(name) }),
    matches: 'both',
    stderr: `dispatch_protocol_error: type ${INJECT[name]!()[0]} seq <N>\n`,
    ok: true,
  })),
  ...(['EXT_INFO', 'SERVICE_ACCEPT', 'USERAUTH_FAILURE', 'USERAUTH_BANNER', 'USERAUTH_INFO_REQUEST', 'KEX_ECDH_REPLY'] as const).map((name): OrderCase => ({
    name: `${name} in the session is a protocol error, ignored`,
    script: connection({ session: send(name) }),
    matches: 'both',
    stderr: `dispatch_protocol_error: type ${INJECT[name]!()[0]} seq <N>\n`,
    ok: true,
  })),
  {
    name: 'data for a channel still being opened is dropped',
    script: async (peer) => {
      const conn = await peer.handshake();
      await conn.authenticate();
      const open = await tolerant(peer.wire)(MSG.CHANNEL_OPEN);
      const clientId = new SshReader(open.payload.subarray(1)).text() === 'session' ? open.payload.readUInt32BE(12) : -1;
      peer.wire.send(message(MSG.CHANNEL_DATA).uint32(clientId).string('before the confirmation\n').finish());
      await conn.dispatch(open);
      const channel = await conn.acceptSession();
      conn.serveInBackground();
      await channel.finish('ok\n', 0);
    },
    matches: 'both',
    stderr: '',
    ok: true,
  },
  {
    name: 'transport messages in and after a key re-exchange are kex protocol errors, ignored',
    script: connection({
      session: async (wire, conn, peer) => {
        await serverRekey({ beforeNewKeys: (w) => [send('EXT_INFO'), send('SERVICE_ACCEPT'), send('GLOBAL_REQUEST')].forEach((f) => f(w)) })(wire, conn, peer);
        send('KEX_ECDH_REPLY')(wire);
        send('EXT_INFO')(wire);
      },
    }),
    matches: 'both',
    stderr: 'kex_protocol_error: type 7 seq <N>\nkex_protocol_error: type 6 seq <N>\nkex_protocol_error: type 31 seq <N>\nkex_protocol_error: type 7 seq <N>\n',
    ok: true,
  },
];

async function observe(bin: string, script: HostileScript, flags: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const server = await startHostileServer(script);
  try {
    // stdin stays open: a client that saw its input end would send EOF in the middle of a script's rekey.
    const r = await runClient(bin, [...flags, ...server.clientArgs(), 'cmd'], { timeoutMs: 20_000, keepStdinOpen: true });
    const stderr = r.stderrBytes.toString('latin1').replace(/\r\n/g, '\n').replaceAll(`port ${server.port}`, 'port <P>');
    return { code: r.code, stdout: r.stdout.toString('latin1'), stderr };
  } finally {
    await server.stop();
  }
}

describe('message order', { concurrency: 4 }, () => {
  for (const c of CASES) {
    test(c.name, async () => {
      const tssh = await observe(TSSH_BIN, c.script);
      const pinned = new RegExp(`^${c.stderr.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/<N>/g, '\\d+')}$`);
      assert.match(tssh.stderr, pinned);
      assert.deepEqual([tssh.code, tssh.stdout], c.ok ? [0, 'ok\n'] : [255, ''], tssh.stderr);
      for (const bin of c.matches === 'both' ? [SSH92, SSH10] : [SSH10]) {
        const ssh = await observe(bin, c.script);
        assert.deepEqual(tssh, ssh, `differs from ${bin}`);
      }
    });
  }
});
