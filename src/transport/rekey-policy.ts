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

/**
 * Decides when the transport re-keys, as OpenSSH's packet.c ssh_packet_need_rekeying does: bytes or
 * packets in either direction since that direction's NEWKEYS, or elapsed time; never before user
 * authentication succeeded (sshd 9.2 answers a KEXINIT in pre-auth with UNIMPLEMENTED and gives up);
 * and at least one packet in or out between two exchanges, so a limit smaller than a packet still lets
 * every exchange carry one packet instead of re-keying forever.
 */
export class RekeyPolicy {
  private timer: NodeJS.Timeout | undefined;
  private limitBytes: number;
  private timeDue = false;
  private authenticated = false;

  /** `onTimeLimit` is called when the time limit passes; it asks `due()` whether to start now. */
  constructor(private readonly option: RekeyLimitOption | undefined, private readonly onTimeLimit: () => void) {
    this.limitBytes = option?.bytes ?? defaultRekeyBytes(8);
  }

  /** User authentication succeeded: limits apply from now on. */
  onAuthenticated(): void {
    this.authenticated = true;
  }

  /** Called after each completed key exchange with the new cipher's block size. */
  reset(blockSize = 16): void {
    this.limitBytes = this.option?.bytes ?? defaultRekeyBytes(blockSize);
    this.stop();
    this.timeDue = false;
    const seconds = this.option?.seconds;
    if (seconds !== undefined && seconds > 0) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.timeDue = true;
        this.onTimeLimit();
      }, seconds * 1000);
      this.timer.unref();
    }
  }

  /**
   * Whether to re-key now. `outgoing` is the length of a packet about to be sent: as in ssh, the packet
   * that would cross the limit waits for the new keys.
   */
  due(sent: TrafficCounter, received: TrafficCounter, outgoing = 0): boolean {
    if (!this.authenticated) return false;
    if (sent.packets === 0 && received.packets === 0) return false;
    if (this.timeDue) return true;
    if (sent.packets > MAX_PACKETS || received.packets > MAX_PACKETS) return true;
    return sent.bytes + outgoing > this.limitBytes || received.bytes > this.limitBytes;
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
