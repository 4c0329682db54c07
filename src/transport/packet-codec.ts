import { randomFillSync } from 'node:crypto';
import { TsshError, DisconnectReason } from '../errors.js';
import type { PacketOpener, PacketSealer } from '../crypto/cipher/types.js';
import { ByteQueue } from './byte-queue.js';
import type { PayloadTransform } from './compression.js';
import { ConnectionFatal, DiscardedPacketFatal, SSH_ERR } from './fatal.js';

/** OpenSSH's PACKET_MAX_SIZE: the largest packet_length accepted from a peer. */
export const MAX_PACKET_LENGTH = 256 * 1024;
const MIN_PADDING = 4;

/**
 * OpenSSH's words for a bad length: logged, then fatal as a corrupted connection when the length was
 * sent in the clear (ETM, AEAD), as a MAC failure when it was decrypted first (packet.c).
 */
function badLength(length: number, aad: boolean): TsshError {
  return new ConnectionFatal('BAD_PACKET_LENGTH', aad ? SSH_ERR.CONN_CORRUPT : SSH_ERR.MAC_INVALID, [`Bad packet length ${length}.`]);
}

/** A failed MAC or AEAD tag: HMAC openers log "Corrupted MAC on input." first, AEAD ciphers say nothing more. */
function macFailure(opener: PacketOpener): ConnectionFatal {
  return new ConnectionFatal('MAC', SSH_ERR.MAC_INVALID, opener.aead ? [] : ['Corrupted MAC on input.'], 'dispatch', DisconnectReason.MAC_ERROR);
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

  /** One packet's wire bytes in one buffer. */
  encode(payload: Buffer): Buffer {
    return Buffer.concat(this.encodeParts(payload));
  }

  /**
   * One packet's wire bytes as the pieces to write in order, for one gathered socket write. With
   * `padTo`, extra padding makes the packet a multiple of that many bytes, so its length does not tell
   * the length of a secret inside (ssh pads password and keyboard-interactive packets to 64).
   */
  encodeParts(payload: Buffer, padTo?: number): Buffer[] {
    return this.encodeInPlace(payload.length, (packet, offset) => payload.copy(packet, offset), padTo);
  }

  /**
   * Like encodeParts, with the `length`-byte payload written by `write` straight into the packet at
   * `offset`. Profile-guided (node --cpu-prof on 1 GiB uploads): copies and allocations per packet were
   * a quarter of the CPU, so bulk channel data is copied once, into a packet buffer reused for every
   * packet (sealParts never returns views of it), and the sealed pieces go to the socket unjoined.
   */
  encodeInPlace(length: number, write: (packet: Buffer, offset: number) => void, padTo?: number): Buffer[] {
    if (!this.compressor) return this.frame(length, write, padTo);
    const payload = Buffer.allocUnsafe(length);
    write(payload, 0);
    const body = this.compressor.apply(payload);
    return this.frame(body.length, (packet, offset) => body.copy(packet, offset), padTo);
  }

  private frame(bodyLength: number, write: (packet: Buffer, offset: number) => void, padTo?: number): Buffer[] {
    const { blockSize, aadLength } = this.sealer;
    // Length of what must be block-aligned: everything but an unencrypted length field.
    const aligned = 4 - aadLength + 1 + bodyLength;
    let padding = blockSize - (aligned % blockSize);
    if (padding < MIN_PADDING) padding += blockSize;
    if (padTo !== undefined) {
      // As OpenSSH's extra_pad: what is encrypted (length field, padding length, body, padding) becomes a
      // multiple of padTo rounded up to the block size, adding a whole unit when it already was one.
      const unit = Math.ceil(padTo / blockSize) * blockSize;
      const extra = unit - ((aligned + padding) % unit);
      if (padding + extra <= 255) padding += extra;
    }
    const packetLength = 1 + bodyLength + padding;
    if (this.scratch.length < 4 + packetLength) this.scratch = Buffer.allocUnsafe(Math.max(4 + packetLength, 64 * 1024));
    const packet = this.scratch.subarray(0, 4 + packetLength);
    packet.writeUInt32BE(packetLength, 0);
    packet[4] = padding;
    write(packet, 5);
    this.randomPadding(packet, 5 + bodyLength, padding);
    const wire = this.sealer.sealParts(this.seq, packet);
    this.seq = (this.seq + 1) >>> 0;
    this.sinceRekey.bytes += packet.length; // as OpenSSH counts: length field, packet, no MAC
    this.sinceRekey.packets++;
    return wire;
  }

  /** The packet under construction; reused, since sealers never keep or return views of it. */
  private scratch = Buffer.allocUnsafe(0);
  /** Random bytes for padding, drawn a few KiB at a time: one randomFillSync per packet cost ~6 µs. */
  private readonly random = Buffer.allocUnsafe(4096);
  private randomUsed = this.random.length;

  private randomPadding(packet: Buffer, offset: number, count: number): void {
    if (this.randomUsed + count > this.random.length) {
      randomFillSync(this.random);
      this.randomUsed = 0;
    }
    this.random.copy(packet, offset, this.randomUsed, this.randomUsed + count);
    this.randomUsed += count;
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
  /** A CBC failure held back while the rest of its packet's 256 KiB window is read and dropped. */
  private discarding: { remaining: number; error: DiscardedPacketFatal } | undefined;
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
    if (this.discarding) return this.discard();
    const opener = this.opener;
    if (this.pendingLength === undefined) {
      if (this.queue.length < opener.lengthPrefixSize) return undefined;
      const length = opener.decryptLength(this.seq, this.queue.peek(opener.lengthPrefixSize));
      try {
        this.checkLength(length);
      } catch (err) {
        if (opener.discardOnError && err instanceof ConnectionFatal) return this.startDiscard(err, 0);
        throw err;
      }
      this.pendingLength = length;
    }
    const total = 4 + this.pendingLength + opener.macLength;
    if (this.queue.length < total) return undefined;
    let plain: Buffer;
    try {
      plain = opener.open(this.seq, this.queue.take(total));
    } catch (err) {
      if (!(err instanceof TsshError && err.code === 'MAC')) throw err;
      if (opener.discardOnError) return this.startDiscard(macFailure(opener), total);
      throw macFailure(opener);
    }
    this.pendingLength = undefined;
    this.seq = (this.seq + 1) >>> 0;
    this.sinceRekey.bytes += total - opener.macLength;
    this.sinceRekey.packets++;
    const padding = plain[0]!;
    // OpenSSH: too little padding is a corrupted connection, more padding than packet an incomplete message.
    if (padding < MIN_PADDING) throw new ConnectionFatal('PROTOCOL', SSH_ERR.CONN_CORRUPT);
    if (padding + 1 > plain.length) throw new ConnectionFatal('PROTOCOL', SSH_ERR.MESSAGE_INCOMPLETE);
    const body = plain.subarray(1, plain.length - padding);
    return this.decompressor ? this.decompressor.apply(body) : body;
  }

  /**
   * OpenSSH's packet discard for CBC (packet.c ssh_packet_start_discard): the failure comes once 256 KiB
   * counted from the bad packet's first byte have arrived (`taken` of them already consumed), whatever
   * the forged length said, and nothing received meanwhile is kept.
   */
  private startDiscard(error: ConnectionFatal, taken: number): undefined {
    const finished = (where: string): string => `Finished discarding for ${where}`;
    const held = new DiscardedPacketFatal(error.code, error.reason, [...error.logged, finished], error.form, error.disconnectReason);
    this.pendingLength = undefined;
    this.discarding = { remaining: Math.max(0, MAX_PACKET_LENGTH - taken), error: held };
    return this.discard();
  }

  private discard(): undefined {
    const discarding = this.discarding!;
    const count = Math.min(this.queue.length, discarding.remaining);
    this.queue.drop(count);
    discarding.remaining -= count;
    if (discarding.remaining === 0) throw discarding.error;
    return undefined;
  }

  private checkLength(length: number): void {
    const { blockSize, aadLength } = this.opener;
    const aad = aadLength === 4;
    if (length < 5 || length > MAX_PACKET_LENGTH) throw badLength(length, aad);
    // What must fill whole cipher blocks once the first block (or the clear length) is read; unsigned as in C.
    const need = aad ? length : (4 + length - blockSize) >>> 0;
    if (need % blockSize !== 0) {
      throw new ConnectionFatal('BAD_PACKET_LENGTH', SSH_ERR.MAC_INVALID, [`padding error: need ${need} block ${blockSize} mod ${need % blockSize}`]);
    }
  }
}
