// The layout the host and the module agree on: the plan block's fields (mirrors assembly/train.ts),
// the barrier and the helper threads' command block. Offsets in bytes unless said otherwise.

/**
 * Fields of the plan block (i32; SCALE, LR, EVAL_SCALE_HI and EVAL_SCALE_LO are f64); must match the constants of assembly/train.ts.
 * OFF_X … OFF_DLOGITS are offsets inside a thread's scratch block, OFF_DW … OFF_STATS inside a shard's block
 * (72 and 84 are free).
 * WT and BIAS are thread 0's copies of Wᵀ and b; thread t's lie t · PARAMS_BYTES further.
 */
export const PLAN = {
  IMAGES: 0, LABELS: 4, LEN: 8, STRIDE: 12, CLASSES: 16, WT: 20, BIAS: 24, ORDER: 28, STARTS: 32,
  THREADS: 36, SHARDS: 40, SHARD_BASE: 44, SHARD_BYTES: 48, SHARD_ROWS: 52,
  OFF_X: 56, OFF_Y: 60, OFF_LOGITS: 64, OFF_DLOGITS: 68, OFF_DW: 76, OFF_DB: 80, OFF_STATS: 88,
  BATCH_LOSS: 92, BATCH_CORRECT: 96, BARRIER: 100,
  TEST_IMAGES: 108, TEST_LABELS: 112, TEST_N: 116, EVAL_CORRECT: 120, PROFILE: 124, TIMES: 128,
  SCALE: 136, LR: 144, SCRATCH_BASE: 152, SCRATCH_BYTES: 156, PARAMS_BYTES: 160,
  EVAL_SCALE_MODE: 164, EVAL_SCALE_HI: 168, EVAL_SCALE_LO: 176, PREDICTIONS: 184,
} as const;

/** Bytes of the plan block (the module exports the same number as PLAN_BYTES). */
export const PLAN_BYTES = 192;

/**
 * The barrier block: i32 slots for arrivals, generation, and the abort flag a failing thread raises; on the
 * next cache line (slot 16 on), the shard counters of even and odd batches and the evaluation's chunk counter.
 */
export const BARRIER = { COUNT: 0, GEN: 1, ABORT: 2, BYTES: 128 } as const;

/** The command block helper threads wait on: i32 slots. */
export const CONTROL = { SEQ: 0, CMD: 1, ARG0: 2, ARG1: 3, BYTES: 16 } as const;

/** Commands a helper thread runs (CONTROL.CMD); PRODUCT is a share of a Kernels product (productTeam.ts, ARG0: its blocks). */
export const COMMAND = { TRAIN: 1, EVALUATE: 2, EXIT: 3, PRODUCT: 4 } as const;

/** The phases the module times when profiling, in the order of their slots (TIMES + thread·64 + phase·8). */
export const PHASES = ["gather", "forward", "loss", "gradient", "wait", "update", "evaluate"] as const;
export type Phase = (typeof PHASES)[number];

/** Most threads a plan has room for (timing and evaluation slots). */
export const MAX_THREADS = 16;
