/**
 * `--timing`: where a connection's time goes. Layers that do something worth timing take an optional
 * `Timeline` and call it as `timeline?.mark(...)`: when none is passed (the default) optional chaining
 * skips the call and its arguments, so nothing is allocated. TimelineRecorder is the one implementation;
 * the CLI renders its entries (cli/timing.ts) and the library hands them out (Connection.timeline()).
 */

/** The phases, in the order they usually happen. */
export type TimelinePhase =
  | 'start' // process start (time 0 of performance.now())
  | 'config' // ssh_config resolution
  | 'mux' // the session went over an existing ControlMaster
  | 'jump' // a ProxyJump hop: its own phases are nested under it
  | 'proxy-command'
  | 'dns'
  | 'tcp' // one TCP connect, per address tried
  | 'banner-sent'
  | 'banner-received'
  | 'kexinit-sent'
  | 'kexinit-received'
  | 'kex-compute' // our own key-exchange arithmetic
  | 'kex-wait' // waiting for the server's key-exchange reply
  | 'host-key' // known_hosts lookup, and any prompt
  | 'prompt' // a question to the user (host key, passphrase, password): a person's time, not the network's
  | 'newkeys-sent'
  | 'newkeys-received'
  | 'userauth' // one authentication attempt
  | 'sign' // our signature for a publickey attempt (agent or key file), inside that attempt
  | 'channel-open'
  | 'request' // exec, shell or subsystem
  | 'first-byte' // first byte of output
  | 'exit' // exit-status or exit-signal
  | 'close'
  | 'failed'; // the error that ended the connection

export type TimelineDetail = Readonly<Record<string, string | number | boolean>>;

/** How a span ended; 'unfinished' when the connection failed (or the command ended) during it. */
export type TimelineOutcome = 'ok' | 'failed' | 'unfinished';

export interface TimelineEntry {
  phase: TimelinePhase;
  /** Milliseconds since process start (performance.now()). */
  start: number;
  /** For a span: when it ended (or when the timeline was read, if it is unfinished). Absent for an instant. */
  end?: number;
  outcome?: TimelineOutcome;
  /** 0 for the destination; one more for each ProxyJump hop it is reached through. */
  depth: number;
  detail: TimelineDetail;
}

export interface TimelineSpan {
  end(detail?: TimelineDetail, outcome?: Exclude<TimelineOutcome, 'unfinished'>): void;
}

export interface Timeline {
  /** Something that happened at one instant. */
  mark(phase: TimelinePhase, detail?: TimelineDetail): void;
  /** Something that takes time; ended by the returned span. */
  begin(phase: TimelinePhase, detail?: TimelineDetail): TimelineSpan;
  /** The timeline of a connection this one is reached through (a jump host): nested one level deeper. */
  nested(): Timeline;
}

/** A monotonic clock in milliseconds from process start. */
export type Clock = () => number;

const processClock: Clock = () => performance.now();

/** Records entries in the order they begin. */
export class TimelineRecorder implements Timeline {
  private readonly list: TimelineEntry[];

  constructor(private readonly clock: Clock = processClock, private readonly depth = 0, shared?: TimelineEntry[]) {
    this.list = shared ?? [];
  }

  mark(phase: TimelinePhase, detail: TimelineDetail = {}): void {
    this.list.push({ phase, start: this.clock(), depth: this.depth, detail });
  }

  begin(phase: TimelinePhase, detail: TimelineDetail = {}): TimelineSpan {
    const entry: TimelineEntry = { phase, start: this.clock(), depth: this.depth, detail, outcome: 'unfinished' };
    this.list.push(entry);
    return {
      end: (more = {}, outcome = 'ok') => {
        if (entry.outcome !== 'unfinished') return;
        entry.end = this.clock();
        entry.outcome = outcome;
        entry.detail = { ...entry.detail, ...more };
      },
    };
  }

  /** A span that began at `start` (before the recorder existed: Node.js's own start-up) and ends now. */
  since(phase: TimelinePhase, start: number, detail: TimelineDetail = {}): void {
    this.list.push({ phase, start, end: this.clock(), outcome: 'ok', depth: this.depth, detail });
  }

  nested(): Timeline {
    return new TimelineRecorder(this.clock, this.depth + 1, this.list);
  }

  /** A copy of the entries (fields in one order, for JSON); spans still open are unfinished up to now. */
  entries(): TimelineEntry[] {
    const now = this.clock();
    return this.list.map(({ phase, start, end, outcome, depth, detail }) => ({
      phase,
      start,
      ...(outcome === undefined ? {} : { end: outcome === 'unfinished' ? now : end!, outcome }),
      depth,
      detail: { ...detail },
    }));
  }
}

/** Runs `work` as a span: ok when it resolves, failed (with the error's message) when it throws. */
export async function timed<T>(timeline: Timeline | undefined, phase: TimelinePhase, detail: TimelineDetail, work: () => Promise<T>): Promise<T> {
  if (timeline === undefined) return work();
  const span = timeline.begin(phase, detail);
  try {
    const value = await work();
    span.end();
    return value;
  } catch (err) {
    span.end({ error: firstLine(err) }, 'failed');
    throw err;
  }
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}
