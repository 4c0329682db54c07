/**
 * The garbage collection the transport runs every MiB of traffic (see TransportConfig.reclaim): bulk
 * transfers then stay near the process's baseline memory instead of piling up ~64 MB of spent packet
 * buffers before V8 collects them. Process-wide, so it lives here in cli/ and is handed down.
 */
import { createRequire } from 'node:module';
import type * as V8 from 'node:v8';

type GcFunction = (options?: { type: 'minor' }) => void;

/**
 * Measured with a server that floods requests while never reading the answers: the replies queued
 * meanwhile outlive young-generation collections, and V8 let the old generation grow past 150 MB of
 * garbage before collecting it. Above this much heap in use, the collection is a full one (a few ms;
 * bulk transfers keep their data outside the heap and never reach it).
 */
const FULL_COLLECTION_ABOVE = 48 * 1024 * 1024;

interface Collector {
  gc: GcFunction;
  v8: typeof V8;
}

/**
 * V8 gives gc only to contexts created after --expose-gc is set, so the first collection sets the flag
 * and takes gc from a fresh context (~1 ms, ~2 MB, paid only by transfers of a MiB or more). Not
 * `node --expose-gc` in bin/tssh: that flag makes Node reject its built-in code cache, which cost
 * every start-up ~15 ms. Where V8 refuses, collection is left to V8, as before.
 */
export function transferCollector(): () => void {
  let collector: Collector | null | undefined;
  return () => {
    if (collector === undefined) collector = exposeGc();
    if (!collector) return;
    // gc() with no options is the full collection; Node 20's V8 scavenges for { type: 'major' }.
    if (collector.v8.getHeapStatistics().used_heap_size > FULL_COLLECTION_ABOVE) collector.gc();
    else collector.gc({ type: 'minor' });
  };
}

function exposeGc(): Collector | null {
  try {
    const require = createRequire(import.meta.url);
    const v8 = require('node:v8') as typeof V8;
    const existing = (globalThis as { gc?: GcFunction }).gc;
    if (typeof existing === 'function') return { gc: existing, v8 };
    v8.setFlagsFromString('--expose-gc');
    const gc = (require('node:vm') as typeof import('node:vm')).runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? { gc: gc as GcFunction, v8 } : null;
  } catch {
    return null;
  }
}
