/**
 * Receive-window auto-tuning for one channel. A fixed window caps a transfer at one window per round
 * trip: OpenSSH's 2 MiB gives ~20 MB/s at 100 ms. Here the window follows the measured bandwidth-delay
 * product (bytes received per round trip, the round trip measured by the connection): when a round
 * trip's worth of data is more than half the window, the window is what limits, and it grows fourfold
 * per round trip, up to MAX_AUTO_WINDOW. It grows only while the consumer keeps up, so a slow reader
 * never makes tssh hold more than the window it already had; memory stays bounded by MAX_AUTO_WINDOW
 * per channel. On loopback (sub-millisecond round trips) it never grows.
 */

/** The most a channel's window grows to: up to 335 MB/s at a 100 ms round trip. */
export const MAX_AUTO_WINDOW = 32 * 1024 * 1024;
/**
 * Below this round trip the window stays: 2 MiB per 4 ms is 500 MB/s, more than tssh decrypts, and a
 * larger window on loopback only lets the server race ahead of a CPU-bound client (measured: slower).
 */
const MIN_TUNED_ROUND_TRIP_MS = 4;
/** Rates are measured over at least this long, so a burst on a fast link is not mistaken for a trend. */
const MIN_PERIOD_MS = 10;
const GRANULE = 64 * 1024;
const GROWTH = 4;

export class WindowTuner {
  private periodStart: number;
  private periodBytes = 0;
  private previousSize: number;

  /** `roundTripMs`: the link's measured round trip, 0 if unknown (then the window stays). */
  constructor(
    private size: number,
    private readonly roundTripMs: number,
    private readonly max = MAX_AUTO_WINDOW,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.previousSize = size;
    this.periodStart = clock();
  }

  get window(): number {
    return this.size;
  }

  /** Records `bytes` received while `backlog` bytes wait for the consumer; returns the window to grant. */
  received(bytes: number, backlog: number): number {
    if (this.roundTripMs < MIN_TUNED_ROUND_TRIP_MS || this.size >= this.max) return this.size;
    this.periodBytes += bytes;
    const now = this.clock();
    const elapsed = now - this.periodStart;
    if (elapsed < Math.max(this.roundTripMs, MIN_PERIOD_MS)) return this.size;
    const perRoundTrip = (this.periodBytes / elapsed) * this.roundTripMs;
    // What arrived in this period was sent under the window granted a round trip ago.
    const governing = this.previousSize;
    this.previousSize = this.size;
    this.periodStart = now;
    this.periodBytes = 0;
    if (2 * perRoundTrip > governing && backlog < this.size / 4) {
      // Window-bound: grow fourfold (twice TCP slow start's pace: a round trip costs more here, since each
      // grant must first reach the server through its own queues).
      this.size = Math.min(this.max, Math.ceil(Math.max(2 * perRoundTrip, GROWTH * this.size) / GRANULE) * GRANULE);
    }
    return this.size;
  }
}
