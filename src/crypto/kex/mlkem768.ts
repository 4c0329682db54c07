import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { WASM_BASE64 } from './mlkem768-wasm.js';

/** Sizes from FIPS 203 (ML-KEM-768). */
export const MLKEM768_PUBLIC_BYTES = 1184;
export const MLKEM768_SECRET_BYTES = 2400;
export const MLKEM768_CIPHERTEXT_BYTES = 1088;
const SEED_BYTES = 64;
const MESSAGE_BYTES = 32;
const SHARED_BYTES = 32;
/** The module's stack, wiped after each call (build.sh puts it first in memory). */
const STACK_BYTES = 65536;

/** ML-KEM-768 over byte arrays, in @noble/post-quantum's shape (seeds and messages optional, for known answers). */
export interface MlKem768 {
  keygen(seed?: Uint8Array): { publicKey: Uint8Array; secretKey: Uint8Array };
  encapsulate(publicKey: Uint8Array, message?: Uint8Array): { cipherText: Uint8Array; sharedSecret: Uint8Array };
  decapsulate(cipherText: Uint8Array, secretKey: Uint8Array): Uint8Array;
}

interface MlKemExports {
  memory: WebAssembly.Memory;
  buffer(): number;
  keygen(seed: number, ek: number, dk: number): void;
  encapsulate(ek: number, message: number, ciphertext: number, shared: number): number;
  decapsulate(dk: number, ciphertext: number, shared: number): number;
}

/** One instance per process, made on first use (compiling the module once is the point). */
let instance: MlKem768 | undefined;

/**
 * ML-KEM-768 in WebAssembly (./wasm/mlkem768.c): a few milliseconds in a fresh process, where the same
 * work in cold JavaScript (@noble/post-quantum) costs ~100 ms. Where WebAssembly is unavailable
 * (node --jitless) it is @noble/post-quantum, with the same results.
 */
export function mlkem768(): MlKem768 {
  instance ??= typeof WebAssembly === 'object' ? wasmMlKem768() : nobleMlKem768();
  return instance;
}

/** @noble/post-quantum's ML-KEM-768 (exported for the tests that compare the two). */
export function nobleMlKem768(): MlKem768 {
  const require = createRequire(import.meta.url);
  return (require('@noble/post-quantum/ml-kem.js') as { ml_kem768: MlKem768 }).ml_kem768;
}

function checkLength(what: string, value: Uint8Array, length: number): void {
  if (!(value instanceof Uint8Array) || value.length !== length) throw new Error(`ML-KEM-768: ${what} must be ${length} bytes`);
}

/** A fresh WebAssembly instance with its own memory (which tests read to check that secrets are wiped). */
export function wasmMlKem768(): MlKem768 & { memory(): Uint8Array } {
  const module = new WebAssembly.Module(Buffer.from(WASM_BASE64, 'base64'));
  const wasm = new WebAssembly.Instance(module, {}).exports as unknown as MlKemExports;
  const base = wasm.buffer();
  const at = { seed: base, ek: base + SEED_BYTES, dk: 0, ct: 0, message: 0, shared: 0 };
  at.dk = at.ek + MLKEM768_PUBLIC_BYTES;
  at.ct = at.dk + MLKEM768_SECRET_BYTES;
  at.message = at.ct + MLKEM768_CIPHERTEXT_BYTES;
  at.shared = at.message + MESSAGE_BYTES;
  const ioBytes = at.shared + SHARED_BYTES - base;
  const memory = (): Uint8Array => new Uint8Array(wasm.memory.buffer);
  const copyOut = (offset: number, length: number): Uint8Array => memory().slice(offset, offset + length);
  /** Runs `call`, then wipes every secret it may have left: the stack and the I/O area. */
  const run = <T>(call: (view: Uint8Array) => T): T => {
    const view = memory();
    try {
      return call(view);
    } finally {
      view.fill(0, 0, STACK_BYTES);
      view.fill(0, base, base + ioBytes);
    }
  };
  return {
    memory,
    keygen(seed = randomBytes(SEED_BYTES)) {
      checkLength('seed', seed, SEED_BYTES);
      return run((view) => {
        view.set(seed, at.seed);
        wasm.keygen(at.seed, at.ek, at.dk);
        return { publicKey: copyOut(at.ek, MLKEM768_PUBLIC_BYTES), secretKey: copyOut(at.dk, MLKEM768_SECRET_BYTES) };
      });
    },
    encapsulate(publicKey, message = randomBytes(MESSAGE_BYTES)) {
      checkLength('public key', publicKey, MLKEM768_PUBLIC_BYTES);
      checkLength('message', message, MESSAGE_BYTES);
      return run((view) => {
        view.set(publicKey, at.ek);
        view.set(message, at.message);
        if (wasm.encapsulate(at.ek, at.message, at.ct, at.shared) !== 0) throw new Error('ML-KEM-768: invalid public key (a coefficient is not reduced)');
        return { cipherText: copyOut(at.ct, MLKEM768_CIPHERTEXT_BYTES), sharedSecret: copyOut(at.shared, SHARED_BYTES) };
      });
    },
    decapsulate(cipherText, secretKey) {
      checkLength('ciphertext', cipherText, MLKEM768_CIPHERTEXT_BYTES);
      checkLength('secret key', secretKey, MLKEM768_SECRET_BYTES);
      return run((view) => {
        view.set(secretKey, at.dk);
        view.set(cipherText, at.ct);
        if (wasm.decapsulate(at.dk, at.ct, at.shared) !== 0) throw new Error('ML-KEM-768: invalid secret key (its public key hash does not match)');
        return copyOut(at.shared, SHARED_BYTES);
      });
    },
  };
}
