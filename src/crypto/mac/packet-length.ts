import { DisconnectReason, TsshError } from '../../errors.js';

function badPacketLength(detail: string | number): TsshError {
  return new TsshError('BAD_PACKET_LENGTH', `Bad packet length ${detail}.`, {
    disconnectReason: DisconnectReason.PROTOCOL_ERROR,
  });
}

/**
 * Where the MAC (or tag) starts in a framed packet (4 + packet_length + macLength bytes). Openers take the
 * boundaries from the frame and authenticate first, so a tampered length fails as a corrupted MAC.
 */
export function macOffset(data: Uint8Array, macLength: number, minimum = 4): number {
  const end = data.length - macLength;
  if (end < minimum) throw badPacketLength(`(packet of ${data.length} bytes)`);
  return end;
}

/** After authentication: the length field must match the frame, or the codec framed it wrongly. */
export function checkFramedLength(packetLength: number, end: number): void {
  if (packetLength !== end - 4) throw badPacketLength(packetLength);
}

/** Fails cleanly when fewer than `size` leading bytes of a packet were handed over. */
export function requireBytes(head: Uint8Array, size: number): void {
  if (head.length < size) throw badPacketLength(`(only ${head.length} of ${size} bytes)`);
}

/** Reads the big-endian uint32 packet_length from the first four bytes, failing cleanly when they are missing. */
export function readPacketLength(head: Uint8Array): number {
  requireBytes(head, 4);
  return ((head[0]! << 24) | (head[1]! << 16) | (head[2]! << 8) | head[3]!) >>> 0;
}
