/**
 * Fuzz targets for what tssh reads from files and local peers: private keys (the binary openssh-key-v1
 * container, re-armored, and the raw file text), public key lines and blobs, certificates, known_hosts,
 * ssh_config through the whole resolver (with Include, Match exec and DNS stubbed out), ssh-agent
 * replies and SOCKS requests. Seeds are made with ssh-keygen and node:crypto.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseOpenSSHPublicKey, parsePrivateKey, parsePublicKeyBlob } from '../../../src/crypto/keys/index.js';
import { parseCertifiedPublicKey } from '../../../src/crypto/keys/certificate.js';
import { freshPrivateKeyObject } from '../../../src/crypto/keys/private-key.js';
import { parseKnownHosts, knownKeyTypesFor, lookupHostKey } from '../../../src/hostkeys/known-hosts.js';
import { parseArgs } from '../../../src/cli/args.js';
import { resolveHost } from '../../../src/profile/resolve.js';
import { AgentFrameReader, parseIdentitiesAnswer, parseSignResponse, parseSuccess } from '../../../src/agent/protocol.js';
import { SocksNegotiation } from '../../../src/forward/socks.js';
import { SshWriter } from '../../../src/wire/writer.js';
import type { FuzzTarget, Random } from '../engine.js';

interface KeyFiles {
  privateTexts: string[];
  publicLines: string[];
  certificateLine: string;
}

let made: KeyFiles | undefined;
/** Keys and a certificate from ssh-keygen (the formats users really have), made once. */
function keyFiles(): KeyFiles {
  if (made) return made;
  const dir = mkdtempSync(path.join(tmpdir(), 'tssh-fuzz-keys-'));
  try {
    const keygen = (...args: string[]): void => {
      const r = spawnSync('ssh-keygen', ['-q', ...args], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`ssh-keygen ${args.join(' ')}: ${r.stderr}`);
    };
    const types: Array<[string, string[]]> = [['ed25519', ['-t', 'ed25519']], ['ecdsa', ['-t', 'ecdsa', '-b', '256']], ['rsa', ['-t', 'rsa', '-b', '1024']]];
    for (const [name, args] of types) keygen(...args, '-N', '', '-C', `fuzz ${name}`, '-f', path.join(dir, name));
    keygen('-s', path.join(dir, 'ed25519'), '-I', 'fuzz-cert', '-n', 'fuzz', '-V', '+52w', path.join(dir, 'ecdsa.pub'));
    const read = (name: string): string => readFileSync(path.join(dir, name), 'utf8');
    made = {
      privateTexts: types.map(([name]) => read(name)),
      publicLines: types.map(([name]) => read(`${name}.pub`).trim()),
      certificateLine: read('ecdsa-cert.pub').trim(),
    };
    return made;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const ARMOR_BEGIN = '-----BEGIN OPENSSH PRIVATE KEY-----';
const ARMOR_END = '-----END OPENSSH PRIVATE KEY-----';

function unarmor(text: string): Buffer {
  return Buffer.from(text.replace(ARMOR_BEGIN, '').replace(ARMOR_END, '').replace(/\s+/g, ''), 'base64');
}

/** The openssh-key-v1 container as bytes: mutations reach its fields instead of breaking the base64. */
export const privateKeyContainer: FuzzTarget = {
  name: 'private key files (openssh-key-v1 container)',
  cost: 4,
  seeds: () => keyFiles().privateTexts.map(unarmor),
  run(input: Buffer) {
    const base64 = input.toString('base64').replace(/.{70}/g, '$&\n');
    return parsePrivateKey(Buffer.from(`${ARMOR_BEGIN}\n${base64}\n${ARMOR_END}\n`), 'fuzz_key');
  },
};

export const privateKeyText: FuzzTarget = {
  name: 'private key files (text: OpenSSH and PEM)',
  cost: 13,
  seeds: () => [
    ...keyFiles().privateTexts.map((t) => Buffer.from(t)),
    Buffer.from(freshPrivateKeyObject('ecdsa-sha2-nistp256').export({ format: 'pem', type: 'sec1' }) as string),
    Buffer.from(freshPrivateKeyObject('ssh-ed25519').export({ format: 'pem', type: 'pkcs8' }) as string),
  ],
  run: (input: Buffer) => parsePrivateKey(input, 'fuzz_key'),
};

export const publicKeys: FuzzTarget = {
  name: 'public keys and certificates (lines and blobs)',
  cost: 3,
  seeds: () => {
    const { publicLines, certificateLine } = keyFiles();
    const lines = [...publicLines, certificateLine];
    return [...lines.map((l) => Buffer.from(l)), ...lines.map((l) => Buffer.from(l.split(' ')[1]!, 'base64'))];
  },
  run(input: Buffer) {
    const text = input.toString('latin1');
    if (/^[a-z]/.test(text)) return parseOpenSSHPublicKey(text);
    try {
      return parsePublicKeyBlob(input);
    } finally {
      parseCertifiedPublicKey(input);
    }
  },
};

export const knownHosts: FuzzTarget = {
  name: 'known_hosts',
  seeds: () => {
    const [ed, ecdsa] = keyFiles().publicLines;
    const blob = (line: string | undefined): string => (line ?? '').split(' ').slice(0, 2).join(' ');
    return [
      Buffer.from(`# comment\n[127.0.0.1]:2222,host.example ${blob(ed)}\n@revoked * ${blob(ecdsa)}\n`),
      Buffer.from(`|1|JfKTdBh7rNbXkVAQCRp4OQoPfmI=|USECr3SWf1JUPsms5AqfD5QfxkM= ${blob(ed)}\n!bad,*.example ${blob(ecdsa)} c\n`),
      Buffer.from(`@cert-authority *.example ${blob(ed)}\n\n   \nhost  ${blob(ecdsa)}  trailing words\n`),
    ];
  },
  run(input: Buffer) {
    const parsed = parseKnownHosts('fuzz_known_hosts', input.toString('utf8'));
    knownKeyTypesFor(parsed, '[127.0.0.1]:2222');
    for (const name of ['host.example', '[127.0.0.1]:2222', 'a.example']) lookupHostKey(parsed, name, 'ssh-ed25519', Buffer.from('x'));
    return parsed;
  },
};

const CONFIG_SEEDS = [
  'Host *.example !bad.example\n  User alice\n  Port 2222\n  IdentityFile ~/.ssh/id_%r@%h\n  Ciphers +aes128-cbc\nMatch host *.lan exec "true" user bob\n  ProxyJump jump@gw:22,other\n  LocalForward 8080 localhost:80\n',
  'Include ~/.ssh/conf.d/*\nHost=fuzzhost\n\tHostName "10.0.0.1"\n\tSetEnv A=1 "B=two words"\n\tRemoteForward [::1]:9000 /tmp/sock\n\tRekeyLimit 1G 1h\n\tServerAliveInterval 5s\nIgnoreUnknown Foo*\nFooBar yes\n',
  'CanonicalizeHostname yes\nCanonicalDomains example.org\nMatch canonical final\n  StrictHostKeyChecking accept-new\n  SendEnv LANG LC_* -LC_ALL\n  DynamicForward 1080\n  KexAlgorithms -diffie*,^curve25519-sha256\n',
];

/** ssh_config text through the whole resolver, with a file system that holds only that text. */
export const sshConfig: FuzzTarget = {
  name: 'ssh_config (parse and resolve)',
  cost: 8,
  seeds: () => CONFIG_SEEDS.map((text) => Buffer.from(text)),
  run(input: Buffer) {
    const text = input.toString('utf8');
    return resolveHost(parseArgs(['-F', '/fuzz/config', 'fuzzhost']), {
      home: '/fuzz/home',
      user: 'fuzz',
      env: { HOME: '/fuzz/home' },
      localHostname: 'fuzz.local',
      uid: 1000,
      systemConfigFile: '/fuzz/etc/ssh_config',
      fs: {
        read: (file) => (file === '/fuzz/config' ? { ok: true, text, uid: 1000, mode: 0o600 } : { ok: false, code: 'ENOENT', message: 'No such file or directory' }),
        list: () => [],
      },
      identityAccessError: () => undefined,
      lookupHome: () => undefined,
      log: () => undefined,
      warn: () => undefined,
      resolveHostnames: (names) => names.map(() => false),
      runMatchExec: () => 1,
    });
  },
};

function agentMessage(type: number, body: (w: SshWriter) => void = () => undefined): Buffer {
  const w = new SshWriter().byte(type);
  body(w);
  return w.finish();
}

export const agentReplies: FuzzTarget = {
  name: 'ssh-agent replies',
  seeds: () => {
    const blob = Buffer.from(keyFiles().publicLines[0]!.split(' ')[1]!, 'base64');
    const identities = agentMessage(12, (w) => w.uint32(2).string(blob).string('first').string(blob).string('second'));
    return [identities, agentMessage(14, (w) => w.string(agentMessage(0, (s) => s.string('ssh-ed25519').string(Buffer.alloc(64))))), agentMessage(6), agentMessage(5), agentMessage(30)];
  },
  run(input: Buffer, random: Random) {
    const reader = new AgentFrameReader();
    const framed = Buffer.concat([Buffer.alloc(4), input]);
    framed.writeUInt32BE(random.chance(0.9) ? input.length : random.int(2 ** 32), 0);
    for (const reply of reader.push(framed)) {
      const parse = random.pick([parseIdentitiesAnswer, parseSignResponse, parseSuccess] as Array<(b: Buffer) => unknown>);
      parse(reply);
    }
  },
};

export const socksRequests: FuzzTarget = {
  name: 'SOCKS4/4a/5 requests',
  seeds: () => [
    Buffer.from([4, 1, 0, 80, 10, 0, 0, 1, 0x75, 0x73, 0x65, 0x72, 0]),
    Buffer.concat([Buffer.from([4, 1, 0, 80, 0, 0, 0, 1, 0]), Buffer.from('example.org\0')]),
    Buffer.concat([Buffer.from([5, 1, 0, 5, 1, 0, 3, 11]), Buffer.from('example.org'), Buffer.from([0, 80])]),
    Buffer.from([5, 2, 0, 2, 5, 1, 0, 4, ...Buffer.alloc(15), 1, 1, 187]),
  ],
  run(input: Buffer, random: Random) {
    const socks = new SocksNegotiation();
    for (let at = 0; at < input.length; ) {
      const n = 1 + random.int(8);
      const step = socks.push(input.subarray(at, at + n));
      at += n;
      if (step.kind !== 'more') return step;
    }
    return undefined;
  },
};
