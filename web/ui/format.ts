// Number formats the page shares: percentages, counts, rates and durations (m:ss, as the terminal shows).

/** Seconds as "m:ss" or "h:mm:ss"; "–" when unknown. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "–";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** 0.8342 → "83.42%"; "–" when not finite. */
export function percent(x: number, digits = 2): string {
  return Number.isFinite(x) ? `${(x * 100).toFixed(digits)}%` : "–";
}

/** 60000 → "60,000". */
export function count(n: number): string {
  // A regex, not toLocaleString: this runs for every progress message.
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** Examples per second, e.g. "48,210 ex/s"; "–" when unknown. */
export function rate(examplesPerSecond: number): string {
  return Number.isFinite(examplesPerSecond) && examplesPerSecond > 0 ? `${count(examplesPerSecond)} ex/s` : "–";
}

/** A byte count in MB with one decimal. */
export function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
