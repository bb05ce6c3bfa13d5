// The autograd graph's vocabulary: primitive op names, what each op saves for its backward rule,
// graph nodes, and the grad mode switch (noGrad). Types and one flag; no arithmetic here.

import type { Tensor } from "./tensor.ts";

type One = readonly [Tensor];
type Two = readonly [Tensor, Tensor];

/**
 * Each primitive op: its inputs, and what it keeps from its forward pass for the backward rule.
 * Adding an op here forces a rule for it in `backward.ts` (the table's type is exhaustive).
 */
export interface Ops {
  add: { inputs: Two; saved: null };
  sub: { inputs: Two; saved: null };
  mul: { inputs: Two; saved: null };
  div: { inputs: Two; saved: null };
  neg: { inputs: One; saved: null };
  exp: { inputs: One; saved: null };
  log: { inputs: One; saved: null };
  /** `axis` null: the sum of every element. */
  sum: { inputs: One; saved: { axis: number | null; keepdim: boolean } };
  /** `indices`: where each maximum was found (the gradient flows there only). */
  max: { inputs: One; saved: { axis: number | null; keepdim: boolean; indices: Int32Array } };
  matmul: { inputs: Two; saved: null };
  /** `index[i]`: the column picked in row i. */
  pick: { inputs: One; saved: { index: Int32Array } };
  reshape: { inputs: One; saved: null };
  /** `dlogits`: softmax(z) − onehot(y), the gradient of the summed loss, computed in the forward pass. */
  softmaxCrossEntropy: { inputs: One; saved: { dlogits: Float32Array } };
}

/** The primitive ops: the only ones with backward code. Everything else is composed of them. */
export type OpName = keyof Ops;

/** How a tensor was made: the op, its inputs, and what the op saved. Dropped once backward has used it. */
export interface GraphNode<K extends OpName = OpName> {
  readonly op: K;
  readonly inputs: Ops[K]["inputs"];
  readonly saved: Ops[K]["saved"];
}

/** One gradient (or null: not needed) per input of an op. */
export type InputGrads<T extends readonly Tensor[]> = { readonly [I in keyof T]: Tensor | null };

/**
 * A backward rule: given the gradient `grad` of the loss with respect to the op's output `out`,
 * returns the gradient for each input (same shape as that input), or null for an input that
 * does not require a gradient (its work is skipped).
 */
export type BackwardRule<K extends OpName> = (
  grad: Tensor,
  inputs: Ops[K]["inputs"],
  out: Tensor,
  saved: Ops[K]["saved"],
) => InputGrads<Ops[K]["inputs"]>;

let gradEnabled = true;

/** Whether ops currently record the graph (false inside `noGrad`). */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/**
 * Runs `fn` without recording any graph: results never require grad (d2l/PyTorch: `with torch.no_grad():`).
 * `fn` must be synchronous; the previous mode is restored even if it throws.
 */
export function noGrad<T>(fn: () => T): T {
  const previous = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}
