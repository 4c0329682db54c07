/**
 * A young-generation garbage collection the transport runs every MiB of traffic (see
 * TransportConfig.reclaim): bulk transfers then stay near the process's baseline memory instead of
 * piling up ~64 MB of spent packet buffers before V8 collects them. Process-wide, so it lives here in
 * cli/ and is handed down.
 */
import { createRequire } from 'node:module';

type GcFunction = (options?: { type?: 'minor' | 'major' }) => void;

/**
 * V8 gives gc only to contexts created after --expose-gc is set, so the first collection sets the flag
 * and takes gc from a fresh context (~1 ms, ~2 MB, paid only by transfers of a MiB or more). Not
 * `node --expose-gc` in bin/tssh: that flag makes Node reject its built-in code cache, which cost
 * every start-up ~15 ms. Where V8 refuses, collection is left to V8, as before.
 */
export function youngGenerationCollector(): () => void {
  let collect: GcFunction | null | undefined;
  return () => {
    if (collect === undefined) collect = exposeGc();
    collect?.({ type: 'minor' });
  };
}

function exposeGc(): GcFunction | null {
  const existing = (globalThis as { gc?: GcFunction }).gc;
  if (typeof existing === 'function') return existing;
  try {
    const require = createRequire(import.meta.url);
    (require('node:v8') as typeof import('node:v8')).setFlagsFromString('--expose-gc');
    const gc = (require('node:vm') as typeof import('node:vm')).runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as GcFunction) : null;
  } catch {
    return null;
  }
}
