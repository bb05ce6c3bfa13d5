// Reverse-mode autodiff: topological order, reverse walk applying the backward rules, gradients
// added into the leaves' `.grad`, then the graph is dropped. Also `zeroGrad`.

import { backwardRules } from "./backward.ts";
import { noGrad, type BackwardRule, type OpName } from "./graph.ts";
import { add } from "./ops.ts";
import { formatShape, sameShape } from "./shape.ts";
import { Tensor } from "./tensor.ts";

/** The tensors `root` depends on (through tensors that require grad), inputs before the tensors made from them. */
function topologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>([root]);
  // Iterative depth-first search: each frame is a tensor and the next input to visit.
  const stack: [Tensor, number][] = [[root, 0]];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    const [t, next] = frame;
    const inputs = t.node?.inputs ?? [];
    if (next < inputs.length) {
      frame[1] = next + 1;
      const input = inputs[next]!;
      if (input.requiresGrad && !visited.has(input)) {
        visited.add(input);
        stack.push([input, 0]);
      }
    } else {
      stack.pop();
      order.push(t);
    }
  }
  return order;
}

/**
 * Backpropagates from `root`: adds d(root)/d(leaf) into `leaf.grad` for every leaf that requires grad.
 * `grad` seeds the pass (the gradient with respect to `root`; default 1 for a one-element root).
 * Frees the graph: intermediate tensors lose their nodes, so nothing keeps old graphs alive.
 */
export function backward(root: Tensor, grad?: Tensor): void {
  if (!root.requiresGrad) {
    throw new Error(
      "backward: this tensor does not require grad; create the parameters with { requiresGrad: true } " +
        "and do not compute the loss inside noGrad",
    );
  }
  if (grad === undefined && root.size !== 1) {
    throw new RangeError(
      `backward: the tensor has shape ${formatShape(root.shape)}; call it on a one-element tensor (e.g. l.sum().backward()) ` +
        `or pass the gradient: backward(grad)`,
    );
  }
  if (grad !== undefined && !sameShape(grad.shape, root.shape)) {
    throw new RangeError(`backward: gradient shape ${formatShape(grad.shape)} differs from the tensor's ${formatShape(root.shape)}`);
  }
  const order = topologicalOrder(root);
  const grads = new Map<Tensor, Tensor>();
  grads.set(root, grad ?? new Tensor(Float32Array.of(1), root.shape));
  noGrad(() => {
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i]!;
      const g = grads.get(t);
      grads.delete(t);
      const node = t.node;
      if (node === null) {
        if (t.graphFreed) {
          throw new Error(
            "backward: the graph through this tensor was already freed by an earlier backward(); " +
              "run the forward pass again, or call backward() once on the sum of the losses",
          );
        }
        // A leaf: gradients accumulate across backward passes until zeroGrad.
        if (g !== undefined) t.grad = t.grad === null ? g : add(t.grad, g);
        continue;
      }
      t.node = null;
      t.graphFreed = true;
      if (g === undefined) continue;
      const rule = backwardRules[node.op] as BackwardRule<OpName>;
      const inputGrads = rule(g, node.inputs, t, node.saved);
      for (let j = 0; j < node.inputs.length; j++) {
        const input = node.inputs[j]!;
        const gj = inputGrads[j] ?? null;
        if (gj === null || !input.requiresGrad) continue;
        const previous = grads.get(input);
        grads.set(input, previous === undefined ? gj : add(previous, gj));
      }
    }
  });
}

/** Clears the gradients of `params` (sets `.grad` to null: PyTorch's `zero_grad(set_to_none=True)`). */
export function zeroGrad(params: Iterable<Tensor>): void {
  for (const p of params) p.grad = null;
}
