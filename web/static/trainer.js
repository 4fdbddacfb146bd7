// The trainer stage (/trainer): every live participant side by side, one shared breathing guide.

import { api, sessionBand } from "./api.js";
import { BreathingGuide } from "./breathing.js";
import { arousalChart, chartsAvailable, DEFAULT_BAND, Trace } from "./charts.js";
import { bind, SELECTORS } from "./dom.js";
import { num, zoneWords } from "./format.js";
import { connectSession } from "./live.js";

const $ = bind(SELECTORS.trainer);
const KEEP_S = 300;
const STRESS = { intensity: 1.0, rise_s: 20, tau_s: 60 };
const guide = new BreathingGuide($.guide, $.guideText);
const cards = new Map(); // session id -> { el, link, trace, chart }
let guideSession = null; // the participant whose pacer frames drive the shared guide

const say = (text) => { $.notice.textContent = text; };

function addCard(session, n) {
  const el = document.querySelector("#participant-card").content.firstElementChild.cloneNode(true);
  const q = (s) => el.querySelector(s);
  const name = session.label ?? `Participant ${n}`;
  el.dataset.session = session.id;
  q(".p-name").textContent = name;
  q(".p-source").textContent = session.source_id.replace(/:\d+$/, "");
  q(".p-chart").setAttribute("aria-label", `${name}: arousal against their window`);
  const stress = q(".p-stress");
  stress.setAttribute("aria-label", `Stress event for ${name}`);
  if (session.source_kind !== "sim") stress.hidden = true;
  stress.addEventListener("click", async () => {
    try { await api.stress(session.id, STRESS); say(`Stress event for ${name}: watch it rise, then fall.`); }
    catch (err) { say(`No stress event: ${err.message}`); }
  });
  $.grid.append(el);
  const trace = new Trace(2, KEEP_S);
  const xRange = () => { const end = trace.last(0) ?? Date.now() / 1000; return [end - KEEP_S, end]; };
  let band = DEFAULT_BAND;
  const chart = chartsAvailable()
    ? arousalChart(q(".p-chart"), { height: "fill", large: true, dark: true, relative: true, xRange, band: () => band })
    : null;
  sessionBand(session, DEFAULT_BAND).then((b) => { band = b; el.dataset.band = `${b.lower},${b.upper}`; chart?.redraw(false); });
  let pending = false;
  const card = { el, trace, chart, link: null };
  const show = (frame) => {
    el.dataset.zone = frame.zone;
    q(".p-zone").textContent = zoneWords(frame.zone);
    q(".p-zone").dataset.zone = frame.zone;
    if (frame.arousal === null || !trace.push(frame.t_utc, frame.arousal)) return;
    el.dataset.arousal = frame.arousal.toFixed(3);
    el.dataset.points = String(trace.length);
    el.dataset.peak = String(Math.max(...trace.data[1].filter((v) => v !== null)).toFixed(3));
    if (chart && !pending) {
      pending = true;
      requestAnimationFrame(() => { pending = false; chart.setData(trace.data); });
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
    pacer(frame) {
      if (guideSession === null) guideSession = session.id;
      if (guideSession !== session.id) return;
      guide.update(frame);
      $.guideToggle.setAttribute("aria-pressed", String(frame.running));
      $.guideToggle.textContent = frame.running ? "Stop the guide for everyone" : "Start the guide for everyone";
    },
    onClock(offsetMs) { if (guideSession === session.id) guide.setOffset(offsetMs); },
    status(frame) { if (frame.session && frame.session !== "live") removeCard(session.id); },
  });
  cards.set(session.id, card);
  document.body.dataset.participants = String(cards.size);
  layout();
}

function layout() {
  // The charts share the height left on the screen: one row of participants gets tall traces,
  // two rows half as tall (never below 220 px); the cards' other parts keep their sizes.
  const columns = getComputedStyle($.grid).gridTemplateColumns.split(" ").filter(Boolean).length || 1;
  const rows = Math.max(1, Math.ceil(cards.size / columns));
  const free = innerHeight - $.grid.getBoundingClientRect().top - 24;
  const chrome = 230; // name, zone, footer and gaps of one card
  const h = Math.max(220, Math.floor((free - rows * chrome - (rows - 1) * 30) / rows));
  $.grid.style.setProperty("--chart-h", `${h}px`);
}
addEventListener("resize", layout);

function removeCard(id) {
  const card = cards.get(id);
  if (!card) return;
  card.link.close();
  card.el.remove();
  cards.delete(id);
  if (guideSession === id) guideSession = null;
  document.body.dataset.participants = String(cards.size);
  layout();
}

async function refresh() {
  const sessions = await api.sessions();
  const live = sessions.filter((s) => s.status === "live").reverse(); // oldest first: newcomers join at the end
  for (const s of live) if (!cards.has(s.id)) addCard(s, cards.size + 1);
  for (const id of [...cards.keys()]) if (!live.some((s) => s.id === id)) removeCard(id);
  document.body.dataset.ready = "true";
}

$.add.addEventListener("click", async () => {
  $.add.disabled = true;
  try {
    const s = await api.addSession("sim:calm", { label: `Participant ${cards.size + 1}` });
    if (!cards.has(s.id)) addCard(s, cards.size + 1);
    say(`${s.label} joined.`);
  } catch (err) {
    say(`Could not add a participant: ${err.message}`);
  } finally {
    $.add.disabled = false;
  }
});

async function setGuide(running) {
  const command = running ? { action: "start", rate_per_min: Number($.rate.value) } : { action: "stop" };
  const results = await Promise.allSettled([...cards.keys()].map((id) => api.pacer(id, command)));
  const failed = results.filter((r) => r.status === "rejected").length;
  say(failed ? `The guide did not change for ${failed} participant(s).` : "");
}
$.guideToggle.addEventListener("click", () => setGuide($.guideToggle.getAttribute("aria-pressed") !== "true"));
$.rate.addEventListener("change", () => { if ($.guideToggle.getAttribute("aria-pressed") === "true") setGuide(true); });

const tick = () => { $.clock.textContent = new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }); };
tick();
setInterval(tick, 10000);
await refresh();
setInterval(() => refresh().catch(() => {}), 5000);
