/**
 * `--timing`'s report: the connection's timeline as a table (one row per phase, jump hosts indented
 * under their hop), with a bar per phase on a terminal, or as JSON. Every detail string may come from
 * the network (banners, error texts) and passes through OpenSSH's log sanitiser.
 */
import type { TimelineEntry, TimelinePhase } from '../timeline.js';
import { visLogLine } from '../text/vis.js';

/** The JSON document of `--timing=json`. */
export interface TimingDocument {
  tssh_timing: 1;
  /** Times are milliseconds from process start, on a monotonic clock. */
  unit: 'ms';
  entries: TimelineEntry[];
}

export type PhaseGroup = 'local' | 'network' | 'kex' | 'auth' | 'session' | 'failed';

/** Colours the bar of a phase group; identity for plain output. */
export type Painter = (group: PhaseGroup, text: string) => string;

export interface TextReportOptions {
  /** Draw bars (a terminal). */
  bars: boolean;
  paint?: Painter;
  /** Bar width in columns. */
  width?: number;
}

const GROUP: Record<TimelinePhase, PhaseGroup> = {
  start: 'local',
  config: 'local',
  mux: 'network',
  jump: 'network',
  'proxy-command': 'network',
  dns: 'network',
  tcp: 'network',
  'banner-sent': 'network',
  'banner-received': 'network',
  'kexinit-sent': 'kex',
  'kexinit-received': 'kex',
  'kex-compute': 'kex',
  'kex-wait': 'kex',
  'host-key': 'kex',
  prompt: 'local',
  'newkeys-sent': 'kex',
  'newkeys-received': 'kex',
  userauth: 'auth',
  sign: 'auth',
  'channel-open': 'session',
  request: 'session',
  'first-byte': 'session',
  exit: 'session',
  close: 'session',
  failed: 'failed',
};

export function jsonReport(entries: readonly TimelineEntry[]): string {
  const document: TimingDocument = { tssh_timing: 1, unit: 'ms', entries: [...entries] };
  return `${JSON.stringify(document)}\n`;
}

const ms = (value: number): string => value.toFixed(1).padStart(8);

/** A table: at (ms from start), took (ms), [bar,] phase and its details. */
export function textReport(entries: readonly TimelineEntry[], options: TextReportOptions): string {
  const width = options.width ?? 32;
  const total = Math.max(1, ...entries.map((e) => e.end ?? e.start));
  const paint = options.paint ?? ((_group: PhaseGroup, text: string) => text);
  const lines = [`${'at ms'.padStart(8)} ${'took ms'.padStart(8)}  ${options.bars ? `${' '.repeat(width + 2)}  ` : ''}phase`];
  for (const entry of entries) {
    const took = entry.end === undefined ? ' '.repeat(8) : ms(entry.end - entry.start);
    const bar = options.bars ? `|${paint(GROUP[entry.phase], barFor(entry, total, width))}|  ` : '';
    lines.push(`${ms(entry.start)} ${took}  ${bar}${'  '.repeat(entry.depth)}${describe(entry)}`);
  }
  lines.push(summary(entries, total));
  return `${lines.join('\n')}\n`;
}

/** Spaces with the phase's span filled in (an instant is one thin mark). */
function barFor(entry: TimelineEntry, total: number, width: number): string {
  const from = Math.min(width - 1, Math.floor((entry.start / total) * width));
  if (entry.end === undefined) return `${' '.repeat(from)}\u2502${' '.repeat(width - from - 1)}`;
  const to = Math.max(from + 1, Math.min(width, Math.ceil((entry.end / total) * width)));
  return `${' '.repeat(from)}${'\u2588'.repeat(to - from)}${' '.repeat(width - to)}`;
}

function describe(entry: TimelineEntry): string {
  const details = Object.entries(entry.detail).map(([key, value]) => `${key}=${typeof value === 'string' ? quoted(value) : String(value)}`);
  // A failure that says why (an error, the server's answer) needs no second word.
  const explained = 'error' in entry.detail || 'result' in entry.detail;
  const outcome = entry.outcome === 'unfinished' || (entry.outcome === 'failed' && !explained) ? [`(${entry.outcome})`] : [];
  return visLogLine([entry.phase, ...details, ...outcome].join(' '));
}

function quoted(value: string): string {
  return /^[^\s"]+$/.test(value) ? value : JSON.stringify(value);
}

/** The total and the slowest phase of connecting (not Node.js's start-up, not a whole hop): where to look first. */
function summary(entries: readonly TimelineEntry[], total: number): string {
  let slowest: TimelineEntry | undefined;
  for (const entry of entries) {
    if (entry.end === undefined || entry.phase === 'jump' || entry.phase === 'start') continue;
    if (slowest === undefined || entry.end - entry.start > slowest.end! - slowest.start) slowest = entry;
  }
  const tail = slowest === undefined ? '' : `; slowest phase: ${slowest.phase} ${(slowest.end! - slowest.start).toFixed(1)} ms`;
  return `total ${total.toFixed(1)} ms from process start${tail}`;
}
