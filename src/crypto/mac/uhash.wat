;; UHASH (RFC 4418 §5) for UMAC-64 and UMAC-128 in WebAssembly, for messages of up to 2^14 chunks
;; (16 MiB; SSH packets are at most 256 KiB): NH two streams at a time in SIMD lanes (u32 x u32 -> u64
;; products with i64x2.extmul), then POLY64 across chunks and the inner product mod 2^36 - 5.
;; Assembled with `wat2wasm uhash.wat` and embedded as base64 in uhash-wasm.ts.
;;
;; Memory layout (little-endian words, written by uhash-wasm.ts):
;;   [0, 1072)     NH key words (key bytes read big-endian), 1024 + 16 * 3 bytes
;;   [1088, 1120)  POLY64 key per stream (i64)
;;   [1120, 1248)  inner-product keys per stream: the last four of its eight (i64 each); the first four
;;                 multiply the zero high half of a 64-bit L2 result
;;   [1248, 1264)  output mask per stream (i32)
;;   [1264, 1280)  result per stream (i32), the UHASH tag word before the pad
;;   [1280, 1312)  POLY64 accumulators (i64)
;;   [2048, ...)   the message, followed by 32 bytes the hash may overwrite with zero padding
(module
  (memory (export "memory") 1)

  ;; NH of streams s and s+1 over the 32-byte blocks in [p, end): key words from $key for stream s,
  ;; shifted four words for s+1. Returns the two 64-bit sums (mod 2^64) as i64 lanes.
  (func $nh2 (param $p i32) (param $end i32) (param $key i32) (result v128)
    (local $k0 v128) (local $k1 v128) (local $k2 v128) (local $lo v128) (local $hi v128)
    (local $a v128) (local $b v128) (local $h0 v128) (local $h1 v128)
    (local.set $k0 (v128.load (local.get $key)))
    (loop $block
      (local.set $lo (v128.load (local.get $p)))
      (local.set $hi (v128.load offset=16 (local.get $p)))
      (local.set $k1 (v128.load offset=16 (local.get $key)))
      (local.set $k2 (v128.load offset=32 (local.get $key)))
      ;; stream s: sum of (m[j] + k[j]) * (m[j+4] + k[j+4]) for j = 0..3
      (local.set $a (i32x4.add (local.get $lo) (local.get $k0)))
      (local.set $b (i32x4.add (local.get $hi) (local.get $k1)))
      (local.set $h0 (i64x2.add (local.get $h0) (i64x2.add
        (i64x2.extmul_low_i32x4_u (local.get $a) (local.get $b))
        (i64x2.extmul_high_i32x4_u (local.get $a) (local.get $b)))))
      ;; stream s+1: the same with k shifted by four words
      (local.set $a (i32x4.add (local.get $lo) (local.get $k1)))
      (local.set $b (i32x4.add (local.get $hi) (local.get $k2)))
      (local.set $h1 (i64x2.add (local.get $h1) (i64x2.add
        (i64x2.extmul_low_i32x4_u (local.get $a) (local.get $b))
        (i64x2.extmul_high_i32x4_u (local.get $a) (local.get $b)))))
      ;; the next block's key starts eight words on: this block's k2
      (local.set $k0 (local.get $k2))
      (local.set $key (i32.add (local.get $key) (i32.const 32)))
      (local.set $p (i32.add (local.get $p) (i32.const 32)))
      (br_if $block (i32.lt_u (local.get $p) (local.get $end))))
    ;; [h0.0 + h0.1, h1.0 + h1.1]
    (i64x2.add
      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $h0) (local.get $h1))
      (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $h0) (local.get $h1))))

  ;; key * cur + data mod p64 = 2^64 - 59, kept below 2^64 but not fully reduced. The key's two 32-bit
  ;; halves are below 2^25 (RFC 4418's mask), so no partial product overflows; 2^64 = 59 (mod p64).
  (func $polyStep (param $cur i64) (param $key i64) (param $data i64) (result i64)
    (local $kh i64) (local $kl i64) (local $ch i64) (local $cl i64) (local $x i64) (local $t i64) (local $r i64)
    (local.set $kh (i64.shr_u (local.get $key) (i64.const 32)))
    (local.set $kl (i64.and (local.get $key) (i64.const 0xffffffff)))
    (local.set $ch (i64.shr_u (local.get $cur) (i64.const 32)))
    (local.set $cl (i64.and (local.get $cur) (i64.const 0xffffffff)))
    ;; key * cur = kh*ch*2^64 + (kh*cl + kl*ch)*2^32 + kl*cl, and x*2^32 = (x >> 32)*2^64 + (x mod 2^32)*2^32
    (local.set $x (i64.add (i64.mul (local.get $kh) (local.get $cl)) (i64.mul (local.get $kl) (local.get $ch))))
    (local.set $r (i64.add
      (i64.mul (i64.add (i64.mul (local.get $kh) (local.get $ch)) (i64.shr_u (local.get $x) (i64.const 32))) (i64.const 59))
      (i64.mul (local.get $kl) (local.get $cl))))
    ;; each wrap past 2^64 is worth 59
    (local.set $t (i64.shl (local.get $x) (i64.const 32)))
    (local.set $r (i64.add (local.get $r) (local.get $t)))
    (if (i64.lt_u (local.get $r) (local.get $t)) (then (local.set $r (i64.add (local.get $r) (i64.const 59)))))
    (local.set $r (i64.add (local.get $r) (local.get $data)))
    (if (i64.lt_u (local.get $r) (local.get $data)) (then (local.set $r (i64.add (local.get $r) (i64.const 59)))))
    (local.get $r))

  ;; One POLY64 word (RFC 4418 §5.3.3): a word of 2^64 - 2^32 or more goes in as p64 - 1, then word - 59.
  (func $poly64 (param $cur i64) (param $key i64) (param $word i64) (result i64)
    (if (result i64) (i64.eq (i64.shr_u (local.get $word) (i64.const 32)) (i64.const 0xffffffff))
      (then (call $polyStep
        (call $polyStep (local.get $cur) (local.get $key) (i64.const 0xffffffffffffffc4))
        (local.get $key) (i64.sub (local.get $word) (i64.const 59))))
      (else (call $polyStep (local.get $cur) (local.get $key) (local.get $word)))))

  ;; The inner product of y's four 16-bit words with stream s's keys, mod 2^36 - 5, low 32 bits, masked.
  (func $inner (param $y i64) (param $s i32) (result i32)
    (local $keys i32) (local $t i64)
    (local.set $keys (i32.add (i32.const 1120) (i32.shl (local.get $s) (i32.const 5))))
    ;; each product is below 2^52, so the sum of four fits in 64 bits
    (local.set $t (i64.add
      (i64.add
        (i64.mul (i64.load (local.get $keys)) (i64.shr_u (local.get $y) (i64.const 48)))
        (i64.mul (i64.load offset=8 (local.get $keys)) (i64.and (i64.shr_u (local.get $y) (i64.const 32)) (i64.const 0xffff))))
      (i64.add
        (i64.mul (i64.load offset=16 (local.get $keys)) (i64.and (i64.shr_u (local.get $y) (i64.const 16)) (i64.const 0xffff)))
        (i64.mul (i64.load offset=24 (local.get $keys)) (i64.and (local.get $y) (i64.const 0xffff))))))
    ;; 2^36 = 5 (mod p36); one subtraction then suffices
    (local.set $t (i64.add (i64.and (local.get $t) (i64.const 0xfffffffff))
      (i64.mul (i64.shr_u (local.get $t) (i64.const 36)) (i64.const 5))))
    (if (i64.ge_u (local.get $t) (i64.const 0xffffffffb)) (then (local.set $t (i64.sub (local.get $t) (i64.const 0xffffffffb)))))
    (i32.xor (i32.wrap_i64 (local.get $t)) (i32.load offset=1248 (i32.shl (local.get $s) (i32.const 2)))))

  ;; Stores stream s's result from its 64-bit L2 value (or NH value, for a message of one chunk).
  (func $finish (param $s i32) (param $y i64)
    (i32.store offset=1264 (i32.shl (local.get $s) (i32.const 2)) (call $inner (local.get $y) (local.get $s))))

  ;; UHASH of the message at 2048 (length $len) for $streams (2 or 4) streams.
  (func (export "uhash") (param $len i32) (param $streams i32)
    (local $p i32) (local $end i32) (local $chunk i32) (local $pair i32) (local $s i32) (local $v v128) (local $y i64)
    (local.set $end (i32.add (i32.const 2048) (local.get $len)))
    ;; zero padding to the next 32-byte boundary (and 32 zero bytes for an empty message)
    (memory.fill (local.get $end) (i32.const 0) (i32.const 32))
    (if (i32.le_u (local.get $len) (i32.const 1024))
      (then
        ;; one chunk: the L2 layer is skipped
        (local.set $chunk (i32.and (i32.add (local.get $len) (i32.const 31)) (i32.const -32)))
        (if (i32.eqz (local.get $chunk)) (then (local.set $chunk (i32.const 32))))
        (local.set $pair (i32.const 0))
        (loop $pairs
          (local.set $v (i64x2.add
            (call $nh2 (i32.const 2048) (i32.add (i32.const 2048) (local.get $chunk)) (i32.shl (local.get $pair) (i32.const 5)))
            (i64x2.splat (i64.extend_i32_u (i32.shl (local.get $len) (i32.const 3))))))
          (local.set $s (i32.shl (local.get $pair) (i32.const 1)))
          (call $finish (local.get $s) (i64x2.extract_lane 0 (local.get $v)))
          (call $finish (i32.add (local.get $s) (i32.const 1)) (i64x2.extract_lane 1 (local.get $v)))
          (local.set $pair (i32.add (local.get $pair) (i32.const 1)))
          (br_if $pairs (i32.lt_u (i32.shl (local.get $pair) (i32.const 1)) (local.get $streams))))
        (return)))
    ;; several chunks: NH each 1024-byte chunk, fold the results with POLY64 (accumulators start at 1)
    (local.set $s (i32.const 0))
    (loop $init
      (i64.store offset=1280 (i32.shl (local.get $s) (i32.const 3)) (i64.const 1))
      (local.set $s (i32.add (local.get $s) (i32.const 1)))
      (br_if $init (i32.lt_u (local.get $s) (local.get $streams))))
    (local.set $p (i32.const 2048))
    (loop $chunks
      (local.set $chunk (i32.sub (local.get $end) (local.get $p)))
      (if (i32.gt_u (local.get $chunk) (i32.const 1024)) (then (local.set $chunk (i32.const 1024))))
      (local.set $pair (i32.const 0))
      (loop $pairs
        (local.set $v (i64x2.add
          (call $nh2 (local.get $p)
            (i32.add (local.get $p) (i32.and (i32.add (local.get $chunk) (i32.const 31)) (i32.const -32)))
            (i32.shl (local.get $pair) (i32.const 5)))
          (i64x2.splat (i64.extend_i32_u (i32.shl (local.get $chunk) (i32.const 3))))))
        ;; byte offset of stream 2 * pair's i64 slots
        (local.set $s (i32.shl (local.get $pair) (i32.const 4)))
        (i64.store offset=1280 (local.get $s) (call $poly64
          (i64.load offset=1280 (local.get $s)) (i64.load offset=1088 (local.get $s)) (i64x2.extract_lane 0 (local.get $v))))
        (i64.store offset=1288 (local.get $s) (call $poly64
          (i64.load offset=1288 (local.get $s)) (i64.load offset=1096 (local.get $s)) (i64x2.extract_lane 1 (local.get $v))))
        (local.set $pair (i32.add (local.get $pair) (i32.const 1)))
        (br_if $pairs (i32.lt_u (i32.shl (local.get $pair) (i32.const 1)) (local.get $streams))))
      (local.set $p (i32.add (local.get $p) (i32.const 1024)))
      (br_if $chunks (i32.lt_u (local.get $p) (local.get $end))))
    ;; fully reduce each accumulator below p64, then the inner product
    (local.set $s (i32.const 0))
    (loop $out
      (local.set $y (i64.load offset=1280 (i32.shl (local.get $s) (i32.const 3))))
      (if (i64.ge_u (local.get $y) (i64.const 0xffffffffffffffc5))
        (then (local.set $y (i64.sub (local.get $y) (i64.const 0xffffffffffffffc5)))))
      (call $finish (local.get $s) (local.get $y))
      (local.set $s (i32.add (local.get $s) (i32.const 1)))
      (br_if $out (i32.lt_u (local.get $s) (local.get $streams)))))
)
