import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { TsshError } from '../../src/errors.js';
import { checkHostKey, type HostKeyCheckContext, type HostKeyCheckIo } from '../../src/hostkeys/policy.js';
import { makeKey, makeTempDir, removeTempDir, sshKeygenFind, type TestKey } from './known-hosts-fixtures.js';

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

interface FakeIo extends HostKeyCheckIo {
  files: Record<string, string>;
  warnings: string[];
  infos: string[];
  prompts: string[];
}

/** In-memory io. `answers` scripts the terminal (undefined = no terminal at all). */
function fakeIo(files: Record<string, string>, answers?: Array<string | undefined>): FakeIo {
  const io: FakeIo = {
    files,
    warnings: [],
    infos: [],
    prompts: [],
    readFile: async (p) => files[p],
    appendFile: async (p, text) => {
      if (p.startsWith('/readonly/')) throw Object.assign(new Error('EACCES'), { code: 'EACCES' });
      files[p] = (files[p] ?? '') + text;
    },
    warn: (line) => io.warnings.push(line),
    info: (line) => io.infos.push(line),
  };
  if (answers !== undefined) {
    io.confirm = async (prompt) => {
      io.prompts.push(prompt);
      return answers.shift();
    };
  }
  return io;
}

const USER_KH = '/home/u/.ssh/known_hosts';
const GLOBAL_KH = '/etc/ssh/ssh_known_hosts';

function ctx(io: HostKeyCheckIo, over: Partial<HostKeyCheckContext> = {}): HostKeyCheckContext {
  return {
    host: '127.0.0.1',
    port: 42022,
    keyType: ed.keyType,
    keyBlob: ed.blob,
    strict: 'ask',
    userKnownHostsFiles: [USER_KH, '/home/u/.ssh/known_hosts2'],
    globalKnownHostsFiles: [GLOBAL_KH],
    hashKnownHosts: false,
    batchMode: false,
    address: '127.0.0.1',
    homeDir: '/home/u',
    io,
    ...over,
  };
}

async function refused(promise: Promise<unknown>): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof TsshError);
    assert.equal(err.code, 'HOSTKEY');
    assert.equal(err.message, 'Host key verification failed.');
    return true;
  });
}

const BANNER = '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@';

/** What Debian's OpenSSH 9.2 ssh prints for a changed key (captured from the real client). */
function changedBlock(fingerprint: string, offendingType: string, file: string, line: number, name: string): string[] {
  return [
    BANNER,
    '@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @',
    BANNER,
    'IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!',
    'Someone could be eavesdropping on you right now (man-in-the-middle attack)!',
    'It is also possible that a host key has just been changed.',
    `The fingerprint for the ED25519 key sent by the remote host is\n${fingerprint}.`,
    'Please contact your system administrator.',
    `Add correct host key in ${USER_KH} to get rid of this message.`,
    `Offending ${offendingType} key in ${file}:${line}`,
    '  remove with:',
    `  ssh-keygen -f "${file}" -R "${name}"`,
  ];
}

function revokedBlock(name: string): string[] {
  return [
    BANNER,
    '@       WARNING: REVOKED HOST KEY DETECTED!               @',
    BANNER,
    `The ED25519 host key for ${name} is marked as revoked.`,
    'This could mean that a stolen key is being used to',
    'impersonate this host.',
  ];
}

const UNSAFE = [
  'Password authentication is disabled to avoid man-in-the-middle attacks.',
  'Keyboard-interactive authentication is disabled to avoid man-in-the-middle attacks.',
];
const ALL_MODES = ['yes', 'ask', 'accept-new', 'no'] as const;

describe('known keys', () => {
  test('a matching key is accepted silently in every mode, from user or global files', async () => {
    for (const strict of ALL_MODES) {
      for (const file of [USER_KH, GLOBAL_KH]) {
        const files: Record<string, string> = { [file]: `[127.0.0.1]:42022 ${ed.text}\n` };
        const io = fakeIo(files);
        // A key from a global file is trusted, but UpdateHostKeys may not rewrite anything for it.
        const expected = file === GLOBAL_KH ? { noHostKeyUpdate: 'host key found in GlobalKnownHostsFile' } : {};
        assert.deepEqual(await checkHostKey(ctx(io, { strict })), { added: false, trusted: true, ...expected });
        assert.deepEqual([io.warnings, io.infos], [[], []]);
      }
    }
  });

  test('on a non-22 port a key recorded for the bare host name is accepted, unless HostKeyAlias is set', async () => {
    const files = { [USER_KH]: `127.0.0.1 ${ed.text}\n` };
    // Accepted, but as in OpenSSH not "trusted": UpdateHostKeys stays off for a key found without the port.
    assert.deepEqual(await checkHostKey(ctx(fakeIo(files), { strict: 'yes' })), { added: false, trusted: false });
    const io = fakeIo(files);
    await refused(checkHostKey(ctx(io, { strict: 'yes', hostKeyAlias: 'MyAlias' })));
    assert.deepEqual(io.warnings, ['No ED25519 host key is known for myalias and you have requested strict checking.']);
  });

  test('HostKeyAlias and upper-case host names are looked up in lower case', async () => {
    const files = { [USER_KH]: `myalias ${ed.text}\n[server.example]:42022 ${ed2.text}\n` };
    assert.equal((await checkHostKey(ctx(fakeIo(files), { strict: 'yes', hostKeyAlias: 'MyAlias' }))).trusted, true);
    const io = fakeIo(files);
    const r = await checkHostKey(ctx(io, { strict: 'yes', host: 'SERVER.Example', keyBlob: ed2.blob }));
    assert.equal(r.trusted, true);
  });
});

describe('revoked keys', () => {
  test('refused with the REVOKED block in every strict mode', async () => {
    for (const strict of ['yes', 'ask', 'accept-new'] as const) {
      const io = fakeIo({ [USER_KH]: `[127.0.0.1]:42022 ${ed.text}\n@revoked * ${ed.text}\n` });
      await refused(checkHostKey(ctx(io, { strict })));
      assert.deepEqual(io.warnings, [
        ...revokedBlock('[127.0.0.1]:42022'),
        'ED25519 host key for [127.0.0.1]:42022 was revoked and you have requested strict checking.',
      ]);
    }
  });

  test('StrictHostKeyChecking no continues without password or keyboard-interactive auth', async () => {
    const io = fakeIo({ [USER_KH]: `@revoked [127.0.0.1]:42022 ${ed.text}\n` });
    const r = await checkHostKey(ctx(io, { strict: 'no' }));
    assert.deepEqual(r, {
      added: false,
      trusted: false,
      passwordAuthDisabled: true,
      disabledFeatures: ['passwordAuthentication', 'kbdInteractiveAuthentication'],
    });
    assert.deepEqual(io.warnings, [...revokedBlock('[127.0.0.1]:42022'), ...UNSAFE]);
    assert.equal(io.files[USER_KH], `@revoked [127.0.0.1]:42022 ${ed.text}\n`);
  });
});

describe('changed keys', () => {
  test('refused with the full warning in yes, ask and accept-new', async () => {
    for (const strict of ['yes', 'ask', 'accept-new'] as const) {
      const io = fakeIo({ [USER_KH]: `# first\n[127.0.0.1]:42022 ${ed2.text}\n` }, ['yes']);
      await refused(checkHostKey(ctx(io, { strict })));
      assert.deepEqual(io.warnings, [
        ...changedBlock(ed.fingerprint, 'ED25519', USER_KH, 2, '[127.0.0.1]:42022'),
        'Host key for [127.0.0.1]:42022 has changed and you have requested strict checking.',
      ]);
      assert.deepEqual(io.prompts, []);
    }
  });

  test('a host known only with another key type counts as changed (OpenSSH 9.2)', async () => {
    const io = fakeIo({ [GLOBAL_KH]: `[127.0.0.1]:42022 ${rsa.text}\n` });
    await refused(checkHostKey(ctx(io, { strict: 'accept-new' })));
    assert.deepEqual(io.warnings, [
      ...changedBlock(ed.fingerprint, 'RSA', GLOBAL_KH, 1, '[127.0.0.1]:42022'),
      'Host key for [127.0.0.1]:42022 has changed and you have requested strict checking.',
    ]);
  });

  test('a host known only under a key type tssh cannot parse still has a key: changed, not new', async () => {
    // A well-formed blob of a type newer than tssh (its fields are opaque here).
    const future = 'ssh-future-key-v99@example.com';
    const blob = Buffer.concat([Buffer.from([0, 0, 0, future.length]), Buffer.from(future), Buffer.from([0, 0, 0, 4, 1, 2, 3, 4])]);
    const io = fakeIo({ [USER_KH]: `[127.0.0.1]:42022 ${future} ${blob.toString('base64')}\n` });
    await refused(checkHostKey(ctx(io, { strict: 'accept-new' })));
    assert.deepEqual(io.warnings, [
      ...changedBlock(ed.fingerprint, 'unknown', USER_KH, 1, '[127.0.0.1]:42022'),
      'Host key for [127.0.0.1]:42022 has changed and you have requested strict checking.',
    ]);
    assert.equal(io.files[USER_KH], `[127.0.0.1]:42022 ${future} ${blob.toString('base64')}\n`, 'nothing added');
  });

  test('StrictHostKeyChecking no continues and disables what a MITM could abuse', async () => {
    const files = { [USER_KH]: `[127.0.0.1]:42022 ${ed2.text}\n` };
    const io = fakeIo(files);
    const r = await checkHostKey(ctx(io, { strict: 'no' }));
    assert.equal(r.passwordAuthDisabled, true);
    assert.equal(r.added, false);
    assert.deepEqual(io.warnings, [...changedBlock(ed.fingerprint, 'ED25519', USER_KH, 1, '[127.0.0.1]:42022'), ...UNSAFE]);

    const io2 = fakeIo(files);
    const enabledFeatures = { forwardAgent: true, portForwarding: true, kbdInteractiveAuthentication: false };
    const r2 = await checkHostKey(ctx(io2, { strict: 'no', enabledFeatures }));
    assert.deepEqual(r2.disabledFeatures, ['passwordAuthentication', 'forwardAgent', 'portForwarding']);
    assert.deepEqual(io2.warnings.slice(-3), [
      'Password authentication is disabled to avoid man-in-the-middle attacks.',
      'Agent forwarding is disabled to avoid man-in-the-middle attacks.',
      'Port forwarding is disabled to avoid man-in-the-middle attacks.',
    ]);

    await assert.rejects(checkHostKey(ctx(fakeIo(files), { strict: 'no', exitOnForwardFailure: true })), {
      code: 'HOSTKEY',
      message: 'Error: forwarding disabled due to host key check failure',
    });
  });
});

describe('unknown keys', () => {
  test('yes refuses with the strict-checking message', async () => {
    const io = fakeIo({});
    await refused(checkHostKey(ctx(io, { strict: 'yes' })));
    assert.deepEqual(io.warnings, ['No ED25519 host key is known for [127.0.0.1]:42022 and you have requested strict checking.']);
    assert.deepEqual(io.files, {});
  });

  test('accept-new and no append to the first user file and say so', async () => {
    for (const strict of ['accept-new', 'no'] as const) {
      const io = fakeIo({ '/home/u/.ssh/known_hosts2': `other ${rsa.text}\n` });
      assert.deepEqual(await checkHostKey(ctx(io, { strict })), { added: true, trusted: false });
      assert.deepEqual(io.files[USER_KH], `[127.0.0.1]:42022 ${ed.text}\n`);
      assert.deepEqual(io.infos, ["Warning: Permanently added '[127.0.0.1]:42022' (ED25519) to the list of known hosts."]);
      assert.deepEqual(io.warnings, []);
    }
  });

  test('port 22 records the bare name; a last line without newline is not glued to', async () => {
    const io = fakeIo({ [USER_KH]: `other ${rsa.text}` });
    await checkHostKey(ctx(io, { strict: 'accept-new', host: 'Server.Example', port: 22, keyType: rsa.keyType, keyBlob: rsa.blob }));
    assert.equal(io.files[USER_KH], `other ${rsa.text}\nserver.example ${rsa.text}\n`);
    assert.deepEqual(io.infos, ["Warning: Permanently added 'server.example' (RSA) to the list of known hosts."]);
  });

  test('a failed append is reported and the connection goes on', async () => {
    const io = fakeIo({});
    const r = await checkHostKey(ctx(io, { strict: 'no', userKnownHostsFiles: ['/readonly/kh'] }));
    assert.deepEqual(r, { added: false, trusted: false });
    assert.deepEqual(io.infos, ['Failed to add the host to the list of known hosts (/readonly/kh).']);
  });

  test('no user known_hosts file (UserKnownHostsFile none), or an unrecordable name: refused silently', async () => {
    for (const userKnownHostsFiles of [[], ['none']]) {
      for (const strict of ALL_MODES) {
        const io = fakeIo({}, ['yes']);
        await refused(checkHostKey(ctx(io, { strict, userKnownHostsFiles })));
        assert.deepEqual([io.warnings, io.infos, io.prompts], [[], [], []]);
      }
    }
    const io = fakeIo({});
    await refused(checkHostKey(ctx(io, { strict: 'no', host: "bad'host" })));
    assert.deepEqual([io.warnings, io.infos, io.files], [[], [], {}]);
    // Known keys still work with no user files at all.
    const known = fakeIo({ [GLOBAL_KH]: `[127.0.0.1]:42022 ${ed.text}\n` });
    assert.equal((await checkHostKey(ctx(known, { strict: 'yes', userKnownHostsFiles: [] }))).trusted, true);
    const none = fakeIo({});
    await refused(checkHostKey(ctx(none, { strict: 'no', userKnownHostsFiles: [], globalKnownHostsFiles: [] })));
  });

  test('a revoked bare-host key on another port warns, then the key is handled as new', async () => {
    const io = fakeIo({ [USER_KH]: `@revoked 127.0.0.1 ${ed.text}\n` });
    assert.deepEqual(await checkHostKey(ctx(io, { strict: 'accept-new' })), { added: true, trusted: false });
    assert.deepEqual(io.warnings, [
      ...revokedBlock('127.0.0.1'),
      'ED25519 host key for 127.0.0.1 was revoked and you have requested strict checking.',
    ]);
  });
});

describe('ask', () => {
  const prompt = (name: string, address: string, otherLines = ['This key is not known by any other names.']) =>
    [
      `The authenticity of host '${name} (${address})' can't be established.`,
      `ED25519 key fingerprint is ${ed.fingerprint}.`,
      ...otherLines,
      'Are you sure you want to continue connecting (yes/no/[fingerprint])? ',
    ].join('\n');

  test('re-asks on other answers, then records the key after yes', async () => {
    const io = fakeIo({}, ['maybe', ' YES \n']);
    assert.deepEqual(await checkHostKey(ctx(io)), { added: true, trusted: true });
    assert.deepEqual(io.prompts, [prompt('[127.0.0.1]:42022', '[127.0.0.1]:42022'), "Please type 'yes', 'no' or the fingerprint: "]);
    assert.equal(io.files[USER_KH], `[127.0.0.1]:42022 ${ed.text}\n`);
    assert.deepEqual(io.infos, ["Warning: Permanently added '[127.0.0.1]:42022' (ED25519) to the list of known hosts."]);
  });

  test('the fingerprint is accepted as an answer (exactly)', async () => {
    const io = fakeIo({}, [ed.fingerprint.toLowerCase(), ed.fingerprint]);
    assert.equal((await checkHostKey(ctx(io, { port: 22 }))).added, true);
    assert.equal(io.prompts.length, 2);
    assert.equal(io.prompts[0], prompt('127.0.0.1', '127.0.0.1'));
  });

  test('no, an empty answer, end of input, BatchMode or no terminal refuse', async () => {
    for (const answers of [['no'], ['NO'], [''], ['\n'], [undefined], ['huh', 'no']]) {
      const io = fakeIo({}, answers);
      await refused(checkHostKey(ctx(io)));
      assert.deepEqual(io.files, {});
      assert.deepEqual(io.warnings, []);
    }
    const batch = fakeIo({}, ['yes']);
    await refused(checkHostKey(ctx(batch, { batchMode: true })));
    assert.deepEqual(batch.prompts, []);
    await refused(checkHostKey(ctx(fakeIo({})))); // io.confirm absent
  });

  test('lists other names holding the same key, and the proxy address placeholder', async () => {
    const io = fakeIo(
      {
        [USER_KH]: `otherhost,10.0.0.9 ${ed.text}\n|1|0qTxviE7AGtoH0NgrTDFkx4uZY8=|QpUWKeEfsF3A+RBCsV6qM6znK+X= ${ed.text}\n`,
        [GLOBAL_KH]: `x ${ed2.text}\n${Array.from({ length: 8 }, (_, i) => `g${i} ${ed.text}`).join('\n')}\n`,
      },
      ['yes'],
    );
    await checkHostKey(ctx(io, { host: 'Proxied', port: 22, address: undefined }));
    const others = [
      'This host key is known by the following other names/addresses:',
      '    ~/.ssh/known_hosts:1: otherhost,10.0.0.9',
      '    ~/.ssh/known_hosts:2: [hashed name]',
      ...Array.from({ length: 6 }, (_, i) => `    ${GLOBAL_KH}:${i + 2}: g${i}`),
      '    (2 additional names omitted)',
    ];
    assert.deepEqual(io.prompts, [prompt('proxied', '<no hostip for proxy command>', others)]);
  });
});

describe('with the real filesystem', () => {
  function fsIo(): HostKeyCheckIo & { infos: string[] } {
    const infos: string[] = [];
    return {
      infos,
      readFile: (p) => readFile(p, 'utf8').catch(() => undefined),
      appendFile: (p, text) => appendFile(p, text, { mode: 0o600 }),
      warn: (line) => assert.fail(`unexpected warning: ${line}`),
      info: (line) => infos.push(line),
      makeDirectory: (p, mode) => mkdir(p, { mode }).catch((e: NodeJS.ErrnoException) => (e.code === 'EEXIST' ? undefined : Promise.reject(e))),
    };
  }

  test('creates ~/.ssh (0700), writes lines ssh-keygen -F finds, hashed or not, and recognises them next time', async () => {
    const home = path.join(dir, 'home');
    await mkdir(home);
    const khPath = path.join(home, '.ssh', 'known_hosts');
    const base = { userKnownHostsFiles: [khPath], globalKnownHostsFiles: [], homeDir: home, strict: 'accept-new' as const };
    const io = fsIo();
    assert.equal((await checkHostKey(ctx(io, { ...base, host: 'plain.example', port: 22 }))).added, true);
    assert.equal((await stat(path.join(home, '.ssh'))).mode & 0o777, 0o700);
    await checkHostKey(ctx(io, { ...base, host: 'hashed.example', port: 2022, hashKnownHosts: true, keyType: rsa.keyType, keyBlob: rsa.blob }));
    assert.deepEqual(sshKeygenFind('plain.example', khPath), [1]);
    assert.deepEqual(sshKeygenFind('[hashed.example]:2022', khPath), [2]);
    assert.match(await readFile(khPath, 'utf8'), /^plain\.example ssh-ed25519 \S+\n\|1\|\S+\|\S+ ssh-rsa \S+\n$/);
    const again = await checkHostKey(ctx(io, { ...base, strict: 'yes', host: 'hashed.example', port: 2022, keyType: rsa.keyType, keyBlob: rsa.blob }));
    assert.deepEqual(again, { added: false, trusted: true });
    assert.equal(io.infos.length, 2);
  });

  test('does not create directories other than ~/.ssh', async () => {
    const io = fsIo();
    const khPath = path.join(dir, 'missing', 'known_hosts');
    const r = await checkHostKey(ctx(io, { strict: 'no', userKnownHostsFiles: [khPath], homeDir: dir }));
    assert.deepEqual(r, { added: false, trusted: false });
    assert.deepEqual(io.infos, [`Failed to add the host to the list of known hosts (${khPath}).`]);
    await assert.rejects(stat(path.join(dir, 'missing')));
  });
});
