/**
 * What the packet constructions (./encrypt-and-mac.ts, ./encrypt-then-mac.ts) need from a MAC: HMAC
 * (./hmac.ts) and UMAC (./umac.ts) both compute a tag over `a || b` bound to the packet sequence number.
 */
import type { MacInfo } from '../cipher/types.js';

export interface PacketMac {
  readonly info: MacInfo;
  /** Tag length in bytes. */
  readonly length: number;
  /** The tag of packet `seq` over a || b (b lets callers avoid joining a decrypted head and body). */
  compute(seq: number, a: Uint8Array, b?: Uint8Array): Buffer;
  /** Throws "Corrupted MAC on input." unless `received` is that tag; the comparison is constant-time. */
  verify(seq: number, received: Uint8Array, a: Uint8Array, b?: Uint8Array): void;
}
