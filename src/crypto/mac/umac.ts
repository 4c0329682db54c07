/**
 * umac-64@openssh.com and umac-128@openssh.com (and their -etm forms): UMAC (RFC 4418) with a 16-byte
 * AES-128 key, as OpenSSH uses it. The nonce is the packet sequence number as a big-endian uint64, and
 * the MAC covers the packet bytes alone (no sequence number prefix, unlike HMAC).
 *
 * Tag = UHASH(message) XOR pad, where the pad is AES under a derived key of the nonce: UMAC-64 takes
 * one half of the AES block whose nonce has its low bit cleared, so consecutive packets share a block.
 * AES (the KDF and the pad) comes from node:crypto; UHASH from ./uhash-wasm.ts, or ./uhash.ts where
 * WebAssembly is unavailable.
 */
import { createCipheriv, type Cipher } from 'node:crypto';
import { TsshError } from '../../errors.js';
import type { MacInfo } from '../cipher/types.js';
import { corruptedMac, tagsEqual } from './hmac.js';
import type { PacketMac } from './packet-mac.js';
import { jsUhash, uhashKeys, type Uhash, type UhashKeys, type UhashStreams } from './uhash.js';
import { wasmUhash } from './uhash-wasm.js';

const KEY_LENGTH = 16;
const BLOCK = 16;

interface UmacAlgorithm extends MacInfo {
  readonly streams: UhashStreams;
}

function umacAlgorithm(name: string, tagBytes: 8 | 16, etm: boolean): UmacAlgorithm {
  return Object.freeze({ name, keyLength: KEY_LENGTH, macLength: tagBytes, etm, streams: (tagBytes / 4) as UhashStreams });
}

const UMAC_ALGORITHMS: ReadonlyMap<string, UmacAlgorithm> = new Map(
  [
    umacAlgorithm('umac-64-etm@openssh.com', 8, true),
    umacAlgorithm('umac-128-etm@openssh.com', 16, true),
    umacAlgorithm('umac-64@openssh.com', 8, false),
    umacAlgorithm('umac-128@openssh.com', 16, false),
  ].map((alg) => [alg.name, alg]),
);

/** The public description of a UMAC algorithm, or undefined for any other name. */
export function umacInfo(name: string): MacInfo | undefined {
  const alg = UMAC_ALGORITHMS.get(name);
  return alg && { name: alg.name, keyLength: alg.keyLength, macLength: alg.macLength, etm: alg.etm };
}

/** AES-128 on whole blocks: ECB is stateless, so one context serves every call. */
function aesBlocks(key: Uint8Array): (blocks: Uint8Array) => Buffer {
  const cipher: Cipher = createCipheriv('aes-128-ecb', key, null).setAutoPadding(false);
  return (blocks) => cipher.update(blocks);
}

/** RFC 4418 §3.2.1 KDF: AES in counter mode over uint64 index || uint64 counter (from 1), truncated. */
function kdf(aes: (blocks: Uint8Array) => Buffer, index: number, length: number): Buffer {
  const count = Math.ceil(length / BLOCK);
  const input = Buffer.alloc(count * BLOCK);
  for (let i = 0; i < count; i++) {
    input[BLOCK * i + 7] = index;
    input.writeUInt32BE(i + 1, BLOCK * i + 12);
  }
  return aes(input).subarray(0, length);
}

/** The UHASH implementation for these keys: WebAssembly where it runs, else JavaScript. */
export type UhashFactory = (keys: UhashKeys) => Uhash;
export const defaultUhash: UhashFactory = (keys) => wasmUhash(keys) ?? jsUhash(keys);

/**
 * UMAC under one key (RFC 4418 §4.1) for any 8-byte nonce: the RFC's test vectors use nonces wider
 * than a sequence number.
 */
export class Umac {
  readonly tagLength: 8 | 16;
  private readonly uhash: Uhash;
  private readonly padAes: (blocks: Uint8Array) => Buffer;
  /** The AES input and output last used: UMAC-64 reuses the block for the odd nonce after an even one. */
  private readonly padInput = Buffer.alloc(BLOCK);
  private padBlock: Buffer | undefined;

  constructor(streams: UhashStreams, key: Uint8Array, uhash: UhashFactory = defaultUhash) {
    if (key.length !== KEY_LENGTH) throw new TsshError('INTERNAL', `UMAC needs a ${KEY_LENGTH}-byte key, got ${key.length}`);
    this.tagLength = streams === 2 ? 8 : 16;
    const aes = aesBlocks(key);
    this.padAes = aesBlocks(kdf(aes, 0, KEY_LENGTH));
    this.uhash = uhash(uhashKeys((index, length) => kdf(aes, index, length), streams));
  }

  /** The tag of a || b under an 8-byte nonce. */
  tag(nonce: Uint8Array, a: Uint8Array, b?: Uint8Array): Buffer {
    const hashed = this.uhash(a, b);
    const offset = this.pad(nonce);
    const block = this.padBlock!;
    const tag = Buffer.allocUnsafe(this.tagLength);
    for (let s = 0; s < hashed.length; s++) tag.writeUInt32BE((hashed[s]! ^ block.readUInt32BE(offset + 4 * s)) >>> 0, 4 * s);
    return tag;
  }

  /**
   * RFC 4418 §5.1 PDF: AES of the nonce padded with zeros to a block; UMAC-64 clears the nonce's low
   * bit and takes the half of the block that bit selects. Returns that half's offset in padBlock.
   */
  private pad(nonce: Uint8Array): number {
    const half = this.tagLength === 8 ? nonce[7]! & 1 : 0;
    const last = nonce[7]! - half;
    const input = this.padInput;
    let same = this.padBlock !== undefined && input[7] === last;
    for (let i = 0; i < 7 && same; i++) same = input[i] === nonce[i];
    if (!same) {
      input.set(nonce.subarray(0, 7), 0);
      input[7] = last;
      this.padBlock = this.padAes(input);
    }
    return 8 * half;
  }
}

/** One direction's UMAC key for SSH packets: nonce = uint64 sequence number, big-endian. */
export class PacketUmac implements PacketMac {
  readonly info: MacInfo;
  private readonly umac: Umac;
  private readonly nonce = Buffer.alloc(8);

  constructor(name: string, key: Buffer, uhash: UhashFactory = defaultUhash) {
    const alg = UMAC_ALGORITHMS.get(name);
    if (!alg) throw new TsshError('INTERNAL', `Unsupported MAC algorithm ${name}`);
    this.info = umacInfo(name)!;
    this.umac = new Umac(alg.streams, key, uhash);
  }

  get length(): number {
    return this.info.macLength;
  }

  compute(seq: number, a: Uint8Array, b?: Uint8Array): Buffer {
    this.nonce.writeUInt32BE(seq >>> 0, 4);
    return this.umac.tag(this.nonce, a, b);
  }

  verify(seq: number, received: Uint8Array, a: Uint8Array, b?: Uint8Array): void {
    if (!tagsEqual(this.compute(seq, a, b), received)) throw corruptedMac();
  }
}
