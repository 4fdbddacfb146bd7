// The trainer stage (/trainer): every live participant side by side, fitted to the screen, one
// shared breathing guide (the server's room guide: participants who join later breathe with it),
// a clock and timer, numbers that can be hidden, and a demo script.

import { api, sessionBand } from "./api.js";
import { BreathingGuide } from "./breathing.js";
import { arousalChart, chartsAvailable, DEFAULT_BAND, Trace } from "./charts.js";
import { bind, SELECTORS } from "./dom.js";
import { num, roughly, sessionName, shownZone, zoneWords } from "./format.js";
import { connectSession } from "./live.js";
import { Demo } from "./trainer_demo.js";

const $ = bind(SELECTORS.trainer);
const MAX_ON_STAGE = 12; // more would be too small to read from the back of a room
const KEEP_S = 300;
const CHROME_PX = 140;
const STRESS = { intensity: 1.0, rise_s: 20, tau_s: 60 };
const guide = new BreathingGuide($.guide, $.guideText);
const cards = new Map(); // session id -> { el, link, trace, chart, session }
let waiting = 0; // live sessions past MAX_ON_STAGE

const say = (text) => { $.notice.textContent = text; };

/** The source to start again for a reset: the same scenario or strap, a fresh session. */
function sourceOf(session) {
  if (session.source_kind === "sim") return `sim:${String(session.source_id).split(":")[1] ?? "calm"}`;
  if (session.source_kind === "ble") return `ble:${String(session.source_id).replace(/^ble:/, "")}`;
  return null;
}

function addCard(session) {
  const el = document.querySelector("#participant-card").content.firstElementChild.cloneNode(true);
  const q = (s) => el.querySelector(s);
  const card = { el, session, link: null, trace: new Trace(2, KEEP_S), chart: null };
  const named = () => {
    const name = sessionName(card.session);
    q(".p-name").textContent = name;
    q(".p-chart").setAttribute("aria-label", `${name}: arousal against their window`);
    for (const [cls, what] of [[".p-stress", "Stress event"], [".p-rename", "Name"], [".p-reset", "Reset"], [".p-remove", "Remove"]]) {
      q(cls).setAttribute("aria-label", `${what}: ${name}`);
    }
    return name;
  };
  el.dataset.session = session.id;
  named();
  const stress = q(".p-stress");
  if (session.source_kind !== "sim") stress.hidden = true;
  stress.addEventListener("click", async () => {
    try { await api.stress(session.id, STRESS); say(`Stress event for ${named()}: watch it rise, then fall.`); }
    catch (err) { say(`No stress event: ${err.message}`); }
  });
  const form = q(".p-name-form");
  const input = form.querySelector("input");
  input.setAttribute("aria-label", "Name or pseudonym");
  q(".p-rename").addEventListener("click", () => {
    form.hidden = !form.hidden;
    input.value = card.session.label ?? "";
    if (!form.hidden) input.focus();
  });
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try {
      card.session = await api.rename(session.id, input.value);
      form.hidden = true;
      say(`Now called ${named()}.`);
    } catch (err) { say(`Not renamed: ${err.message}`); }
  });
  q(".p-remove").addEventListener("click", async () => {
    try { await api.endSession(session.id); } catch (err) { say(`Not removed: ${err.message}`); return; }
    removeCard(session.id);
    say(`${named()} left the stage (what was recorded stays).`);
  });
  const source = sourceOf(session);
  if (!source) q(".p-reset").hidden = true;
  q(".p-reset").addEventListener("click", async () => {
    // A fresh session on the same source, under the same name (the old one is kept, ended).
    try {
      await api.endSession(session.id);
      removeCard(session.id);
      const fresh = await api.addSession(source, { label: card.session.label ?? named() });
      addCard(fresh);
      say(`${sessionName(fresh)} starts again.`);
    } catch (err) { say(`Not reset: ${err.message}`); }
  });
  $.grid.append(el);
  const xRange = () => { const end = card.trace.last(0) ?? Date.now() / 1000; return [end - KEEP_S, end]; };
  let band = DEFAULT_BAND;
  card.chart = chartsAvailable()
    ? arousalChart(q(".p-chart"), { height: "fill", large: true, dark: true, relative: true, xRange, band: () => band, inlineWords: 20 })
    : null;
  sessionBand(session, DEFAULT_BAND).then((b) => { band = b; el.dataset.band = `${b.lower},${b.upper}`; card.chart?.redraw(false); });
  let pending = false;
  const show = (frame) => {
    // The same words as the live page, agreeing with the trace (coming back, drifting above).
    const shown = shownZone(frame, band);
    el.dataset.zone = frame.zone;
    q(".p-zone").textContent = zoneWords(shown);
    q(".p-zone").dataset.zone = shown === "back" ? "within" : shown === "rising" ? "hyper" : shown === "falling" ? "hypo" : frame.zone;
    if (frame.arousal === null || !card.trace.push(frame.t_utc, frame.arousal)) return;
    el.dataset.arousal = frame.arousal.toFixed(3);
    el.dataset.points = String(card.trace.length);
    el.dataset.peak = String(Math.max(...card.trace.data[1].filter((v) => v !== null)).toFixed(3));
    if (card.chart && !pending) {
      pending = true;
      requestAnimationFrame(() => { pending = false; card.chart.setData(card.trace.data); });
    }
  };
  card.link = connectSession(session.id, {
    hello(frame) {
      for (const z of frame.zones ?? []) show(z); // the trace's recent past: a stage opened mid-demo
      if (frame.zone) show(frame.zone);
      el.dataset.ready = "true";
    },
    zone: show,
    beat(frame) {
      const hr = frame.windows?.["60"]?.values?.HR;
      if (hr !== null && hr !== undefined) q(".p-hr-value").textContent = num(hr);
    },
    pacer(frame) { el.dataset.guide = String(frame.running); },
    status(frame) { if (frame.session && frame.session !== "live") removeCard(session.id); },
  });
  cards.set(session.id, card);
  document.body.dataset.participants = String(cards.size);
  layout();
}

/**
 * Fit every card on the screen: the columns and rows that give the largest cards of a
 * readable shape (a chart wider than tall) in the space left by the bar and the guide.
 */
function layout() {
  const n = Math.max(cards.size, 1);
  const box = $.grid.getBoundingClientRect();
  const gap = 12;
  const width = box.width;
  const height = Math.max(innerHeight - box.top - 12, 200);
  let best = { cols: 1, rows: n, score: -1 };
  for (let cols = 1; cols <= n; cols += 1) {
    const rows = Math.ceil(n / cols);
    const w = (width - gap * (cols - 1)) / cols;
    const h = (height - gap * (rows - 1)) / rows;
    // The chart is what the room reads: the best layout gives the largest chart wider than tall
    // (a card's name, zone and buttons take about CHROME_PX of its height).
    const score = Math.min((w - 30) / 1.6, h - CHROME_PX);
    if (score > best.score) best = { cols, rows, score };
  }
  const rowH = Math.floor((height - gap * (best.rows - 1)) / best.rows);
  $.grid.style.gridTemplateColumns = `repeat(${best.cols}, minmax(0, 1fr))`;
  $.grid.style.gridAutoRows = `${rowH}px`;
  $.grid.dataset.columns = String(best.cols);
  document.body.dataset.density = rowH < 260 ? "small" : rowH < 420 ? "medium" : "large";
}
addEventListener("resize", layout);

function removeCard(id) {
  const card = cards.get(id);
  if (!card) return;
  card.link.close();
  card.el.remove();
  cards.delete(id);
  document.body.dataset.participants = String(cards.size);
  layout();
}

function showGuide(shared) {
  const running = Boolean(shared?.running);
  if (shared) guide.update(shared);
  else guide.update({ running: false, rate_per_min: Number($.rate.value), inhale_fraction: 0.4, epoch_utc: 0, server_utc: Date.now() / 1000 });
  if (running) $.rate.value = String(shared.rate_per_min);
  $.guideToggle.setAttribute("aria-pressed", String(running));
  $.guideToggle.textContent = running ? "Stop the guide for everyone" : "Start the guide for everyone";
}

async function refresh() {
  const sessions = await api.sessions();
  const live = sessions.filter((s) => s.status === "live").reverse(); // oldest first: newcomers join at the end
  for (const id of [...cards.keys()]) if (!live.some((s) => s.id === id)) removeCard(id);
  for (const s of live) if (!cards.has(s.id) && cards.size < MAX_ON_STAGE) addCard(s);
  waiting = live.filter((s) => !cards.has(s.id)).length;
  $.add.disabled = cards.size >= MAX_ON_STAGE;
  if (waiting) say(`${MAX_ON_STAGE} participants fit on the stage; ${waiting} more keep recording and appear here when a place frees up.`);
  try { showGuide((await api.sharedPacer()).shared); } catch { /* an older server: no room guide */ }
  document.body.dataset.ready = "true";
}

async function addParticipant(extra = {}) {
  const s = await api.addSession("sim:calm", { label: `Participant ${cards.size + 1}`, ...extra });
  if (!cards.has(s.id)) addCard(s);
  return s;
}

$.add.addEventListener("click", async () => {
  $.add.disabled = true;
  try { say(`${sessionName(await addParticipant())} joined.`); }
  catch (err) { say(`Could not add a participant: ${err.message}`); }
  finally { $.add.disabled = cards.size >= MAX_ON_STAGE; }
});

async function setGuide(running) {
  const command = running ? { action: "start", rate_per_min: Number($.rate.value) } : { action: "stop" };
  try {
    showGuide((await api.setSharedPacer(command)).shared);
    say("");
  } catch (err) { say(`The guide did not change: ${err.message}`); }
}
$.guideToggle.addEventListener("click", () => setGuide($.guideToggle.getAttribute("aria-pressed") !== "true"));
$.rate.addEventListener("change", () => { if ($.guideToggle.getAttribute("aria-pressed") === "true") setGuide(true); });

$.numbers.addEventListener("click", () => {
  const shown = $.numbers.getAttribute("aria-pressed") !== "true";
  $.numbers.setAttribute("aria-pressed", String(shown));
  $.numbers.textContent = shown ? "Numbers shown" : "Numbers hidden";
  document.body.dataset.numbers = shown ? "shown" : "hidden";
});

// A large clock, and a timer the trainer starts and stops (a rest, a breathing block).
let timerStart = null;
const two = (n) => String(Math.floor(n)).padStart(2, "0");
const tick = () => {
  $.clock.textContent = new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  if (timerStart !== null) {
    const s = (Date.now() - timerStart) / 1000;
    $.timer.textContent = `${two(s / 60)}:${two(s % 60)}`;
  }
};
$.timer.addEventListener("click", () => {
  const on = timerStart === null;
  timerStart = on ? Date.now() : null;
  $.timer.setAttribute("aria-pressed", String(on));
  if (on) tick();
});
tick();
setInterval(tick, 1000);

new Demo($, {
  say,
  cards: () => [...cards.values()].map((c) => c.session),
  addParticipant,
  setGuide,
  roughly,
});

await refresh();
setInterval(() => refresh().catch(() => {}), 5000);
