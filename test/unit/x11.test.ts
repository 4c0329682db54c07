/**
 * X11 forwarding's pure parts: reading $DISPLAY as ssh does, and the setup-packet check that swaps the
 * fake cookie for the real one (both byte orders, split packets, every way to get it wrong).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSetup, type X11Credentials } from '../../src/forward/x11.js';
import { displayEndpoint, isValidDisplay, screenNumber } from '../../src/forward/x11-display.js';

test('$DISPLAY: Unix socket forms, TCP forms, the screen, and what ssh refuses', () => {
  assert.deepEqual(displayEndpoint(':0'), { kind: 'unix', path: '/tmp/.X11-unix/X0' });
  assert.deepEqual(displayEndpoint('unix:12.1'), { kind: 'unix', path: '/tmp/.X11-unix/X12' });
  assert.deepEqual(displayEndpoint('::3'), { kind: 'unix', path: '/tmp/.X11-unix/X3' });
  assert.deepEqual(displayEndpoint('localhost:10.0'), { kind: 'tcp', host: 'localhost', port: 6010 });
  assert.deepEqual(displayEndpoint('192.0.2.7:2'), { kind: 'tcp', host: '192.0.2.7', port: 6002 });
  assert.deepEqual(displayEndpoint('host'), { error: "Could not find ':' in DISPLAY: host" });
  assert.deepEqual(displayEndpoint(':x'), { error: 'Could not parse display number from DISPLAY: :x' });
  assert.deepEqual(displayEndpoint('h:60000'), { error: 'Could not parse display number from DISPLAY: h:60000' });

  assert.equal(screenNumber(':0'), 0);
  assert.equal(screenNumber('localhost:10.3'), 3);
  assert.equal(screenNumber('host.example:1.2'), 2, 'the dot after the colon counts, not the one in the host');
  assert.equal(screenNumber(':0.401'), 0);
  assert.equal(screenNumber(':0.x'), 0);

  assert.ok(isValidDisplay('localhost:10.0'));
  assert.ok(isValidDisplay('/private/tmp/com.apple.launchd.abc/org.xquartz:0'));
  for (const bad of ['host;id:0', 'a b:0', '$(x):0', 'h`x`:0', 'h\n:0']) assert.equal(isValidDisplay(bad), false, JSON.stringify(bad));
});

const credentials: X11Credentials = { proto: 'MIT-MAGIC-COOKIE-1', data: Buffer.alloc(16, 0xaa) };
const fake = Buffer.alloc(16, 0x55);

/** An X11 connection setup packet in either byte order, with `trailer` (the client's next requests). */
function setupPacket(order: 'B' | 'l', proto: string, data: Buffer, trailer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(12);
  head[0] = order.charCodeAt(0);
  const write = (value: number, at: number): number => (order === 'B' ? head.writeUInt16BE(value, at) : head.writeUInt16LE(value, at));
  write(11, 2);
  write(proto.length, 6);
  write(data.length, 8);
  const pad = (b: Buffer): Buffer => Buffer.concat([b, Buffer.alloc((4 - (b.length % 4)) % 4)]);
  return Buffer.concat([head, pad(Buffer.from(proto)), pad(data), trailer]);
}

test('the fake cookie is swapped for the real one, in both byte orders, with what follows kept', () => {
  for (const order of ['B', 'l'] as const) {
    const trailer = Buffer.from('next request');
    const check = checkSetup(setupPacket(order, 'MIT-MAGIC-COOKIE-1', fake, trailer), credentials, fake);
    assert.equal(check.kind, 'accepted');
    assert.deepEqual((check as { packet: Buffer }).packet, setupPacket(order, 'MIT-MAGIC-COOKIE-1', credentials.data, trailer));
  }
});

test('a setup packet is waited for until complete, however it is split', () => {
  const packet = setupPacket('l', 'MIT-MAGIC-COOKIE-1', fake);
  for (let cut = 0; cut < packet.length; cut++) assert.deepEqual(checkSetup(packet.subarray(0, cut), credentials, fake), { kind: 'incomplete' }, `cut at ${cut}`);
});

test('wrong byte order, protocol, cookie or cookie length: refused, nothing swapped', () => {
  const bad = Buffer.from(setupPacket('l', 'MIT-MAGIC-COOKIE-1', fake));
  bad[0] = 0x00;
  assert.deepEqual(checkSetup(bad, credentials, fake), { kind: 'rejected', reason: 'Initial X11 packet contains bad byte order byte: 0x0' });
  assert.deepEqual(checkSetup(setupPacket('B', 'XDM-AUTHORIZATION-1', fake), credentials, fake), {
    kind: 'rejected',
    reason: 'X11 connection uses different authentication protocol.',
  });
  const mismatch = { kind: 'rejected', reason: 'X11 auth data does not match fake data.' };
  assert.deepEqual(checkSetup(setupPacket('B', 'MIT-MAGIC-COOKIE-1', credentials.data), credentials, fake), mismatch, 'the real cookie is not the fake one');
  assert.deepEqual(checkSetup(setupPacket('B', 'MIT-MAGIC-COOKIE-1', fake.subarray(0, 8)), credentials, fake), mismatch);
  assert.deepEqual(checkSetup(setupPacket('B', 'MIT-MAGIC-COOKIE-1', Buffer.alloc(0)), credentials, fake), mismatch);
});
