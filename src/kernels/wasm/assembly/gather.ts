// AssemblyScript: uint8 rows → float32 rows scaled (pixel / 255), 16 bytes at a time, exact.
// The scale s is split as hi + lo with hi holding ≤ 16 significant bits, so p·hi is exact in float32
// and p·hi + p·lo rounds once; the caller checks that this equals fround(p · s) for all 256 bytes
// (it does for 1/255) and otherwise uses the float64 path, which is exact for any scale.

/** Four float lanes of bytes p (already widened to i32) times the split scale: p·hi + p·lo. */
// @ts-ignore: decorator
@inline function scale4(p: v128, hi: v128, lo: v128): v128 {
  const f = f32x4.convert_i32x4_s(p);
  return f32x4.add(f32x4.mul(f, hi), f32x4.mul(f, lo));
}

/** Converts `len` bytes at src to floats at out (float32 split-scale path). */
// @ts-ignore: decorator
@inline function convertRow(src: usize, out: usize, len: i32, hi: f32, lo: f32): void {
  const vh = f32x4.splat(hi), vl = f32x4.splat(lo);
  let c = 0;
  for (; c + 16 <= len; c += 16) {
    const bytes = v128.load(src + <usize>c);
    const w0 = i16x8.extend_low_i8x16_u(bytes), w1 = i16x8.extend_high_i8x16_u(bytes);
    const o = out + (<usize>c << 2);
    v128.store(o, scale4(i32x4.extend_low_i16x8_u(w0), vh, vl));
    v128.store(o, scale4(i32x4.extend_high_i16x8_u(w0), vh, vl), 16);
    v128.store(o, scale4(i32x4.extend_low_i16x8_u(w1), vh, vl), 32);
    v128.store(o, scale4(i32x4.extend_high_i16x8_u(w1), vh, vl), 48);
  }
  for (; c < len; c++) {
    const f = <f32>load<u8>(src + <usize>c);
    store<f32>(out + (<usize>c << 2), f * hi + f * lo);
  }
}

/** Converts `len` bytes at src to floats at out, unscaled (the caller folds the scale in elsewhere). */
// @ts-ignore: decorator
@inline function convertRowRaw(src: usize, out: usize, len: i32): void {
  let c = 0;
  for (; c + 16 <= len; c += 16) {
    const bytes = v128.load(src + <usize>c);
    const w0 = i16x8.extend_low_i8x16_u(bytes), w1 = i16x8.extend_high_i8x16_u(bytes);
    const o = out + (<usize>c << 2);
    v128.store(o, f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_u(w0)));
    v128.store(o, f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_u(w0)), 16);
    v128.store(o, f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_u(w1)), 32);
    v128.store(o, f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_u(w1)), 48);
  }
  for (; c < len; c++) store<f32>(out + (<usize>c << 2), <f32>load<u8>(src + <usize>c));
}

/**
 * Reads one byte of every cache line of a row so the memory system fetches it while the current row is
 * converted (WebAssembly has no prefetch instruction). Returns the bytes or-ed, for the caller to keep.
 */
// @ts-ignore: decorator
@inline function touch(src: usize, len: i32): i32 {
  let t = 0;
  for (let c = 0; c < len; c += 64) t |= <i32>load<u8>(src + <usize>c);
  return t;
}

/** Converts `len` bytes at src to floats at out as fround(p · scale) with the product in float64. */
// @ts-ignore: decorator
@inline function convertRowF64(src: usize, out: usize, len: i32, scale: f64): void {
  const vs = f64x2.splat(scale);
  let c = 0;
  for (; c + 4 <= len; c += 4) {
    const q = i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(src + <usize>c)));
    const lo = f32x4.demote_f64x2_zero(f64x2.mul(f64x2.convert_low_i32x4_s(q), vs));
    const hi = f32x4.demote_f64x2_zero(f64x2.mul(f64x2.convert_low_i32x4_s(i32x4.shuffle(q, q, 2, 3, 0, 1)), vs));
    v128.store(out + (<usize>c << 2), i32x4.shuffle(lo, hi, 0, 1, 4, 5));
  }
  for (; c < len; c++) store<f32>(out + (<usize>c << 2), <f32>(<f64>load<u8>(src + <usize>c) * scale));
}

/** How gatherRows scales: the float32 split hi + lo, the float64 product (hi), or not at all. */
export const SCALE_SPLIT = 0, SCALE_F64 = 1, SCALE_NONE = 2;

/**
 * out[r, c] = src[k_r, c] · scale for r < count, c < len, and out[r, c] = 0 for len ≤ c < stride
 * (the zero padding that lets products run four lanes wide), with k_r = rows[first + r] (i32), or
 * first + r when rows = 0: src uint8 [*, len], out f32 [count, stride]. Also copies labels[k_r]
 * (uint8) into y[r] (i32) when y ≠ 0. `mode` picks the scaling (SCALE_*; for SCALE_F64, hi = the scale).
 * Returns a value of no meaning (the touched bytes), so the touching reads are not optimised away.
 */
export function gatherRows(
  src: usize, len: i32, rows: usize, first: i32, count: i32, out: usize, stride: i32,
  hi: f64, lo: f64, mode: i32, labels: usize, y: usize,
): i32 {
  const rowBytes = <usize>stride << 2;
  let touched = 0;
  // Shuffled rows lie anywhere in the table: touching all of them first lets their cache misses overlap,
  // instead of each row's misses stalling its own conversion.
  if (rows) for (let r = 0; r < count; r++) touched |= touch(src + <usize>load<i32>(rows + (<usize>(first + r) << 2)) * <usize>len, len);
  for (let r = 0; r < count; r++) {
    const k = rows ? <usize>load<i32>(rows + (<usize>(first + r) << 2)) : <usize>(first + r);
    const o = out + <usize>r * rowBytes;
    if (mode == SCALE_NONE) convertRowRaw(src + k * <usize>len, o, len);
    else if (mode == SCALE_F64) convertRowF64(src + k * <usize>len, o, len, hi);
    else convertRow(src + k * <usize>len, o, len, <f32>hi, <f32>lo);
    for (let c = len; c < stride; c++) store<f32>(o + (<usize>c << 2), 0);
    if (y) store<i32>(y + (<usize>r << 2), <i32>load<u8>(labels + k));
  }
  return touched;
}
