// allClose: the one approximate-equality assertion of the test suite, with named tolerances.
// |actual − expected| ≤ atol + rtol · |expected| elementwise; NaN equals NaN, ±∞ equals itself.

import { AssertionError } from "node:assert";

/** Absolute and relative tolerance of one comparison. */
export interface Tolerance {
  rtol: number;
  atol: number;
}

/** The named tolerances: pick the one that says why the values may differ. */
export const TOL = {
  /** Bit-for-bit: integer-valued results, copies, the same computation twice. */
  exact: { rtol: 0, atol: 0 },
  /** A float32 result against a value worked out exactly (by hand or in float64): a few ulps. */
  float32: { rtol: 1e-5, atol: 1e-6 },
  /** Two float32 computations of the same value in different orders (kernel parity, fused vs composite). */
  reordered: { rtol: 1e-4, atol: 1e-5 },
  /** A float32 analytic gradient against float64 central differences. */
  gradcheck: { rtol: 1e-4, atol: 1e-5 },
} as const satisfies Record<string, Tolerance>;

/** Something with values: a Tensor-like `{ data, shape }`, a typed/plain flat array, nested arrays, or a number. */
export type Values = { readonly data: ArrayLike<number>; readonly shape: readonly number[] } | ArrayLike<number> | Nested;
type Nested = number | readonly Nested[];

function flatten(v: Values): { values: ArrayLike<number>; shape: readonly number[] | null } {
  if (typeof v === "number") return { values: [v], shape: [] };
  if ("data" in v && "shape" in v) return { values: v.data, shape: v.shape };
  if (Array.isArray(v)) {
    const values: number[] = [];
    const shape: number[] = [];
    let level: unknown = v;
    while (Array.isArray(level)) {
      shape.push(level.length);
      level = level[0];
    }
    const walk = (x: Nested): void => {
      if (typeof x === "number") values.push(x);
      else for (const item of x) walk(item);
    };
    walk(v as Nested);
    return { values, shape: values.length === shape.reduce((a, b) => a * b, 1) ? shape : null };
  }
  return { values: v as ArrayLike<number>, shape: null };
}

function close(a: number, e: number, tol: Tolerance): boolean {
  if (Number.isNaN(a) || Number.isNaN(e)) return Number.isNaN(a) && Number.isNaN(e);
  if (!Number.isFinite(a) || !Number.isFinite(e)) return a === e;
  return Math.abs(a - e) <= tol.atol + tol.rtol * Math.abs(e);
}

/**
 * Asserts that `actual` and `expected` hold the same number of values (and the same shape when both
 * have one), each pair within `tol`. The failure message lists the first mismatches and the largest error.
 */
export function allClose(actual: Values, expected: Values, tol: Tolerance = TOL.float32, message?: string): void {
  const a = flatten(actual);
  const e = flatten(expected);
  const prefix = message ? `${message}: ` : "";
  if (a.shape !== null && e.shape !== null && (a.shape.length !== e.shape.length || a.shape.some((d, i) => d !== e.shape![i]))) {
    throw new AssertionError({
      message: `${prefix}shape [${a.shape.join(", ")}] differs from the expected [${e.shape.join(", ")}]`,
      actual: a.shape,
      expected: e.shape,
      operator: "allClose",
    });
  }
  if (a.values.length !== e.values.length) {
    throw new AssertionError({
      message: `${prefix}${a.values.length} values, expected ${e.values.length}`,
      operator: "allClose",
    });
  }
  const bad: string[] = [];
  let mismatches = 0;
  let worst = 0;
  for (let i = 0; i < a.values.length; i++) {
    const x = a.values[i]!;
    const y = e.values[i]!;
    if (close(x, y, tol)) continue;
    mismatches++;
    const diff = Math.abs(x - y);
    if (!(diff <= worst)) worst = diff;
    if (bad.length < 5) bad.push(`  [${i}] ${x} vs expected ${y} (|diff| ${diff.toExponential(2)})`);
  }
  if (mismatches > 0) {
    throw new AssertionError({
      message:
        `${prefix}${mismatches} of ${a.values.length} values differ beyond rtol ${tol.rtol}, atol ${tol.atol} ` +
        `(largest |diff| ${worst.toExponential(2)}):\n${bad.join("\n")}`,
      operator: "allClose",
    });
  }
}
