// Words and numbers as the pages show them.

export const ZONE_WORDS = Object.freeze({
  within: "within your window",
  hyper: "above your window",
  hypo: "below your window",
  activity: "moving",
  unknown: "no signal",
  warmup: "starting up",
  learning: "getting to know you",
  back: "coming back into your window",
  rising: "drifting above your window",
  falling: "drifting below your window",
});

export const zoneWords = (zone) => ZONE_WORDS[zone] ?? "no signal";

/** What each zone means, in one short line under the zone's words. */
export const ZONE_HINTS = Object.freeze({
  within: "Settled: able to think and respond.",
  hyper: "More stirred up than your usual range. Noticing it is the first step.",
  hypo: "Slower than your usual range. Worth a moment to notice how you are.",
  activity: "Moving: the window waits until you are still again.",
  unknown: "No usable beats just now: check the strap sits snugly and is moist.",
  warmup: "The first minute of beats is filling in.",
  learning: "Learning your usual rhythm from this first minute of wear.",
  back: "Back inside your window; it settles in a few seconds.",
  rising: "Above the band for a moment; it counts once it stays there.",
  falling: "Below the band for a moment; it counts once it stays there.",
});

/** A duration as a person says it: "under a minute", "about 1 minute", "about 3 minutes". */
export function roughly(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(Number(seconds))) return "a while";
  const s = Number(seconds);
  if (s < 50) return "under a minute";
  const m = Math.max(1, Math.round(s / 60));
  if (m < 90) return `about ${m} minute${m === 1 ? "" : "s"}`;
  const h = Math.round(m / 30) / 2;
  return `about ${h} hour${h === 1 ? "" : "s"}`;
}

export const num = (v, digits = 0) =>
  v === null || v === undefined || Number.isNaN(Number(v)) ? "–" : Number(v).toFixed(digits);

export const percent = (share) => (share === null || share === undefined ? "–" : `${Math.round(share * 100)} %`);

export function clock(tUtc) {
  return new Date(tUtc * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

export function duration(seconds) {
  if (seconds === null || seconds === undefined) return "–";
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60 ? `${s % 60} s` : ""}`.trim();
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function isoDate(d) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** A session's name as a person reads it: its label, else what it is (never a raw seed). */
export function sessionName(s) {
  if (s.label) return s.label;
  const [kind] = String(s.source_id ?? "").split(":");
  // Several simulated participants: told apart by their id's first letters.
  if (s.source_kind === "sim" || kind === "sim") return `Simulated ${String(s.id ?? "").slice(0, 4)}`.trim();
  if (s.source_kind === "replay") return `replay of ${String(s.source_id).replace(/^replay:/, "").split("/").pop()}`;
  return String(s.source_id ?? "strap").replace(/^ble:/, "");
}

/**
 * The words for a zone frame against ``band`` ({lower, upper}). The tracker keeps a zone for 20 s
 * of dwell (and 0.25 of hysteresis) after the index has crossed back, so that noise does not
 * flicker it: while the chart already shows the line back inside the band, the words say
 * "coming back", and while it shows the line over an edge the tracker has not yet taken,
 * "drifting above" or "drifting below".
 */
export function shownZone(frame, band) {
  const a = frame.arousal;
  if (a === null || a === undefined) return frame.zone;
  if ((frame.zone === "hyper" && a <= band.upper) || (frame.zone === "hypo" && a >= band.lower)) return "back";
  if (frame.zone === "within" && a > band.upper + 0.25) return "rising";
  if (frame.zone === "within" && a < band.lower - 0.25) return "falling";
  return frame.zone;
}
