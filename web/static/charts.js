// Charts over uPlot (from npm, copied to /vendor by scripts/setup.sh; loaded as a classic
// script before the modules, so it is a global). Colours: Okabe & Ito's colour-blind-safe set;
// the window is a bluish-green band, excursions above it orange, never an alarm red.

const uPlot = globalThis.uPlot;

export const chartsAvailable = () => typeof uPlot === "function";

export const COLOURS = Object.freeze({
  band: "rgba(0, 158, 115, 0.16)", bandEdge: "#009E73", bandOnDark: "rgba(47, 211, 160, 0.22)", bandEdgeOnDark: "#2fd3a0", arousal: "#0072B2", arousalOnDark: "#9ad8ff", hr: "#C2770A", rmssd: "#0072B2",
  fit: "#CC79A7", breathing: "rgba(86, 180, 233, 0.22)", tiw: "#009E73", tau: "#0072B2",
});

/** The window of tolerance on the arousal index (hrv/arousal/zones.py: the default band). */
export const DEFAULT_BAND = Object.freeze({ lower: -2, upper: 1 });

/** Clock times on a time axis: hours and minutes, with seconds when ticks are closer than a minute. */
function clockTicks(u, ticks) {
  const step = ticks.length > 1 ? ticks[1] - ticks[0] : 60;
  const days = step >= 86400;
  const opts = days ? { month: "short", day: "numeric" } : { hour: "2-digit", minute: "2-digit", ...(step < 60 ? { second: "2-digit" } : {}) };
  return ticks.map((v) => (days ? new Date(v * 1000).toLocaleDateString([], opts) : new Date(v * 1000).toLocaleTimeString([], opts)));
}

function themed(dark) {
  return { axis: dark ? "#d8e0e4" : "#3a4a52", grid: dark ? "rgba(255,255,255,.12)" : "rgba(0,0,0,.08)" };
}

function axes(dark, { large = false, yLabel = "", timeAxis = true, y2 = null } = {}) {
  const t = themed(dark);
  const font = `${large ? 22 : 12}px system-ui, sans-serif`;
  const common = { stroke: t.axis, grid: { stroke: t.grid, width: 1 }, ticks: { stroke: t.grid }, font, labelFont: font };
  const list = [
    { ...common, space: large ? 160 : 100, values: timeAxis ? clockTicks : (u, ticks) => ticks.map((v) => `${Math.round(v)} s`) },
    { ...common, label: yLabel, size: large ? 70 : 50, labelSize: large ? 30 : 18, space: large ? 70 : 24 },
  ];
  if (y2) list.push({ ...common, ...y2, side: 1, grid: { show: false }, size: large ? 70 : 50, labelSize: large ? 30 : 18 });
  return list;
}

/** Shade [lower, upper] of scale "y" across the plot, and optional x spans (breathing). */
function bandPlugin(getBand, getSpans = () => [], dark = false) {
  return {
    hooks: {
      drawClear: [(u) => {
        const { ctx } = u;
        const { left, top, width, height } = u.bbox;
        ctx.save();
        ctx.beginPath();
        ctx.rect(left, top, width, height);
        ctx.clip();
        ctx.fillStyle = COLOURS.breathing;
        for (const [a, b] of getSpans()) {
          const x0 = u.valToPos(a, "x", true);
          const x1 = u.valToPos(b, "x", true);
          ctx.fillRect(x0, top, Math.max(x1 - x0, 1), height);
        }
        const band = getBand();
        if (band) {
          const y0 = u.valToPos(band.upper, "y", true);
          const y1 = u.valToPos(band.lower, "y", true);
          ctx.fillStyle = dark ? COLOURS.bandOnDark : COLOURS.band;
          ctx.fillRect(left, y0, width, y1 - y0);
          ctx.strokeStyle = dark ? COLOURS.bandEdgeOnDark : COLOURS.bandEdge;
          ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
          ctx.lineWidth = (dark ? 2 : 1) * devicePixelRatio;
          for (const y of [y0, y1]) { ctx.beginPath(); ctx.moveTo(left, y); ctx.lineTo(left + width, y); ctx.stroke(); }
        }
        ctx.restore();
      }],
    },
  };
}

/** Keep a chart as wide as its container (its height is fixed by CSS: no layout shift). */
function follow(u, container, height) {
  const fit = () => {
    const w = Math.floor(container.clientWidth);
    const h = height === "fill" ? Math.floor(container.clientHeight) : height;
    if (w > 0 && h > 0 && (w !== u.width || h !== u.height)) u.setSize({ width: w, height: h });
  };
  new ResizeObserver(fit).observe(container);
  fit();
}

const isDark = () => matchMedia("(prefers-color-scheme: dark)").matches || document.body.dataset.theme === "dark";

/** Minutes before the newest point ("−4 min" … "now"), every minute: for the projector. */
const relativeAxis = {
  splits: (u) => {
    const { min, max } = u.scales.x;
    // Whole minutes, as many as fit with room for their labels (about 110 CSS px each).
    const perMinutePx = u.bbox.width / devicePixelRatio / Math.max((max - min) / 60, 1);
    const step = 60 * Math.max(1, Math.ceil(110 / perMinutePx));
    const out = [];
    for (let v = max; v >= min; v -= step) out.unshift(v);
    return out;
  },
  values: (u, ticks) => ticks.map((v) => {
    const m = Math.round((v - u.scales.x.max) / 60);
    return m === 0 ? "now" : `${m} min`.replace("-", "−");
  }),
};

/**
 * Arousal against the window. ``opts``: height, large (projector), span_s (the x range
 * shown, ending now), timeAxis (x in Unix s; otherwise seconds), series (extra line series
 * after arousal, e.g. a fit), spans (a function giving [x0, x1] pairs to shade).
 */
export function arousalChart(container, opts = {}) {
  const { height = 220, large = false, timeAxis = true, extra = [], spans, band = () => DEFAULT_BAND } = opts;
  const dark = opts.dark ?? isDark();
  const series = [
    {},
    { label: "arousal", stroke: dark ? COLOURS.arousalOnDark : COLOURS.arousal, width: large ? 6 : 2, points: { show: false }, spanGaps: false },
    ...extra,
  ];
  const u = new uPlot({
    width: Math.max(container.clientWidth, 100), height,
    legend: { show: false }, cursor: { show: !large, drag: { x: false, y: false } },
    scales: {
      x: { time: timeAxis && !opts.relative, ...(opts.xRange ? { range: () => opts.xRange() } : {}) },
      y: { range: (u, min, max) => {
        const b = band() ?? DEFAULT_BAND; // the window always in view, with room above it
        return [Math.min(b.lower - 1.5, Math.floor(min ?? 0)), Math.max(b.upper + 2, Math.ceil(max ?? 0))];
      } },
    },
    axes: ((list) => [opts.relative ? { ...list[0], ...relativeAxis } : list[0], { ...list[1], incrs: [0.5, 1, 2, 5, 10] }])(
      axes(dark, { large, timeAxis, yLabel: opts.yLabel ?? "arousal" }),
    ),
    series,
    plugins: [bandPlugin(band, spans, dark)],
  }, [[], [], ...extra.map(() => [])], container);
  follow(u, container, height);
  return u;
}

/** Heart rate (left axis, bpm) and RMSSD (right axis, ms) of the last 60 s, per beat. */
export function heartChart(container, { height = 160, xRange = null } = {}) {
  const dark = isDark();
  const u = new uPlot({
    width: Math.max(container.clientWidth, 100), height,
    legend: { show: false }, cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true, ...(xRange ? { range: () => xRange() } : {}) }, hr: { auto: true }, ms: { auto: true } },
    axes: [
      axes(dark)[0],
      { ...axes(dark)[1], scale: "hr", label: "HR bpm", stroke: COLOURS.hr, space: 25 },
      { ...axes(dark)[1], scale: "ms", label: "RMSSD ms", side: 1, grid: { show: false }, stroke: COLOURS.rmssd, space: 25 },
    ],
    series: [
      {},
      { label: "HR", scale: "hr", stroke: COLOURS.hr, width: 2, points: { show: false } },
      { label: "RMSSD", scale: "ms", stroke: COLOURS.rmssd, width: 2, dash: [6, 3], points: { show: false } },
    ],
  }, [[], [], []], container);
  follow(u, container, height);
  return u;
}

/** A small line chart of one or two daily series (the trend). */
export function trendChart(container, { height = 160, label, colour, percent = false }) {
  const dark = isDark();
  const u = new uPlot({
    width: Math.max(container.clientWidth, 100), height,
    legend: { show: false },
    // Half a day of room at each end, so the first and last days' points are not cut.
    scales: { x: { time: true, range: (u, min, max) => [min - 43200, max + 43200] }, y: percent ? { range: [0, 100] } : { auto: true } },
    axes: axes(dark, { yLabel: label }),
    series: [{}, { label, stroke: colour, width: 2, points: { show: true, size: 6, fill: colour }, spanGaps: true }],
  }, [[], []], container);
  follow(u, container, height);
  return u;
}

/** A bounded series of [x, ...ys] kept to the last ``keep_s`` of x. */
export class Trace {
  constructor(width, keepS) { this.cols = Array.from({ length: width }, () => []); this.keepS = keepS; }

  push(x, ...ys) {
    const xs = this.cols[0];
    if (xs.length && x <= xs[xs.length - 1]) return false; // a resync repeats what we have
    xs.push(x);
    ys.forEach((y, i) => this.cols[i + 1].push(y ?? null));
    const cut = xs.findIndex((v) => v >= x - this.keepS);
    if (cut > 0) for (const c of this.cols) c.splice(0, cut);
    return true;
  }

  get data() { return this.cols; }
  get length() { return this.cols[0].length; }
  last(i = 1) { const c = this.cols[i]; return c.length ? c[c.length - 1] : null; }
}
