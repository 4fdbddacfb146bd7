// Words and numbers as the pages show them.

export const ZONE_WORDS = Object.freeze({
  within: "within your window",
  hyper: "above your window",
  hypo: "below your window",
  activity: "moving",
  unknown: "no signal",
  warmup: "starting up",
  learning: "getting to know you",
});

export const zoneWords = (zone) => ZONE_WORDS[zone] ?? "no signal";

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
