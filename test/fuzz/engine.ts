/**
 * A small seeded mutation fuzzer. A target parses outside input; its seeds are valid inputs; each
 * iteration mutates one seed (bit flips, interesting bytes and lengths, truncation, insertion,
 * duplication, splicing) and runs the target on it. The one rule: a parser either succeeds or throws
 * a TsshError. Any other exception, an unhandled rejection, or an input taking too long is a failure,
 * reported with the seed and iteration that reproduce it.
 */
import { TsshError } from '../../src/errors.js';
import { seededRandom } from '../support/memory-pair.js';

export class Random {
  private readonly next: () => number;
  constructor(readonly seed: number) {
    this.next = seededRandom(seed);
  }
  /** 0 <= n < bound */
  int(bound: number): number {
    return Math.floor(this.next() * bound);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  bytes(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }
}

export interface FuzzTarget {
  name: string;
  /** Valid inputs to start from (built once per run). */
  seeds(): Buffer[] | Promise<Buffer[]>;
  /** Parses one input: returns (anything) or throws a TsshError. May check further properties and throw a plain Error. */
  run(input: Buffer, random: Random): unknown;
  /**
   * How many times slower than a cheap parser (~30 µs) one input is, as measured; input counts are
   * divided by it, so every target gets a similar share of the time. Default 1.
   */
  cost?: number;
  /**
   * Inputs are `prefix` bytes then a sequence of messages (uint32 length + payload each): mutations
   * then also work on whole messages (drop, repeat, swap, borrow one from another seed).
   */
  framed?: { prefix: number };
}

export interface FuzzFailure {
  target: string;
  iteration: number;
  /** Reproduces the input: fuzz(target, { seed, iterations: iteration + 1 }). */
  seed: number;
  error: string;
  inputHex: string;
}

export interface FuzzReport {
  target: string;
  ran: number;
  ms: number;
  failures: FuzzFailure[];
}

const INTERESTING_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x0a, 0x0d, 0x20, 0x2c, 0x3d];
const INTERESTING_U32 = [0, 1, 2, 4, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0xffff, 0x10000, 0x40000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

/** One to four mutations of `seed`; `others` supply splices. */
export function mutate(seed: Buffer, others: readonly Buffer[], random: Random): Buffer {
  let data = Buffer.from(seed);
  for (let n = 1 + random.int(4); n > 0; n--) {
    const at = data.length === 0 ? 0 : random.int(data.length);
    switch (random.int(9)) {
      case 0:
        if (data.length > 0) data[at]! ^= 1 << random.int(8);
        break;
      case 1:
        if (data.length > 0) data[at] = random.pick(INTERESTING_BYTES);
        break;
      case 2:
        if (data.length > 0) data[at] = random.int(256);
        break;
      case 3: {
        // A length or count field: SSH puts uint32s everywhere.
        if (data.length < 4) break;
        const pos = Math.min(at, data.length - 4);
        const current = data.readUInt32BE(pos);
        const value = random.chance(0.5) ? random.pick(INTERESTING_U32) : (current + random.int(9) - 4) >>> 0;
        data.writeUInt32BE(value >>> 0, pos);
        break;
      }
      case 4:
        data = data.subarray(0, at);
        break;
      case 5:
        data = Buffer.concat([data.subarray(0, at), random.bytes(1 + random.int(16)), data.subarray(at)]);
        break;
      case 6: {
        const end = Math.min(data.length, at + 1 + random.int(64));
        data = Buffer.concat([data.subarray(0, end), data.subarray(at, end), data.subarray(end)]);
        break;
      }
      case 7: {
        const end = Math.min(data.length, at + 1 + random.int(32));
        data = Buffer.concat([data.subarray(0, at), data.subarray(end)]);
        break;
      }
      default: {
        const other = random.pick(others.length > 0 ? others : [seed]);
        const from = other.length === 0 ? 0 : random.int(other.length);
        data = Buffer.concat([data.subarray(0, at), other.subarray(from, from + 1 + random.int(64))]);
        break;
      }
    }
  }
  return data;
}

export interface FuzzOptions {
  seed?: number;
  /** Stop after this many inputs... */
  iterations?: number;
  /** ...or after this long, whichever comes first. */
  timeBudgetMs?: number;
  /**
   * One input slower than this counts as a hang (long runs only: in the test suite a verdict must not
   * depend on the machine's speed, and a real hang is caught by the test's own timeout).
   */
  slowInputMs?: number;
}

function splitFrames(data: Buffer, prefix: number): { head: Buffer; frames: Buffer[] } {
  const frames: Buffer[] = [];
  let at = prefix;
  while (at + 4 <= data.length) {
    const length = data.readUInt32BE(at);
    if (at + 4 + length > data.length) break;
    frames.push(data.subarray(at + 4, at + 4 + length));
    at += 4 + length;
  }
  return { head: data.subarray(0, prefix), frames };
}

function joinFrames(head: Buffer, frames: Buffer[]): Buffer {
  return Buffer.concat([head, ...frames.flatMap((f) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(f.length, 0);
    return [length, f];
  })]);
}

/** Message-level mutations of a framed input; bytes inside one message are mutated too. */
export function mutateFrames(seed: Buffer, others: readonly Buffer[], prefix: number, random: Random): Buffer {
  const { head, frames } = splitFrames(seed, prefix);
  const pool = others.flatMap((o) => splitFrames(o, prefix).frames);
  for (let n = 1 + random.int(3); n > 0; n--) {
    const at = random.int(frames.length + 1);
    switch (random.int(5)) {
      case 0:
        frames.splice(at, 1);
        break;
      case 1:
        if (frames[at]) frames.splice(at, 0, frames[at]!);
        break;
      case 2: {
        const other = random.int(frames.length + 1);
        if (frames[at] && frames[other]) [frames[at], frames[other]] = [frames[other]!, frames[at]!];
        break;
      }
      case 3:
        if (pool.length > 0) frames.splice(at, 0, random.pick(pool));
        break;
      default:
        if (frames[at]) frames[at] = mutate(frames[at]!, pool, random);
    }
  }
  return joinFrames(head, frames);
}

/** Runs `target` on mutated inputs; the valid seeds themselves run first. */
export async function fuzz(target: FuzzTarget, options: FuzzOptions = {}): Promise<FuzzReport> {
  const seed = options.seed ?? 1;
  const iterations = options.iterations ?? Infinity;
  const seeds = await target.seeds();
  // The budget starts once the seeds exist: making them (key exchanges, key files) can take longer
  // than a short budget on a loaded machine, which left no time for a single input.
  const deadline = Date.now() + (options.timeBudgetMs ?? Infinity);
  const slowInputMs = options.slowInputMs ?? Infinity;
  const failures: FuzzFailure[] = [];
  let current: { iteration: number; input: Buffer } | undefined;
  const record = (err: unknown, iteration: number, input: Buffer): void => {
    if (failures.length >= 20) return;
    const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
    failures.push({ target: target.name, iteration, seed, error, inputHex: input.subarray(0, 512).toString('hex') });
  };
  const stray = (err: unknown): void => record(err, current?.iteration ?? -1, current?.input ?? Buffer.alloc(0));
  process.on('uncaughtException', stray);
  process.on('unhandledRejection', stray);
  const started = Date.now();
  let ran = 0;
  try {
    for (let i = 0; i < iterations && Date.now() < deadline; i++) {
      const random = new Random((seed * 1_000_003 + i) >>> 0);
      const base = random.pick(seeds);
      const input =
        i < seeds.length ? seeds[i]!
        : target.framed && random.chance(0.7) ? mutateFrames(base, seeds, target.framed.prefix, random)
        : mutate(base, seeds, random);
      current = { iteration: i, input };
      const t0 = Date.now();
      try {
        await target.run(input, random);
      } catch (err) {
        if (!(err instanceof TsshError)) record(err, i, input);
      }
      if (Date.now() - t0 > slowInputMs) record(new Error(`input took ${Date.now() - t0} ms`), i, input);
      ran++;
      // Let stray asynchronous errors of this input surface while it is still the current one.
      if (i % 16 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('uncaughtException', stray);
    process.off('unhandledRejection', stray);
  }
  return { target: target.name, ran, ms: Date.now() - started, failures };
}
