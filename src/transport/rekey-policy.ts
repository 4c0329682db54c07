import type { TrafficCounter } from './packet-codec.js';

export interface RekeyLimitOption {
  /** Bytes in either direction before rekeying; undefined = OpenSSH's cipher-dependent default. */
  bytes: number | undefined;
  /** Seconds between key exchanges; undefined = none. */
  seconds: number | undefined;
}

/**
 * OpenSSH's default when RekeyLimit gives no byte count: 2^(block bits / 4) blocks, i.e. 2^32 blocks
 * (64 GiB) for 16-byte-block ciphers and 1 GiB for chacha20-poly1305's 8-byte blocks. Packet counts are
 * bounded too (2^31), so the 32-bit sequence number never wraps onto a reused nonce.
 */
export function defaultRekeyBytes(blockSize: number): number {
  return blockSize >= 16 ? 2 ** 32 * blockSize : 2 ** 30;
}
const MAX_PACKETS = 2 ** 31;

/** Decides when the transport re-keys: bytes or packets in either direction, or elapsed time. */
export class RekeyPolicy {
  private timer: NodeJS.Timeout | undefined;
  private limitBytes: number;

  constructor(private readonly option: RekeyLimitOption | undefined, private readonly onTimeLimit: () => void) {
    this.limitBytes = option?.bytes ?? defaultRekeyBytes(8);
  }

  /** Called after each completed key exchange with the new cipher's block size. */
  reset(blockSize = 16): void {
    this.limitBytes = this.option?.bytes ?? defaultRekeyBytes(blockSize);
    this.stop();
    const seconds = this.option?.seconds;
    if (seconds !== undefined && seconds > 0) {
      this.timer = setTimeout(this.onTimeLimit, seconds * 1000);
      this.timer.unref();
    }
  }

  dueByVolume(sent: TrafficCounter, received: TrafficCounter): boolean {
    return sent.bytes >= this.limitBytes || received.bytes >= this.limitBytes || sent.packets >= MAX_PACKETS || received.packets >= MAX_PACKETS;
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
