/**
 * The host-key policy's options beyond StrictHostKeyChecking, on fakes (texts from OpenSSH 9.2's
 * sshconnect.c): CheckHostIP (recording `host,ip`, the address known with another key, DNS spoofing),
 * KnownHostsCommand, NoHostAuthenticationForLocalhost, VisualHostKey, FingerprintHash, the
 * UpdateHostKeys verdict, and the host-key algorithm order.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { TsshError } from '../../src/errors.js';
import { fingerprint } from '../../src/hostkeys/fingerprint.js';
import { entriesForName } from '../../src/hostkeys/host-status.js';
import { parseKnownHosts } from '../../src/hostkeys/known-hosts.js';
import { orderHostKeyAlgorithms } from '../../src/hostkeys/order-algorithms.js';
import { checkHostKey, type HostKeyCheckContext, type HostKeyCheckIo } from '../../src/hostkeys/policy.js';
import { DEFAULT_HOST_KEY_ALGORITHMS } from '../../src/crypto/names.js';
import { makeKey, makeTempDir, removeTempDir, type TestKey } from './known-hosts-fixtures.js';

let dir: string;
let ed: TestKey;
let ed2: TestKey;
let rsa: TestKey;
before(() => {
  dir = makeTempDir();
  ed = makeKey(dir, 'ed', 'ed25519');
  ed2 = makeKey(dir, 'ed2', 'ed25519');
  rsa = makeKey(dir, 'rsa', 'rsa');
});
after(() => removeTempDir(dir));

const USER_KH = '/home/u/.ssh/known_hosts';
const HOST = '[server.example]:2222';
const IP = '[192.0.2.10]:2222';

interface FakeIo extends HostKeyCheckIo {
  files: Record<string, string>;
  warnings: string[];
  infos: string[];
  prompts: string[];
}

function fakeIo(files: Record<string, string>, answers: string[] = [], command?: (invocation: string, name: string) => string): FakeIo {
  const io: FakeIo = {
    files,
    warnings: [],
    infos: [],
    prompts: [],
    readFile: async (p) => files[p],
    appendFile: async (p, text) => {
      files[p] = (files[p] ?? '') + text;
    },
    warn: (line) => io.warnings.push(line),
    info: (line) => io.infos.push(line),
    confirm: async (prompt) => {
      io.prompts.push(prompt);
      return answers.shift();
    },
    ...(command ? { knownHostsCommand: async (invocation: 'HOSTNAME' | 'ADDRESS', name: string) => command(invocation, name) } : {}),
  };
  return io;
}

function ctx(io: HostKeyCheckIo, over: Partial<HostKeyCheckContext> = {}): HostKeyCheckContext {
  return {
    host: 'server.example',
    port: 2222,
    keyType: ed.keyType,
    keyBlob: ed.blob,
    strict: 'ask',
    userKnownHostsFiles: [USER_KH],
    globalKnownHostsFiles: [],
    hashKnownHosts: false,
    batchMode: false,
    address: '192.0.2.10',
    checkHostIP: true,
    io,
    ...over,
  };
}

async function refused(promise: Promise<unknown>): Promise<void> {
  await assert.rejects(promise, (err: unknown) => err instanceof TsshError && err.message === 'Host key verification failed.');
}

test('CheckHostIP: a new host is recorded as `host,ip` (or two hashed lines) after the prompt names the address', async () => {
  const io = fakeIo({}, ['yes']);
  assert.deepEqual(await checkHostKey(ctx(io)), { added: true, trusted: true });
  assert.equal(io.files[USER_KH], `${HOST},${IP} ${ed.text}\n`);
  assert.match(io.prompts[0]!, new RegExp(`^The authenticity of host '\\[server\\.example\\]:2222 \\(\\[192\\.0\\.2\\.10\\]:2222\\)' can't be established\\.\n`));
  assert.deepEqual(io.infos, [`Warning: Permanently added '${HOST},${IP}' (ED25519) to the list of known hosts.`]);

  const hashed = fakeIo({});
  await checkHostKey(ctx(hashed, { strict: 'accept-new', hashKnownHosts: true }));
  const lines = hashed.files[USER_KH]!.trim().split('\n');
  assert.equal(lines.length, 2);
  for (const line of lines) assert.match(line, /^\|1\|[^ ]+ ssh-ed25519 /);
});

test('CheckHostIP: a known host with an unknown address gets the address added; loopback and proxies skip the check', async () => {
  const io = fakeIo({ [USER_KH]: `${HOST} ${ed.text}\n` });
  assert.equal((await checkHostKey(ctx(io, { strict: 'yes' }))).trusted, true);
  assert.deepEqual(io.infos, [`Warning: Permanently added the ED25519 host key for IP address '${IP}' to the list of known hosts.`]);
  assert.equal(io.files[USER_KH], `${HOST} ${ed.text}\n${IP} ${ed.text}\n`);
  for (const address of ['127.0.0.1', undefined]) {
    const quiet = fakeIo({ [USER_KH]: `${HOST} ${ed.text}\n` });
    await checkHostKey(ctx(quiet, { strict: 'yes', ...(address ? { address } : { address: undefined }) }));
    assert.deepEqual(quiet.infos, []);
  }
});

test('CheckHostIP: the address recorded with another key — strict refuses, ask asks, no continues', async () => {
  const files = { [USER_KH]: `${HOST} ${ed.text}\n${IP} ${ed2.text}\n` };
  const message = `Warning: the ED25519 host key for '${HOST}' differs from the key for the IP address '${IP}'\nOffending key for IP in ${USER_KH}:2\nMatching host key in ${USER_KH}:1`;
  const strict = fakeIo({ ...files });
  await refused(checkHostKey(ctx(strict, { strict: 'yes' })));
  assert.deepEqual(strict.infos, [message]);
  assert.deepEqual(strict.warnings, ['Exiting, you have requested strict checking.']);
  const asked = fakeIo({ ...files }, ['maybe', 'yes']);
  assert.equal((await checkHostKey(ctx(asked))).trusted, true);
  assert.deepEqual(asked.prompts, [`${message}\nAre you sure you want to continue connecting (yes/no)? `, "Please type 'yes' or 'no': "]);
  const lax = fakeIo({ ...files });
  assert.equal((await checkHostKey(ctx(lax, { strict: 'no' }))).trusted, true);
  assert.deepEqual(lax.infos, [message]);
});

test('CheckHostIP: a changed host key whose address still has the old key warns of DNS spoofing first', async () => {
  const io = fakeIo({ [USER_KH]: `${HOST} ${ed2.text}\n${IP} ${ed.text}\n` });
  await refused(checkHostKey(ctx(io, { strict: 'yes' })));
  assert.deepEqual(io.warnings.slice(0, 8), [
    '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
    '@       WARNING: POSSIBLE DNS SPOOFING DETECTED!          @',
    '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
    `The ED25519 host key for ${HOST} has changed,`,
    `and the key for the corresponding IP address ${IP}`,
    'is unchanged. This could either mean that',
    'DNS SPOOFING is happening or the IP address for the host',
    'and its host key have changed at the same time.',
  ]);
  assert.match(io.warnings.join('\n'), /WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!/);
});

test('KnownHostsCommand lines count as known keys, are never written to, and block UpdateHostKeys', async () => {
  const calls: string[] = [];
  const io = fakeIo({}, [], (invocation, name) => {
    calls.push(`${invocation} ${name}`);
    return `${name} ${ed.text}\n`;
  });
  const r = await checkHostKey(ctx(io, { strict: 'yes', checkHostIP: false }));
  assert.deepEqual(r, { added: false, trusted: true, noHostKeyUpdate: 'host key found via KnownHostsCommand' });
  assert.deepEqual(calls, [`HOSTNAME ${HOST}`]);
  assert.deepEqual(io.files, {});
});

test('NoHostAuthenticationForLocalhost accepts any key from a loopback address, unless HostKeyAlias is set', async () => {
  const io = fakeIo({ [USER_KH]: `[localhost]:2222 ${ed2.text}\n` });
  const over = { host: 'localhost', address: '127.0.0.1', noHostAuthenticationForLocalhost: true, strict: 'yes' as const };
  assert.deepEqual(await checkHostKey(ctx(io, over)), { added: false, trusted: false });
  await refused(checkHostKey(ctx(fakeIo({}), { ...over, hostKeyAlias: 'alias' })));
});

test('VisualHostKey shows the random art; FingerprintHash MD5 changes the prompt', async () => {
  const io = fakeIo({ [USER_KH]: `${HOST} ${ed.text}\n` });
  await checkHostKey(ctx(io, { checkHostIP: false, visualHostKey: true }));
  assert.match(io.infos[0]!, /^Host key fingerprint is SHA256:[^\n]+\n\+--\[ED25519 256\]--\+\n/);
  const md5 = fakeIo({}, ['no']);
  await refused(checkHostKey(ctx(md5, { checkHostIP: false, fingerprintHash: 'MD5' })));
  assert.ok(md5.prompts[0]!.includes(`ED25519 key fingerprint is ${fingerprint(ed.blob, 'MD5')}.\n`));
  assert.match(fingerprint(ed.blob, 'MD5'), /^MD5:([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
});

test('host-key algorithms prefer the types known for the host, certificates when a CA is listed', () => {
  const entries = (text: string) => entriesForName(parseKnownHosts('kh', text), HOST);
  const algorithms = [...DEFAULT_HOST_KEY_ALGORITHMS];
  assert.deepEqual(orderHostKeyAlgorithms(algorithms, entries('')).ordered, algorithms);
  assert.deepEqual(orderHostKeyAlgorithms(algorithms, entries(`${HOST} ${ed.text}\n`)).ordered, algorithms);
  assert.deepEqual(orderHostKeyAlgorithms(algorithms, entries(`${HOST} ${rsa.text}\n`)).ordered, [
    'rsa-sha2-512-cert-v01@openssh.com',
    'rsa-sha2-256-cert-v01@openssh.com',
    'rsa-sha2-512',
    'rsa-sha2-256',
    ...algorithms.filter((a) => !a.startsWith('rsa-')),
  ]);
  const withCa = orderHostKeyAlgorithms(algorithms, entries(`@cert-authority * ${rsa.text}\n`)).ordered;
  const certs = algorithms.filter((a) => a.includes('-cert-'));
  assert.deepEqual(withCa.slice(0, certs.length), certs);
});
