/**
 * RFC 4253 §6: the whole packet (length included) is encrypted, and the MAC is computed over
 * uint32 seq || plaintext packet. The receiver must decrypt the first block to learn the length.
 * Also serves the initial 'none' cipher (identity stream, no MAC).
 */
import { sealerFromParts, type PacketOpener, type PacketSealer } from '../cipher/types.js';
import type { StreamCipher } from '../cipher/stream.js';
import type { PacketMac } from './packet-mac.js';
import { checkFramedLength, macOffset, readPacketLength, requireBytes } from './packet-length.js';

export function encryptAndMacSealer(stream: StreamCipher, mac: PacketMac | undefined): PacketSealer {
  const macLength = mac?.length ?? 0;
  const sealParts = (seq: number, packet: Buffer): Buffer[] => {
    const tag = mac?.compute(seq, packet);
    const ciphertext = stream.update(packet);
    return tag ? [ciphertext, tag] : [ciphertext];
  };
  return sealerFromParts({ blockSize: stream.blockSize, aadLength: 0, macLength }, sealParts);
}

/**
 * `headSize` is how many bytes decryptLength consumes: one cipher block for real ciphers, 4 for 'none'.
 * Those bytes are decrypted once and kept until `open` continues the stream after them.
 */
export function encryptAndMacOpener(stream: StreamCipher, mac: PacketMac | undefined, headSize: number): PacketOpener {
  const macLength = mac?.length ?? 0;
  let head: { seq: number; plaintext: Buffer } | undefined;

  function decryptHead(seq: number, bytes: Buffer): Buffer {
    // A short head must fail before it touches the stream, or every later packet would decrypt wrongly.
    requireBytes(bytes, headSize);
    const plaintext = stream.update(bytes.subarray(0, headSize));
    head = { seq, plaintext };
    return plaintext;
  }

  return {
    blockSize: stream.blockSize,
    aadLength: 0,
    macLength,
    lengthPrefixSize: headSize,
    decryptLength(seq: number, bytes: Buffer): number {
      return readPacketLength(decryptHead(seq, bytes));
    },
    open(seq: number, data: Buffer): Buffer {
      const end = macOffset(data, macLength, headSize);
      const first = head !== undefined && head.seq === seq ? head.plaintext : decryptHead(seq, data);
      head = undefined;
      const rest = stream.update(data.subarray(headSize, end));
      mac?.verify(seq, data.subarray(end), first, rest);
      checkFramedLength(readPacketLength(first), end);
      const plaintext = Buffer.allocUnsafe(end - 4);
      first.copy(plaintext, 0, 4);
      rest.copy(plaintext, headSize - 4);
      return plaintext;
    },
  };
}
