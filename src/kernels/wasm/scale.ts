// How the uint8 → float gather scales pixels exactly: a float32 split of the scale (fast), checked over
// all 256 byte values against the reference's fround(p · scale), or else the float64 product.

/** The gather kernel's scaling modes (assembly/gather.ts). */
export const SCALE_SPLIT = 0, SCALE_F64 = 1, SCALE_NONE = 2;

/** The scale as the gather kernel takes it: hi + lo, or the float64 product when `exact64`. */
export interface PixelScale {
  hi: number;
  lo: number;
  exact64: boolean;
}

const f32 = Math.fround;
const cache = new Map<number, PixelScale>();

/**
 * Splits `scale` into hi (at most 16 significant bits, so p · hi is exact in float32 for bytes p) and
 * lo = fround(scale − hi); the kernel computes fround(p·hi + fround(p·lo)). Keeps the split only if
 * that equals the reference's fround(p · scale) for every byte p; for 1/255 it does.
 */
export function pixelScale(scale: number): PixelScale {
  let found = cache.get(scale);
  if (found !== undefined) return found;
  found = { hi: scale, lo: 0, exact64: true };
  if (Number.isFinite(scale) && scale !== 0) {
    const quantum = 2 ** (Math.floor(Math.log2(Math.abs(scale))) - 15);
    const hi = Math.round(scale / quantum) * quantum;
    const lo = f32(scale - hi);
    let exact = f32(hi) === hi;
    for (let p = 0; p < 256 && exact; p++) exact = f32(f32(p * hi) + f32(p * lo)) === f32(p * scale);
    if (exact) found = { hi, lo, exact64: false };
  }
  cache.set(scale, found);
  return found;
}

/** The gather kernel's mode for a PixelScale: the float32 split, or the float64 product when the split is not exact. */
export function gatherMode(s: PixelScale): number {
  return s.exact64 ? SCALE_F64 : SCALE_SPLIT;
}
