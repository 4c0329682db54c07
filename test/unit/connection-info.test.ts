/**
 * The ~I report and the SIGINFO line (cli/connection-info.ts) in OpenSSH 10.x's words, with
 * fmt_scaled(3)'s number forms.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectionInfoMessage, fmtScaled, siginfoMessage } from '../../src/connect/connection-info.js';
import type { ConnectionFacts } from '../../src/transport/connection-facts.js';

test('fmt_scaled: bytes below 1 KiB, one decimal below 100 of a unit, rounding', () => {
  const cases: Array<[number, string]> = [[0, '0B'], [162, '162B'], [1023, '1023B'], [1024, '1.0K'], [3686, '3.6K'], [15360, '15.0K'], [102400, '100K'], [1048576, '1.0M'], [1572864, '1.5M'], [104857600, '100M']];
  for (const [value, text] of cases) assert.equal(fmtScaled(value), text, String(value));
});

const facts: ConnectionFacts = {
  tcp: { local: '127.0.0.1:40000', remote: '127.0.0.1:22' },
  negotiated: {
    kex: 'curve25519-sha256',
    hostKey: 'ssh-ed25519',
    clientToServer: { cipher: 'aes128-ctr', mac: 'hmac-sha2-256-etm@openssh.com', compression: 'none' },
    serverToClient: { cipher: 'aes256-ctr', mac: 'hmac-sha2-256-etm@openssh.com', compression: 'none' },
  } as ConnectionFacts['negotiated'],
  blockSize: { in: 16, out: 16 },
  received: { packets: 18, bytes: 2592, totalBytes: 3686 },
  sent: { packets: 11, bytes: 2000, totalBytes: 162 },
  rekeyLimit: { bytes: 1 << 20, seconds: 3600 },
  lastKeyExchangeAt: new Date(2026, 0, 2, 3, 4, 5).getTime(),
};

test('~I: one line per fact, directions merged when equal, "X in, Y out" when not', () => {
  assert.equal(
    connectionInfoMessage(facts, 'box', 42),
    [
      'Connection information for box pid 42',
      '  tcp 127.0.0.1:40000 -> 127.0.0.1:22',
      '  kexalgorithm curve25519-sha256',
      '  hostkeyalgorithm ssh-ed25519',
      '  cipher aes256-ctr in, aes128-ctr out',
      '  mac hmac-sha2-256-etm@openssh.com',
      '  compression none',
      '  rekey limit blocks 65536 interval 01:00:00, next 2026-01-02T04:04:05',
      '  traffic 18 pkts 162 blks 3.6KB in, 11 pkts 125 blks 162BB out',
      '',
    ].join('\r\n'),
  );
  const aead = { ...facts, tcp: undefined, rekeyLimit: undefined, negotiated: { ...facts.negotiated!, clientToServer: { cipher: 'chacha20-poly1305@openssh.com', mac: undefined, compression: 'none' }, serverToClient: { cipher: 'chacha20-poly1305@openssh.com', mac: undefined, compression: 'none' } } };
  const text = connectionInfoMessage(aead, 'box', 42);
  assert.ok(text.includes('\r\n  mac <implicit>\r\n'));
  assert.ok(text.includes('\r\n  rekey limit none interval none\r\n'));
  assert.ok(!text.includes('  tcp '), 'no tcp line through a proxy');
});

test('SIGINFO (OpenSSH 10.4+): how long the connection has been up', () => {
  assert.equal(siginfoMessage('tssh', facts, 12.345), 'tssh: connection to 127.0.0.1 port 22, up 12.3 seconds');
  assert.equal(siginfoMessage('tssh', { ...facts, tcp: undefined }, 1), 'tssh: connection to UNKNOWN port 65535, up 1.0 seconds');
});
