/**
 * Poly1305 for chacha20-poly1305@openssh.com (node:crypto exposes no raw Poly1305). The WebAssembly
 * implementation is the fast path; noble's pure-JS one is the fallback where WebAssembly is disabled.
 */
import { createRequire } from 'node:module';
import { wasmPoly1305, type Poly1305 } from './poly1305-wasm.js';

export type { Poly1305 } from './poly1305-wasm.js';

/**
 * noble's Poly1305, loaded synchronously on first use (the PacketSealer contract is synchronous), so a
 * connection that never needs it never loads it. Needs require(esm): Node 20.19+ by default.
 */
export function noblePoly1305(): Poly1305 {
  const require = createRequire(import.meta.url);
  const noble = require('@noble/ciphers/_poly1305.js') as typeof import('@noble/ciphers/_poly1305.js');
  return (key, message, more) => noble.poly1305(more ? Buffer.concat([message, more]) : message, key);
}

/** A Poly1305 instance for one direction's packets. */
export function createPoly1305(): Poly1305 {
  return wasmPoly1305() ?? noblePoly1305();
}
