// AssemblyScript: the two matrix kernels every product reduces to, on f32x4 lanes and register blocks.
// dotRows (out = a·bᵀ, rows against rows) and dotColumnsT (outᵀ = aᵀ·b); pointers are byte addresses.

/** The sum of the four lanes of `v`, in a fixed order: (l0 + l1) + (l2 + l3). */
// @ts-ignore: decorator
@inline export function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/**
 * acc + x · y on four lanes: in the module built with relaxed SIMD, its fused multiply-add (one rounding
 * instead of two, half the instructions); elsewhere a multiply then an add, the reference's arithmetic.
 */
// @ts-ignore: decorator
@inline export function madd(x: v128, y: v128, acc: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(x, y, acc);
  return f32x4.add(acc, f32x4.mul(x, y));
}

/** Σ_{j in [from, n)} a[j] · b[j] in float32, the scalar tail of a row that SIMD did not cover. */
// @ts-ignore: decorator
@inline function tail(a: usize, b: usize, from: i32, n: i32): f32 {
  let s: f32 = 0;
  for (let j = from; j < n; j++) s += load<f32>(a + (<usize>j << 2)) * load<f32>(b + (<usize>j << 2));
  return s;
}

/** Dot product of two rows of n floats: four lanes over the multiple-of-4 part, then the scalar tail. */
// @ts-ignore: decorator
@inline function dot(a: usize, b: usize, n: i32): f32 {
  const n4 = n & ~3;
  let s = f32x4.splat(0);
  for (let j = 0; j < n4; j += 4) {
    const o = <usize>j << 2;
    s = madd(v128.load(a + o), v128.load(b + o), s);
  }
  return hsum(s) + tail(a, b, n4, n);
}

/**
 * out[i, p] = scale · Σ_j a[i, j] · b[p, j] + bias[p] (no bias when bias = 0): a [m, n], b [k, n], out [m, k].
 * The forward pass X·W + b with W held transposed (Wᵀ [classes, inputs]), and the interface's a·bᵀ (scale 1).
 * Four rows of `a` against two rows of `b` per step: 8 accumulators + 6 loads stay in the 16 vector
 * registers. (Unrolling makes V8 hoist the loads and spill the accumulators; index arithmetic per load costs
 * a quarter more time than stepping pointers: both measured.) Multiply-adds fuse in the relaxed build.
 */
export function dotRows(a: usize, b: usize, bias: usize, out: usize, m: i32, n: i32, k: i32, scale: f32): void {
  const row = <usize>n << 2;
  const outRow = <usize>k << 2;
  const n4 = n & ~3;
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const a0 = a + <usize>i * row, a1 = a0 + row, a2 = a1 + row, a3 = a2 + row;
    const o0 = out + <usize>i * outRow, o1 = o0 + outRow, o2 = o1 + outRow, o3 = o2 + outRow;
    let p = 0;
    for (; p + 2 <= k; p += 2) {
      const b0 = b + <usize>p * row, b1 = b0 + row;
      let s00 = f32x4.splat(0), s01 = f32x4.splat(0), s10 = f32x4.splat(0), s11 = f32x4.splat(0);
      let s20 = f32x4.splat(0), s21 = f32x4.splat(0), s30 = f32x4.splat(0), s31 = f32x4.splat(0);
      // Six pointers stepped by one vector: each load is a bare address (no index arithmetic per load).
      let pa0 = a0, pa1 = a1, pa2 = a2, pa3 = a3, pb0 = b0, pb1 = b1;
      const end = b0 + (<usize>n4 << 2);
      while (pb0 < end) {
        const w0 = v128.load(pb0), w1 = v128.load(pb1);
        const x0 = v128.load(pa0), x1 = v128.load(pa1), x2 = v128.load(pa2), x3 = v128.load(pa3);
        s00 = madd(x0, w0, s00); s01 = madd(x0, w1, s01);
        s10 = madd(x1, w0, s10); s11 = madd(x1, w1, s11);
        s20 = madd(x2, w0, s20); s21 = madd(x2, w1, s21);
        s30 = madd(x3, w0, s30); s31 = madd(x3, w1, s31);
        pa0 += 16; pa1 += 16; pa2 += 16; pa3 += 16; pb0 += 16; pb1 += 16;
      }
      const c0: f32 = bias ? load<f32>(bias + (<usize>p << 2)) : 0;
      const c1: f32 = bias ? load<f32>(bias + (<usize>p << 2), 4) : 0;
      const q = <usize>p << 2;
      store<f32>(o0 + q, scale * (hsum(s00) + tail(a0, b0, n4, n)) + c0); store<f32>(o0 + q, scale * (hsum(s01) + tail(a0, b1, n4, n)) + c1, 4);
      store<f32>(o1 + q, scale * (hsum(s10) + tail(a1, b0, n4, n)) + c0); store<f32>(o1 + q, scale * (hsum(s11) + tail(a1, b1, n4, n)) + c1, 4);
      store<f32>(o2 + q, scale * (hsum(s20) + tail(a2, b0, n4, n)) + c0); store<f32>(o2 + q, scale * (hsum(s21) + tail(a2, b1, n4, n)) + c1, 4);
      store<f32>(o3 + q, scale * (hsum(s30) + tail(a3, b0, n4, n)) + c0); store<f32>(o3 + q, scale * (hsum(s31) + tail(a3, b1, n4, n)) + c1, 4);
    }
    if (p < k) {
      // The last row of `b` when k is odd.
      const b0 = b + <usize>p * row;
      const c0: f32 = bias ? load<f32>(bias + (<usize>p << 2)) : 0;
      const q = <usize>p << 2;
      store<f32>(o0 + q, scale * dot(a0, b0, n) + c0);
      store<f32>(o1 + q, scale * dot(a1, b0, n) + c0);
      store<f32>(o2 + q, scale * dot(a2, b0, n) + c0);
      store<f32>(o3 + q, scale * dot(a3, b0, n) + c0);
    }
  }
  // The last m % 4 rows of `a`, one dot product at a time.
  for (; i < m; i++) {
    const ai = a + <usize>i * row;
    for (let p = 0; p < k; p++) {
      const c0: f32 = bias ? load<f32>(bias + (<usize>p << 2)) : 0;
      store<f32>(out + <usize>i * outRow + (<usize>p << 2), scale * dot(ai, b + <usize>p * row, n) + c0);
    }
  }
}

/**
 * outT[j, p] = Σ_i a[i, p] · b[i, j]: a [m, k], b [m, n], outT [n, k] (the transpose of aᵀ·b).
 * The weight gradient Xᵀ·G written as dWᵀ [classes, inputs], the layout the forward pass reads.
 * `stride` is the row length of `a` and `outT` (k for whole arrays): with a and outT moved by 16·g columns
 * and k the columns left, a thread computes its share of the columns exactly as the whole call would.
 * Sixteen columns of `a` (4 vectors) against two columns of `b` per step, summed down the m rows.
 * `outT` is written, never read: m = 0 writes zeros. Multiply-adds fuse in the relaxed build (the 4-column
 * and scalar tails multiply, then add).
 */
export function dotColumnsT(a: usize, b: usize, outT: usize, m: i32, k: i32, n: i32, stride: i32): void {
  const aRow = <usize>stride << 2;
  const bRow = <usize>n << 2;
  let p = 0;
  for (; p + 16 <= k; p += 16) {
    const ap = a + (<usize>p << 2);
    let j = 0;
    for (; j + 2 <= n; j += 2) {
      let s00 = f32x4.splat(0), s01 = f32x4.splat(0), s02 = f32x4.splat(0), s03 = f32x4.splat(0);
      let s10 = f32x4.splat(0), s11 = f32x4.splat(0), s12 = f32x4.splat(0), s13 = f32x4.splat(0);
      let ai = ap, bi = b + (<usize>j << 2);
      const end = bi + <usize>m * bRow;
      while (bi < end) {
        const g0 = v128.load32_splat(bi), g1 = v128.load32_splat(bi, 4);
        const x0 = v128.load(ai), x1 = v128.load(ai, 16), x2 = v128.load(ai, 32), x3 = v128.load(ai, 48);
        s00 = madd(x0, g0, s00); s10 = madd(x0, g1, s10);
        s01 = madd(x1, g0, s01); s11 = madd(x1, g1, s11);
        s02 = madd(x2, g0, s02); s12 = madd(x2, g1, s12);
        s03 = madd(x3, g0, s03); s13 = madd(x3, g1, s13);
        ai += aRow;
        bi += bRow;
      }
      const o0 = outT + <usize>j * aRow + (<usize>p << 2), o1 = o0 + aRow;
      v128.store(o0, s00); v128.store(o0, s01, 16); v128.store(o0, s02, 32); v128.store(o0, s03, 48);
      v128.store(o1, s10); v128.store(o1, s11, 16); v128.store(o1, s12, 32); v128.store(o1, s13, 48);
    }
    if (j < n) {
      let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
      let ai = ap, bi = b + (<usize>j << 2);
      for (let i = 0; i < m; i++, ai += aRow, bi += bRow) {
        const g = v128.load32_splat(bi);
        s0 = madd(v128.load(ai), g, s0); s1 = madd(v128.load(ai, 16), g, s1);
        s2 = madd(v128.load(ai, 32), g, s2); s3 = madd(v128.load(ai, 48), g, s3);
      }
      const o0 = outT + <usize>j * aRow + (<usize>p << 2);
      v128.store(o0, s0); v128.store(o0, s1, 16); v128.store(o0, s2, 32); v128.store(o0, s3, 48);
    }
  }
  // Four columns at a time against every column of `b`.
  for (; p + 4 <= k; p += 4) {
    for (let j = 0; j < n; j++) {
      let s = f32x4.splat(0);
      let ai = a + (<usize>p << 2), bi = b + (<usize>j << 2);
      for (let i = 0; i < m; i++, ai += aRow, bi += bRow) s = f32x4.add(s, f32x4.mul(v128.load(ai), f32x4.splat(load<f32>(bi))));
      v128.store(outT + <usize>j * aRow + (<usize>p << 2), s);
    }
  }
  // The last k % 4 columns, one scalar sum each.
  for (; p < k; p++) {
    for (let j = 0; j < n; j++) {
      let s: f32 = 0;
      let ai = a + (<usize>p << 2), bi = b + (<usize>j << 2);
      for (let i = 0; i < m; i++, ai += aRow, bi += bRow) s += load<f32>(ai) * load<f32>(bi);
      store<f32>(outT + <usize>j * aRow + (<usize>p << 2), s);
    }
  }
}

/**
 * The weight gradient from its shards: adds shards 1, 2, … of dotColumnsT's output (each [n, k], n·k floats
 * apart from `base`) to shard 0 in that order, then transposes the sum into out [k, n]. Each add is one float32
 * rounding, four lanes at a time: what axpy(1, …) gives (its float64 sum of two float32 values, rounded once,
 * is their float32 sum: both round correctly).
 */
export function sumShards(base: usize, shards: i32, out: usize, n: i32, k: i32): void {
  const size = n * k;
  for (let s = 1; s < shards; s++) {
    const x = base + (<usize>s * size << 2);
    let i = 0;
    for (; i + 4 <= size; i += 4) {
      const o = <usize>i << 2;
      v128.store(base + o, f32x4.add(v128.load(base + o), v128.load(x + o)));
    }
    for (; i < size; i++) store<f32>(base + (<usize>i << 2), load<f32>(base + (<usize>i << 2)) + load<f32>(x + (<usize>i << 2)));
  }
  transpose(base, out, n, k);
}

/**
 * out[j, i] = x[i, j]: x [rows, cols] → out [cols, rows] (out ≠ x). Blocks of 4 × 4 are turned with four
 * vector loads, eight shuffles and four stores; the rows and columns past the last whole block, one by one.
 */
export function transpose(x: usize, out: usize, rows: i32, cols: i32): void {
  const xRow = <usize>cols << 2, oRow = <usize>rows << 2;
  const rows4 = rows & ~3, cols4 = cols & ~3;
  for (let i = 0; i < rows4; i += 4) {
    for (let j = 0; j < cols4; j += 4) {
      const p = x + <usize>i * xRow + (<usize>j << 2);
      const r0 = v128.load(p), r1 = v128.load(p + xRow), r2 = v128.load(p + 2 * xRow), r3 = v128.load(p + 3 * xRow);
      const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5), t1 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
      const t2 = i32x4.shuffle(r2, r3, 0, 4, 1, 5), t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
      const q = out + <usize>j * oRow + (<usize>i << 2);
      v128.store(q, i32x4.shuffle(t0, t2, 0, 1, 4, 5));
      v128.store(q + oRow, i32x4.shuffle(t0, t2, 2, 3, 6, 7));
      v128.store(q + 2 * oRow, i32x4.shuffle(t1, t3, 0, 1, 4, 5));
      v128.store(q + 3 * oRow, i32x4.shuffle(t1, t3, 2, 3, 6, 7));
    }
    for (let j = cols4; j < cols; j++) {
      for (let r = i; r < i + 4; r++) store<f32>(out + ((<usize>j * rows + r) << 2), load<f32>(x + ((<usize>r * cols + j) << 2)));
    }
  }
  for (let i = rows4; i < rows; i++) {
    for (let j = 0; j < cols; j++) store<f32>(out + ((<usize>j * rows + i) << 2), load<f32>(x + ((<usize>i * cols + j) << 2)));
  }
}
