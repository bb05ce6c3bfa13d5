// A tensor's values: a Float32Array, or a batch of uint8 rows still to be scaled (the data iterators'
// batches). Kernels with a memory of their own gather such a batch straight into it, which spares the
// float copy in and out; the first read of `data` gathers it here, and from then on the array is the values.

import { getKernels } from "../kernels/current.ts";
import type { GatheredRows } from "../kernels/kernels.ts";

export class Storage {
  readonly size: number;
  private values: Float32Array | null;
  private recipe: GatheredRows | null;

  private constructor(values: Float32Array | null, recipe: GatheredRows | null, size: number) {
    this.values = values;
    this.recipe = recipe;
    this.size = size;
  }

  /** Storage holding `values` (not copied). */
  static of(values: Float32Array): Storage {
    return new Storage(values, null, values.length);
  }

  /** Storage for the [count, rowLength] batch `rows` describes, gathered on first read. `rows` must not change. */
  static gathered(rows: GatheredRows): Storage {
    return new Storage(null, rows, rows.count * rows.rowLength);
  }

  /** The batch description while nobody has read the values, else null (then `data` is the truth). */
  get gatheredRows(): GatheredRows | null {
    return this.recipe;
  }

  /** The values; a gathered batch is gathered by the current kernels on the first read. */
  get data(): Float32Array {
    if (this.values === null) {
      const r = this.recipe!;
      const values = new Float32Array(this.size);
      getKernels().gatherRows(r.src, r.rowLength, r.rows, r.start, r.count, r.scale, values);
      this.values = values;
      this.recipe = null;
    }
    return this.values;
  }
}
