/**
 * OpenSSH `-etm@openssh.com` MACs (PROTOCOL §1.5): packet_length travels in the clear, bytes 4.. are
 * encrypted, and the MAC covers uint32 seq || packet_length || ciphertext, so the receiver authenticates
 * before it decrypts anything.
 */
import type { PacketOpener, PacketSealer } from '../cipher/types.js';
import type { StreamCipher } from '../cipher/stream.js';
import type { PacketHmac } from './hmac.js';
import { checkFramedLength, macOffset, readPacketLength } from './packet-length.js';

export function encryptThenMacSealer(stream: StreamCipher, mac: PacketHmac): PacketSealer {
  return {
    blockSize: stream.blockSize,
    aadLength: 4,
    macLength: mac.length,
    seal(seq: number, packet: Buffer): Buffer {
      const end = packet.length;
      const out = Buffer.allocUnsafe(end + mac.length);
      packet.copy(out, 0, 0, 4);
      stream.update(packet.subarray(4)).copy(out, 4);
      mac.computeInto(out, end, seq, out.subarray(0, end));
      return out;
    },
  };
}

export function encryptThenMacOpener(stream: StreamCipher, mac: PacketHmac): PacketOpener {
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
