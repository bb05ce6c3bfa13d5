// Nice axis limits and tick values (1, 2, 2.5, 5 × 10^k steps) and their labels, for the SVG chart.
// Pure arithmetic on numbers; no rendering here.

/** Tick positions for one axis, with labels rounded to the step's precision. */
export interface Ticks {
  values: number[];
  labels: string[];
  step: number;
}

const MANTISSAS = [1, 2, 2.5, 5, 10];

/** Decimal places needed to write every multiple of `step` exactly (0.25 → 2, 0.1 → 1, 5 → 0). */
export function stepDecimals(step: number): number {
  for (let d = 0; d <= 12; d++) {
    const scaled = step * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-9 * Math.max(1, scaled)) return d;
  }
  return 12;
}

/** Writes a tick value with `decimals` places; never "-0" and never float noise like 0.30000000000000004. */
export function formatTick(value: number, decimals: number): string {
  const text = value.toFixed(decimals);
  return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text;
}

/** The candidate nice steps near `roughStep`, smallest first. */
function niceSteps(roughStep: number): number[] {
  const power = 10 ** Math.floor(Math.log10(roughStep));
  const steps: number[] = [];
  for (const scale of [power / 10, power, power * 10]) {
    for (const m of MANTISSAS) steps.push(m * scale);
  }
  return steps;
}

/**
 * Nice ticks inside [min, max]: the smallest 1/2/2.5/5 × 10^k step that gives at most `maxTicks` ticks.
 * With `integer: true` steps below 1 are skipped (epoch axes).
 * Example: [0.3, 0.9] → 0.3, 0.4, …, 0.9; [1, 10] with maxTicks 6 → 2, 4, 6, 8, 10.
 */
export function niceTicks(min: number, max: number, options: { maxTicks?: number; integer?: boolean } = {}): Ticks {
  if (!Number.isFinite(min) || !Number.isFinite(max) || max < min) {
    throw new RangeError(`niceTicks: need finite min <= max, got [${min}, ${max}]`);
  }
  const maxTicks = Math.max(2, options.maxTicks ?? 7);
  const span = max - min;
  if (span === 0) {
    const decimals = stepDecimals(Math.abs(min) > 0 ? 10 ** Math.floor(Math.log10(Math.abs(min))) : 1);
    return { values: [min], labels: [formatTick(min, Math.min(decimals, 6))], step: 0 };
  }
  let chosen = span;
  for (const step of niceSteps(span / (maxTicks - 1))) {
    if (options.integer && step < 1) continue;
    // 2.5 × 10^k only when it keeps labels short (0.25 yes, 2.5 on an integer axis no)
    if (options.integer && !Number.isInteger(step)) continue;
    const count = Math.floor(max / step + 1e-9) - Math.ceil(min / step - 1e-9) + 1;
    if (count <= maxTicks) {
      chosen = step;
      break;
    }
  }
  const decimals = stepDecimals(chosen);
  const first = Math.ceil(min / chosen - 1e-9);
  const last = Math.floor(max / chosen + 1e-9);
  const values: number[] = [];
  const labels: string[] = [];
  for (let i = first; i <= last; i++) {
    // Round through the label so 3 * 0.1 is 0.3, not 0.30000000000000004.
    const label = formatTick(i * chosen, decimals);
    values.push(Number(label));
    labels.push(label);
  }
  return { values, labels, step: chosen };
}

/**
 * Limits that cover [min, max] and end on a multiple of a nice step (for automatic axes).
 * A zero-width range is opened to ±0.5 (or ±5% of the value) so a single point is still drawn.
 */
export function niceLimits(min: number, max: number, options: { maxTicks?: number; integer?: boolean } = {}): [number, number] {
  if (max === min) {
    const pad = min === 0 ? 0.5 : Math.abs(min) * 0.05;
    return [min - pad, max + pad];
  }
  const { step } = niceTicks(min, max, options);
  const lo = Math.floor(min / step + 1e-9) * step;
  const hi = Math.ceil(max / step - 1e-9) * step;
  const decimals = stepDecimals(step);
  return [Number(formatTick(lo, decimals)), Number(formatTick(hi, decimals))];
}
