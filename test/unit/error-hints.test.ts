/** The hint renderers (cli/hints/) over typed errors: what they suggest, and what they never show. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger } from '../../src/cli/log.js';
import { describeSocketError } from '../../src/transport/disconnect.js';
import { AuthError, HostKeyError, NegotiationError, TimeoutError, TsshError, type TimeoutPhase } from '../../src/errors.js';
import { hintsFor, hintColour, formatHint } from '../../src/cli/hints/index.js';
import { algorithmRisk } from '../../src/cli/hints/negotiation.js';

const negotiation = (kind: NegotiationError['kind'], theirs: string[]): string[] => hintsFor(new NegotiationError(kind, ['curve25519-sha256', 'ext-info-c'], theirs, 'Unable to negotiate'));

test('only a name tssh implements is suggested; with none, no option is', () => {
  assert.ok(negotiation('kex', ['gss-group14-sha256-', 'diffie-hellman-group1-sha1']).includes('to connect anyway: -oKexAlgorithms=+diffie-hellman-group1-sha1 (risk: a 1024-bit Diffie-Hellman group; SHA-1, open to collision attacks)'));
  const none = negotiation('kex', ['gss-group14-sha256-', 'ext-info-s']);
  assert.ok(!none.some((l) => l.startsWith('to connect anyway')), none.join('\n'));
  assert.ok(none.some((l) => l.startsWith("tssh implements none of the server's key exchange")));
  assert.ok(!none.join('\n').includes('ext-info'), 'KEXINIT markers are not algorithms');
});

test('ssh-dss and MD5/96-bit MACs carry their risks; a modern name carries none', () => {
  assert.match(negotiation('hostKey', ['ssh-dss']).join('\n'), /-oHostKeyAlgorithms=\+ssh-dss \(risk: DSA/);
  assert.match(negotiation('mac', ['hmac-md5-96']).join('\n'), /-m hmac-md5-96 \(risk: MD5, broken; a MAC truncated to 96 bits\)/);
  assert.equal(algorithmRisk('aes256-gcm@openssh.com'), undefined);
});

test('every timeout phase names where it stalled', () => {
  for (const phase of ['connect', 'banner', 'kex', 'auth', 'keepalive'] as TimeoutPhase[]) {
    assert.match(hintsFor(new TimeoutError(phase, 'timed out'))[0]!, /^stalled in: /);
  }
});

test('a changed key shows both fingerprints; other errors have no hints', () => {
  const err = new HostKeyError('changed', 'example', 'SHA256:new', 'ssh-ed25519', '/kh', 3, undefined, { keyType: 'ssh-rsa', fingerprint: 'SHA256:old' });
  assert.deepEqual(hintsFor(err).slice(0, 2), ['recorded for example in /kh:3: RSA SHA256:old', 'offered by the server now: ED25519 SHA256:new']);
  assert.deepEqual(hintsFor(new TsshError('CONNECT', 'refused')), []);
  assert.deepEqual(hintsFor(new AuthError('u', 'h', ['password'], 'denied')), [], 'no publickey report (a library caller built it): nothing to say');
});

test('the wrong user: a server that takes no publickey says which methods it allows', () => {
  const err = new AuthError('u', 'h', ['password'], 'denied', { agent: { state: 'unused' }, identities: 1, attempts: [], batchMode: true, identitiesOnly: false });
  const lines = hintsFor(err);
  assert.ok(lines.includes('password: not asked under BatchMode'), lines.join('\n'));
  assert.ok(lines.includes('likely cause: the server takes no publickey for u; it allows only password (and BatchMode runs nothing that asks a person)'));
});

test('colour only on a terminal, not with NO_COLOR or TERM=dumb', () => {
  assert.equal(hintColour(true, {}), true);
  assert.equal(hintColour(false, {}), false);
  assert.equal(hintColour(true, { NO_COLOR: '1' }), false);
  assert.equal(hintColour(true, { TERM: 'dumb' }), false);
  assert.equal(formatHint('x', false), '  hint: x');
});

test('hint lines pass through the log sanitiser; an -E file gets no colour; -q shows none', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tssh-hint-log-'));
  try {
    const file = path.join(dir, 'log');
    const log = createLogger('INFO', file);
    log.hints(['offer: evil\u001b[2Jname'], true);
    log.level = 'QUIET';
    log.hints(['hidden'], false);
    const written = readFileSync(file, 'utf8');
    assert.ok(!written.includes('\u001b'), JSON.stringify(written));
    assert.ok(written.startsWith('  hint: offer: evil'), JSON.stringify(written));
    assert.ok(!written.includes('hidden'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a socket ETIMEDOUT is a TimeoutError in the phase the transport had reached, with ssh\'s words', () => {
  const err = describeSocketError(Object.assign(new Error('x'), { code: 'ETIMEDOUT' }), { host: '192.0.2.1', port: 22 }, 'auth');
  assert.ok(err instanceof TimeoutError);
  assert.equal(err.phase, 'auth');
  assert.equal(err.message, 'Connection to 192.0.2.1 port 22 timed out');
  assert.match(hintsFor(err)[0]!, /^stalled in: authentication/);
});
