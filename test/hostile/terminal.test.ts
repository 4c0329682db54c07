/**
 * Every error path gives the terminal back: tssh runs with a pseudo-terminal (-t) in a real local
 * terminal (node-pty), the hostile server breaks the session while the terminal is raw, and the local
 * terminal settings afterwards must be exactly those from before, with OpenSSH's message shown.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PtyShell, shellQuote, LOCAL_PROMPT } from '../support/pty.js';
import { TSSH_BIN, waitFor } from '../support/run.js';
import { startHostileServer, type ServerChannel, type ServerWire } from '../support/hostile-server.js';
import { MSG } from '../../src/wire/messages.js';
import { message } from '../../src/wire/writer.js';
import { disconnectPayload, flipNextPacket, hold } from './scenario.js';

interface Fault {
  name: string;
  flags?: string[];
  /** Breaks the session; runs once the user typed something in the raw terminal. */
  strike(wire: ServerWire, channel: ServerChannel): Promise<void>;
  /** What the terminal must show. */
  shows: RegExp;
}

const FAULTS: Fault[] = [
  {
    name: 'a corrupted packet',
    strike: async (wire, channel) => {
      flipNextPacket(wire);
      await channel.write(Buffer.from('corrupted on the way\r\n'));
    },
    shows: /ssh_dispatch_run_fatal: Connection to 127\.0\.0\.1 port \d+: message authentication code incorrect/,
  },
  {
    name: 'a DISCONNECT',
    strike: async (wire) => {
      wire.send(disconnectPayload(11, 'shutting down'));
      wire.end();
    },
    shows: /Received disconnect from 127\.0\.0\.1 port \d+:11: shutting down/,
  },
  {
    name: 'a reset connection',
    strike: async (wire) => wire.destroy(),
    shows: /Connection to 127\.0\.0\.1 closed by remote host\.|Connection reset by peer/,
  },
  {
    name: 'a frozen network path (ServerAliveInterval=1)',
    flags: ['-o', 'ServerAliveInterval=1', '-o', 'ServerAliveCountMax=1'],
    strike: async (wire) => {
      wire.socket.pause();
      wire.tamper = () => Buffer.alloc(0);
    },
    shows: /Timeout, server 127\.0\.0\.1 not responding\./,
  },
  {
    name: 'an illegal message',
    strike: async (wire) => wire.send(message(MSG.CHANNEL_DATA).uint32(77).string('no such channel').finish()),
    shows: /Disconnecting 127\.0\.0\.1 port \d+: data packet referred to nonexistent channel 77/,
  },
];

for (const fault of FAULTS) {
  test(`the terminal is restored after ${fault.name} in a raw-mode session`, async () => {
    const server = await startHostileServer(async (peer) => {
      const conn = await peer.handshake();
      await conn.authenticate();
      const channel = await conn.acceptSession();
      conn.serveInBackground();
      await channel.write(Buffer.from('REMOTE-READY\r\n'));
      await waitFor(() => channel.receivedBytes > 0 || peer.wire.isClosed, 60_000, 'a keystroke from the client');
      await fault.strike(peer.wire, channel);
      await hold(peer.wire);
    });
    const shell = await PtyShell.start();
    try {
      const before = await shell.sttySettings();
      const words = [TSSH_BIN, '-t', ...(fault.flags ?? []), ...server.clientArgs(), 'cmd'].map(shellQuote).join(' ');
      const mark = shell.mark();
      shell.type(`${words}; echo "TSSH-RC=$?"\r`);
      await shell.waitFor('REMOTE-READY', { after: mark, what: 'the remote side of the session' });
      await shell.waitForRawMode('tssh to put the terminal in raw mode');
      shell.type('x');
      const text = await shell.waitFor(new RegExp(`TSSH-RC=(\\d+)\\r\\n${LOCAL_PROMPT}$`), { after: mark, what: 'tssh to exit' });
      assert.match(text, /TSSH-RC=255/);
      assert.match(text, fault.shows);
      assert.doesNotMatch(text, /\n\s+at |internal error/);
      assert.equal(await shell.sttySettings(), before, 'terminal settings after tssh exited');
    } finally {
      await shell.close();
      await server.stop();
    }
  });
}
