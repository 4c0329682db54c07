/**
 * chacha20-poly1305@openssh.com (OpenSSH PROTOCOL.chacha20poly1305). The 64-byte key is K_2 (bytes 0..31,
 * payload and Poly1305 key) followed by K_1 (bytes 32..63, packet_length only). Both instances use the
 * original ChaCha20 with a 64-bit block counter and the sequence number as 64-bit big-endian nonce. The
 * Poly1305 key is the first 32 bytes of K_2's block 0; the payload is encrypted from block 1; the tag covers
 * encrypted length || encrypted payload.
 *
 * node:crypto's 'chacha20' takes a 16-byte IV that OpenSSL loads as the last four state words: an 8-byte
 * little-endian block counter followed by the 8-byte nonce, which is exactly the original layout.
 */
import { createCipheriv } from 'node:crypto';
import { TsshError } from '../../errors.js';
import { corruptedMac, tagsEqual } from '../mac/hmac.js';
import { checkFramedLength, macOffset, readPacketLength } from '../mac/packet-length.js';
import { createPoly1305, type Poly1305 } from './poly1305.js';
import { ChachaHeaderKey } from './chacha-header.js';
import { sealerFromParts, type DirectionKeys, type PacketOpener, type PacketSealer } from './types.js';

const TAG_LENGTH = 16;
const BLOCK_SIZE = 8;
/** One ChaCha20 block: the Poly1305 key comes from block 0 and the payload starts at block 1. */
const CHACHA_BLOCK = 64;

/** Keys and per-packet ChaCha20 instances for one direction. */
class ChachaKeys {
  private readonly mainKey: Buffer;
  private readonly headerKey: ChachaHeaderKey;
  /** Counter (bytes 0..7) stays 0; the nonce (bytes 8..15) is the sequence number. OpenSSL copies it. */
  private readonly iv = Buffer.alloc(16);
  private readonly zeroBlock = Buffer.alloc(CHACHA_BLOCK);
  readonly poly1305: Poly1305 = createPoly1305();

  constructor(keys: DirectionKeys) {
    if (keys.key.length !== 64) {
      throw new TsshError('INTERNAL', `chacha20-poly1305@openssh.com needs a 64-byte key, got ${keys.key.length}`);
    }
    this.mainKey = Buffer.from(keys.key.subarray(0, 32));
    this.headerKey = new ChachaHeaderKey(keys.key.subarray(32, 64));
  }

  private nonce(seq: number): Buffer {
    this.iv.writeUInt32BE(seq >>> 0, 12);
    return this.iv;
  }

  /** Encrypts or decrypts the 4 length bytes with K_1 (a new buffer). */
  header(seq: number, bytes: Uint8Array): Buffer {
    return this.headerKey.apply(seq, bytes);
  }

  /** A K_2 stream positioned at block 1, and the Poly1305 key taken from block 0. */
  main(seq: number): { polyKey: Buffer; update: (data: Uint8Array) => Buffer } {
    const cipher = createCipheriv('chacha20', this.mainKey, this.nonce(seq));
    const polyKey = cipher.update(this.zeroBlock).subarray(0, 32);
    return { polyKey, update: (data) => cipher.update(data) };
  }
}

export function chachaPolySealer(keys: DirectionKeys): PacketSealer {
  const chacha = new ChachaKeys(keys);
  const sealParts = (seq: number, packet: Buffer): Buffer[] => {
    const length = chacha.header(seq, packet);
    const main = chacha.main(seq);
    const ciphertext = main.update(packet.subarray(4));
    const tag = chacha.poly1305(main.polyKey, length, ciphertext);
    return [length, ciphertext, Buffer.from(tag.buffer, tag.byteOffset, tag.length)];
  };
  return sealerFromParts({ blockSize: BLOCK_SIZE, aadLength: 4, macLength: TAG_LENGTH }, sealParts);
}

export function chachaPolyOpener(keys: DirectionKeys): PacketOpener {
  const chacha = new ChachaKeys(keys);
  let decrypted: { seq: number; packetLength: number } | undefined;
  return {
    blockSize: BLOCK_SIZE,
    aadLength: 4,
    macLength: TAG_LENGTH,
    aead: true,
    lengthPrefixSize: 4,
    decryptLength(seq: number, head: Buffer): number {
      readPacketLength(head); // rejects a short head
      const packetLength = readPacketLength(chacha.header(seq, head));
      decrypted = { seq, packetLength };
      return packetLength;
    },
    open(seq: number, data: Buffer): Buffer {
      const known = decrypted?.seq === seq ? decrypted.packetLength : undefined;
      decrypted = undefined;
      const end = macOffset(data, TAG_LENGTH);
      const main = chacha.main(seq);
      if (!tagsEqual(chacha.poly1305(main.polyKey, data.subarray(0, end)), data.subarray(end))) throw corruptedMac();
      checkFramedLength(known ?? readPacketLength(chacha.header(seq, data)), end);
      return main.update(data.subarray(4, end));
    },
  };
}
