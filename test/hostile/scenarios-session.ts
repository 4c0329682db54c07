/**
 * Faults once keys are in use: during user authentication and in a running session (illegal or
 * unknown messages, DISCONNECT, corrupted or truncated packets, a dropped connection, data beyond
 * the window). Output that arrived before the fault must be an exact prefix of what was sent.
 */
import { MSG } from '../../src/wire/messages.js';
import { message } from '../../src/wire/writer.js';
import { waitFor } from '../support/run.js';
import { disconnectPayload, flipNextPacket, hold, inSession, pattern, type Scenario } from './scenario.js';

const MB = 1024 * 1024;
const ONE_MB = pattern(MB, 7);
const SMALL = pattern(100 * 1024, 3);
const MAC_INCORRECT = 'ssh_dispatch_run_fatal: Connection to 127.0.0.1 port <P>: message authentication code incorrect';

/** One flipped bit after 1 MB of channel data, for a cipher (and MAC). */
function macFailure(label: string, flags: string[], aead: boolean): Scenario {
  return {
    name: `one flipped bit after 1 MB (${label})`,
    clientFlags: flags,
    script: inSession(async (wire, channel) => {
      await channel.write(ONE_MB);
      flipNextPacket(wire);
      await channel.write(Buffer.from('this packet is corrupted on the way'));
      await hold(wire);
    }),
    stderr: aead ? [MAC_INCORRECT] : ['Corrupted MAC on input.', MAC_INCORRECT],
    stdoutPrefixOf: ONE_MB,
    openssh: 'same',
  };
}

export const SESSION_SCENARIOS: Scenario[] = [
  {
    name: 'a well-behaved server (the baseline)',
    script: inSession(async (_wire, channel) => channel.finish('hello from the hostile server\n', 3)),
    stderr: [],
    stdout: 'hello from the hostile server\n',
    status: 3,
    openssh: 'same',
  },
  // ---- authentication ----
  {
    name: 'DISCONNECT during authentication',
    script: async (peer) => {
      await peer.handshake();
      await peer.wire.expect(MSG.SERVICE_REQUEST);
      peer.wire.send(disconnectPayload(14, 'no authentication for you'));
      peer.wire.end();
      await hold(peer.wire);
    },
    stderr: ['Received disconnect from 127.0.0.1 port <P>:14: no authentication for you', 'Disconnected from 127.0.0.1 port <P>'],
    openssh: 'same',
  },
  {
    name: 'channel data during authentication',
    script: async (peer) => {
      await peer.handshake();
      await peer.wire.expect(MSG.SERVICE_REQUEST);
      peer.wire.send(message(MSG.SERVICE_ACCEPT).string('ssh-userauth').finish());
      await peer.wire.expect(MSG.USERAUTH_REQUEST);
      peer.wire.send(message(MSG.CHANNEL_DATA).uint32(0).string('too early').finish());
      await hold(peer.wire);
    },
    stderr: ['input_userauth_error: bad message during authentication: type 94'],
    openssh: 'same',
  },
  {
    name: 'the connection closes during authentication',
    script: async (peer) => {
      await peer.handshake();
      await peer.wire.expect(MSG.SERVICE_REQUEST);
      peer.wire.end();
      await hold(peer.wire);
    },
    stderr: ['Connection closed by 127.0.0.1 port <P>'],
    openssh: 'same',
  },
  // ---- messages that are illegal or unknown in a session ----
  {
    name: 'a message from the local-extension range',
    script: inSession(async (wire, channel) => {
      await channel.write(SMALL);
      wire.send(message(200).string('vendor extension').finish());
      await hold(wire);
    }),
    stderr: ['ssh_dispatch_run_fatal: Connection to 127.0.0.1 port <P>: Protocol error'],
    stdoutPrefixOf: SMALL,
    openssh: 'same',
  },
  {
    name: 'an unassigned message number is answered UNIMPLEMENTED and ignored',
    script: inSession(async (wire, channel) => {
      wire.send(message(70).string('unassigned').finish());
      await channel.finish('still fine\n', 0);
    }),
    stderr: ['dispatch_protocol_error: type 70 seq <N>'],
    stdout: 'still fine\n',
    status: 0,
    openssh: 'same',
  },
  {
    name: 'a key exchange reply outside a key exchange is ignored',
    script: inSession(async (wire, channel) => {
      await channel.write(SMALL);
      wire.send(message(31).string('stray').finish());
      await channel.finish('', 0);
    }),
    stderr: ['dispatch_protocol_error: type 31 seq <N>'],
    stdout: SMALL,
    status: 0,
    openssh: 'same',
  },
  {
    name: 'a stray NEWKEYS outside a key exchange is ignored',
    script: inSession(async (wire, channel) => {
      await channel.write(SMALL);
      wire.send(message(MSG.NEWKEYS).finish());
      await channel.finish('', 0);
    }),
    stderr: ['dispatch_protocol_error: type 21 seq <N>'],
    stdout: SMALL,
    status: 0,
    openssh: { differs: 'ssh logs the same line but then switches keys anyway and fails with "Bad packet length"' },
  },
  {
    name: 'a window adjust for a channel that does not exist is logged',
    script: inSession(async (wire, channel) => {
      wire.send(message(MSG.CHANNEL_WINDOW_ADJUST).uint32(7).uint32(1000).finish());
      await channel.finish('still fine\n', 0);
    }),
    stderr: ['channel_by_id: 7: bad id: channel free', 'Received window adjust for non-open channel 7.'],
    stdout: 'still fine\n',
    status: 0,
    openssh: 'same',
  },
  {
    name: 'a request for a channel that does not exist is logged',
    script: inSession(async (wire, channel) => {
      wire.send(message(MSG.CHANNEL_REQUEST).uint32(9).string('exit-status').boolean(true).uint32(0).finish());
      await channel.finish('still fine\n', 0);
    }),
    stderr: ['channel_by_id: 9: bad id: channel free', 'client_input_channel_req: channel 9: unknown channel'],
    stdout: 'still fine\n',
    status: 0,
    openssh: 'same',
  },
  ...(['x11', 'auth-agent@openssh.com'] as const).map(
    (type): Scenario => ({
      name: `a server opening an ${type} channel the client never asked for is refused with a warning`,
      script: inSession(async (wire, channel, conn) => {
        const open = message(MSG.CHANNEL_OPEN).string(type).uint32(5).uint32(65536).uint32(16384);
        if (type === 'x11') open.string('127.0.0.1').uint32(40000);
        wire.send(open.finish());
        await waitFor(() => conn.counts.get(MSG.CHANNEL_OPEN_FAILURE) === 1, 10_000, 'the client to refuse the open');
        await channel.finish('still fine\n', 0);
      }),
      stderr: [`Warning: ssh server tried ${type === 'x11' ? 'X11' : 'agent'} forwarding.`, 'Warning: this is probably a break-in attempt by a malicious server.'],
      stdout: 'still fine\n',
      status: 0,
      openssh: 'same',
    }),
  ),
  {
    name: 'data for a channel that does not exist',
    script: inSession(async (wire, channel) => {
      await channel.write(SMALL);
      wire.send(message(MSG.CHANNEL_DATA).uint32(42).string('who is 42?').finish());
      await hold(wire);
    }),
    stderr: ['channel_by_id: 42: bad id', 'Disconnecting 127.0.0.1 port <P>: data packet referred to nonexistent channel 42'],
    stdoutPrefixOf: SMALL,
    openssh: 'same',
  },
  {
    name: 'DISCONNECT in the middle of a session',
    script: inSession(async (wire, channel) => {
      await channel.write(SMALL);
      wire.send(disconnectPayload(11, 'server going down for maintenance'));
      wire.end();
      await hold(wire);
    }),
    stderr: ['Received disconnect from 127.0.0.1 port <P>:11: server going down for maintenance', 'Disconnected from 127.0.0.1 port <P>'],
    stdoutPrefixOf: SMALL,
    openssh: 'same',
  },
  // ---- corrupted, truncated and dropped data ----
  macFailure('chacha20-poly1305', [], true),
  macFailure('aes256-gcm', ['-c', 'aes256-gcm@openssh.com'], true),
  macFailure('aes128-ctr + hmac-sha2-256-etm', ['-c', 'aes128-ctr', '-m', 'hmac-sha2-256-etm@openssh.com'], false),
  macFailure('aes256-ctr + hmac-sha2-512', ['-c', 'aes256-ctr', '-m', 'hmac-sha2-512'], false),
  {
    name: 'the connection closes in the middle of a transfer',
    script: inSession(async (wire, channel) => {
      await channel.write(SMALL);
      wire.end();
      await hold(wire);
    }),
    stderr: ['Connection to 127.0.0.1 closed by remote host.'],
    stdoutPrefixOf: SMALL,
    openssh: 'same',
  },
  {
    name: 'a packet cut in half, then the connection closes',
    script: inSession(async (wire, channel) => {
      await channel.write(SMALL);
      let cut = false;
      wire.tamper = (chunk) => (cut ? chunk : ((cut = true), chunk.subarray(0, chunk.length >> 1)));
      await channel.write(Buffer.from('half of this packet never arrives'));
      wire.end();
      await hold(wire);
    }),
    stderr: ['Connection to 127.0.0.1 closed by remote host.'],
    stdoutPrefixOf: SMALL,
    openssh: 'same',
  },
  {
    name: 'the network path freezes mid-session (ServerAliveInterval=1, ServerAliveCountMax=2)',
    clientFlags: ['-o', 'ServerAliveInterval=1', '-o', 'ServerAliveCountMax=2'],
    script: inSession(async (wire, channel) => {
      await channel.write(SMALL);
      wire.socket.pause(); // from now on nothing gets through either way
      wire.tamper = () => Buffer.alloc(0);
      await hold(wire);
    }),
    stderr: ['Timeout, server 127.0.0.1 not responding.'],
    stdoutPrefixOf: SMALL,
    openssh: 'same',
  },
];
