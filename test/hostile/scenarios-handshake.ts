/**
 * Faults before a session exists: the identification line, binary packet framing before any keys,
 * and the key exchange (including Terrapin-style tampering around NEWKEYS under strict KEX).
 */
import { MSG } from '../../src/wire/messages.js';
import { message } from '../../src/wire/writer.js';
import { disconnectPayload, hold, minimalKexinit, plainPacket, type Scenario } from './scenario.js';

const TIMED_OUT_BANNER = ['Connection timed out during banner exchange', 'Connection to 127.0.0.1 port <P> timed out'];
const NOT_BOUNDED = 'OpenSSH 9.2 bounds each read of the banner, not the whole exchange, so a trickling server holds it forever';
const ignore = Buffer.from([MSG.IGNORE, 0, 0, 0, 0]);

export const HANDSHAKE_SCENARIOS: Scenario[] = [
  // ---- identification ----
  {
    name: 'an HTTP server answers',
    script: async ({ wire }) => {
      wire.writeRaw('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      wire.end();
      await hold(wire);
    },
    stderr: ['kex_exchange_identification: Connection closed by remote host', 'Connection closed by 127.0.0.1 port <P>'],
    openssh: 'same',
  },
  {
    name: 'an HTTP server answers and stays silent (ConnectTimeout)',
    clientFlags: ['-o', 'ConnectTimeout=2'],
    script: async ({ wire }) => {
      wire.writeRaw('HTTP/1.1 200 OK\r\nServer: not-ssh\r\n\r\n');
      await hold(wire);
    },
    stderr: TIMED_OUT_BANNER,
    openssh: 'same',
  },
  {
    name: 'an over-long line before the banner',
    script: async ({ wire }) => {
      wire.writeRaw('x'.repeat(10_000));
      await hold(wire);
    },
    stderr: ['kex_exchange_identification: banner line too long', 'banner exchange: Connection to 127.0.0.1 port <P>: invalid format'],
    openssh: 'same',
  },
  {
    name: 'endless lines before the banner',
    script: async ({ wire }) => {
      for (let i = 0; i < 1100 && !wire.isClosed; i++) wire.writeRaw(`line ${i} of an endless greeting\r\n`);
      await hold(wire);
    },
    stderr: ['kex_exchange_identification: No SSH version received in first 1024 lines from server', 'banner exchange: Connection to 127.0.0.1 port <P>: invalid format'],
    openssh: 'same',
  },
  {
    name: 'a NUL byte before the banner',
    script: async ({ wire }) => {
      wire.writeRaw('hello\0world\r\nSSH-2.0-x\r\n');
      await hold(wire);
    },
    stderr: ['kex_exchange_identification: banner line contains invalid characters', 'banner exchange: Connection to 127.0.0.1 port <P>: invalid format'],
    openssh: 'same',
  },
  {
    name: 'an SSH-1 server',
    script: async ({ wire }) => {
      wire.writeRaw('SSH-1.5-OldServer\r\n');
      await hold(wire);
    },
    stderr: ['Protocol major versions differ: 2 vs. 1', 'banner exchange: Connection to 127.0.0.1 port <P>: could not read protocol version'],
    openssh: 'same',
  },
  {
    name: 'a version line without a software version',
    script: async ({ wire }) => {
      wire.writeRaw('SSH-2.0\r\n');
      await hold(wire);
    },
    stderr: ["Bad remote protocol version identification: 'SSH-2.0'", 'banner exchange: Connection to 127.0.0.1 port <P>: invalid format'],
    openssh: 'same',
  },
  {
    name: 'the banner trickled a byte a second (ConnectTimeout=2)',
    clientFlags: ['-o', 'ConnectTimeout=2'],
    timeoutMs: 10_000,
    script: async ({ wire }) => {
      wire.trickle(1000);
      wire.sendIdent();
      await hold(wire);
    },
    stderr: TIMED_OUT_BANNER,
    openssh: { differs: NOT_BOUNDED },
  },
  {
    name: 'the key exchange trickled (ConnectTimeout=2)',
    clientFlags: ['-o', 'ConnectTimeout=2'],
    timeoutMs: 10_000,
    script: async (peer) => {
      peer.wire.sendIdent();
      peer.wire.trickle(20);
      await peer.handshake().catch(() => undefined);
      await hold(peer.wire);
    },
    stderr: ['Connection timed out during key exchange', 'Connection to 127.0.0.1 port <P> timed out'],
    openssh: { differs: `${NOT_BOUNDED}, nor the key exchange` },
  },
  // ---- binary packet framing, before any keys ----
  {
    name: 'garbage after the banner',
    script: async ({ wire }) => {
      wire.sendIdent();
      wire.writeRaw('GET / HTTP/1.1\r\nHost: example\r\n\r\n');
      await hold(wire);
    },
    stderr: ['Bad packet length 1195725856.', 'ssh_dispatch_run_fatal: Connection to 127.0.0.1 port <P>: message authentication code incorrect'],
    openssh: 'same',
  },
  {
    name: 'an absurd packet length',
    script: async ({ wire }) => {
      wire.sendIdent();
      wire.writeRaw(plainPacket(ignore, { length: 0x7fffffff }));
      await hold(wire);
    },
    stderr: ['Bad packet length 2147483647.', 'ssh_dispatch_run_fatal: Connection to 127.0.0.1 port <P>: message authentication code incorrect'],
    openssh: 'same',
  },
  {
    name: 'a negative packet length',
    script: async ({ wire }) => {
      wire.sendIdent();
      wire.writeRaw(plainPacket(ignore, { length: -16 }));
      await hold(wire);
    },
    stderr: ['Bad packet length 4294967280.', 'ssh_dispatch_run_fatal: Connection to 127.0.0.1 port <P>: message authentication code incorrect'],
    openssh: 'same',
  },
  {
    name: 'a zero packet length',
    script: async ({ wire }) => {
      wire.sendIdent();
      wire.writeRaw(Buffer.alloc(16));
      await hold(wire);
    },
    stderr: ['Bad packet length 0.', 'ssh_dispatch_run_fatal: Connection to 127.0.0.1 port <P>: message authentication code incorrect'],
    openssh: 'same',
  },
  {
    name: 'a packet length that is not a whole number of blocks',
    script: async ({ wire }) => {
      wire.sendIdent();
      wire.writeRaw(plainPacket(ignore, { length: 13 }));
      await hold(wire);
    },
    stderr: ['padding error: need 9 block 8 mod 1', 'ssh_dispatch_run_fatal: Connection to 127.0.0.1 port <P>: message authentication code incorrect'],
    openssh: 'same',
  },
  {
    name: 'padding shorter than 4 bytes',
    script: async ({ wire }) => {
      wire.sendIdent();
      wire.writeRaw(plainPacket(Buffer.from([MSG.IGNORE, 0, 0, 0, 4, 1, 2, 3, 4]), { padding: 2 }));
      await hold(wire);
    },
    stderr: ['ssh_dispatch_run_fatal: Connection to 127.0.0.1 port <P>: Connection corrupted'],
    openssh: 'same',
  },
  {
    name: 'padding longer than the packet',
    script: async ({ wire }) => {
      wire.sendIdent();
      const packet = plainPacket(Buffer.from([MSG.IGNORE, 0, 0, 0, 2, 1, 2]), { padding: 4 });
      packet[4] = 200;
      wire.writeRaw(packet);
      await hold(wire);
    },
    stderr: ['ssh_dispatch_run_fatal: Connection to 127.0.0.1 port <P>: incomplete message'],
    openssh: 'same',
  },
  {
    name: 'a truncated packet, then the connection closes',
    script: async ({ wire }) => {
      wire.sendIdent();
      await wire.readIdent();
      wire.writeRaw(plainPacket(minimalKexinit()).subarray(0, 9));
      wire.end();
      await hold(wire);
    },
    stderr: ['Connection closed by 127.0.0.1 port <P>'],
    openssh: 'same',
  },
  // ---- key exchange ----
  {
    name: 'a KEXINIT with no key exchange method in common',
    script: async (peer) => {
      await peer.handshake({ preferences: { kex: ['diffie-hellman-group1-sha1'] } }).catch(() => undefined);
      await hold(peer.wire);
    },
    stderr: ['Unable to negotiate with 127.0.0.1 port <P>: no matching key exchange method found. Their offer: diffie-hellman-group1-sha1,kex-strict-s-v00@openssh.com'],
    openssh: 'same',
  },
  {
    name: 'a KEXINIT with no cipher in common',
    script: async (peer) => {
      await peer.handshake({ preferences: { ciphers: ['3des-cbc'] } }).catch(() => undefined);
      await hold(peer.wire);
    },
    stderr: ['Unable to negotiate with 127.0.0.1 port <P>: no matching cipher found. Their offer: 3des-cbc'],
    openssh: 'same',
  },
  {
    name: 'a KEXINIT with no host key type in common',
    script: async (peer) => {
      await peer.handshake({ preferences: { hostKey: ['ssh-dss'] } }).catch(() => undefined);
      await hold(peer.wire);
    },
    stderr: ['Unable to negotiate with 127.0.0.1 port <P>: no matching host key type found. Their offer: ssh-dss'],
    openssh: 'same',
  },
  {
    name: 'the connection closes in the middle of the key exchange',
    script: async ({ wire }) => {
      wire.sendIdent();
      await wire.readIdent();
      await wire.expect(MSG.KEXINIT);
      wire.end();
      await hold(wire);
    },
    stderr: ['Connection closed by 127.0.0.1 port <P>'],
    openssh: 'same',
  },
  {
    name: 'DISCONNECT before the key exchange',
    script: async ({ wire }) => {
      wire.sendIdent();
      wire.send(disconnectPayload(2, 'too many connections from your network'));
      wire.end();
      await hold(wire);
    },
    stderr: ['Received disconnect from 127.0.0.1 port <P>:2: too many connections from your network', 'Disconnected from 127.0.0.1 port <P>'],
    openssh: 'same',
  },
  {
    name: 'DISCONNECT during the key exchange',
    script: async (peer) => {
      const refuse = (): void => {
        peer.wire.send(disconnectPayload(3, 'key exchange refused'));
        peer.wire.end();
      };
      await peer.handshake({ beforeNewKeys: refuse }).catch(() => undefined);
      await hold(peer.wire);
    },
    stderr: ['Received disconnect from 127.0.0.1 port <P>:3: key exchange refused', 'Disconnected from 127.0.0.1 port <P>'],
    openssh: 'same',
  },
  {
    name: 'channel data in the middle of the first key exchange',
    script: async ({ wire }) => {
      wire.sendIdent();
      await wire.readIdent();
      wire.send(minimalKexinit());
      wire.send(message(MSG.CHANNEL_DATA).uint32(0).string('injected').finish());
      await hold(wire);
    },
    stderr: ['Disconnecting 127.0.0.1 port <P>: strict KEX violation: unexpected packet type 94 (seqnr 1)'],
    openssh: { differs: 'ssh 9.2 (with Debian\'s strict KEX backport) prints only "Disconnected from 127.0.0.1 port <P>"' },
  },
  {
    name: 'Terrapin: an IGNORE injected before NEWKEYS under strict KEX',
    script: async (peer) => {
      await peer.handshake({ beforeNewKeys: (wire) => wire.send(message(MSG.IGNORE).string('').finish()) }).catch(() => undefined);
      await hold(peer.wire);
    },
    stderr: ['Disconnecting 127.0.0.1 port <P>: strict KEX violation: unexpected packet type 2 (seqnr 2)'],
    openssh: 'same',
  },
  {
    name: 'Terrapin: an IGNORE before KEXINIT under strict KEX',
    script: async (peer) => {
      peer.wire.sendIdent();
      peer.wire.send(message(MSG.IGNORE).string('').finish());
      await peer.handshake().catch(() => undefined);
      await hold(peer.wire);
    },
    stderr: ['Disconnecting 127.0.0.1 port <P>: strict KEX violation: KEXINIT was not the first packet'],
    openssh: 'same',
  },
  {
    name: 'Terrapin: sequence numbers not reset at NEWKEYS under strict KEX',
    // An encrypt-then-MAC suite sends lengths in the clear, so the wrong sequence number always shows as a MAC failure.
    clientFlags: ['-c', 'aes128-ctr', '-m', 'hmac-sha2-256-etm@openssh.com'],
    script: async (peer) => {
      const conn = await peer.handshake({ skipSequenceReset: true });
      await conn.authenticate();
      await hold(peer.wire);
    },
    stderr: ['Corrupted MAC on input.', 'ssh_dispatch_run_fatal: Connection to 127.0.0.1 port <P>: message authentication code incorrect'],
    openssh: 'same',
  },
];
