/**
 * A young-generation garbage collection the transport runs every MiB of traffic (see
 * TransportConfig.reclaim): bulk transfers then stay near the process's baseline memory instead of
 * piling up ~64 MB of spent packet buffers before V8 collects them. Process-wide, so it lives here in
 * cli/ and is handed down.
 */
import { createRequire } from 'node:module';

type GcFunction = (options?: { type?: 'minor' | 'major' }) => void;

/**
 * bin/tssh starts node with --expose-gc; run any other way, the flag is set now and gc taken from a
 * fresh context (~1 ms, ~2 MB; node:v8 and node:vm load only then), the only kind that gets it after
 * start-up. Undefined where V8 refuses: it then collects on its own, as before.
 */
export function youngGenerationCollector(): (() => void) | undefined {
  let gc = (globalThis as { gc?: GcFunction }).gc;
  if (typeof gc !== 'function') {
    try {
      const require = createRequire(import.meta.url);
      (require('node:v8') as typeof import('node:v8')).setFlagsFromString('--expose-gc');
      gc = (require('node:vm') as typeof import('node:vm')).runInNewContext('gc') as GcFunction | undefined;
    } catch {
      gc = undefined;
    }
  }
  if (typeof gc !== 'function') return undefined;
  const collect = gc;
  return () => collect({ type: 'minor' });
}
