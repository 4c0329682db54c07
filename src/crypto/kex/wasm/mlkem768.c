/*
 * ML-KEM-768 (FIPS 203) for WebAssembly: the key generation, encapsulation and decapsulation that
 * mlkem768x25519-sha256 needs, with its own Keccak (SHA3-256, SHA3-512, SHAKE-128, SHAKE-256).
 * Written from the standard's algorithms; built at development time by ./build.sh into
 * ../mlkem768-wasm.ts (see there). Freestanding C: no libc, no imports, no allocation.
 *
 * Every coefficient is kept reduced in [0, q) and every reduction is branch-free, so timing does not
 * depend on secrets; the only data-dependent branches are on public data (rejection sampling of the
 * matrix from rho). Secrets live on the stack (first in linear memory, see build.sh) and in the
 * caller's buffers: the JavaScript side wipes both after each call.
 */
#include <stdint.h>
#include <stddef.h>

#define EXPORT(name) __attribute__((export_name(name)))

enum {
  N = 256,
  Q = 3329,
  K = 3,
  ETA = 2, /* eta1 = eta2 = 2 for ML-KEM-768 */
  DU = 10,
  DV = 4,
  POLY_BYTES = 384,
  EK_BYTES = K * POLY_BYTES + 32,               /* 1184 */
  DK_PKE_BYTES = K * POLY_BYTES,                /* 1152 */
  DK_BYTES = DK_PKE_BYTES + EK_BYTES + 32 + 32, /* 2400 */
  CT_BYTES = 32 * (DU * K + DV),                /* 1088 */
};

typedef struct {
  uint16_t c[N];
} poly;

/* ---- Keccak-f[1600] and the sponge ---- */

static const uint64_t ROUND_CONSTANTS[24] = {
  0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL, 0x8000000080008000ULL,
  0x000000000000808bULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
  0x000000000000008aULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
  0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
  0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800aULL, 0x800000008000000aULL,
  0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};
/* rho rotation amounts and pi lane order, walking the lanes in pi's cycle from lane 1. */
static const uint8_t RHO[24] = { 1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 2, 14, 27, 41, 56, 8, 25, 43, 62, 18, 39, 61, 20, 44 };
static const uint8_t PI[24] = { 10, 7, 11, 17, 18, 3, 5, 16, 8, 21, 24, 4, 15, 23, 19, 13, 12, 2, 20, 14, 22, 9, 6, 1 };

static inline uint64_t rotl64(uint64_t x, unsigned n) { return (x << n) | (x >> (64 - n)); }

static void keccak_f1600(uint64_t s[25]) {
  uint64_t bc[5];
  for (int round = 0; round < 24; round++) {
    for (int i = 0; i < 5; i++) bc[i] = s[i] ^ s[i + 5] ^ s[i + 10] ^ s[i + 15] ^ s[i + 20];
    for (int i = 0; i < 5; i++) {
      uint64_t t = bc[(i + 4) % 5] ^ rotl64(bc[(i + 1) % 5], 1);
      for (int j = 0; j < 25; j += 5) s[j + i] ^= t;
    }
    uint64_t t = s[1];
    for (int i = 0; i < 24; i++) {
      uint64_t next = s[PI[i]];
      s[PI[i]] = rotl64(t, RHO[i]);
      t = next;
    }
    for (int j = 0; j < 25; j += 5) {
      for (int i = 0; i < 5; i++) bc[i] = s[j + i];
      for (int i = 0; i < 5; i++) s[j + i] ^= ~bc[(i + 1) % 5] & bc[(i + 2) % 5];
    }
    s[0] ^= ROUND_CONSTANTS[round];
  }
}

/* WebAssembly is little-endian, so the state's bytes are the lanes' bytes in FIPS 202 order. */
typedef struct {
  union {
    uint64_t lanes[25];
    uint8_t bytes[200];
  } state;
  unsigned rate;
  unsigned position;
} sponge;

enum { SHA3_DOMAIN = 0x06, SHAKE_DOMAIN = 0x1f };

static void sponge_init(sponge *sp, unsigned rate) {
  for (int i = 0; i < 25; i++) sp->state.lanes[i] = 0;
  sp->rate = rate;
  sp->position = 0;
}

static void sponge_absorb(sponge *sp, const uint8_t *in, size_t length) {
  for (size_t i = 0; i < length; i++) {
    sp->state.bytes[sp->position++] ^= in[i];
    if (sp->position == sp->rate) {
      keccak_f1600(sp->state.lanes);
      sp->position = 0;
    }
  }
}

static void sponge_finish(sponge *sp, uint8_t domain) {
  sp->state.bytes[sp->position] ^= domain;
  sp->state.bytes[sp->rate - 1] ^= 0x80;
  keccak_f1600(sp->state.lanes);
  sp->position = 0;
}

static void sponge_squeeze(sponge *sp, uint8_t *out, size_t length) {
  for (size_t i = 0; i < length; i++) {
    if (sp->position == sp->rate) {
      keccak_f1600(sp->state.lanes);
      sp->position = 0;
    }
    out[i] = sp->state.bytes[sp->position++];
  }
}

static void sponge_wipe(sponge *sp) {
  volatile uint8_t *p = sp->state.bytes;
  for (int i = 0; i < 200; i++) p[i] = 0;
}

/* out = HASH(a || b) for SHA3 (rate 136: SHA3-256, 72: SHA3-512) or SHAKE (168: SHAKE-128, 136: SHAKE-256). */
static void hash2(unsigned rate, uint8_t domain, const uint8_t *a, size_t a_length, const uint8_t *b, size_t b_length,
                  uint8_t *out, size_t out_length) {
  sponge sp;
  sponge_init(&sp, rate);
  sponge_absorb(&sp, a, a_length);
  sponge_absorb(&sp, b, b_length);
  sponge_finish(&sp, domain);
  sponge_squeeze(&sp, out, out_length);
  sponge_wipe(&sp);
}

static void sha3_256(const uint8_t *in, size_t length, uint8_t out[32]) { hash2(136, SHA3_DOMAIN, in, length, 0, 0, out, 32); }
/* G: SHA3-512 of a || b, 64 bytes. */
static void g_hash(const uint8_t *a, size_t a_length, const uint8_t *b, size_t b_length, uint8_t out[64]) {
  hash2(72, SHA3_DOMAIN, a, a_length, b, b_length, out, 64);
}

/* ---- Arithmetic mod q, branch-free ---- */

/* a in [0, 2q) -> a mod q */
static inline uint16_t reduce_once(uint32_t a) {
  a -= Q;
  a += (uint32_t)((int32_t)a >> 31) & Q;
  return (uint16_t)a;
}

/* a mod q for any 32-bit a: the quotient estimate floor(a * floor(2^32/q) / 2^32) is short by at most 1. */
static inline uint16_t reduce(uint32_t a) {
  uint32_t quotient = (uint32_t)(((uint64_t)a * 1290167u) >> 32);
  return reduce_once(a - quotient * Q);
}

static inline uint16_t add_mod(uint16_t a, uint16_t b) { return reduce_once((uint32_t)a + b); }
static inline uint16_t sub_mod(uint16_t a, uint16_t b) { return reduce_once((uint32_t)a + Q - b); }
static inline uint16_t mul_mod(uint16_t a, uint16_t b) { return reduce((uint32_t)a * b); }

/* floor(n / q) for n < 2^23, exactly: ceil(2^35 / q) = 10321340. */
static inline uint32_t divide_by_q(uint32_t n) { return (uint32_t)(((uint64_t)n * 10321340u) >> 35); }

/* ---- NTT (FIPS 203 algorithms 9-12) ---- */

static uint16_t zetas[128];  /* 17^BitRev7(i) */
static uint16_t gammas[128]; /* 17^(2 BitRev7(i) + 1) */
static int tables_ready;

static unsigned bitrev7(unsigned i) {
  unsigned r = 0;
  for (int b = 0; b < 7; b++) r |= ((i >> b) & 1) << (6 - b);
  return r;
}

static uint16_t power17(unsigned e) {
  uint16_t r = 1;
  for (unsigned i = 0; i < e; i++) r = mul_mod(r, 17);
  return r;
}

static void init_tables(void) {
  if (tables_ready) return;
  for (unsigned i = 0; i < 128; i++) {
    zetas[i] = power17(bitrev7(i));
    gammas[i] = power17(2 * bitrev7(i) + 1);
  }
  tables_ready = 1;
}

static void ntt(poly *f) {
  unsigned i = 1;
  for (unsigned len = 128; len >= 2; len >>= 1) {
    for (unsigned start = 0; start < N; start += 2 * len) {
      uint16_t zeta = zetas[i++];
      for (unsigned j = start; j < start + len; j++) {
        uint16_t t = mul_mod(zeta, f->c[j + len]);
        f->c[j + len] = sub_mod(f->c[j], t);
        f->c[j] = add_mod(f->c[j], t);
      }
    }
  }
}

static void inverse_ntt(poly *f) {
  unsigned i = 127;
  for (unsigned len = 2; len <= 128; len <<= 1) {
    for (unsigned start = 0; start < N; start += 2 * len) {
      uint16_t zeta = zetas[i--];
      for (unsigned j = start; j < start + len; j++) {
        uint16_t t = f->c[j];
        f->c[j] = add_mod(t, f->c[j + len]);
        f->c[j + len] = mul_mod(zeta, sub_mod(f->c[j + len], t));
      }
    }
  }
  for (unsigned j = 0; j < N; j++) f->c[j] = mul_mod(f->c[j], 3303); /* 128^-1 mod q */
}

/* acc += f ∘ g in the NTT domain (pairs multiplied mod X^2 - gamma). */
static void multiply_ntts_add(poly *acc, const poly *f, const poly *g) {
  for (unsigned i = 0; i < 128; i++) {
    uint32_t a0 = f->c[2 * i], a1 = f->c[2 * i + 1], b0 = g->c[2 * i], b1 = g->c[2 * i + 1];
    uint16_t c0 = reduce(a0 * b0 + (uint32_t)mul_mod((uint16_t)a1, (uint16_t)b1) * gammas[i]);
    uint16_t c1 = reduce(a0 * b1 + a1 * b0);
    acc->c[2 * i] = add_mod(acc->c[2 * i], c0);
    acc->c[2 * i + 1] = add_mod(acc->c[2 * i + 1], c1);
  }
}

static void poly_zero(poly *f) {
  for (unsigned j = 0; j < N; j++) f->c[j] = 0;
}

static void poly_add(poly *f, const poly *g) {
  for (unsigned j = 0; j < N; j++) f->c[j] = add_mod(f->c[j], g->c[j]);
}

/* ---- Encoding, compression, sampling (algorithms 4-8) ---- */

/* ByteEncode_d: 256 d-bit values, least significant bit first. */
static void byte_encode(uint8_t *out, const poly *f, unsigned d) {
  uint32_t accumulator = 0;
  unsigned bits = 0;
  size_t o = 0;
  for (unsigned i = 0; i < N; i++) {
    accumulator |= (uint32_t)f->c[i] << bits;
    bits += d;
    while (bits >= 8) {
      out[o++] = (uint8_t)accumulator;
      accumulator >>= 8;
      bits -= 8;
    }
  }
}

/* ByteDecode_d; for d = 12 values are then taken mod q (FIPS 203 algorithm 6). */
static void byte_decode(poly *f, const uint8_t *in, unsigned d) {
  uint32_t accumulator = 0;
  unsigned bits = 0;
  size_t p = 0;
  for (unsigned i = 0; i < N; i++) {
    while (bits < d) {
      accumulator |= (uint32_t)in[p++] << bits;
      bits += 8;
    }
    uint32_t value = accumulator & ((1u << d) - 1);
    f->c[i] = d == 12 ? reduce_once(value) : (uint16_t)value;
    accumulator >>= d;
    bits -= d;
  }
}

static void compress(poly *f, unsigned d) {
  for (unsigned i = 0; i < N; i++) f->c[i] = (uint16_t)(divide_by_q(((uint32_t)f->c[i] << d) + Q / 2) & ((1u << d) - 1));
}

static void decompress(poly *f, unsigned d) {
  for (unsigned i = 0; i < N; i++) f->c[i] = (uint16_t)(((uint32_t)f->c[i] * Q + (1u << (d - 1))) >> d);
}

/* SampleNTT(rho || j || i): rejection sampling from SHAKE-128 (public data, so branching is fine). */
static void sample_ntt(poly *a, const uint8_t rho[32], uint8_t j, uint8_t i) {
  sponge sp;
  uint8_t indices[2] = { j, i };
  sponge_init(&sp, 168);
  sponge_absorb(&sp, rho, 32);
  sponge_absorb(&sp, indices, 2);
  sponge_finish(&sp, SHAKE_DOMAIN);
  unsigned count = 0;
  while (count < N) {
    uint8_t c[3];
    sponge_squeeze(&sp, c, 3);
    uint16_t d1 = (uint16_t)(c[0] | ((c[1] & 15) << 8));
    uint16_t d2 = (uint16_t)((c[1] >> 4) | (c[2] << 4));
    if (d1 < Q) a->c[count++] = d1;
    if (d2 < Q && count < N) a->c[count++] = d2;
  }
}

/* SamplePolyCBD_2(PRF_2(seed, nonce)): PRF is SHAKE-256 to 128 bytes. */
static void sample_cbd(poly *f, const uint8_t seed[32], uint8_t nonce) {
  uint8_t bytes[64 * ETA];
  hash2(136, SHAKE_DOMAIN, seed, 32, &nonce, 1, bytes, sizeof bytes);
  for (unsigned i = 0; i < N; i++) {
    unsigned b = bytes[i / 2] >> (4 * (i & 1));
    unsigned x = (b & 1) + ((b >> 1) & 1);
    unsigned y = ((b >> 2) & 1) + ((b >> 3) & 1);
    f->c[i] = reduce_once(x + Q - y);
  }
  volatile uint8_t *p = bytes;
  for (unsigned i = 0; i < sizeof bytes; i++) p[i] = 0;
}

/* A-hat[i][j] = SampleNTT(rho || j || i); `transpose` gives A-hat's transpose. */
static void expand_matrix(poly a[K][K], const uint8_t rho[32], int transpose) {
  for (unsigned i = 0; i < K; i++)
    for (unsigned j = 0; j < K; j++) sample_ntt(&a[i][j], rho, (uint8_t)(transpose ? i : j), (uint8_t)(transpose ? j : i));
}

/* ---- K-PKE (algorithms 13-15) ---- */

static void pke_keygen(uint8_t ek[EK_BYTES], uint8_t dk_pke[DK_PKE_BYTES], const uint8_t d[32]) {
  uint8_t rho_sigma[64];
  uint8_t k = K;
  g_hash(d, 32, &k, 1, rho_sigma);
  const uint8_t *rho = rho_sigma, *sigma = rho_sigma + 32;
  poly a[K][K], s[K], e[K], t;
  expand_matrix(a, rho, 0);
  uint8_t nonce = 0;
  for (unsigned i = 0; i < K; i++) sample_cbd(&s[i], sigma, nonce++);
  for (unsigned i = 0; i < K; i++) sample_cbd(&e[i], sigma, nonce++);
  for (unsigned i = 0; i < K; i++) {
    ntt(&s[i]);
    ntt(&e[i]);
  }
  for (unsigned i = 0; i < K; i++) {
    poly_zero(&t);
    for (unsigned j = 0; j < K; j++) multiply_ntts_add(&t, &a[i][j], &s[j]);
    poly_add(&t, &e[i]);
    byte_encode(ek + i * POLY_BYTES, &t, 12);
    byte_encode(dk_pke + i * POLY_BYTES, &s[i], 12);
  }
  for (unsigned i = 0; i < 32; i++) ek[K * POLY_BYTES + i] = rho[i];
}

static void pke_encrypt(uint8_t c[CT_BYTES], const uint8_t ek[EK_BYTES], const uint8_t m[32], const uint8_t r[32]) {
  poly a_transposed[K][K], t[K], y[K], u, e, v, mu;
  const uint8_t *rho = ek + K * POLY_BYTES;
  for (unsigned i = 0; i < K; i++) byte_decode(&t[i], ek + i * POLY_BYTES, 12);
  expand_matrix(a_transposed, rho, 1);
  uint8_t nonce = 0;
  for (unsigned i = 0; i < K; i++) {
    sample_cbd(&y[i], r, nonce++);
    ntt(&y[i]);
  }
  for (unsigned i = 0; i < K; i++) {
    poly_zero(&u);
    for (unsigned j = 0; j < K; j++) multiply_ntts_add(&u, &a_transposed[i][j], &y[j]);
    inverse_ntt(&u);
    sample_cbd(&e, r, nonce++); /* e1[i] */
    poly_add(&u, &e);
    compress(&u, DU);
    byte_encode(c + i * 32 * DU, &u, DU);
  }
  poly_zero(&v);
  for (unsigned i = 0; i < K; i++) multiply_ntts_add(&v, &t[i], &y[i]);
  inverse_ntt(&v);
  sample_cbd(&e, r, nonce); /* e2 */
  poly_add(&v, &e);
  byte_decode(&mu, m, 1);
  decompress(&mu, 1);
  poly_add(&v, &mu);
  compress(&v, DV);
  byte_encode(c + K * 32 * DU, &v, DV);
}

static void pke_decrypt(uint8_t m[32], const uint8_t dk_pke[DK_PKE_BYTES], const uint8_t c[CT_BYTES]) {
  poly w, u, s, v;
  poly_zero(&w);
  for (unsigned i = 0; i < K; i++) {
    byte_decode(&u, c + i * 32 * DU, DU);
    decompress(&u, DU);
    ntt(&u);
    byte_decode(&s, dk_pke + i * POLY_BYTES, 12);
    multiply_ntts_add(&w, &s, &u);
  }
  inverse_ntt(&w);
  byte_decode(&v, c + K * 32 * DU, DV);
  decompress(&v, DV);
  for (unsigned j = 0; j < N; j++) v.c[j] = sub_mod(v.c[j], w.c[j]);
  compress(&v, 1);
  byte_encode(m, &v, 1);
}

/* ---- ML-KEM (algorithms 16-18 with the input checks of section 7) ---- */

/* Where the JavaScript side puts inputs and finds outputs; it wipes this and the stack after each call. */
static uint8_t io[64 + EK_BYTES + DK_BYTES + CT_BYTES + 32 + 32];
EXPORT("buffer") uint8_t *buffer(void) { return io; }

/* seed = d || z (64 bytes) -> ek (1184), dk (2400). */
EXPORT("keygen") void mlkem_keygen(const uint8_t seed[64], uint8_t ek[EK_BYTES], uint8_t dk[DK_BYTES]) {
  init_tables();
  pke_keygen(ek, dk, seed);
  for (unsigned i = 0; i < EK_BYTES; i++) dk[DK_PKE_BYTES + i] = ek[i];
  sha3_256(ek, EK_BYTES, dk + DK_PKE_BYTES + EK_BYTES);
  for (unsigned i = 0; i < 32; i++) dk[DK_BYTES - 32 + i] = seed[32 + i];
}

/* Returns 0, or -1 when ek fails the modulus check (a coefficient not below q). */
EXPORT("encapsulate") int mlkem_encapsulate(const uint8_t ek[EK_BYTES], const uint8_t m[32], uint8_t c[CT_BYTES], uint8_t shared[32]) {
  init_tables();
  for (unsigned i = 0; i < K * POLY_BYTES; i += 3) {
    unsigned d1 = ek[i] | ((ek[i + 1] & 15) << 8), d2 = (ek[i + 1] >> 4) | (ek[i + 2] << 4);
    if (d1 >= Q || d2 >= Q) return -1;
  }
  uint8_t h[32], key_r[64];
  sha3_256(ek, EK_BYTES, h);
  g_hash(m, 32, h, 32, key_r);
  pke_encrypt(c, ek, m, key_r + 32);
  for (unsigned i = 0; i < 32; i++) shared[i] = key_r[i];
  return 0;
}

/* Returns 0, or -1 when dk fails the hash check (H(ek) stored in it is wrong). Implicit rejection otherwise. */
EXPORT("decapsulate") int mlkem_decapsulate(const uint8_t dk[DK_BYTES], const uint8_t c[CT_BYTES], uint8_t shared[32]) {
  init_tables();
  const uint8_t *dk_pke = dk, *ek = dk + DK_PKE_BYTES, *h = dk + DK_PKE_BYTES + EK_BYTES, *z = dk + DK_BYTES - 32;
  uint8_t check[32];
  sha3_256(ek, EK_BYTES, check);
  unsigned bad = 0;
  for (unsigned i = 0; i < 32; i++) bad |= check[i] ^ h[i];
  if (bad) return -1;
  uint8_t m[32], key_r[64], rejected[32], c_again[CT_BYTES];
  pke_decrypt(m, dk_pke, c);
  g_hash(m, 32, h, 32, key_r);
  hash2(136, SHAKE_DOMAIN, z, 32, c, CT_BYTES, rejected, 32);
  pke_encrypt(c_again, ek, m, key_r + 32);
  unsigned difference = 0;
  for (unsigned i = 0; i < CT_BYTES; i++) difference |= c[i] ^ c_again[i];
  /* 0xff when the ciphertexts agree, else 0: difference is at most 255. */
  uint8_t keep = (uint8_t)((difference - 1) >> 8);
  for (unsigned i = 0; i < 32; i++) shared[i] = (uint8_t)((key_r[i] & keep) | (rejected[i] & ~keep));
  return 0;
}
