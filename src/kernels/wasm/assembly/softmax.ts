// AssemblyScript: exp on f32x4 lanes, row max / argmax (NaN wins, as in ref.ts), and the fused, stable
// softmax cross-entropy with its gradient. Pointers are byte addresses; rows are row-major.

import { hsum, madd } from "./matmul";

// exp(x) = 2ⁿ · exp(r), n = round(x / ln 2), r = x − n·ln 2 ∈ [−ln2/2, ln2/2] (Cody–Waite split of ln 2),
// exp(r) by the classic degree-6 minimax polynomial (Cephes expf), within about 1 ulp of float32.
const LOG2E: f32 = 1.44269504088896341;
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;
const P0: f32 = 1.9875691500e-4;
const P1: f32 = 1.3981999507e-3;
const P2: f32 = 8.3334519073e-3;
const P3: f32 = 4.1665795894e-2;
const P4: f32 = 1.6666665459e-1;
const P5: f32 = 5.0000001201e-1;
// Below −104, exp(x) rounds to 0 in float32; above 88.8 it is +∞. Clamping keeps n in [−150, 128].
const X_MIN: f32 = -104;
const X_MAX: f32 = 88.8;

/** 2ⁿ for integer lanes n in [−126, 127], built from the exponent bits. */
// @ts-ignore: decorator
@inline function pow2(n: v128): v128 {
  return i32x4.shl(i32x4.add(n, i32x4.splat(127)), 23);
}

/** exp of four lanes. NaN stays NaN (min/max propagate it, the polynomial keeps it); −∞ gives 0, +∞ gives +∞. */
// @ts-ignore: decorator
@inline export function expf4(x0: v128): v128 {
  const x = f32x4.min(f32x4.max(x0, f32x4.splat(X_MIN)), f32x4.splat(X_MAX));
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(LOG2E)));
  const r = f32x4.sub(f32x4.sub(x, f32x4.mul(n, f32x4.splat(LN2_HI))), f32x4.mul(n, f32x4.splat(LN2_LO)));
  let p = f32x4.add(f32x4.mul(f32x4.splat(P0), r), f32x4.splat(P1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P4));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P5));
  // exp(r) = 1 + r + r²·p(r)
  const e = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(p, r), r), r), f32x4.splat(1));
  // 2ⁿ as 2^(n/2) · 2^(n − n/2): each factor stays a normal float for n in [−150, 128], so results
  // that underflow into the subnormals come out graded, not flushed. NaN lanes give n = 0.
  const ni = i32x4.trunc_sat_f32x4_s(n);
  const n1 = i32x4.shr_s(ni, 1);
  return f32x4.mul(f32x4.mul(e, pow2(n1)), pow2(i32x4.sub(ni, n1)));
}

/** x[i] = exp(x[i]) for i < count, four at a time; the buffer must have room for `count` rounded up to 4. */
export function expInPlace(x: usize, count: i32): void {
  for (let i = 0; i < count; i += 4) {
    const p = x + (<usize>i << 2);
    v128.store(p, expf4(v128.load(p)));
  }
}

/** The largest of `len` floats at x and the index of its first occurrence; a NaN wins at once. */
// @ts-ignore: decorator
@inline function rowMax(x: usize, len: i32): f32 {
  let best = load<f32>(x);
  for (let l = 1; l < len && best == best; l++) {
    const v = load<f32>(x + (<usize>l << 2));
    if (v > best || v != v) best = v;
  }
  return best;
}

/** Index of the first maximum of `len` floats at x (the first NaN if there is one). */
export function argmaxRow(x: usize, len: i32): i32 {
  let best = load<f32>(x);
  let at = 0;
  for (let l = 1; l < len && best == best; l++) {
    const v = load<f32>(x + (<usize>l << 2));
    if (v > best || v != v) {
      best = v;
      at = l;
    }
  }
  return at;
}

/**
 * Fused, stable softmax cross-entropy on logits [rows, cols] with labels (i32) [rows]:
 * loss[r] = log Σ_j exp(z_rj − m_r) − (z_r,label − m_r) and, when dlogits ≠ 0,
 * dlogits[r, j] = softmax(z_r)_j − [j = label]. `work` holds rows·cols floats rounded up to 4
 * (it may be `dlogits`): the shifted logits are exponentiated there four at a time.
 * Row sums, the log and the scaling run in float64, as the reference does.
 */
export function softmaxCrossEntropy(logits: usize, labels: usize, loss: usize, dlogits: usize, work: usize, rows: i32, cols: i32): void {
  const row = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const z = logits + <usize>r * row, w = work + <usize>r * row;
    const m = rowMax(z, cols);
    // The row max waits in `loss` until the row's loss replaces it.
    store<f32>(loss + (<usize>r << 2), m);
    for (let j = 0; j < cols; j++) store<f32>(w + (<usize>j << 2), load<f32>(z + (<usize>j << 2)) - m);
  }
  expInPlace(work, rows * cols);
  for (let r = 0; r < rows; r++) {
    const z = logits + <usize>r * row, w = work + <usize>r * row;
    const m = load<f32>(loss + (<usize>r << 2));
    let s: f64 = 0;
    for (let j = 0; j < cols; j++) s += <f64>load<f32>(w + (<usize>j << 2));
    const label = load<i32>(labels + (<usize>r << 2));
    // loss = log Σ exp(z − m) − (z_label − m) = logsumexp(z) − z_label
    store<f32>(loss + (<usize>r << 2), <f32>(Math.log(s) - (<f64>load<f32>(z + (<usize>label << 2)) - <f64>m)));
    if (dlogits) {
      // d loss / d z_j = softmax(z)_j − [j = label]
      const inv: f64 = 1 / s;
      const d = dlogits + <usize>r * row;
      for (let j = 0; j < cols; j++) store<f32>(d + (<usize>j << 2), <f32>(<f64>load<f32>(w + (<usize>j << 2)) * inv));
      const at = d + (<usize>label << 2);
      store<f32>(at, load<f32>(at) - 1);
    }
  }
}

/**
 * out[o, i] = max_l x[o, l, i] and indices[o, i] = its first l, for x [outer, len, inner]; NaN wins.
 * The same comparisons in the same order as the reference, so the results are identical.
 */
export function maxAxis(x: usize, out: usize, indices: usize, outer: i32, len: i32, inner: i32): void {
  if (inner == 1) {
    for (let o = 0; o < outer; o++) {
      const xo = x + (<usize>o * len << 2);
      const at = argmaxRow(xo, len);
      store<f32>(out + (<usize>o << 2), load<f32>(xo + (<usize>at << 2)));
      store<i32>(indices + (<usize>o << 2), at);
    }
    return;
  }
  for (let o = 0; o < outer; o++) {
    const ob = <usize>o * inner;
    const xb = <usize>o * len * inner;
    for (let i = 0; i < inner; i++) {
      store<f32>(out + ((ob + i) << 2), load<f32>(x + ((xb + i) << 2)));
      store<i32>(indices + ((ob + i) << 2), 0);
    }
    for (let l = 1; l < len; l++) {
      const base = xb + <usize>l * inner;
      for (let i = 0; i < inner; i++) {
        const v = load<f32>(x + ((base + i) << 2));
        const best = load<f32>(out + ((ob + i) << 2));
        if (v > best || (v != v && best == best)) {
          store<f32>(out + ((ob + i) << 2), v);
          store<i32>(indices + ((ob + i) << 2), l);
        }
      }
    }
  }
}

/** The largest of four lanes by pmax (one instruction; a NaN may be passed over, the caller's sums catch it). */
// @ts-ignore: decorator
@inline function hmax(v: v128): f32 {
  const m = f32x4.pmax(v, i32x4.shuffle(v, v, 2, 3, 0, 1));
  return f32x4.extract_lane(f32x4.pmax(m, i32x4.shuffle(m, m, 1, 0, 3, 2)), 0);
}

// 1.5 · 2²³: adding it rounds a float of magnitude < 2²² to an integer, which its low bits then hold.
const ROUNDER: f32 = 12582912;
const ROUNDER_BITS: i32 = 0x4b400000;

/**
 * exp of four lanes x ≤ 0 for the training step: the same polynomial as expf4, with fused multiply-adds in
 * the relaxed build, the rounding by the 1.5 · 2²³ trick and one power of two. Below −87.3 (results under
 * 2⁻¹²⁶, no weight in a softmax) it returns exp(−87.3) rather than subnormals. NaN gives NaN.
 */
// @ts-ignore: decorator
@inline function expStep4(x0: v128): v128 {
  // pmax keeps x0 when it is NaN (NaN < b is false).
  const x = f32x4.pmax(x0, f32x4.splat(-87.3));
  const t = madd(x, f32x4.splat(LOG2E), f32x4.splat(ROUNDER));
  const n = f32x4.sub(t, f32x4.splat(ROUNDER));
  const r = madd(n, f32x4.splat(-LN2_LO), madd(n, f32x4.splat(-LN2_HI), x));
  let p = madd(f32x4.splat(P0), r, f32x4.splat(P1));
  p = madd(p, r, f32x4.splat(P2));
  p = madd(p, r, f32x4.splat(P3));
  p = madd(p, r, f32x4.splat(P4));
  p = madd(p, r, f32x4.splat(P5));
  const e = f32x4.add(madd(f32x4.mul(p, r), r, r), f32x4.splat(1));
  // The integer n sits in t's low bits: 2ⁿ = (n + 127) << 23.
  return f32x4.mul(e, i32x4.shl(i32x4.add(t, i32x4.splat(127 - ROUNDER_BITS)), 23));
}

/** Stores the first n (1 to 3) lanes of v at p. */
// @ts-ignore: decorator
@inline function storeLanes(p: usize, v: v128, n: i32): void {
  if (n & 2) v128.store64_lane(p, v, 0);
  if (n == 1) v128.store32_lane(p, v, 0);
  if (n == 3) v128.store32_lane(p, v, 2, 8);
}

/**
 * The training step's softmax cross-entropy, vectorised along each row of logits [rows, cols] with labels
 * (i32) [rows]: writes dlogits[r, j] = softmax(z_r)_j − [j = label] and db[j] = Σ_r dlogits[r, j] (db has cols
 * rounded up to 4 floats), and at `stats` the loss sum Σ_r (log Σ_j exp(z_rj − m_r) − (z_r,label − m_r)) (f64)
 * and the count of rows whose first largest logit is the label (i32, 8 bytes on). In float32 but for the loss
 * sum, which takes one log per 64 rows of the product of the row sums (each in [1, cols]: cols⁶⁴ stays finite). A NaN logit makes
 * the loss NaN (the row max may pass over it, but then z − m is NaN). Reads each row's last vector whole:
 * the logits need 3 spare floats after them.
 */
export function crossEntropyStep(logits: usize, labels: usize, dlogits: usize, db: usize, stats: usize, rows: i32, cols: i32): void {
  const row = <usize>cols << 2;
  const full = cols & ~3, rest = cols & 3, fullBytes = <usize>full << 2;
  // Lanes of the last, partial vector that belong to the row.
  const keep = i32x4.lt_s(i32x4(0, 1, 2, 3), i32x4.splat(rest));
  const none = f32x4.splat(-Infinity);
  for (let c = 0; c < cols; c += 4) v128.store(db + (<usize>c << 2), f32x4.splat(0));
  let logProduct: f64 = 0, product: f64 = 1, labelSum: f64 = 0;
  let correct = 0;
  for (let r = 0; r < rows; r++) {
    const z = logits + <usize>r * row, d = dlogits + <usize>r * row;
    const label = load<i32>(labels + (<usize>r << 2));
    let vmax = none;
    for (let o: usize = 0; o < fullBytes; o += 16) vmax = f32x4.pmax(vmax, v128.load(z + o));
    const last = v128.bitselect(v128.load(z + fullBytes), none, keep);
    if (rest) vmax = f32x4.pmax(vmax, last);
    const m = hmax(vmax), vm = f32x4.splat(m);
    // The first class whose logit equals the maximum: the argmax.
    let first = cols;
    for (let o: usize = 0; o < fullBytes && first == cols; o += 16) {
      const bits = i32x4.bitmask(f32x4.eq(v128.load(z + o), vm));
      if (bits) first = <i32>(o >> 2) + ctz(bits);
    }
    if (rest && first == cols) {
      const bits = i32x4.bitmask(f32x4.eq(last, vm));
      if (bits) first = full + ctz(bits);
    }
    if (first == label) correct++;
    // exp(z − m), kept in dlogits, and its sum.
    let vsum = f32x4.splat(0);
    for (let o: usize = 0; o < fullBytes; o += 16) {
      const e = expStep4(f32x4.sub(v128.load(z + o), vm));
      v128.store(d + o, e);
      vsum = f32x4.add(vsum, e);
    }
    const eLast = v128.and(expStep4(f32x4.sub(last, vm)), keep);
    vsum = f32x4.add(vsum, eLast);
    const s = hsum(vsum);
    const inv = f32x4.splat(1 / s);
    for (let o: usize = 0; o < fullBytes; o += 16) {
      const g = f32x4.mul(v128.load(d + o), inv);
      v128.store(d + o, g);
      v128.store(db + o, f32x4.add(v128.load(db + o), g));
    }
    if (rest) {
      const g = f32x4.mul(eLast, inv);
      storeLanes(d + fullBytes, g, rest);
      v128.store(db + fullBytes, f32x4.add(v128.load(db + fullBytes), g));
    }
    const at = <usize>label << 2;
    store<f32>(d + at, load<f32>(d + at) - 1);
    store<f32>(db + at, load<f32>(db + at) - 1);
    // Σ_r log Σ exp(z − m) as the log of the product: one log per 64 rows.
    product *= <f64>s;
    if ((r & 63) == 63) {
      logProduct += Math.log(product);
      product = 1;
    }
    labelSum += <f64>load<f32>(z + at) - <f64>m;
  }
  store<f64>(stats, logProduct + Math.log(product) - labelSum);
  store<i32>(stats, correct, 8);
}

