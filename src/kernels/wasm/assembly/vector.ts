// AssemblyScript: the vector loops of the training path — axpy (the SGD step), sums over an axis in
// float64 (as the reference: identical results), and the sharded update W −= α · Σ_s dW_s.

/**
 * y[i] += alpha · x[i] for i < n, with the product and sum in float64 and one rounding to float32, as
 * the reference computes it (so the results are identical); two lanes at a time.
 */
export function axpy(alpha: f64, x: usize, y: usize, n: i32): void {
  const va = f64x2.splat(alpha);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const o = <usize>i << 2;
    const v = f64x2.add(f64x2.promote_low_f32x4(v128.load64_zero(y + o)), f64x2.mul(va, f64x2.promote_low_f32x4(v128.load64_zero(x + o))));
    v128.store64_lane(y + o, f32x4.demote_f64x2_zero(v), 0);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, <f32>(<f64>load<f32>(y + o) + alpha * <f64>load<f32>(x + o)));
  }
}

/**
 * out[o, i] = Σ_l x[o, l, i] for x [outer, len, inner], summed in float64 in the order of l, as the
 * reference does (so results are identical). `acc` is scratch for `inner` float64 sums.
 */
export function sumAxis(x: usize, out: usize, acc: usize, outer: i32, len: i32, inner: i32): void {
  if (inner == 1) {
    for (let o = 0; o < outer; o++) {
      const base = x + (<usize>o * len << 2);
      let s: f64 = 0;
      for (let l = 0; l < len; l++) s += <f64>load<f32>(base + (<usize>l << 2));
      store<f32>(out + (<usize>o << 2), <f32>s);
    }
    return;
  }
  const row = <usize>inner << 2;
  for (let o = 0; o < outer; o++) {
    memory.fill(acc, 0, <usize>inner << 3);
    let base = x + <usize>o * len * row;
    for (let l = 0; l < len; l++, base += row) {
      let i = 0;
      // Two float64 lanes per step; each lane is one column's running sum, added in the order of l.
      for (; i + 2 <= inner; i += 2) {
        const a = acc + (<usize>i << 3);
        v128.store(a, f64x2.add(v128.load(a), f64x2.promote_low_f32x4(v128.load64_zero(base + (<usize>i << 2)))));
      }
      for (; i < inner; i++) {
        const a = acc + (<usize>i << 3);
        store<f64>(a, load<f64>(a) + <f64>load<f32>(base + (<usize>i << 2)));
      }
    }
    const ob = out + <usize>o * row;
    for (let i = 0; i < inner; i++) store<f32>(ob + (<usize>i << 2), <f32>load<f64>(acc + (<usize>i << 3)));
  }
}

/**
 * w[i] += alpha · (g_0[i] + g_1[i] + … + g_{parts−1}[i]) for i in [from, to), in float32, four lanes at a time:
 * the parts are `partStride` bytes apart and summed in their fixed order, so the result does not depend on
 * which thread computed which part. (Float32 rather than the reference axpy's float64: the training step's
 * sums are float32 already, and every thread runs this over all of W once per batch.)
 */
export function updateFromParts(w: usize, g: usize, partStride: usize, parts: i32, alpha: f64, from: i32, to: i32): void {
  const a = <f32>alpha;
  const va = f32x4.splat(a);
  let i = from;
  for (; i + 4 <= to; i += 4) {
    const o = <usize>i << 2;
    let s = v128.load(g + o);
    for (let p = 1; p < parts; p++) s = f32x4.add(s, v128.load(g + <usize>p * partStride + o));
    v128.store(w + o, f32x4.add(v128.load(w + o), f32x4.mul(va, s)));
  }
  for (; i < to; i++) {
    const o = <usize>i << 2;
    let s = load<f32>(g + o);
    for (let p = 1; p < parts; p++) s += load<f32>(g + <usize>p * partStride + o);
    store<f32>(w + o, load<f32>(w + o) + a * s);
  }
}

/** One elementwise operation: 0 add, 1 sub, 2 mul, 3 div (the interface's BinaryOp, in that order). */
// @ts-ignore: decorator
@inline function apply4(op: i32, x: v128, y: v128): v128 {
  if (op == 0) return f32x4.add(x, y);
  if (op == 1) return f32x4.sub(x, y);
  if (op == 2) return f32x4.mul(x, y);
  return f32x4.div(x, y);
}

// @ts-ignore: decorator
@inline function apply1(op: i32, x: f32, y: f32): f32 {
  if (op == 0) return x + y;
  if (op == 1) return x - y;
  if (op == 2) return x * y;
  return x / y;
}

/** The 2-D loop for one operation (inlined with `op` constant, so the choice folds away). */
// @ts-ignore: decorator
@inline function binaryLoop(op: i32, a: usize, ar: i32, ac: i32, b: usize, br: i32, bc: i32, out: usize, m: i32, n: i32): void {
  const n4 = n & ~3;
  for (let i = 0; i < m; i++) {
    const ai = a + (<usize>(i * ar) << 2), bi = b + (<usize>(i * br) << 2), oi = out + (<usize>(i * n) << 2);
    let j = 0;
    if (ac == 1 && bc == 1) {
      for (; j < n4; j += 4) v128.store(oi + (<usize>j << 2), apply4(op, v128.load(ai + (<usize>j << 2)), v128.load(bi + (<usize>j << 2))));
    } else if (ac == 1 && bc == 0) {
      const y = v128.load32_splat(bi);
      for (; j < n4; j += 4) v128.store(oi + (<usize>j << 2), apply4(op, v128.load(ai + (<usize>j << 2)), y));
    } else if (ac == 0 && bc == 1) {
      const x = v128.load32_splat(ai);
      for (; j < n4; j += 4) v128.store(oi + (<usize>j << 2), apply4(op, x, v128.load(bi + (<usize>j << 2))));
    }
    for (; j < n; j++) store<f32>(oi + (<usize>j << 2), apply1(op, load<f32>(ai + (<usize>(j * ac) << 2)), load<f32>(bi + (<usize>(j * bc) << 2))));
  }
}

/** An operand's step over `out`'s values read as one row: 1 if laid out as out [m, n], 0 if one value, else −1. */
// @ts-ignore: decorator
@inline function flatStep(r: i32, c: i32, n: i32): i32 {
  if (r == 0 && (c == 0 || n == 1)) return 0;
  if (r == n && (c == 1 || n == 1)) return 1;
  return -1;
}

/**
 * out[i, j] = a[i·ar + j·ac] op b[i·br + j·bc] for out [m, n] contiguous; strides in elements (0 along
 * broadcast axes). One IEEE operation per element, so the results equal the reference's exactly.
 */
export function binary2d(op: i32, a: usize, ar: i32, ac: i32, b: usize, br: i32, bc: i32, out: usize, m: i32, n: i32): void {
  // Operands laid out as `out` (or one value for all) make one row of m·n: whole vectors, no tail per row.
  const fa = flatStep(ar, ac, n), fb = flatStep(br, bc, n);
  if (m > 1 && fa >= 0 && fb >= 0) {
    ar = 0; ac = fa; br = 0; bc = fb; n *= m; m = 1;
  }
  if (op == 0) binaryLoop(0, a, ar, ac, b, br, bc, out, m, n);
  else if (op == 1) binaryLoop(1, a, ar, ac, b, br, bc, out, m, n);
  else if (op == 2) binaryLoop(2, a, ar, ac, b, br, bc, out, m, n);
  else binaryLoop(3, a, ar, ac, b, br, bc, out, m, n);
}
