// How the module's two-axis loops (binary2d, the compiled step's commands) see a layout of at most two axes.

/**
 * A shape of at most two axes as [m, n] rows — a vector is one row, a scalar one element — and `steps`, which
 * turns strides of that shape into their steps along those rows and columns (in elements; 0 when broadcast).
 */
export function asTwoAxes(shape: readonly number[]): { m: number; n: number; steps: (strides: readonly number[]) => [number, number] } {
  const nd = shape.length;
  if (nd > 2) throw new RangeError(`asTwoAxes: ${nd} axes, at most 2`);
  return {
    m: nd === 2 ? shape[0]! : 1,
    n: nd === 0 ? 1 : shape[nd - 1]!,
    steps: (s) => [nd === 2 ? s[0]! : 0, nd === 0 ? 0 : s[nd - 1]!],
  };
}
