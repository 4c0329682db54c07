/**
 * Nothing a server sends reaches the terminal raw, and what is shown is what OpenSSH shows: for every
 * path where remote text is printed (log lines, the banner, keyboard-interactive texts and prompts),
 * tssh and OpenSSH's ssh run against the same hostile server and their stderr must be equal byte for
 * byte (ssh ends log lines with CR LF, tssh with LF outside raw mode: the only normalisation). Each case
 * names the ssh it matches: 9.2 (/usr/bin/ssh) and 10.x (test/support/openssh10.ts), or only 10.x where
 * they differ. The hostile text carries ESC sequences, C0 and C1 controls (raw 0x9b and U+009B), DEL,
 * valid and invalid UTF-8, unassigned and wide characters, a backslash and a printf directive.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isolatedEnv, makeTempDir, runClient, waitFor, TSSH_BIN } from '../support/run.js';
import { openssh10 } from '../support/openssh10.js';
import { startHostileServer, type HostilePeer, type HostileScript } from '../support/hostile-server.js';
import { MSG } from '../../src/wire/messages.js';
import { message } from '../../src/wire/writer.js';
import { hold, inSession } from './scenario.js';

export const HOSTILE = Buffer.concat([
  Buffer.from('A\x1b[31mred\x1b]0;title\x07B\x08C\rD\tE\x7fF\\G%sH', 'latin1'),
  Buffer.from([0x9b]),
  Buffer.from('I'),
  Buffer.from([0xc2, 0x9b]),
  Buffer.from('J\u00e9K\u65e5L\u200bM\u0378N\ue000O\u2028P', 'utf8'),
  Buffer.from([0xe2, 0x82]),
  Buffer.from('Q'),
  Buffer.from([0xff]),
  Buffer.from('R\x01\x1fS', 'latin1'),
]);

/** HOSTILE as ssh writes it in a log line: strnvis(VIS_SAFE | VIS_OCTAL), whatever the locale. */
const LOGGED = 'A\\033[31mred\\033]0;title\x07B\x08C\rD\tE\\177F\\\\G%sH\\233I\\302\\233J\\303\\251K\\346\\227\\245L\\342\\200\\213M\\315\\270N\\356\\200\\200O\\342\\200\\250P\\342\\202Q\\377R\\001\\037S';

const SSH92 = '/usr/bin/ssh';
const SSH10 = openssh10('ssh');

interface EscapeCase {
  name: string;
  script: HostileScript;
  flags?: string[];
  env?: NodeJS.ProcessEnv;
  /** Compare only the lines matching this (with -v, where the rest of the log differs anyway). */
  lines?: RegExp;
  /** The OpenSSH clients that print exactly what tssh must print. */
  matches: 'both' | '10.x';
  /** A line tssh's output must contain (pinned, in case OpenSSH ever changes). */
  contains?: string;
  /** Also compares what the clients passed to SSH_ASKPASS (keyboard-interactive prompts). */
  askpass?: boolean;
  status?: number;
}

/** Authentication that fails with `methods`, whatever is tried. */
function refuseWith(methods: Buffer): HostileScript {
  return async (peer) => {
    await acceptService(peer);
    for (;;) {
      await peer.wire.expect(MSG.USERAUTH_REQUEST);
      peer.wire.send(message(MSG.USERAUTH_FAILURE).string(methods).boolean(false).finish());
    }
  };
}

/** A KEXINIT whose client-to-server ciphers are `offer` (nothing a client supports). */
function offering(offer: Buffer): HostileScript {
  return async ({ wire }) => {
    wire.sendIdent();
    await wire.readIdent();
    const w = message(MSG.KEXINIT).raw(Buffer.alloc(16)).nameList(['curve25519-sha256']).nameList(['ssh-ed25519']);
    w.string(offer).string('aes128-ctr');
    for (const list of [['hmac-sha2-256'], ['hmac-sha2-256'], ['none'], ['none'], [], []]) w.nameList(list);
    wire.send(w.boolean(false).uint32(0).finish());
    await hold(wire);
  };
}

function disconnecting(text: Buffer): HostileScript {
  return async ({ wire }) => {
    wire.sendIdent();
    wire.send(message(MSG.DISCONNECT).uint32(2).string(text).string('').finish());
    wire.end();
    await hold(wire);
  };
}

/** Handshake and the ssh-userauth service. */
async function acceptService(peer: HostilePeer): Promise<void> {
  await peer.handshake();
  await peer.wire.expect(MSG.SERVICE_REQUEST);
  peer.wire.send(message(MSG.SERVICE_ACCEPT).string('ssh-userauth').finish());
}

/** Handshake and the ssh-userauth service, then `body` with the first USERAUTH_REQUEST answered by it. */
function duringAuth(body: (peer: HostilePeer) => Promise<void>): HostileScript {
  return async (peer) => {
    await acceptService(peer);
    await peer.wire.expect(MSG.USERAUTH_REQUEST);
    await body(peer);
  };
}

/** A keyboard-interactive round with hostile name, instruction and prompt, then failure. */
const keyboardInteractive: HostileScript = async (peer) => {
  await acceptService(peer);
  const { wire } = peer;
  const failure = message(MSG.USERAUTH_FAILURE).string('keyboard-interactive').boolean(false).finish();
  let asked = false;
  for (;;) {
    const r = await wire.expect();
    if (r.payload[0] === MSG.USERAUTH_INFO_RESPONSE) {
      wire.send(failure);
    } else if (!asked && r.payload.includes(Buffer.from('keyboard-interactive'))) {
      asked = true;
      const text = (label: string): Buffer => Buffer.concat([Buffer.from(label), HOSTILE]);
      wire.send(message(MSG.USERAUTH_60).string(text('NAME:')).string(text('INSTRUCTION:')).string('').uint32(1).string(text('PROMPT:')).boolean(false).finish());
    } else {
      wire.send(failure);
    }
  }
};

/** A password change request with a hostile text, then failure. */
const passwordChange: HostileScript = async (peer) => {
  await acceptService(peer);
  const { wire } = peer;
  const failure = message(MSG.USERAUTH_FAILURE).string('password').boolean(false).finish();
  let asked = false;
  for (;;) {
    const r = await wire.expect(MSG.USERAUTH_REQUEST);
    if (!asked && r.payload.includes(Buffer.from('password'))) {
      asked = true;
      wire.send(message(MSG.USERAUTH_60).string(Buffer.concat([Buffer.from('CHANGE:'), HOSTILE])).string('').finish());
    } else {
      wire.send(failure);
    }
  }
};

/** A session opened with -R for a Unix socket, then opens for paths and ports nobody forwarded. */
const unknownForwards: HostileScript = async (peer) => {
  const conn = await peer.handshake();
  await conn.authenticate();
  let forwarded = false;
  let channel;
  while (!channel || !forwarded) {
    const r = await peer.wire.expect();
    if (r.payload[0] === MSG.GLOBAL_REQUEST) {
      forwarded = true;
      peer.wire.send(message(MSG.REQUEST_SUCCESS).finish());
    } else {
      await conn.dispatch(r);
    }
    channel = [...conn.channels.values()].find((c) => c.command !== undefined);
  }
  conn.serveInBackground();
  const path = Buffer.concat([Buffer.from('/tmp/'), HOSTILE, Buffer.alloc(200, 'p')]);
  peer.wire.send(message(MSG.CHANNEL_OPEN).string('forwarded-streamlocal@openssh.com').uint32(77).uint32(65536).uint32(16384).string(path).string('').finish());
  peer.wire.send(message(MSG.CHANNEL_OPEN).string('forwarded-tcpip').uint32(78).uint32(65536).uint32(16384).string(HOSTILE).uint32(4242).string(HOSTILE).uint32(5).finish());
  await waitFor(() => (conn.counts.get(MSG.CHANNEL_OPEN_FAILURE) ?? 0) >= 2, 10_000, 'both opens refused');
  await channel.finish('', 0);
};

const UTF8 = { LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' };
const ASCII = { LANG: 'C', LC_ALL: 'C' };
const longText = Buffer.concat([HOSTILE, Buffer.alloc(2000, 'z')]);

const CASES: EscapeCase[] = [
  {
    name: 'the offer in a failed negotiation',
    script: offering(HOSTILE),
    matches: 'both',
    contains: `no matching cipher found. Their offer: ${LOGGED}`,
  },
  {
    // 200 KB in one name-list: ssh's 1024-byte log buffer cuts it (1021 bytes, splitting an escape).
    name: 'a 200 KB offer in a failed negotiation',
    script: offering(Buffer.concat([Buffer.alloc(929, 'q'), Buffer.alloc(200 * 1024, 0x1b)])),
    matches: 'both',
  },
  { name: 'the method list in Permission denied', script: refuseWith(HOSTILE), matches: 'both', contains: `hostile@127.0.0.1: Permission denied (${LOGGED}).` },
  { name: 'a long method list in Permission denied', script: refuseWith(Buffer.concat([Buffer.alloc(960, 'w'), longText])), matches: 'both' },
  { name: 'the text of a DISCONNECT', script: disconnecting(HOSTILE), matches: 'both', contains: `Received disconnect from 127.0.0.1 port <P>:2: ${LOGGED}` },
  { name: 'a DISCONNECT text over 400 bytes', script: disconnecting(longText), matches: 'both' },
  {
    name: 'SSH_MSG_DEBUG texts (-v), one cut at 900 bytes',
    flags: ['-v'],
    lines: /^debug1: Remote: /,
    script: inSession(async (wire, channel) => {
      wire.send(message(MSG.DEBUG).boolean(true).string(HOSTILE).string('').finish());
      wire.send(message(MSG.DEBUG).boolean(false).string(Buffer.concat([Buffer.alloc(890, 'x'), HOSTILE])).string('').finish());
      await channel.finish('', 0);
    }),
    matches: 'both',
    status: 0,
    contains: `debug1: Remote: ${LOGGED}`,
  },
  {
    name: 'lines before the version and the software version (-v)',
    flags: ['-v'],
    lines: /banner line|remote software version/,
    script: async (peer) => {
      peer.wire.writeRaw(Buffer.concat([HOSTILE.filter((b) => b !== 0x0d), Buffer.from('\r\n'), Buffer.alloc(1100, 'y'), Buffer.from('\r\n')]));
      peer.wire.sendIdent(`SSH-2.0-OpenSSH_9.2p1 \x1b[31mevil${'v'.repeat(120)}`);
      const conn = await peer.handshake();
      await conn.authenticate();
      const channel = await conn.acceptSession();
      conn.serveInBackground();
      await channel.finish('', 0);
    },
    matches: 'both',
    status: 0,
  },
  {
    name: 'a path nobody forwarded (cut at 100 bytes) and a port nobody forwarded',
    flags: ['-R', '/tmp/tssh-escapes-remote.sock:/tmp/tssh-escapes-local.sock'],
    script: unknownForwards,
    matches: 'both',
    status: 0,
  },
  {
    name: 'an exit-signal and an unknown channel request (-v)',
    flags: ['-v'],
    lines: /client_input_channel_req/,
    script: inSession(async (wire, channel) => {
      wire.send(message(MSG.CHANNEL_REQUEST).uint32(channel.clientId).string('exit-signal').boolean(false).string(HOSTILE).boolean(true).string(HOSTILE).string('').finish());
      wire.send(message(MSG.CHANNEL_REQUEST).uint32(channel.clientId).string(HOSTILE).boolean(false).finish());
      channel.eof();
      channel.close();
      await hold(wire);
    }),
    matches: 'both',
    contains: `debug1: client_input_channel_req: channel 0 rtype ${LOGGED} reply 0`,
  },
  {
    name: 'an exit-signal prints nothing',
    script: inSession(async (wire, channel) => {
      wire.send(message(MSG.CHANNEL_REQUEST).uint32(channel.clientId).string('exit-signal').boolean(false).string(HOSTILE).boolean(true).string(HOSTILE).string('').finish());
      channel.eof();
      channel.close();
      await hold(wire);
    }),
    matches: 'both',
  },
  ...[['UTF-8', UTF8], ['C', ASCII]].flatMap(([label, env]): EscapeCase[] => [
    {
      name: `the USERAUTH_BANNER in a ${label} locale`,
      env: env as NodeJS.ProcessEnv,
      script: duringAuth(async ({ wire }) => {
        wire.send(message(MSG.USERAUTH_BANNER).string(Buffer.concat([HOSTILE, Buffer.from('\r\nline 2\n')])).string('').finish());
        wire.send(message(MSG.USERAUTH_FAILURE).string('none').boolean(false).finish());
        await hold(wire);
      }),
      matches: 'both',
    },
    {
      // ssh 9.2 logs name and instruction (log rules); 10.3 prints them as the banner (fmprintf).
      name: `keyboard-interactive name, instruction and prompt in a ${label} locale`,
      env: env as NodeJS.ProcessEnv,
      flags: ['-o', 'BatchMode=no', '-o', 'PreferredAuthentications=keyboard-interactive', '-o', 'NumberOfPasswordPrompts=1'],
      script: keyboardInteractive,
      askpass: true,
      matches: '10.x',
    },
    {
      // As for keyboard-interactive: 9.2 logs the text, 10.3 prints it as the banner.
      name: `a password change request's text in a ${label} locale`,
      env: env as NodeJS.ProcessEnv,
      flags: ['-o', 'BatchMode=no', '-o', 'PreferredAuthentications=password', '-o', 'NumberOfPasswordPrompts=1'],
      script: passwordChange,
      askpass: true,
      matches: '10.x',
    },
  ]),
];

/** stderr with ssh's CR LF line ends as LF, `<P>` for the port. */
function normalised(bytes: Buffer, port: number): string {
  return bytes.toString('latin1').replace(/\r\n/g, '\n').replaceAll(`port ${port}`, 'port <P>');
}

interface Seen {
  stderr: string;
  code: number | null;
  askpass: string;
}

async function observe(bin: string, c: EscapeCase): Promise<Seen> {
  const server = await startHostileServer(c.script);
  const home = makeTempDir('tssh-escapes-');
  try {
    const askpassLog = path.join(home, 'askpass.log');
    const askpass = path.join(home, 'askpass');
    writeFileSync(askpass, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${askpassLog}'\necho answer\n`);
    chmodSync(askpass, 0o700);
    writeFileSync(askpassLog, '');
    // isolatedEnv drops SSH_ASKPASS, so the test's own goes in after it.
    const env = { ...isolatedEnv(home), ...c.env, SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: 'force' };
    // The case's flags come first, and the first value of an option wins (BatchMode=no over the server's yes).
    const r = await runClient(bin, [...(c.flags ?? []), ...server.clientArgs(), 'cmd'], { env, timeoutMs: 20_000 });
    let stderr = normalised(r.stderrBytes, server.port);
    if (c.lines) stderr = stderr.split('\n').filter((line) => c.lines!.test(line)).join('\n');
    return { stderr, code: r.code, askpass: readFileSync(askpassLog, 'latin1') };
  } finally {
    await server.stop();
    rmSync(home, { recursive: true, force: true });
  }
}

describe('remote text reaches the terminal as ssh shows it', { concurrency: 4 }, () => {
  for (const c of CASES) {
    test(c.name, async () => {
      const tssh = await observe(TSSH_BIN, c);
      assert.equal(tssh.code, c.status ?? 255, tssh.stderr);
      // Never raw: no ESC, no 8-bit CSI (byte or character), no invalid UTF-8.
      assert.doesNotMatch(tssh.stderr + tssh.askpass, /[\x1b\x9b]/, 'a raw escape sequence reached the terminal');
      if (c.contains !== undefined) assert.ok(tssh.stderr.includes(c.contains), `expected ${JSON.stringify(c.contains)} in ${JSON.stringify(tssh.stderr)}`);
      const references = c.matches === 'both' ? [SSH92, SSH10] : [SSH10];
      for (const bin of references) {
        const ssh = await observe(bin, c);
        assert.equal(tssh.stderr, ssh.stderr, `stderr differs from ${bin}`);
        assert.equal(tssh.code, ssh.code, `exit status differs from ${bin}`);
        if (c.askpass) {
          assert.notEqual(ssh.askpass, '', `${bin} asked nothing`);
          assert.equal(tssh.askpass, ssh.askpass, `SSH_ASKPASS prompts differ from ${bin}`);
        }
      }
    });
  }
});
