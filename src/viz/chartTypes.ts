// The plain-data description of a line chart (series, limits, labels) and d2l's default line styles.
// Shared by the SVG renderer, the Animator and the terminal chart; types and constants only.

/** Line pattern, as matplotlib's '-', '--', '-.' and ':'. */
export type DashStyle = "solid" | "dashed" | "dashdot" | "dotted";
/** Marker drawn at every data point ("none" draws only the line). */
export type MarkerStyle = "none" | "circle" | "square" | "triangle" | "diamond";

/** How one series is drawn. */
export interface SeriesStyle {
  color: string;
  dash: DashStyle;
  marker: MarkerStyle;
}

/** One named curve: `x[i]` pairs with `y[i]`; a null or non-finite y leaves a gap in the line. */
export interface ChartSeries extends Partial<SeriesStyle> {
  name: string;
  x: readonly number[];
  y: readonly (number | null)[];
}

/** Where the legend box sits; "best" picks the corner or side that covers the fewest data points (as matplotlib does). */
export type LegendLocation =
  | "best"
  | "upper right"
  | "upper left"
  | "lower left"
  | "lower right"
  | "right"
  | "center left"
  | "center right"
  | "lower center"
  | "upper center"
  | "center";

/**
 * What to do with data outside fixed limits.
 * "widen" (default): move the limit out to the next nice value so every point stays visible.
 * "clip": keep the limits and cut the lines at the plot edge, as d2l's matplotlib Animator does.
 */
export type OutsideLimits = "widen" | "clip";

/** Everything the SVG chart needs; only `series` is required. */
export interface ChartOptions {
  series: readonly ChartSeries[];
  title?: string;
  xlabel?: string;
  ylabel?: string;
  /** Fixed x limits [min, max]; automatic (tight around the data) when omitted. */
  xlim?: readonly [number, number];
  /** Fixed y limits [min, max]; automatic (rounded out to nice values) when omitted. */
  ylim?: readonly [number, number];
  outside?: OutsideLimits;
  /** Size of the SVG in px (default 560 × 400, d2l's 3.5 × 2.5 aspect). */
  width?: number;
  height?: number;
  /** Tick, label and legend font size in px (default 13; the title is 1.2×). */
  fontSize?: number;
  /** Legend placement, or "none" to hide it (default "best"; hidden when no series has a name). */
  legend?: LegendLocation | "none";
  /** Light grid lines at the ticks (default true, as d2l's `axes.grid()`). */
  grid?: boolean;
  /** Background fill (default white); "none" for transparent. */
  background?: string;
}

/**
 * d2l's Animator formats `('-', 'm--', 'g-.', 'r:')`: solid blue (matplotlib's C0), dashed magenta,
 * dash-dot green, dotted red. Series beyond four reuse them with other colours.
 */
export const D2L_STYLES: readonly SeriesStyle[] = [
  { color: "#1f77b4", dash: "solid", marker: "none" },
  { color: "#bf00bf", dash: "dashed", marker: "none" },
  { color: "#008000", dash: "dashdot", marker: "none" },
  { color: "#ff0000", dash: "dotted", marker: "none" },
  { color: "#ff7f0e", dash: "solid", marker: "none" },
  { color: "#8c564b", dash: "dashed", marker: "none" },
  { color: "#17becf", dash: "dashdot", marker: "none" },
  { color: "#7f7f7f", dash: "dotted", marker: "none" },
];

/** The style of series `index`, with the series' own overrides applied. */
export function seriesStyle(series: Partial<SeriesStyle>, index: number): SeriesStyle {
  const base = D2L_STYLES[index % D2L_STYLES.length] ?? { color: "#1f77b4", dash: "solid", marker: "none" };
  return { color: series.color ?? base.color, dash: series.dash ?? base.dash, marker: series.marker ?? base.marker };
}
