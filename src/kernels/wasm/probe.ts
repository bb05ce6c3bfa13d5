// Feature probes for the WebAssembly kernels: 128-bit SIMD (validate a tiny module) and shared memory
// for threads. Pure answers with reasons; the caller decides and logs. Isomorphic.

/**
 * The smallest module using SIMD: (func (result v128) (i32x4.splat (i32.const 0))).
 * Sections: type [] → [v128], one function of that type, its body.
 */
const SIMD_PROBE = Uint8Array.of(
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type section: one type, func () → (v128)
  0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
  0x0a, 0x08, 0x01, 0x06, 0x00, 0x41, 0x00, 0xfd, 0x11, 0x0b, // code: no locals; i32.const 0; i32x4.splat; end
);

/**
 * The smallest module using relaxed SIMD's multiply-add:
 * (func (param v128 v128 v128) (result v128) (f32x4.relaxed_madd (local.get 0) (local.get 1) (local.get 2))).
 */
const RELAXED_SIMD_PROBE = Uint8Array.of(
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
  0x01, 0x08, 0x01, 0x60, 0x03, 0x7b, 0x7b, 0x7b, 0x01, 0x7b, // type section: func (v128, v128, v128) → (v128)
  0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
  0x0a, 0x0d, 0x01, 0x0b, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfd, 0x85, 0x02, 0x0b, // code: 3 × local.get; f32x4.relaxed_madd; end
);

/** A yes/no answer and the sentence that explains it. */
export interface Probe {
  ok: boolean;
  reason: string;
}

/** Whether this runtime runs WebAssembly with 128-bit SIMD (WebAssembly.validate on a one-instruction module). */
export function probeSimd(): Probe {
  if (typeof WebAssembly !== "object" || typeof WebAssembly.validate !== "function") {
    return { ok: false, reason: "this runtime has no WebAssembly" };
  }
  return WebAssembly.validate(SIMD_PROBE)
    ? { ok: true, reason: "WebAssembly SIMD is available" }
    : { ok: false, reason: "this runtime's WebAssembly has no 128-bit SIMD (WebAssembly.validate rejected a SIMD module)" };
}

/** Whether this runtime has relaxed SIMD (Chrome 114+, Node 22+; Node 20 behind --experimental-wasm-relaxed-simd). */
export function probeRelaxedSimd(): Probe {
  if (typeof WebAssembly !== "object" || typeof WebAssembly.validate !== "function") return { ok: false, reason: "this runtime has no WebAssembly" };
  return WebAssembly.validate(RELAXED_SIMD_PROBE)
    ? { ok: true, reason: "WebAssembly relaxed SIMD is available" }
    : { ok: false, reason: "this runtime's WebAssembly has no relaxed SIMD" };
}

/**
 * Whether threads can share a WebAssembly memory here: SharedArrayBuffer exists, and a shared
 * WebAssembly.Memory can be made (in browsers this needs a cross-origin isolated page: COOP + COEP headers).
 */
export function probeSharedMemory(): Probe {
  if (typeof SharedArrayBuffer === "undefined") {
    const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
    return {
      ok: false,
      reason: isolated === false
        ? "SharedArrayBuffer is unavailable: the page is not cross-origin isolated (serve it with COOP and COEP headers)"
        : "SharedArrayBuffer is unavailable in this runtime",
    };
  }
  try {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    if (!(memory.buffer instanceof SharedArrayBuffer)) return { ok: false, reason: "shared WebAssembly memory is not backed by a SharedArrayBuffer here" };
  } catch (error) {
    return { ok: false, reason: `this runtime cannot make a shared WebAssembly memory (${(error as Error).message})` };
  }
  return { ok: true, reason: "shared WebAssembly memory is available" };
}
