// The one table of DOM selectors: every page's elements by name, looked up once.

export const SELECTORS = Object.freeze({
  live: {
    connection: "#connection", source: "#source", sessions: "#sessions",
    zoneCard: "#zone-card", zone: "#zone", zoneHint: "#zone-hint", zoneSince: "#zone-since", tiw: "#tiw", tiwToday: "#tiw-today",
    baselineNote: "#baseline-note", baselineText: "#baseline-text", calibrate: "#calibrate",
    arousalChart: "#arousal-chart", heartChart: "#heart-chart", chartNote: "#chart-note",
    arousalNow: "#arousal-now", hr: "#hr", rmssd: "#rmssd", rmssd30: "#rmssd30", bandFigures: "#band-figures",
    guide: "#guide", guideText: "#guide-text", breathe: "#breathe", rate: "#rate", ratio: "#ratio",
    sound: "#sound", focus: "#focus", adherence: "#adherence", breathCount: "#breath-count",
    resonance: "#resonance", resonanceStart: "#resonance-start", resonanceStatus: "#resonance-status",
    resonanceProgress: "#resonance-progress", resonanceTable: "#resonance-table",
    marker: "#marker", activity: "#activity", markerNote: "#marker-note", actionBar: "#action-bar",
    activitySignal: "#activity-signal",
    nudge: "#nudge", nudgeText: "#nudge-text", nudgeBreathe: "#nudge-breathe", nudgeDismiss: "#nudge-dismiss",
    notify: "#notify", details: "#details",
    episodeBox: "#episode-box", episodeText: "#episode-text", episodeFigures: "#episode-figures",
    noteForm: "#note-form", noteText: "#note-text", noteStatus: "#note-status",
    beats: "#beats", corrected: "#corrected", contact: "#contact", battery: "#battery", strap: "#strap",
    notice: "#notice",
  },
  intro: { dialog: "#intro", open: "#intro-open", close: "#intro-close" },
  calibration: {
    dialog: "#calibration", start: "#cal-start", close: "#cal-close", step: "#cal-step",
    progress: "#cal-progress", text: "#cal-text",
  },
  review: {
    date: "#date", prev: "#prev", next: "#next", today: "#today", summary: "#summary",
    dayBar: "#day-bar", dayLegend: "#day-legend", dayChart: "#day-chart", episodes: "#episodes",
    empty: "#empty", trendTiw: "#trend-tiw", trendTau: "#trend-tau", trendNoticed: "#trend-noticed", notice: "#notice",
    practice: "#practice", dayEmpty: "#day-empty", moments: "#moments", momentsEmpty: "#moments-empty",
  },
  trainer: {
    grid: "#participants", add: "#add", guideToggle: "#guide-toggle", guide: "#guide", guideText: "#guide-text",
    rate: "#rate", notice: "#notice", clock: "#clock", timer: "#timer", numbers: "#numbers",
    demo: "#demo", demoSteps: "#demo-steps", demoNext: "#demo-next", demoReset: "#demo-reset", demoSummary: "#demo-summary",
  },
  summary: {
    period: "#period", end: "#end", make: "#make", notice: "#notice", sheet: "#sheet", sheetTitle: "#sheet-title",
    sheetSpan: "#sheet-span", totals: "#totals", days: "#days", notes: "#notes", noNotes: "#no-notes", print: "#print",
  },
  sessions: {
    list: "#session-list", detail: "#detail", detailTitle: "#detail-title", detailBody: "#detail-body",
    exports: "#exports", calibrate: "#calibrate", notice: "#notice",
    pairScan: "#pair-scan", pairStatus: "#pair-status", pairList: "#pair-list", pairLabel: "#pair-label",
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
