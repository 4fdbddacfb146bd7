// The one table of DOM selectors: every page's elements by name, looked up once.

export const SELECTORS = Object.freeze({
  live: {
    connection: "#connection", source: "#source", sessions: "#sessions",
    zoneCard: "#zone-card", zone: "#zone", zoneSince: "#zone-since", tiw: "#tiw", tiwToday: "#tiw-today",
    baselineNote: "#baseline-note", baselineText: "#baseline-text", calibrate: "#calibrate",
    arousalChart: "#arousal-chart", heartChart: "#heart-chart", chartNote: "#chart-note",
    arousalNow: "#arousal-now", hr: "#hr", rmssd: "#rmssd", rmssd30: "#rmssd30",
    guide: "#guide", guideText: "#guide-text", breathe: "#breathe", rate: "#rate", ratio: "#ratio",
    sound: "#sound", focus: "#focus", adherence: "#adherence",
    marker: "#marker", activity: "#activity", markerNote: "#marker-note", activitySignal: "#activity-signal",
    nudge: "#nudge", nudgeText: "#nudge-text", nudgeBreathe: "#nudge-breathe", nudgeDismiss: "#nudge-dismiss",
    notify: "#notify",
    episodeBox: "#episode-box", episodeText: "#episode-text", noteForm: "#note-form", noteText: "#note-text",
    noteStatus: "#note-status",
    beats: "#beats", corrected: "#corrected", contact: "#contact", battery: "#battery", strap: "#strap",
    notice: "#notice",
  },
  calibration: {
    dialog: "#calibration", start: "#cal-start", close: "#cal-close", step: "#cal-step",
    progress: "#cal-progress", text: "#cal-text",
  },
  review: {
    date: "#date", prev: "#prev", next: "#next", today: "#today", summary: "#summary",
    dayBar: "#day-bar", dayLegend: "#day-legend", dayChart: "#day-chart", episodes: "#episodes",
    empty: "#empty", trendTiw: "#trend-tiw", trendTau: "#trend-tau", notice: "#notice",
  },
  trainer: {
    grid: "#participants", add: "#add", guideToggle: "#guide-toggle", guide: "#guide", guideText: "#guide-text",
    rate: "#rate", notice: "#notice", clock: "#clock",
  },
  sessions: {
    list: "#session-list", detail: "#detail", detailTitle: "#detail-title", detailBody: "#detail-body",
    exports: "#exports", calibrate: "#calibrate", notice: "#notice",
  },
});

/** Look up every selector of one page's table; a missing element is a bug in the page, said at once. */
export function bind(table) {
  const found = {};
  for (const [name, selector] of Object.entries(table)) {
    const el = document.querySelector(selector);
    if (!el) throw new Error(`the page has no element ${selector} (${name})`);
    found[name] = el;
  }
  return found;
}
