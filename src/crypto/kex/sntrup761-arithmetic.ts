/**
 * The ring arithmetic of sntrup761 (../sntrup761.ts): multiplication in Z[x]/(x^p - x - 1) reduced mod
 * 3 or q, and reciprocals there. In WebAssembly (./wasm/sntrup761.c) where available: key generation's
 * two inversions and decapsulation's two products cost ~45 ms of CPU in cold JavaScript and ~1 ms
 * there. The JavaScript below is the fallback (node --jitless) and the tests' reference.
 */
import { WASM_BASE64 } from './sntrup761-wasm.js';

export const P = 761;
export const Q = 4591;
const Q12 = (Q - 1) / 2;

/** x mod q, centred in [-Q12, Q12]. */
export function freezeQ(x: number): number {
  const r = ((x % Q) + Q) % Q;
  return r > Q12 ? r - Q : r;
}

/** x mod 3, centred in {-1, 0, 1}. */
export function freeze3(x: number): number {
  const r = ((x % 3) + 3) % 3;
  return r === 2 ? -1 : r;
}

export type Modulus = 3 | typeof Q;

interface Arithmetic {
  multiply(a: ArrayLike<number>, b: ArrayLike<number>, m: Modulus, out: Int8Array | Int16Array): void;
  reciprocal(a: ArrayLike<number>, m: Modulus, scaleInverse: number): Int16Array | undefined;
}

/** One instance per process, made on first use. */
let arithmetic: Arithmetic | undefined;

const chosen = (): Arithmetic => (arithmetic ??= typeof WebAssembly === 'object' ? wasmArithmetic() : { multiply: jsMultiply, reciprocal: jsReciprocal });

export function multiply(a: ArrayLike<number>, b: ArrayLike<number>, m: Modulus, out: Int8Array | Int16Array): void {
  chosen().multiply(a, b, m, out);
}

/** 1/(scale·a) mod (x^p - x - 1) over Z/m, centred; undefined when a is not invertible. */
export function reciprocal(a: ArrayLike<number>, m: Modulus, scaleInverse: number): Int16Array | undefined {
  return chosen().reciprocal(a, m, scaleInverse);
}

interface ArithmeticExports {
  memory: WebAssembly.Memory;
  buffer(): number;
  multiply(a: number, b: number, out: number, m: number): void;
  reciprocal(a: number, out: number, m: number, scaleInverse: number): number;
}

/** The module's stack, wiped after each call (build.sh puts it first in memory). */
const STACK_BYTES = 65536;

/** A fresh WebAssembly instance (exported for the tests that compare it with the JavaScript). */
export function wasmArithmetic(): Arithmetic & { memory(): Uint8Array } {
  const module = new WebAssembly.Module(Buffer.from(WASM_BASE64, 'base64'));
  const wasm = new WebAssembly.Instance(module, {}).exports as unknown as ArithmeticExports;
  const base = wasm.buffer();
  const [first, second, result] = [base, base + 2 * P, base + 4 * P];
  const polynomial = (offset: number): Int16Array => new Int16Array(wasm.memory.buffer, offset, P);
  const wipe = (): void => {
    new Uint8Array(wasm.memory.buffer).fill(0, 0, STACK_BYTES);
    new Uint8Array(wasm.memory.buffer).fill(0, base, base + 6 * P);
  };
  return {
    memory: () => new Uint8Array(wasm.memory.buffer),
    multiply(a, b, m, out) {
      try {
        polynomial(first).set(a);
        polynomial(second).set(b);
        wasm.multiply(first, second, result, m);
        out.set(polynomial(result));
      } finally {
        wipe();
      }
    },
    reciprocal(a, m, scaleInverse) {
      try {
        polynomial(first).set(a);
        const status = wasm.reciprocal(first, result, m, scaleInverse);
        return status === 0 ? Int16Array.from(polynomial(result)) : undefined;
      } finally {
        wipe();
      }
    },
  };
}

/** a·b in Z[x]/(x^p - x - 1), each coefficient then reduced mod m, centred. Exact: sums stay below 2^53. */
export function jsMultiply(a: ArrayLike<number>, b: ArrayLike<number>, m: Modulus, out: Int8Array | Int16Array): void {
  const freeze = m === 3 ? freeze3 : freezeQ;
  const product = new Float64Array(2 * P - 1);
  for (let i = 0; i < P; i++) {
    const ai = a[i]!;
    for (let j = 0; j < P; j++) product[i + j]! += ai * b[j]!;
  }
  // x^p = x + 1: fold the high half down, from the top.
  for (let k = 2 * P - 2; k >= P; k--) {
    product[k - P]! += product[k]!;
    product[k - P + 1]! += product[k]!;
  }
  for (let i = 0; i < P; i++) out[i] = freeze(product[i]!);
}

/**
 * 1/(scale·a) modulo x^p - x - 1 over the field Z/m (m = 3 or q), by Bernstein-Yang division steps on
 * the reversed polynomials: always 2p-1 steps over full-length arrays (a swap exchanges references).
 * Undefined when a is not invertible.
 */
export function jsReciprocal(a: ArrayLike<number>, m: Modulus, scaleInverse: number): Int16Array | undefined {
  let f = new Int32Array(P + 1); // reversed x^p - x - 1
  f[0] = 1;
  f[P - 1] = m - 1;
  f[P] = m - 1;
  let g = new Int32Array(P + 1); // reversed a
  for (let i = 0; i < P; i++) g[P - 1 - i] = ((a[i]! % m) + m) % m;
  let v = new Int32Array(P + 1);
  let r = new Int32Array(P + 1);
  r[0] = scaleInverse;
  let delta = 1;
  for (let step = 0; step < 2 * P - 1; step++) {
    v.copyWithin(1, 0, P);
    v[0] = 0;
    if (delta > 0 && g[0] !== 0) {
      [f, g] = [g, f];
      [v, r] = [r, v];
      delta = -delta;
    }
    delta++;
    const f0 = f[0]!;
    const g0 = g[0]!;
    // Eliminate g's constant term: g = f0·g - g0·f, r = f0·r - g0·v (projective: scaled by f0).
    // v and r start as constants and gain one coefficient per step: the rest are zero, whatever a is.
    const eliminate = m === 3 ? eliminateMod3 : eliminateModQ;
    eliminate(g, f, f0, g0, P + 1);
    eliminate(r, v, f0, g0, Math.min(step + 2, P + 1));
    g.copyWithin(0, 1);
    g[P] = 0;
  }
  const invertible = delta === 0;
  const f0Inverse = modInverse(f[0]!, m);
  const out = new Int16Array(P);
  for (let i = 0; i < P; i++) {
    const x = (f0Inverse * v[P - 1 - i]!) % m;
    out[i] = m === 3 ? freeze3(x) : freezeQ(x);
  }
  // They held the secret's inverse and its remainders.
  for (const secret of [f, g, v, r]) secret.fill(0);
  return invertible ? out : undefined;
}

/** target = f0·target - g0·other over the first `length` entries, reduced mod 3 into [0, 3). */
function eliminateMod3(target: Int32Array, other: Int32Array, f0: number, g0: number, length: number): void {
  for (let i = 0; i < length; i++) {
    const x = (f0 * target[i]! - g0 * other[i]! + 9) % 3; // operands are in [0, 3): the sum is positive
    target[i] = x;
  }
}

/** target = f0·target - g0·other over the first `length` entries, reduced mod q into [0, q). */
function eliminateModQ(target: Int32Array, other: Int32Array, f0: number, g0: number, length: number): void {
  for (let i = 0; i < length; i++) {
    const x = (f0 * target[i]! - g0 * other[i]! + Q * Q) % Q; // operands are in [0, q): the sum is positive
    target[i] = x;
  }
}

/** x^-1 mod m for a prime m (Fermat). */
export function modInverse(x: number, m: number): number {
  let result = 1;
  let base = ((x % m) + m) % m;
  for (let e = m - 2; e > 0; e >>= 1) {
    if (e & 1) result = (result * base) % m;
    base = (base * base) % m;
  }
  return result;
}

