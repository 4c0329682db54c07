/**
 * ChannelTimeout (OpenSSH 9.5+ client, channels.c channel_add_timeout / channel_get_expiry): a channel
 * whose type matches a `type=interval` entry is closed after that long without traffic; `global=`
 * closes every open channel once none of them has had traffic for that long. Types are OpenSSH's
 * client-side names (session, direct-tcpip, forwarded-tcpip, x11-connection, agent-connection, ...).
 */
import type { Logger } from '../log.js';
import { matchPattern } from '../text/patterns.js';

/** One parsed ChannelTimeout entry (config/session-options.ts parses the text). */
export interface ChannelTimeoutEntry {
  pattern: string;
  seconds: number;
}

/** What the timeouts need of a channel: its id for messages, when it last moved data, how to close it. */
export interface TimedChannel {
  readonly localId: number;
  /** performance.now() of the last data in either direction (or of the open). */
  readonly lastActivity: number;
  /** Closes the channel as ssh's channel_force_close does: local side gone, CLOSE sent. */
  forceClose(): void;
}

interface Watched {
  channel: TimedChannel;
  /** The matching entry's seconds; 0 = this type never times out. */
  seconds: number;
}

/** How often expiry is checked: OpenSSH counts whole seconds (monotime). */
const CHECK_INTERVAL_MS = 1000;

export class ChannelTimeouts {
  private readonly watched = new Set<Watched>();
  private globalSeconds = 0;
  private readonly perType: ChannelTimeoutEntry[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** The last activity of any channel (and of any channel opening), for `global`. */
  private lastAnyActivity = performance.now();

  constructor(
    entries: readonly ChannelTimeoutEntry[],
    private readonly log: Logger,
  ) {
    for (const entry of entries) {
      // `global` is matched literally, never by a wildcard.
      if (entry.pattern === 'global') this.globalSeconds = entry.seconds;
      else this.perType.push(entry);
    }
  }

  get enabled(): boolean {
    return this.globalSeconds > 0 || this.perType.length > 0;
  }

  /** The inactivity timeout for a channel type: the first entry whose pattern matches; 0 = none. */
  secondsFor(type: string): number {
    return this.perType.find((entry) => matchPattern(type, entry.pattern))?.seconds ?? 0;
  }

  /** Starts watching a channel of `type`; returns what to call when it is gone. */
  watch(channel: TimedChannel, type: string): () => void {
    this.lastAnyActivity = performance.now();
    if (!this.enabled) return () => {};
    const entry: Watched = { channel, seconds: this.secondsFor(type) };
    this.watched.add(entry);
    this.timer ??= setInterval(() => this.check(), CHECK_INTERVAL_MS).unref();
    return () => {
      this.watched.delete(entry);
      if (this.watched.size === 0) this.stop();
    };
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private check(now = performance.now()): void {
    for (const { channel } of this.watched) this.lastAnyActivity = Math.max(this.lastAnyActivity, channel.lastActivity);
    for (const entry of [...this.watched]) {
      const expiry = this.expiryOf(entry);
      if (expiry === undefined || now < expiry) continue;
      this.log.verbose(`channel ${entry.channel.localId}: closing after ${entry.seconds} seconds of inactivity`);
      this.watched.delete(entry);
      entry.channel.forceClose();
    }
    if (this.watched.size === 0) this.stop();
  }

  /** channel_get_expiry: the earlier of the channel's own and the global deadline. */
  private expiryOf({ channel, seconds }: Watched): number | undefined {
    const global = this.globalSeconds > 0 ? this.lastAnyActivity + this.globalSeconds * 1000 : undefined;
    const own = seconds > 0 ? channel.lastActivity + seconds * 1000 : undefined;
    if (global === undefined) return own;
    return own === undefined ? global : Math.min(own, global);
  }
}
