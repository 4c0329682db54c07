import { randomFillSync } from 'node:crypto';
import { TsshError, DisconnectReason } from '../errors.js';
import type { PacketOpener, PacketSealer } from '../crypto/cipher/types.js';
import { ByteQueue } from './byte-queue.js';
import type { PayloadTransform } from './compression.js';

/** OpenSSH's PACKET_MAX_SIZE: the largest packet_length accepted from a peer. */
export const MAX_PACKET_LENGTH = 256 * 1024;
const MIN_PADDING = 4;

function badLength(length: number): TsshError {
  return new TsshError('BAD_PACKET_LENGTH', `Bad packet length ${length}.`, { disconnectReason: DisconnectReason.PROTOCOL_ERROR });
}

/** Counts what went through one direction since the last key exchange (for RekeyLimit). */
export interface TrafficCounter {
  bytes: number;
  packets: number;
}

/**
 * Outgoing half of the binary packet protocol (RFC 4253 §6): compression, padding, sequence numbers and
 * the current keys. Keys change only at NEWKEYS, via `setProtection`.
 */
export class PacketEncoder {
  private seq = 0;
  private sealer: PacketSealer;
  private compressor: PayloadTransform | undefined;
  readonly sinceRekey: TrafficCounter = { bytes: 0, packets: 0 };

  constructor(initial: PacketSealer) {
    this.sealer = initial;
  }

  setProtection(sealer: PacketSealer): void {
    this.sealer = sealer;
    this.sinceRekey.bytes = 0;
    this.sinceRekey.packets = 0;
  }

  setCompressor(compressor: PayloadTransform | undefined): void {
    this.compressor = compressor;
  }

  /** Strict KEX: the sequence number restarts at zero after NEWKEYS. */
  resetSequence(): void {
    this.seq = 0;
  }

  get sequence(): number {
    return this.seq;
  }

  encode(payload: Buffer): Buffer {
    const body = this.compressor ? this.compressor.apply(payload) : payload;
    const { blockSize, aadLength } = this.sealer;
    // Length of what must be block-aligned: everything but an unencrypted length field.
    const aligned = 4 - aadLength + 1 + body.length;
    let padding = blockSize - (aligned % blockSize);
    if (padding < MIN_PADDING) padding += blockSize;
    const packetLength = 1 + body.length + padding;
    const packet = Buffer.allocUnsafe(4 + packetLength);
    packet.writeUInt32BE(packetLength, 0);
    packet[4] = padding;
    body.copy(packet, 5);
    randomFillSync(packet, 5 + body.length, padding);
    const wire = this.sealer.seal(this.seq, packet);
    this.seq = (this.seq + 1) >>> 0;
    this.sinceRekey.bytes += wire.length;
    this.sinceRekey.packets++;
    return wire;
  }
}

/**
 * Incoming half: cuts packets out of the byte stream, authenticates and decrypts them one at a time.
 * One at a time matters: a NEWKEYS must take effect before the next packet is decrypted.
 */
export class PacketDecoder {
  private seq = 0;
  private opener: PacketOpener;
  private decompressor: PayloadTransform | undefined;
  private readonly queue = new ByteQueue();
  /** packet_length of the packet whose head was already decrypted, awaiting the rest. */
  private pendingLength: number | undefined;
  readonly sinceRekey: TrafficCounter = { bytes: 0, packets: 0 };

  constructor(initial: PacketOpener) {
    this.opener = initial;
  }

  setProtection(opener: PacketOpener): void {
    this.opener = opener;
    this.sinceRekey.bytes = 0;
    this.sinceRekey.packets = 0;
  }

  setDecompressor(decompressor: PayloadTransform | undefined): void {
    this.decompressor = decompressor;
  }

  resetSequence(): void {
    this.seq = 0;
  }

  get sequence(): number {
    return this.seq;
  }

  /** Bytes received but not yet returned as packets. */
  get buffered(): number {
    return this.queue.length;
  }

  push(chunk: Buffer): void {
    this.queue.push(chunk);
  }

  /** The next payload, or undefined until more bytes arrive. Throws TsshError on a bad packet. */
  next(): Buffer | undefined {
    const opener = this.opener;
    if (this.pendingLength === undefined) {
      if (this.queue.length < opener.lengthPrefixSize) return undefined;
      const length = opener.decryptLength(this.seq, this.queue.peek(opener.lengthPrefixSize));
      this.checkLength(length);
      this.pendingLength = length;
    }
    const total = 4 + this.pendingLength + opener.macLength;
    if (this.queue.length < total) return undefined;
    const plain = opener.open(this.seq, this.queue.take(total));
    this.pendingLength = undefined;
    this.seq = (this.seq + 1) >>> 0;
    this.sinceRekey.bytes += total;
    this.sinceRekey.packets++;
    const padding = plain[0]!;
    if (padding < MIN_PADDING || padding + 1 > plain.length) {
      throw new TsshError('PROTOCOL', `Bad padding length ${padding}.`, { disconnectReason: DisconnectReason.PROTOCOL_ERROR });
    }
    const body = plain.subarray(1, plain.length - padding);
    return this.decompressor ? this.decompressor.apply(body) : body;
  }

  private checkLength(length: number): void {
    const { blockSize, aadLength } = this.opener;
    if (length < 5 || length > MAX_PACKET_LENGTH) throw badLength(length);
    if ((4 - aadLength + length) % blockSize !== 0) throw badLength(length);
  }
}
