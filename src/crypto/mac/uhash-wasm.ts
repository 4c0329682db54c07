/**
 * UHASH in WebAssembly (see ./uhash.wat beside this file): NH runs two streams at a time in SIMD lanes.
 * UHASH_WASM is the assembled module, regenerated with
 *   wat2wasm src/crypto/mac/uhash.wat -o uhash.wasm && base64 -w0 uhash.wasm
 * (Debian package wabt). test/unit/mac-umac.test.ts checks that the two agree when wat2wasm is present,
 * and that this implementation equals the JavaScript one in ./uhash.ts.
 */
import { jsUhash, type Uhash, type UhashKeys } from './uhash.js';

/** Offsets fixed by uhash.wat. */
const NH_KEY = 0;
const POLY_KEY = 1088;
const INNER_KEY = 1120;
const OUTER_KEY = 1248;
const RESULT = 1264;
const MESSAGE = 2048;
/** The module's POLY64-only path covers 2^14 chunks; longer messages (never an SSH packet) use JavaScript. */
const MAX_MESSAGE = 1 << 24;
const PAGE_SIZE = 65536;

export const UHASH_WASM =
  'AGFzbQEAAAABHwVgA39/fwF7YAN+fn4BfmACfn8Bf2ACf34AYAJ/fwADBwYAAQECAwQFAwEAAQcSAgZtZW1vcnkCAAV1aGFzaAAF' +
  'CpYHBssBAQl7IAL9AAQAIQMDQCAA/QAEACEGIAD9AAQQIQcgAv0ABBAhBCAC/QAEICEFIAYgA/2uASEIIAcgBP2uASEJIAogCCAJ' +
  '/d4BIAggCf3fAf3OAf3OASEKIAYgBP2uASEIIAcgBf2uASEJIAsgCCAJ/d4BIAggCf3fAf3OAf3OASELIAUhAyACQSBqIQIgAEEg' +
  'aiEAIAAgAUkNAAsgCiAL/Q0AAQIDBAUGBxAREhMUFRYXIAogC/0NCAkKCwwNDg8YGRobHB0eH/3OAQuAAQEHfiABQiCIIQMgAUL/' +
  '////D4MhBCAAQiCIIQUgAEL/////D4MhBiADIAZ+IAQgBX58IQcgAyAFfiAHQiCIfEI7fiAEIAZ+fCEJIAdCIIYhCCAJIAh8IQkg' +
  'CSAIVARAIAlCO3whCQsgCSACfCEJIAkgAlQEQCAJQjt8IQkLIAkLKwAgAkIgiEL/////D1EEfiAAIAFCRBABIAEgAkI7fRABBSAA' +
  'IAEgAhABCwuJAQIBfwF+QeAIIAFBBXRqIQIgAikDACAAQjCIfiACKQMIIABCIIhC//8Dg358IAIpAxAgAEIQiEL//wODfiACKQMY' +
  'IABC//8Dg358fCEDIANC//////8BgyADQiSIQgV+fCEDIANC+/////8BWgRAIANC+/////8BfSEDCyADpyABQQJ0KALgCXMLEQAg' +
  'AEECdCABIAAQAzYC8AkL+wIDBX8BewF+QYAQIABqIQMgA0EAQSD8CwAgAEGACE0EQCAAQR9qQWBxIQQgBEUEQEEgIQQLQQAhBQNA' +
  'QYAQQYAQIARqIAVBBXQQACAAQQN0rf0S/c4BIQcgBUEBdCEGIAYgB/0dABAEIAZBAWogB/0dARAEIAVBAWohBSAFQQF0IAFJDQAL' +
  'DwtBACEGA0AgBkEDdEIBNwOACiAGQQFqIQYgBiABSQ0AC0GAECECA0AgAyACayEEIARBgAhLBEBBgAghBAtBACEFA0AgAiACIARB' +
  'H2pBYHFqIAVBBXQQACAEQQN0rf0S/c4BIQcgBUEEdCEGIAYgBikDgAogBikDwAggB/0dABACNwOACiAGIAYpA4gKIAYpA8gIIAf9' +
  'HQEQAjcDiAogBUEBaiEFIAVBAXQgAUkNAAsgAkGACGohAiACIANJDQALQQAhBgNAIAZBA3QpA4AKIQggCEJFWgRAIAhCRX0hCAsg' +
  'BiAIEAQgBkEBaiEGIAYgAUkNAAsL';

interface UhashExports {
  memory: WebAssembly.Memory;
  uhash(length: number, streams: number): void;
}

/** Writes the subkeys where uhash.wat expects them. */
function storeKeys(memory: WebAssembly.Memory, keys: UhashKeys): void {
  const view = new DataView(memory.buffer);
  keys.nh.forEach((word, i) => view.setUint32(NH_KEY + 4 * i, word, true));
  for (let s = 0; s < keys.streams; s++) {
    view.setBigUint64(POLY_KEY + 8 * s, keys.poly64[s]!, true);
    // The first four inner-product keys meet the zero high half of a 64-bit L2 result.
    for (let j = 0; j < 4; j++) view.setBigUint64(INNER_KEY + 32 * s + 8 * j, keys.inner[s]![4 + j]!, true);
    view.setUint32(OUTER_KEY + 4 * s, keys.outer[s]!, true);
  }
}

/**
 * A private instance (its own memory, so sealer and opener never share state) over fixed subkeys.
 * Returns undefined where WebAssembly is unavailable (e.g. node --jitless), so the caller can fall back.
 */
export function wasmUhash(keys: UhashKeys): Uhash | undefined {
  if (typeof WebAssembly !== 'object') return undefined;
  const module = new WebAssembly.Module(Buffer.from(UHASH_WASM, 'base64'));
  const { memory, uhash } = new WebAssembly.Instance(module, {}).exports as unknown as UhashExports;
  storeKeys(memory, keys);
  let bytes = new Uint8Array(memory.buffer);
  let view = new DataView(memory.buffer);
  let longMessages: Uhash | undefined;
  return (message, more) => {
    const length = message.length + (more?.length ?? 0);
    if (length > MAX_MESSAGE) return (longMessages ??= jsUhash(keys))(message, more);
    const needed = MESSAGE + length + 32;
    if (needed > bytes.length) {
      memory.grow(Math.ceil((needed - bytes.length) / PAGE_SIZE));
      bytes = new Uint8Array(memory.buffer);
      view = new DataView(memory.buffer);
    }
    bytes.set(message, MESSAGE);
    if (more) bytes.set(more, MESSAGE + message.length);
    uhash(length, keys.streams);
    const out = new Uint32Array(keys.streams);
    for (let s = 0; s < keys.streams; s++) out[s] = view.getUint32(RESULT + 4 * s, true);
    return out;
  };
}
