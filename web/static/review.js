// The daily review (/review): time in window, each excursion's recovery with its fit, the trend.

import { api } from "./api.js";
import { arousalChart, chartsAvailable, COLOURS, trendChart } from "./charts.js";
import { bind, SELECTORS } from "./dom.js";
import { clock, duration, isoDate, num, percent, roughly } from "./format.js";

const $ = bind(SELECTORS.review);
const ZONES = [
  ["within_s", "within your window", "within"], ["hyper_s", "above", "hyper"], ["hypo_s", "below", "hypo"],
  ["activity_s", "moving", "activity"], ["unknown_s", "no signal", "unknown"],
  ["warmup_s", "starting up", "unknown"], ["learning_s", "getting to know you", "unknown"],
];
const charts = chartsAvailable();
let spans = [];
let marks = [];
const dayChart = charts ? arousalChart($.dayChart, { height: 200, spans: () => spans, marks: () => marks, words: true }) : null;
const trendTiw = charts ? trendChart($.trendTiw, { label: "%", colour: COLOURS.tiw, percent: true }) : null;
const trendTau = charts ? trendChart($.trendTau, { label: "min", colour: COLOURS.tau }) : null;
const trendNoticed = charts ? trendChart($.trendNoticed, { label: "times", colour: COLOURS.noticed }) : null;
const GAP_S = 30; // zone events come every 5 s: a longer silence is drawn as a gap

function wantedDate() {
  const d = new URLSearchParams(location.search).get("date");
  return d && /^\d{4}-\d{2}-\d{2}$/.test(d) ? d : isoDate(new Date());
}

function shift(date, days) {
  const d = new Date(`${date}T12:00:00`);
  d.setDate(d.getDate() + days);
  return isoDate(d);
}

function go(date) {
  history.pushState(null, "", `?date=${date}`);
  load(date);
}

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function showSummary(day) {
  const t = day.time_in_window ?? {};
  const measured = (t.within_s ?? 0) + (t.hyper_s ?? 0) + (t.hypo_s ?? 0); // what the share is of
  $.summary.replaceChildren(
    el("div", "big", percent(t.within_share)),
    el("p", "sub", `of the time measured against your window (${duration(measured)}) · ${day.episodes.length} excursion${day.episodes.length === 1 ? "" : "s"} · ` +
      `${day.reactivations} re-activation${day.reactivations === 1 ? "" : "s"} · ${day.nudges} nudge${day.nudges === 1 ? "" : "s"} · ` +
      `${day.breathing.length} breathing period${day.breathing.length === 1 ? "" : "s"} · ${day.sessions.length} session${day.sessions.length === 1 ? "" : "s"}`),
  );
  $.dayBar.replaceChildren(...ZONES.filter(([k]) => (t[k] ?? 0) > 0).map(([k, , zone]) => {
    const part = el("span", `seg seg-${zone}`);
    part.style.flexGrow = String(t[k]);
    return part;
  }));
  $.dayLegend.replaceChildren(...ZONES.map(([k, words, zone]) => {
    const li = el("li");
    li.append(el("span", `key seg-${zone}`), `${words}: ${duration(t[k] ?? 0)}`);
    return li;
  }));
}

function showPractice(counts) {
  // One small table: each skill's count on this day and over the last 7 days.
  const rows = [
    ["Times noticed", (c) => String(c.noticed)],
    ["Recoveries", (c) => `${c.recoveries} of ${c.excursions}`],
    ["Time in window", (c) => percent(c.within_share)],
    ["Median recovery", (c) => (c.recovery_median_s === null ? "–" : roughly(c.recovery_median_s))],
    ["Breathing with the guide", (c) => String(c.breathing)],
    ["Re-activations", (c) => String(c.reactivations)],
  ];
  const table = el("table", "practice-table");
  const head = el("tr");
  head.append(el("th", "", ""), el("th", "", "this day"), el("th", "", "last 7 days"));
  for (const th of head.children) th.scope = "col";
  const thead = el("thead");
  thead.append(head);
  const body = el("tbody");
  for (const [name, value] of rows) {
    const tr = el("tr");
    const th = el("th", "", name);
    th.scope = "row";
    tr.append(th, el("td", "", value(counts.day)), el("td", "", value(counts.week)));
    body.append(tr);
  }
  table.append(thead, body);
  $.practice.replaceChildren(table);
  $.practice.dataset.noticed = String(counts.day.noticed);
}

function showMoments(day, positions) {
  const items = [
    ...day.noticed.map((m) => ({ t: m.t_utc, what: "Noticed" })),
    ...day.breathing.map((b) => ({ t: b.start_utc, what: `Breathing with the guide${b.end_utc ? ` for ${duration(b.end_utc - b.start_utc)}` : ""}` })),
    ...day.notes.map((n) => {
      const at = positions.get(`${n.session_id}:${n.episode}`);
      return { t: n.t_utc, what: `Note${at ? ` on excursion ${at}` : ""}: ${n.text}` };
    }),
  ].sort((a, b) => a.t - b.t);
  $.moments.replaceChildren(...items.map((m) => {
    const li = el("li");
    const time = el("time", "", clock(m.t));
    time.dateTime = new Date(m.t * 1000).toISOString();
    li.append(time, el("span", "", m.what));
    return li;
  }));
  $.momentsEmpty.hidden = items.length > 0;
}

function curveUtc(e) {
  const t0 = e.curve.t_s[0] ?? 0;
  return e.curve.t_s.map((t) => e.start_utc + (t - t0));
}

function showDay(day) {
  spans = day.breathing.map((b) => [b.start_utc, b.end_utc ?? Date.now() / 1000]);
  marks = day.noticed.map((m) => m.t_utc);
  const a = day.arousal ?? { t_utc: [], arousal: [], session_id: [] };
  $.dayChart.dataset.points = String(a.arousal.filter((v) => v !== null).length);
  $.dayChart.dataset.noticed = String(marks.length);
  $.dayEmpty.hidden = a.t_utc.length > 0;
  if (!dayChart) return;
  // The whole day's arousal (every 5 s), with a gap where nothing was measured.
  const xs = [];
  const ys = [];
  a.t_utc.forEach((t, i) => {
    if (i > 0 && (t - a.t_utc[i - 1] > GAP_S || a.session_id[i] !== a.session_id[i - 1])) { xs.push((t + a.t_utc[i - 1]) / 2); ys.push(null); }
    xs.push(t);
    ys.push(a.arousal[i]);
  });
  const sessions = day.sessions;
  const from = Math.min(...sessions.map((s) => s.created_utc), ...(xs.length ? [xs[0]] : []));
  const to = Math.max(...sessions.map((s) => s.ended_utc ?? Date.now() / 1000), ...(xs.length ? [xs[xs.length - 1]] : []));
  dayChart.setData([xs, ys]);
  if (Number.isFinite(from) && Number.isFinite(to) && to > from) dayChart.setScale("x", { min: from, max: to });
}

function fitLine(e) {
  // The exponential fit a(t) = a_inf + (a_peak - a_inf) exp(-(t - t_onset) / tau), drawn from the
  // recovery onset on (stored fits state t_peak_s, their anchor, on the session's clock like the
  // curve; without it, from the curve's peak).
  const f = e.fit;
  const ts = e.curve.t_s;
  const a = e.curve.arousal;
  if (!f || !f.tau_s || !ts.length) return ts.map(() => null);
  let k = 0;
  a.forEach((v, i) => { if (v !== null && v > a[k]) k = i; });
  let t0 = ts[k];
  if (typeof f.t_peak_s === "number" && f.t_peak_s >= ts[0] && f.t_peak_s <= ts[ts.length - 1]) t0 = f.t_peak_s;
  return ts.map((t) => (t < t0 ? null : f.a_inf + (f.a_peak - f.a_inf) * Math.exp(-(t - t0) / f.tau_s)));
}

function showEpisode(e, day, n, positions) {
  const li = document.querySelector("#episode-card").content.firstElementChild.cloneNode(true);
  const q = (s) => li.querySelector(s);
  li.id = `episode-${n}`;
  li.dataset.session = e.session_id;
  li.dataset.index = String(e.index);
  li.dataset.points = String(e.curve.t_s.length);
  q(".e-title").textContent = `${n}. ${clock(e.start_utc)}${e.return_utc ? `–${clock(e.return_utc)}` : ""}`;
  const badges = [];
  if (!e.closed) badges.push("still open");
  if (e.breathing) badges.push("breathing guide on");
  if (e.activity) badges.push("while moving");
  const parts = badges.map((b) => el("span", "badge", b));
  if (e.reactivation_of !== null && e.reactivation_of !== undefined) {
    // The excursion it followed, by its place in this day's list (ids are per session).
    const at = positions.get(`${e.session_id}:${e.reactivation_of}`);
    const badge = el("span", "badge");
    if (at) {
      const a = el("a", "", `re-activation of excursion ${at}`);
      a.href = `#episode-${at}`;
      badge.append(a);
    } else badge.textContent = "re-activation of an earlier excursion";
    parts.push(badge);
  }
  q(".e-badges").replaceChildren(...parts);
  q(".e-words").textContent = e.closed
    ? `Above your window from ${clock(e.start_utc)}; back within it in ${roughly(e.recovery_s)} from its highest point.`
    : `Above your window from ${clock(e.start_utc)}; not back yet when this was loaded.`;
  // One episode's tau is rough: show its 95 % interval, and the model-free half-recovery time.
  const interval = e.tau_low_s != null ? ` (95 % ${num(e.tau_low_s)}–${e.tau_high_s != null ? num(e.tau_high_s) : "?"} s)` : "";
  const half = e.half_recovery_s != null ? ` · half-way back after ${duration(e.half_recovery_s)}` : "";
  const r2 = e.r2 !== null && e.r2 !== undefined ? ` · fit r² ${num(e.r2, 2)}` : "";
  q(".e-figures").textContent = `peak ${num(e.peak, 1)} at ${e.peak_utc ? clock(e.peak_utc) : "–"} · back within after ${duration(e.recovery_s)} · ` +
    `τ ${e.tau_s === null ? "–" : `${num(e.tau_s)} s`}${interval}${half}${r2}`;
  q(".e-chart").setAttribute("aria-label", `Arousal during excursion ${n} and its fitted recovery`);
  const notes = q(".e-notes");
  const addNote = (note) => notes.append(el("li", "", `${clock(note.t_utc)} · ${note.text}`));
  e.notes.forEach(addNote);
  const form = q(".e-note");
  const input = form.querySelector("input");
  input.setAttribute("aria-label", `A note on excursion ${n}`);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    try {
      const saved = await api.note(e.session_id, e.index, text);
      addNote({ t_utc: saved.t_utc, text });
      input.value = "";
      q(".e-status").textContent = "saved";
    } catch (err) { q(".e-status").textContent = `not saved: ${err.message}`; }
  });
  $.episodes.append(li);
  if (!charts) return;
  const t0 = e.curve.t_s[0] ?? 0;
  const rel = e.curve.t_s.map((t) => t - t0);
  const own = day.breathing.filter((b) => b.session_id === e.session_id)
    .map((b) => [b.start_utc - e.start_utc, (b.end_utc ?? Date.now() / 1000) - e.start_utc]);
  const chart = arousalChart(q(".e-chart"), {
    height: 170, timeAxis: false, spans: () => own, words: true,
    extra: [{ label: "fit", stroke: COLOURS.fit, width: 2, dash: [8, 4], points: { show: false } }],
  });
  chart.setData([rel, e.curve.arousal, fitLine(e)]);
}

function showTrend(trend) {
  if (!charts) return;
  const xs = trend.map((d) => new Date(`${d.date}T12:00:00`).getTime() / 1000);
  trendTiw.setData([xs, trend.map((d) => (d.within_share === null ? null : d.within_share * 100))]);
  trendTau.setData([xs, trend.map((d) => (d.recovery_median_s == null ? null : d.recovery_median_s / 60))]);
  trendNoticed.setData([xs, trend.map((d) => (d.within_share === null && !d.noticed ? null : d.noticed))]);
}

async function load(date) {
  $.date.value = date;
  $.next.disabled = date >= isoDate(new Date());
  document.body.dataset.ready = "false";
  try {
    const day = await api.review(date);
    const positions = new Map(day.episodes.map((e, i) => [`${e.session_id}:${e.index}`, i + 1]));
    showPractice(day.counts);
    showSummary(day);
    showDay(day);
    showMoments(day, positions);
    $.episodes.replaceChildren();
    day.episodes.forEach((e, i) => showEpisode(e, day, i + 1, positions));
    $.empty.hidden = day.episodes.length > 0;
    showTrend(day.trend);
    $.notice.textContent = "";
    document.body.dataset.episodes = String(day.episodes.length);
  } catch (err) {
    $.notice.textContent = `The review could not be loaded: ${err.message}`;
  }
  document.body.dataset.ready = "true";
}

$.prev.addEventListener("click", () => go(shift($.date.value, -1)));
$.next.addEventListener("click", () => go(shift($.date.value, 1)));
$.today.addEventListener("click", () => go(isoDate(new Date())));
$.date.addEventListener("change", () => { if ($.date.value) go($.date.value); });
addEventListener("popstate", () => load(wantedDate()));
load(wantedDate());
