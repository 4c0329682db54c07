/**
 * OpenSSH `-etm@openssh.com` MACs (PROTOCOL §1.5): packet_length travels in the clear, bytes 4.. are
 * encrypted, and the MAC covers uint32 seq || packet_length || ciphertext, so the receiver authenticates
 * before it decrypts anything.
 */
import { sealerFromParts, type PacketOpener, type PacketSealer } from '../cipher/types.js';
import type { StreamCipher } from '../cipher/stream.js';
import type { PacketMac } from './packet-mac.js';
import { checkFramedLength, macOffset, readPacketLength } from './packet-length.js';

export function encryptThenMacSealer(stream: StreamCipher, mac: PacketMac): PacketSealer {
  const sealParts = (seq: number, packet: Buffer): Buffer[] => {
    const length = Buffer.from(packet.subarray(0, 4));
    const ciphertext = stream.update(packet.subarray(4));
    return [length, ciphertext, mac.compute(seq, length, ciphertext)];
  };
  return sealerFromParts({ blockSize: stream.blockSize, aadLength: 4, macLength: mac.length }, sealParts);
}

export function encryptThenMacOpener(stream: StreamCipher, mac: PacketMac): PacketOpener {
  return {
    blockSize: stream.blockSize,
    aadLength: 4,
    macLength: mac.length,
    lengthPrefixSize: 4,
    decryptLength: (_seq: number, head: Buffer): number => readPacketLength(head),
    open(seq: number, data: Buffer): Buffer {
      const end = macOffset(data, mac.length);
      mac.verify(seq, data.subarray(end), data.subarray(0, end));
      checkFramedLength(readPacketLength(data), end);
      return stream.update(data.subarray(4, end));
    },
  };
}
