/**
 * Fuzz targets for the byte level: the SSH wire reader, the identification line, KEXINIT parsing and
 * negotiation, and the packet codec for every cipher and MAC. For authenticated ciphers the codec must
 * also never hand out a payload that differs from what was sealed.
 */
import { SshReader } from '../../../src/wire/reader.js';
import { IdentReader } from '../../../src/transport/ident.js';
import { encodeKexInit, negotiate, parseKexInit, type KexProposal } from '../../../src/transport/kexinit.js';
import { PacketDecoder, PacketEncoder } from '../../../src/transport/packet-codec.js';
import { cipherInfo, createOpener, createSealer, macInfo } from '../../../src/crypto/protection.js';
import { CIPHER_NAMES, HOST_KEY_NAMES, KEX_NAMES, MAC_NAMES } from '../../../src/crypto/names.js';
import type { FuzzTarget, Random } from '../engine.js';

/** Reads the input as a random sequence of SSH data types, as every message parser does. */
export const wireReader: FuzzTarget = {
  name: 'wire reader',
  seeds: () => [Buffer.from('0000000568656c6c6f0000000100000000', 'hex'), Buffer.from('000000076162632c646566ff00000000000000010000000280ff', 'hex')],
  run(input: Buffer, random: Random) {
    const r = new SshReader(input, 'fuzz');
    for (let i = 0; i < 32 && r.remaining > 0; i++) {
      const op = random.int(10);
      if (op === 0) r.byte();
      else if (op === 1) r.boolean();
      else if (op === 2) r.uint32();
      else if (op === 3) r.uint64();
      else if (op === 4) r.string();
      else if (op === 5) r.text();
      else if (op === 6) r.nameList();
      else if (op === 7) r.mpint();
      else if (op === 8) r.raw(random.int(8));
      else r.mpintBytes();
    }
    r.end();
  },
};

/** The identification exchange as a client sees it, fed in random pieces. */
export const identification: FuzzTarget = {
  name: 'identification line',
  seeds: () => [Buffer.from('SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n\0\0\0\x0c'), Buffer.from('hello\r\nworld\nSSH-1.99-x y z\r\n'), Buffer.from('SSH-2.0-x\n')],
  run(input: Buffer, random: Random) {
    const reader = new IdentReader(true);
    for (let at = 0; at < input.length; ) {
      const n = 1 + random.int(16);
      if (reader.push(input.subarray(at, at + n))) return;
      at += n;
    }
  },
};

const PROPOSAL: KexProposal = {
  kex: [...KEX_NAMES, 'ext-info-c', 'kex-strict-c-v00@openssh.com'],
  hostKey: [...HOST_KEY_NAMES],
  cipherCtoS: [...CIPHER_NAMES],
  cipherStoC: [...CIPHER_NAMES],
  macCtoS: [...MAC_NAMES],
  macStoC: [...MAC_NAMES],
  compressionCtoS: ['none', 'zlib@openssh.com'],
  compressionStoC: ['none', 'zlib@openssh.com'],
  languageCtoS: [],
  languageStoC: [],
};

export const kexinit: FuzzTarget = {
  name: 'KEXINIT',
  seeds: () => [encodeKexInit(PROPOSAL), encodeKexInit({ ...PROPOSAL, kex: ['curve25519-sha256', 'kex-strict-s-v00@openssh.com'], languageCtoS: ['en'] })],
  run(input: Buffer) {
    const peer = parseKexInit(input);
    return negotiate(PROPOSAL, peer.proposal, { isAead: (name) => cipherInfo(name)?.aead ?? false });
  },
};

/**
 * Every default cipher (with every default MAC unless AEAD), and one legacy CBC cipher per construction
 * (the seeds are built inside the short run's time budget, so not every legacy pair): [cipher, mac].
 */
const COMBOS: Array<[string, string | undefined]> = [
  ...CIPHER_NAMES.flatMap((cipher): Array<[string, string | undefined]> =>
    cipherInfo(cipher)!.aead ? [[cipher, undefined]] : MAC_NAMES.map((mac): [string, string | undefined] => [cipher, mac]),
  ),
  ['aes128-cbc', 'hmac-md5'],
  ['3des-cbc', 'umac-64@openssh.com'],
  ['aes256-cbc', 'hmac-sha1-96-etm@openssh.com'],
];
const PAYLOADS = [Buffer.from([94, 0, 0, 0, 0, 0, 0, 0, 5, 104, 101, 108, 108, 111]), Buffer.alloc(300, 0x41), Buffer.from([2, 0, 0, 0, 0])];

function keysFor(cipher: string, mac: string | undefined): { key: Buffer; iv: Buffer; macKey: Buffer } {
  const info = cipherInfo(cipher)!;
  return { key: Buffer.alloc(info.keyLength, 7), iv: Buffer.alloc(info.ivLength, 9), macKey: Buffer.alloc(mac ? macInfo(mac)!.keyLength : 0, 11) };
}

/**
 * The first input byte picks the cipher and MAC; the rest is the byte stream, decoded in random pieces.
 * Every payload that comes out must be the one sealed at that position: tampering is detected, never passed on.
 */
export const packetCodec: FuzzTarget = {
  name: 'packet codec (every cipher and MAC)',
  cost: 3,
  seeds: () =>
    COMBOS.map(([cipher, mac], index) => {
      const encoder = new PacketEncoder(createSealer(cipher, mac, keysFor(cipher, mac)));
      return Buffer.concat([Buffer.from([index]), ...PAYLOADS.map((p) => encoder.encode(p))]);
    }),
  run(input: Buffer, random: Random) {
    if (input.length === 0) return;
    const [cipher, mac] = COMBOS[input[0]! % COMBOS.length]!;
    const decoder = new PacketDecoder(createOpener(cipher, mac, keysFor(cipher, mac)));
    const stream = input.subarray(1);
    let index = 0;
    for (let at = 0; at < stream.length; ) {
      const n = 1 + random.int(200);
      decoder.push(stream.subarray(at, at + n));
      at += n;
      for (let payload = decoder.next(); payload; payload = decoder.next()) {
        if (index >= PAYLOADS.length || !payload.equals(PAYLOADS[index]!)) {
          throw new Error(`${cipher} ${mac ?? ''}: payload ${index} came out altered, not rejected`);
        }
        index++;
      }
    }
  },
};
