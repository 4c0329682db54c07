/**
 * When to run the caller's collection (TransportConfig.reclaim). Profile-guided (1 GiB transfers, RSS
 * sampled every 50 ms): each packet leaves a socket chunk and a decrypted or encrypted buffer behind,
 * and V8 only collects them once ~64 MB of such external memory has piled up, which doubled tssh's
 * peak RSS. A scavenge every MiB keeps it near the baseline for ~0.1 ms each. Every packet also counts
 * as PACKET_WEIGHT bytes: each one leaves a node:crypto cipher object behind whose native state V8 does
 * not see, so a flood of small packets (a server sending thousands of requests) must be collected by
 * packet count too.
 */
const RECLAIM_INTERVAL = 1024 * 1024;
const PACKET_WEIGHT = 1024;

export class ReclaimMeter {
  private sinceReclaim = 0;

  constructor(private readonly reclaim: (() => void) | undefined) {}

  /** Bytes read from the socket. */
  received(bytes: number): void {
    this.count(bytes);
  }

  /** One packet handled (decoded, or encoded as `bytes` on the wire). */
  packet(bytes = 0): void {
    this.count(bytes + PACKET_WEIGHT);
  }

  private count(bytes: number): void {
    if (!this.reclaim) return;
    this.sinceReclaim += bytes;
    if (this.sinceReclaim < RECLAIM_INTERVAL) return;
    this.sinceReclaim = 0;
    this.reclaim();
  }
}
