/*
 * The arithmetic of sntrup761 for WebAssembly: multiplication in Z[x]/(x^p - x - 1) reduced mod 3 or
 * mod q, and the reciprocal there by Bernstein-Yang division steps. A port of the TypeScript in
 * ../sntrup761.ts (which stays the fallback without WebAssembly and the reference in the tests); key
 * generation's two inversions cost ~30 ms in cold JavaScript and well under 1 ms here. Built by
 * ./build.sh. Secrets live on the stack and in the I/O area, which the caller wipes after each call;
 * the division steps swap with masks, so no branch depends on a secret.
 */
#include <stdint.h>

#define EXPORT(name) __attribute__((export_name(name)))

enum { P = 761, Q = 4591 };

/* Three polynomials for the caller: two inputs and the output. */
static int16_t io[3 * P];
EXPORT("buffer") int16_t *buffer(void) { return io; }

/* x mod m centred: in [-(m-1)/2, (m-1)/2]. */
static int32_t freeze(int64_t x, int32_t m) {
  int32_t r = (int32_t)(x % m);
  r += m & -(r < 0);
  r -= m & -(r > (m - 1) / 2);
  return r;
}

/* out = a·b mod (x^p - x - 1), coefficients mod m centred. */
EXPORT("multiply") void multiply(const int16_t *a, const int16_t *b, int16_t *out, int32_t m) {
  int64_t product[2 * P - 1];
  for (int i = 0; i < 2 * P - 1; i++) product[i] = 0;
  for (int i = 0; i < P; i++) {
    int64_t ai = a[i];
    for (int j = 0; j < P; j++) product[i + j] += ai * b[j];
  }
  /* x^p = x + 1: fold the high half down, from the top. */
  for (int k = 2 * P - 2; k >= P; k--) {
    product[k - P] += product[k];
    product[k - P + 1] += product[k];
  }
  for (int i = 0; i < P; i++) out[i] = (int16_t)freeze(product[i], m);
  volatile int64_t *wipe = product;
  for (int i = 0; i < 2 * P - 1; i++) wipe[i] = 0;
}

static int32_t mod_inverse(int32_t x, int32_t m) {
  int64_t result = 1, base = ((x % m) + m) % m;
  for (int32_t e = m - 2; e > 0; e >>= 1) {
    if (e & 1) result = (result * base) % m;
    base = (base * base) % m;
  }
  return (int32_t)result;
}

/*
 * target = f0·target - g0·other mod m, into [0, m), over the first `length` entries. All operands are
 * in [0, m), so the sum is in (0, 2m^2), below 2^32; inlined with a constant m, the division becomes
 * a multiplication.
 */
static inline __attribute__((always_inline)) void eliminate(int32_t *target, const int32_t *other, uint32_t f0, uint32_t g0, int length, uint32_t m) {
  for (int i = 0; i < length; i++) target[i] = (int32_t)((f0 * (uint32_t)target[i] + m * m - g0 * (uint32_t)other[i]) % m);
}

static void eliminate_mod3(int32_t *target, const int32_t *other, uint32_t f0, uint32_t g0, int length) { eliminate(target, other, f0, g0, length, 3); }
static void eliminate_modq(int32_t *target, const int32_t *other, uint32_t f0, uint32_t g0, int length) { eliminate(target, other, f0, g0, length, Q); }

static void swap_if(int32_t *x, int32_t *y, int32_t mask) {
  for (int i = 0; i <= P; i++) {
    int32_t t = mask & (x[i] ^ y[i]);
    x[i] ^= t;
    y[i] ^= t;
  }
}

/*
 * out = 1/(scale·a) mod (x^p - x - 1) over Z/m (m = 3 or q), centred, where scale_inverse = 1/scale.
 * Always 2p-1 steps. Returns 0, or -1 when a is not invertible (out is then meaningless).
 */
EXPORT("reciprocal") int reciprocal(const int16_t *a, int16_t *out, int32_t m, int32_t scale_inverse) {
  int32_t f[P + 1], g[P + 1], v[P + 1], r[P + 1];
  for (int i = 0; i <= P; i++) f[i] = g[i] = v[i] = r[i] = 0;
  f[0] = 1; /* reversed x^p - x - 1 */
  f[P - 1] = m - 1;
  f[P] = m - 1;
  for (int i = 0; i < P; i++) g[P - 1 - i] = ((a[i] % m) + m) % m;
  r[0] = scale_inverse;
  int32_t delta = 1;
  for (int step = 0; step < 2 * P - 1; step++) {
    for (int i = P; i > 0; i--) v[i] = v[i - 1];
    v[0] = 0;
    int32_t swap = -((delta > 0) & (g[0] != 0));
    swap_if(f, g, swap);
    swap_if(v, r, swap);
    delta ^= swap & (delta ^ -delta);
    delta++;
    int32_t f0 = f[0], g0 = g[0];
    /* v and r start as constants and gain one coefficient per step: the rest are zero, whatever a is. */
    int r_length = step + 2 < P + 1 ? step + 2 : P + 1;
    if (m == 3) {
      eliminate_mod3(g, f, (uint32_t)f0, (uint32_t)g0, P + 1);
      eliminate_mod3(r, v, (uint32_t)f0, (uint32_t)g0, r_length);
    } else {
      eliminate_modq(g, f, (uint32_t)f0, (uint32_t)g0, P + 1);
      eliminate_modq(r, v, (uint32_t)f0, (uint32_t)g0, r_length);
    }
    for (int i = 0; i < P; i++) g[i] = g[i + 1];
    g[P] = 0;
  }
  int32_t f0_inverse = mod_inverse(f[0], m);
  for (int i = 0; i < P; i++) out[i] = (int16_t)freeze((int64_t)f0_inverse * v[P - 1 - i], m);
  volatile int32_t *wipe[4] = { f, g, v, r };
  for (int k = 0; k < 4; k++)
    for (int i = 0; i <= P; i++) wipe[k][i] = 0;
  return delta == 0 ? 0 : -1;
}
