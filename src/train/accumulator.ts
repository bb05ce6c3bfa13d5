// Accumulator: running sums over n slots (loss sum, correct count, examples), divided at the end.

/** Sums `n` quantities across batches. d2l: `Accumulator(n)` (§3.6), with `metric[i]` → `get(i)`. */
export class Accumulator {
  private readonly sums: number[];

  constructor(n: number) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`Accumulator: n must be a positive integer, got ${n}`);
    this.sums = new Array<number>(n).fill(0);
  }

  /** Adds one value per slot. d2l: `metric.add(*args)`. */
  add(...values: number[]): void {
    if (values.length !== this.sums.length) {
      throw new RangeError(`Accumulator.add: expected ${this.sums.length} values, got ${values.length}`);
    }
    for (let i = 0; i < values.length; i++) this.sums[i]! += values[i]!;
  }

  /** Sets every slot back to 0. d2l: `metric.reset()`. */
  reset(): void {
    this.sums.fill(0);
  }

  /** The running sum in slot `i`. d2l: `metric[i]`. */
  get(i: number): number {
    const value = this.sums[i];
    if (value === undefined) throw new RangeError(`Accumulator.get: slot ${i} does not exist (0..${this.sums.length - 1})`);
    return value;
  }

  /** Number of slots. */
  get length(): number {
    return this.sums.length;
  }
}
