// NonFiniteLossError: training stops here, naming where, instead of carrying NaN on.

/** Thrown when a batch's loss is NaN or ±∞; `epoch` and `batch` count from 1. */
export class NonFiniteLossError extends Error {
  readonly epoch: number;
  readonly batch: number;
  readonly loss: number;

  constructor(where: { epoch: number; batch: number; loss: number }) {
    super(
      `training stopped: the loss is ${where.loss} at epoch ${where.epoch}, batch ${where.batch} (both counted from 1). ` +
        "The weights diverged or the softmax overflowed: lower the learning rate, or use the stable softmax cross-entropy on logits",
    );
    this.name = "NonFiniteLossError";
    this.epoch = where.epoch;
    this.batch = where.batch;
    this.loss = where.loss;
  }

  /** This error with its batch counted from the epoch's start, for a loop that trains an epoch in parts: `before` batches came first. */
  shifted(before: number): NonFiniteLossError {
    return new NonFiniteLossError({ epoch: this.epoch, batch: before + this.batch, loss: this.loss });
  }
}
