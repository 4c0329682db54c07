/**
 * ObscureKeystrokeTiming (OpenSSH 9.5+, clientloop.c obfuscate_keystroke_timing): in a terminal
 * session, typed bytes leave on a fixed clock (20 ms by default, with jitter) instead of one packet per
 * key, and while the user types, empty ticks send chaff (SSH2_MSG_PING, as large as a one-key
 * CHANNEL_DATA) so an observer cannot tell keystrokes from silence. Chaff goes on for 1-3 s after the
 * last key. Bulk input (a paste: 256 bytes or more waiting) and key re-exchanges stop it.
 */
import { randomInt } from 'node:crypto';
import type { Logger } from '../log.js';

/** What the clock drives: the channel, the transport's chaff, and whether to hold off. */
export interface KeystrokeLink {
  /** Sends typed bytes to the remote side now. */
  write(data: Buffer): void;
  /** Sends one chaff packet; false when the server does not understand ping@openssh.com. */
  chaff(): boolean;
  /** A key re-exchange is running: send at once, as ssh does. */
  paused(): boolean;
}

/** ssh_packet_interactive_data_to_write: less than this waiting counts as typing. */
const INTERACTIVE_BYTES = 256;
/** SSH_KEYSTROKE_TIMING_FUZZ: each interval varies by this percentage. */
const FUZZ_PERCENT = 10;
/** SSH_KEYSTROKE_CHAFF_MIN_MS and SSH_KEYSTROKE_CHAFF_RNG_MS: chaff lasts 1024 + [0, 2048) ms after a key. */
const CHAFF_MIN_MS = 1024;
const CHAFF_RANGE_MS = 2048;

export class KeystrokeClock {
  private active = false;
  private queued: Buffer[] = [];
  private queuedBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private chaffUntil = 0;
  private chaffSent = 0;
  /** The per-run offset that perturbs the average rate (ssh's rate_fuzz). */
  private rateFuzzMs = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly link: KeystrokeLink,
    private readonly log: Logger,
    private readonly random: (limit: number) => number = (limit) => (limit > 0 ? randomInt(limit) : 0),
  ) {}

  /** Typed bytes for the remote side. */
  send(data: Buffer): void {
    if (data.length === 0) return;
    if (this.intervalMs <= 0 || this.link.paused()) {
      this.stop(this.link.paused() ? 'rekeying started' : undefined);
      this.link.write(data);
      return;
    }
    if (!this.active) {
      if (data.length >= INTERACTIVE_BYTES) return this.link.write(data);
      this.start();
      this.link.write(data); // the first key goes at once; the clock starts with it
      return;
    }
    this.extendChaff();
    this.queued.push(data);
    this.queuedBytes += data.length;
    if (this.queuedBytes >= INTERACTIVE_BYTES) this.stop('output buffer filling');
  }

  /** Sends whatever waits for the next tick now and stops the clock (escapes, end of input, the end). */
  stop(reason?: string): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.flushQueue();
    if (!this.active) return;
    this.active = false;
    if (reason !== undefined) this.log.debug3(`obfuscate_keystroke_timing: stopping: ${reason} (${this.chaffSent} chaff packets sent)`);
  }

  private start(): void {
    this.log.debug3(`obfuscate_keystroke_timing: starting: interval ~${this.intervalMs}ms`);
    this.active = true;
    this.chaffSent = 0;
    this.rateFuzzMs = this.random(this.fuzzUs()) / 1000;
    this.extendChaff();
    this.schedule();
  }

  private tick(): void {
    this.timer = undefined;
    if (this.link.paused()) return this.stop('rekeying started');
    if (this.queuedBytes > 0) this.flushQueue();
    else if (Date.now() >= this.chaffUntil) return this.stop('chaff time expired');
    else if (this.link.chaff()) this.chaffSent++;
    this.schedule();
  }

  /** set_next_interval: interval - fuzz + [0, fuzz) + the run's rate fuzz. */
  private schedule(): void {
    const fuzzMs = this.fuzzUs() / 1000;
    const delay = this.intervalMs - fuzzMs + this.random(this.fuzzUs()) / 1000 + this.rateFuzzMs;
    this.timer = setTimeout(() => this.tick(), delay);
    this.timer.unref();
  }

  private fuzzUs(): number {
    return Math.floor((this.intervalMs * 1000 * FUZZ_PERCENT) / 100);
  }

  private extendChaff(): void {
    this.chaffUntil = Date.now() + CHAFF_MIN_MS + this.random(CHAFF_RANGE_MS);
  }

  private flushQueue(): void {
    if (this.queuedBytes === 0) return;
    const data = this.queued.length === 1 ? this.queued[0]! : Buffer.concat(this.queued);
    this.queued = [];
    this.queuedBytes = 0;
    this.link.write(data);
  }
}
