/**
 * The SOCKS4/4a/5 server state machine (src/forward/socks.ts): requests whole and byte by byte,
 * pipelined SOCKS5, and a clean reply for everything it refuses.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SocksNegotiation, Socks5Reply, socksCodeForFailure, socksReply, type SocksStep } from '../../src/forward/socks.js';

const bytes = (...parts: Array<number[] | string>): Buffer =>
  Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'latin1') : Buffer.from(part))));

/** Feeds `messages` one at a time; returns the last step and every reply sent on the way. */
function feed(messages: Buffer[]): { step: SocksStep; replies: Buffer[] } {
  const negotiation = new SocksNegotiation();
  const replies: Buffer[] = [];
  let step: SocksStep = { kind: 'more' };
  for (const message of messages) {
    step = negotiation.push(message);
    if (step.reply) replies.push(step.reply);
  }
  return { step, replies };
}

/** The same bytes split into single-byte pushes must give the same outcome. */
function feedBytewise(data: Buffer): SocksStep {
  const negotiation = new SocksNegotiation();
  let step: SocksStep = { kind: 'more' };
  for (const byte of data) {
    step = negotiation.push(Buffer.from([byte]));
    if (step.kind !== 'more') return step;
  }
  return step;
}

const socks4 = bytes([4, 1, 0x1f, 0x90, 10, 0, 0, 7], 'user', [0]);
const socks4a = bytes([4, 1, 0, 80, 0, 0, 0, 1], [0], 'example.org', [0], 'GET /');
const greeting = bytes([5, 2, 2, 0]);
const socks5Domain = bytes([5, 1, 0, 3, 11], 'example.org', [0, 80]);
const socks5Ipv6 = bytes([5, 1, 0, 4], [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], [1, 187]);

test('SOCKS4 and SOCKS4a CONNECT, whole or byte by byte; data after the request is kept', () => {
  assert.deepEqual(feed([socks4]).step, { kind: 'connect', version: 4, host: '10.0.0.7', port: 8080, rest: Buffer.alloc(0) });
  const a = feed([socks4a]).step;
  assert.equal(a.kind, 'connect');
  assert.deepEqual(a.kind === 'connect' && [a.host, a.port, a.rest.toString()], ['example.org', 80, 'GET /']);
  assert.deepEqual(feedBytewise(socks4a).kind, 'connect');
});

test('SOCKS5: method choice, then IPv4, IPv6 and domain-name requests', () => {
  const { step, replies } = feed([greeting, socks5Domain]);
  assert.deepEqual(replies, [Buffer.from([5, 0])]);
  assert.deepEqual(step, { kind: 'connect', version: 5, host: 'example.org', port: 80, rest: Buffer.alloc(0) });
  const v6 = feed([greeting, socks5Ipv6]).step;
  assert.deepEqual(v6.kind === 'connect' && [v6.host, v6.port], ['2001:db8::1', 443]);
  const v4 = feed([greeting, bytes([5, 1, 0, 1, 127, 0, 0, 1, 0, 22])]).step;
  assert.deepEqual(v4.kind === 'connect' && [v4.host, v4.port], ['127.0.0.1', 22]);
  // Greeting and request in one write: the method choice still goes out, with the request complete.
  const pipelined = feed([Buffer.concat([greeting, socks5Domain])]);
  assert.deepEqual(pipelined.replies, [Buffer.from([5, 0])]);
  assert.equal(pipelined.step.kind, 'connect');
  assert.equal(feedBytewise(Buffer.concat([greeting, socks5Domain])).kind, 'connect');
});

test('refusals get a clean reply in the client\'s protocol', () => {
  const noMethod = feed([bytes([5, 1, 2])]).step;
  assert.deepEqual(noMethod.kind === 'refuse' && noMethod.reply, Buffer.from([5, 0xff]));
  const bind = feed([greeting, bytes([5, 2, 0, 1, 1, 2, 3, 4, 0, 80])]).step;
  assert.deepEqual(bind.kind === 'refuse' && bind.reply?.[1], Socks5Reply.COMMAND_NOT_SUPPORTED);
  const badType = feed([greeting, bytes([5, 1, 0, 9, 0, 0])]).step;
  assert.deepEqual(badType.kind === 'refuse' && badType.reply?.[1], Socks5Reply.ADDRESS_TYPE_NOT_SUPPORTED);
  const bind4 = feed([bytes([4, 2, 0, 80, 1, 2, 3, 4, 0])]).step;
  assert.deepEqual(bind4.kind === 'refuse' && bind4.reply, Buffer.from([0, 91, 0, 0, 0, 0, 0, 0]));
  const http = feed([Buffer.from('GET / HTTP/1.1\r\n')]).step;
  assert.equal(http.kind, 'refuse');
  const endless = feed([bytes([4, 1, 0, 80, 1, 2, 3, 4]), Buffer.alloc(4000, 0x41)]).step;
  assert.equal(endless.kind, 'refuse', 'a user name without end is garbage');
});

test('replies and failure codes', () => {
  assert.deepEqual(socksReply(4, Socks5Reply.SUCCEEDED), Buffer.from([0, 90, 0, 0, 0, 0, 0, 0]));
  assert.deepEqual(socksReply(5, Socks5Reply.SUCCEEDED), Buffer.from([5, 0, 0, 1, 0, 0, 0, 0, 0, 0]));
  assert.equal(socksCodeForFailure('connect', 'channel 3: open failed: connect failed: Connection refused'), Socks5Reply.CONNECTION_REFUSED);
  assert.equal(socksCodeForFailure('connect', 'connect failed: Name or service not known'), Socks5Reply.HOST_UNREACHABLE);
  assert.equal(socksCodeForFailure('connect', 'Network is unreachable'), Socks5Reply.NETWORK_UNREACHABLE);
  assert.equal(socksCodeForFailure('prohibited', 'administratively prohibited: open failed'), Socks5Reply.NOT_ALLOWED);
  assert.equal(socksCodeForFailure('connect', 'something else'), Socks5Reply.GENERAL_FAILURE);
});
