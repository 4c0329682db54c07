/**
 * When to try again after a lost connection (`--reconnect`): capped exponential backoff with jitter,
 * so a fleet of tunnels does not hammer a restarting server in step. Pure: the random source is
 * injected, and "how long was it up" is told by the caller, so the schedule is testable without timers.
 */

export interface BackoffSettings {
  /** The first delay; default 1 s. */
  initialMs: number;
  /** The cap the doubling stops at; default 60 s. */
  maxMs: number;
  /** ± this fraction of each delay is random; default 0.2 (±20%). */
  jitter: number;
  /** A connection that stayed up this long starts the schedule over; default 60 s. */
  resetAfterMs: number;
  /** A number in [0, 1); default Math.random. */
  random: () => number;
}

export const DEFAULT_BACKOFF: BackoffSettings = { initialMs: 1000, maxMs: 60_000, jitter: 0.2, resetAfterMs: 60_000, random: Math.random };

export interface BackoffStep {
  /** 1 for the first retry since the schedule (re)started. */
  attempt: number;
  delayMs: number;
}

export class ReconnectBackoff {
  private readonly settings: BackoffSettings;
  private attempts = 0;

  constructor(settings: Partial<BackoffSettings> = {}) {
    this.settings = { ...DEFAULT_BACKOFF, ...settings };
  }

  /** A connection was lost after being up `upMs`: a long-lived one earns a fresh start. */
  connectionLost(upMs: number): void {
    if (upMs >= this.settings.resetAfterMs) this.attempts = 0;
  }

  /** The wait before the next attempt: initial × 2^(n-1), capped, then jittered (never above the cap's jitter band). */
  next(): BackoffStep {
    const { initialMs, maxMs, jitter, random } = this.settings;
    this.attempts++;
    // Math.min before the power would overflow to Infinity after ~1000 attempts; the cap keeps it finite.
    const base = Math.min(maxMs, initialMs * 2 ** Math.min(this.attempts - 1, 52));
    const factor = 1 + jitter * (2 * random() - 1);
    return { attempt: this.attempts, delayMs: Math.max(0, Math.round(base * factor)) };
  }
}
