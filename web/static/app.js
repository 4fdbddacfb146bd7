// The live view (/): wires the session's websocket frames to the page.

import { api, sessionBand } from "./api.js";
import { AudioCue, BreathingGuide } from "./breathing.js";
import { CalibrationWizard } from "./calibration.js";
import { arousalChart, chartsAvailable, DEFAULT_BAND, heartChart, Trace } from "./charts.js";
import { bind, SELECTORS } from "./dom.js";
import { clock, duration, isoDate, num, percent, roughly, sessionName, shownZone, ZONE_HINTS, zoneWords } from "./format.js";
import { Intro } from "./intro.js";
import { connectSession } from "./live.js";

const $ = bind(SELECTORS.live);
const KEEP_S = 600; // the charts show the last 10 minutes (session time, on the x axis as clock time)
const cue = new AudioCue();
const guide = new BreathingGuide($.guide, $.guideText, { cue });
const arousal = new Trace(2, KEEP_S);
const heart = new Trace(3, KEEP_S);
// Both charts show the same span: the last 10 minutes up to the newest beat.
const xRange = () => {
  const end = Math.max(heart.last(0) ?? 0, arousal.last(0) ?? 0) || Date.now() / 1000;
  return [end - KEEP_S, end];
};
let band = DEFAULT_BAND; // the session's window: its profile's, else the default
const charts = chartsAvailable()
  ? { arousal: arousalChart($.arousalChart, { height: 190, xRange, band: () => band, words: true }), heart: heartChart($.heartChart, { height: 150, xRange }) }
  : null;
if (!charts) $.chartNote.hidden = false;

let link = null;
let sessionId = null;
let beats = 0;
let offsetUtc = null; // t_utc - t of this session (session clock to Unix time)
let moving = false;
let lastEpisode = null;
let drawPending = false;
let createdUtc = null; // the session's start (Unix s): "since" before the first change of zone
new Intro(); // the first-run walkthrough, and "How this works" to open it again

const set = (el, text) => { if (el.textContent !== String(text)) el.textContent = text; };

function redraw() {
  // At most one redraw a frame, however many frames arrive (a replayed backlog, a fast sim).
  if (!charts || drawPending) return;
  drawPending = true;
  requestAnimationFrame(() => {
    drawPending = false;
    charts.arousal.setData(arousal.data);
    charts.heart.setData(heart.data);
    $.arousalChart.dataset.points = String(arousal.length);
    $.heartChart.dataset.points = String(heart.length);
  });
}

function setPill(state, text) {
  $.connection.dataset.state = state;
  set($.connection, text ?? state);
}

let strapState = "connecting";
let strapAttempt = null;
function showStrap() {
  set($.strap, strapAttempt ? `${strapState} (${strapAttempt})` : strapState);
  if (linkState === "open") setPill(strapState, strapAttempt ? `${strapState} (${strapAttempt})` : strapState);
}
let linkState = "connecting";

function showBeat(frame) {
  wizard.tick(frame.t);
  beats = Math.max(beats, frame.index + 1);
  set($.beats, beats);
  set($.contact, frame.contact === null ? "n/a" : frame.contact ? "good" : "none");
  const w60 = frame.windows?.["60"];
  const w30 = frame.windows?.["30"];
  if (w60) {
    if (w60.values.HR !== null && w60.values.HR !== undefined) set($.hr, num(w60.values.HR));
    set($.rmssd, num(w60.values.HRV_RMSSD));
    set($.corrected, percent(w60.corrected_share));
    if (heart.push(frame.t_utc, w60.values.HR, w60.values.HRV_RMSSD)) redraw();
  }
  if (w30) set($.rmssd30, num(w30.values.HRV_RMSSD));
  offsetUtc = frame.t_utc - frame.t;
}

function showZone(frame) {
  offsetUtc = frame.t_utc - frame.t;
  const shown = shownZone(frame, band);
  $.zoneCard.dataset.zone = frame.zone;
  $.zoneCard.dataset.shown = shown;
  document.body.dataset.zone = frame.zone;
  set($.zone, zoneWords(shown));
  set($.zoneHint, ZONE_HINTS[shown] ?? "");
  // "since": when the server's tracker took this zone (the same after a reload).
  const since = frame.since_utc ?? createdUtc;
  if (since !== null && since !== undefined) {
    $.zoneSince.dataset.sinceUtc = String(since);
    set($.zoneSince, `since ${clock(since)}`);
  }
  if (frame.within_share !== null && frame.within_share !== undefined) set($.tiw, percent(frame.within_share));
  if (sessionId && Date.now() - todayAt > 15000) showToday(); // today's share moves with this session's
  set($.arousalNow, num(frame.arousal, 1));
  if (frame.arousal !== null && arousal.push(frame.t_utc, frame.arousal)) redraw();
  $.arousalChart.dataset.last = frame.arousal === null ? "" : String(frame.arousal);
  if (frame.zone !== "hyper") $.nudge.hidden = true; // back within (or moving): the offer is over
  showBaseline({ source: frame.baseline });
}

function showBaseline(frame) {
  const provisional = frame.source === "learning" || frame.source === "provisional" || frame.source === "population";
  $.baselineNote.hidden = !provisional && !frame.refused;
  document.body.dataset.baseline = frame.source;
  if (frame.refused) {
    set($.baselineText, `The calibration was not used: ${frame.refused}. The window you had stays in use.`);
  } else if (provisional && wizard.running) {
    set($.baselineText, "Calibrating: sit still and breathe normally; the window is yours once it ends.");
  } else if (frame.source === "learning") {
    set($.baselineText, "Getting to know you: sit as you usually do for a minute or two. A 4-minute calibration at rest makes the window firmer.");
  } else if (frame.source === "provisional") {
    set($.baselineText, "Your window is provisional, learnt from your first minutes. A 4-minute calibration at rest, or a few calm hours of wear, confirms it.");
  } else if (frame.source === "population") {
    set($.baselineText, "Using population defaults: your own window needs a 4-minute calibration at rest.");
  }
}

const utc = (t) => (offsetUtc === null || t === null || t === undefined ? null : t + offsetUtc);

function showEpisode(frame) {
  if (frame.state === "open" || !lastEpisode || frame.index !== lastEpisode.index) lastEpisode = { ...frame };
  else lastEpisode = { ...lastEpisode, ...Object.fromEntries(Object.entries(frame).filter(([, v]) => v !== null)) };
  const e = lastEpisode;
  document.body.dataset.episodes = String(e.index + 1);
  $.episodeBox.dataset.state = e.state;
  if (e.state === "close") {
    const from = utc(e.start_s);
    set($.episodeText, `Above your window from ${from ? clock(from) : "earlier"}, and back within it in ${roughly(e.recovery_s)} ` +
      "from its highest point. That falling again is the skill.");
    const tau = e.tau_s !== null && e.tau_s !== undefined
      ? `; recovery time constant τ ${num(e.tau_s)} s${e.tau_low_s != null ? ` (95 % ${num(e.tau_low_s)}–${e.tau_high_s != null ? num(e.tau_high_s) : "?"} s)` : ""}${e.r2 != null ? `, fit r² ${num(e.r2, 2)}` : ""}`
      : "";
    const back = utc(e.return_s);
    set($.episodeFigures, `Last excursion: peak index ${num(e.peak, 1)} (the window's top is ${num(band.upper, 1)})` +
      `${back ? `, back inside at ${clock(back)}` : ""}, ${duration(e.recovery_s)} after the peak${tau}.`);
    $.noteForm.hidden = false;
    $.noteForm.dataset.index = String(e.index);
  } else {
    set($.episodeText, `Rose above your window at ${clock(utc(e.start_s ?? e.peak_s ?? e.t))}. Rising is normal; ` +
      "letting it fall again is the skill: tap Noticed, and breathe if you like.");
  }
}

function showNudge(frame) {
  document.body.dataset.nudges = String(Number(document.body.dataset.nudges ?? 0) + 1);
  set($.nudgeText, frame.message);
  $.nudge.hidden = false;
  if ("Notification" in window && Notification.permission === "granted" && document.visibilityState !== "visible") {
    new Notification("Tolerance", { body: frame.message, tag: "tolerance-nudge", silent: true });
  }
}

const handlers = {
  onLink({ state, attempt }) {
    linkState = state;
    if (state === "open") { showStrap(); return; }
    document.body.dataset.ready = state === "open" ? "true" : "false";
    if (state === "reconnecting") setPill("reconnecting", attempt ? `reconnecting (${attempt})` : "reconnecting");
    else if (state === "gone") setPill("ended", "no such session");
    else setPill("connecting", "connecting…");
  },
  onClock(offsetMs) { guide.setOffset(offsetMs); },
  hello(frame) {
    const s = frame.session;
    document.body.dataset.hellos = String(Number(document.body.dataset.hellos ?? 0) + 1);
    createdUtc = s.created_utc;
    sessionBand(s, DEFAULT_BAND).then((b) => {
      band = b;
      $.arousalChart.dataset.band = `${b.lower},${b.upper}`;
      set($.bandFigures, `${num(b.lower, 1)} … +${num(b.upper, 1)}`.replace("-", "−"));
      charts?.arousal.redraw(false);
    });
    set($.source, sessionName(s));
    strapState = s.connection ?? s.status;
    strapAttempt = null;
    showActivitySignal(s.activity_signal ?? "marker");
    if (s.device?.battery_percent !== undefined && s.device.battery_percent !== null) set($.battery, `${s.device.battery_percent} %`);
    for (const b of frame.history) showBeat(b);
    // The arousal chart's recent past, so a tab opened (or reopened) mid-session is not blank.
    for (const z of frame.zones ?? []) if (z.arousal !== null) arousal.push(z.t_utc, z.arousal);
    if (frame.zones?.length) redraw();
    if (s.last_sample && $.hr.textContent === "–") set($.hr, num(s.last_sample.hr_bpm));
    if (frame.zone) showZone(frame.zone);
    if (frame.baseline) showBaseline(frame.baseline);
    for (const e of frame.episodes ?? []) showEpisode(e);
    showStrap();
    if (s.status !== "live") {
      setPill("ended", `session ${s.status}`);
      set($.notice, s.status_detail ?? "");
    }
    document.body.dataset.ready = "true";
  },
  sample(frame) {
    if ($.hr.textContent === "–" && frame.hr_bpm > 0) set($.hr, num(frame.hr_bpm));
    if (frame.contact === false) set($.contact, "none");
  },
  beat: showBeat,
  pacer(frame) {
    guide.update(frame);
    // Breaths are counted from when the guide started (a change of rate moves its epoch).
    guideStartUtc = frame.running ? (pacer?.running && guideStartUtc !== null ? guideStartUtc : frame.epoch_utc) : null;
    pacer = frame;
    $.breathe.setAttribute("aria-pressed", String(frame.running));
    set($.breathe, frame.running ? "Stop breathing" : "Breathe");
    if (frame.running) {
      $.rate.value = String(frame.rate_per_min);
      const best = [...$.ratio.options].reduce((a, o) => {
        const [i, e] = o.value.split(",").map(Number);
        const d = Math.abs(i / (i + e) - frame.inhale_fraction);
        return d < a.d ? { d, v: o.value } : a;
      }, { d: Infinity, v: $.ratio.value });
      $.ratio.value = best.v;
      $.nudge.hidden = true;
    } else {
      set($.adherence, "–");
    }
    showBreaths();
  },
  status(frame) {
    if (frame.connection) { strapState = frame.connection; strapAttempt = frame.attempt ?? null; showStrap(); }
    if (frame.activity_signal) showActivitySignal(frame.activity_signal);
    if (frame.device?.battery_percent !== undefined && frame.device.battery_percent !== null) set($.battery, `${frame.device.battery_percent} %`);
    if (frame.session && frame.session !== "live") { setPill("ended", `session ${frame.session}`); set($.notice, frame.detail ?? ""); }
    if (frame.dropped_frames) set($.notice, "this tab fell behind; some updates were skipped");
  },
  event(frame) {
    if (frame.event === "note") { set($.noteStatus, "saved"); return; }
    if (frame.event !== "marker") return;
    if (frame.text === "noticed") set($.markerNote, `Noticed at ${clock(frame.t_utc)}. Noticing is the first skill.`);
    else set($.markerNote, `${frame.text ? `“${frame.text}”` : "Marker"} noted at ${clock(frame.t_utc)}.`);
  },
  zone: showZone,
  episode: showEpisode,
  adherence(frame) {
    set($.adherence, `${frame.label} (coherence ${num(frame.coherence, 2)})`);
    $.adherence.dataset.coherence = String(frame.coherence);
  },
  resonance: showResonance,
  nudge: showNudge,
  baseline(frame) { showBaseline(frame); wizard.baseline(frame); },
  error(frame) { set($.notice, frame.message); },
};

let pacer = null;
let guideStartUtc = null;
/** While the guide runs: breaths taken with it and for how long (the server's guide clock). */
function showBreaths() {
  if (!pacer || !pacer.running) { set($.breathCount, ""); return; }
  const elapsed = Math.max(0, Date.now() / 1000 + guide.offsetMs / 1000 - (guideStartUtc ?? pacer.epoch_utc));
  const breaths = Math.floor((elapsed * pacer.rate_per_min) / 60);
  set($.breathCount, `${breaths} breath${breaths === 1 ? "" : "s"} · ${duration(elapsed)}`);
  $.breathCount.dataset.breaths = String(breaths);
}
setInterval(showBreaths, 1000);

function showResonance(frame) {
  $.resonance.open = true;
  $.resonance.dataset.state = frame.state;
  if (frame.state === "step") {
    $.resonanceProgress.hidden = false;
    $.resonanceProgress.max = frame.steps ?? 5;
    $.resonanceProgress.value = (frame.step ?? 0) + 1;
    set($.resonanceStatus, `Rate ${num(frame.rate_per_min, 1)} / min: step ${(frame.step ?? 0) + 1} of ${frame.steps}. Follow the disc.`);
    $.resonanceStart.disabled = true;
    return;
  }
  $.resonanceStart.disabled = false;
  $.resonanceProgress.hidden = true;
  if (frame.state === "refused") { set($.resonanceStatus, `Not finished: ${frame.detail ?? "the beats were not usable"}. You can try again.`); return; }
  // The guide goes on at the chosen rate (a profile also keeps it as its default).
  const chosen = frame.chosen_rate_per_min;
  if (chosen) {
    if ([...$.rate.options].some((o) => Number(o.value) === chosen)) $.rate.value = String(chosen);
    if (pacer?.running) link?.send({ ...breathingCommand(), rate_per_min: chosen });
  }
  set($.resonanceStatus, `Your breathing rate: ${num(chosen, 1)} / min. The guide now runs at it.`);
  const body = $.resonanceTable.querySelector("tbody");
  body.replaceChildren(...(frame.rows ?? []).map((r) => {
    const tr = document.createElement("tr");
    if (r.rate_per_min === frame.chosen_rate_per_min) tr.setAttribute("aria-current", "true");
    for (const v of [num(r.rate_per_min, 1), r.in_phase === null ? "–" : r.in_phase ? "yes" : "no", num(r.peak_trough_bpm, 1), num(r.score, 1)]) {
      const td = document.createElement("td");
      td.textContent = v;
      tr.append(td);
    }
    return tr;
  }));
  $.resonanceTable.hidden = false;
}
$.resonanceStart.addEventListener("click", () => {
  if (!link?.send({ type: "assess_resonance" })) set($.resonanceStatus, "Not connected just now; try again in a moment.");
  else set($.resonanceStatus, "Starting…");
});

const wizard = new CalibrationWizard((frame) => link?.send(frame) ?? false);

function breathingCommand() {
  const [inhale, exhale] = $.ratio.value.split(",").map(Number);
  return { type: "breathing", action: "start", rate_per_min: Number($.rate.value), ratio: [inhale, exhale] };
}

/** Which activity signal the session has: the strap's accelerometer, or only the marker. */
function showActivitySignal(kind) {
  $.activitySignal.dataset.kind = kind;
  set($.activitySignal, kind === "accelerometer"
    ? "Movement: the strap's accelerometer tells it by itself (“I'm moving” still works)."
    : "Movement: tap “I'm moving” when you walk (no accelerometer on this strap so far).");
}

function setMoving(on) {
  moving = on;
  $.activity.setAttribute("aria-pressed", String(on));
}

async function mark(text) {
  try {
    const event = await api.marker(sessionId, text);
    set($.markerNote, text === "noticed"
      ? `Noticed at ${clock(event.t_utc)}. Noticing is the first skill.`
      : `“${text}” noted at ${clock(event.t_utc)}.`);
    return true;
  } catch (err) {
    set($.markerNote, `Not noted: ${err.message}`);
    return false;
  }
}

$.breathe.addEventListener("click", () => {
  const running = $.breathe.getAttribute("aria-pressed") === "true";
  link?.send(running ? { type: "breathing", action: "stop" } : breathingCommand());
});
for (const el of [$.rate, $.ratio]) {
  el.addEventListener("change", () => { if ($.breathe.getAttribute("aria-pressed") === "true") link?.send(breathingCommand()); });
}
$.sound.addEventListener("click", async () => {
  const on = $.sound.getAttribute("aria-pressed") !== "true";
  await cue.enable(on);
  $.sound.setAttribute("aria-pressed", String(on));
  set($.sound, on ? "Sound on" : "Sound off");
});
function setFocus(on) {
  document.body.dataset.focus = String(on);
  $.focus.setAttribute("aria-pressed", String(on));
  set($.focus, on ? "Leave focus" : "Focus");
}
$.focus.addEventListener("click", () => setFocus(document.body.dataset.focus !== "true"));
document.addEventListener("keydown", (e) => { if (e.key === "Escape" && document.body.dataset.focus === "true") setFocus(false); });
$.marker.addEventListener("click", () => mark("noticed"));
$.activity.addEventListener("click", async () => {
  const on = !moving;
  if (await mark(on ? "moving" : "still")) setMoving(on);
});
$.nudgeBreathe.addEventListener("click", () => { link?.send(breathingCommand()); $.nudge.hidden = true; });
$.nudgeDismiss.addEventListener("click", () => { $.nudge.hidden = true; });
if ("Notification" in window && Notification.permission === "default") {
  $.notify.hidden = false;
  $.notify.addEventListener("click", async () => {
    const answer = await Notification.requestPermission();
    $.notify.hidden = true;
    set($.markerNote, answer === "granted" ? "Nudges will also show as notifications while this tab is hidden." : "Nudges stay in the page.");
  });
}
$.calibrate.addEventListener("click", () => wizard.open());
$.noteForm.addEventListener("submit", async (e) => {
  e.preventDefault();
  const text = $.noteText.value.trim();
  if (!text) return;
  try {
    await api.note(sessionId, Number($.noteForm.dataset.index), text);
    set($.noteStatus, "saved");
    $.noteText.value = "";
  } catch (err) {
    set($.noteStatus, `not saved: ${err.message}`);
  }
});

let todayAt = 0;
async function showToday() {
  todayAt = Date.now();
  try {
    const day = await api.review(isoDate(new Date()));
    set($.tiwToday, percent(day.time_in_window?.within_share));
    set($.source, sessionName(await api.session(sessionId))); // a name given on the trainer's stage
  } catch { /* an older server without the review API: this session's share is shown */ }
}

function listSessions(sessions, current) {
  // Several participants (one per strap): one link each, so a tab can follow any of them.
  const live = sessions.filter((s) => s.status === "live");
  if (live.length < 2) return;
  $.source.hidden = true; // the links name every participant
  for (const s of live) {
    const a = document.createElement("a");
    a.href = `?session=${encodeURIComponent(s.id)}`;
    a.textContent = sessionName(s);
    if (s.id === current) a.setAttribute("aria-current", "page");
    $.sessions.append(a);
  }
}

async function pickSession() {
  const sessions = await api.sessions();
  const wanted = new URLSearchParams(location.search).get("session");
  const chosen = wanted ?? (sessions.find((s) => s.status === "live") ?? sessions[0])?.id ?? null;
  listSessions(sessions, chosen);
  return chosen;
}

sessionId = await pickSession();
if (sessionId) {
  document.body.dataset.session = sessionId;
  link = connectSession(sessionId, handlers);
  showToday();
  setInterval(showToday, 60000);
} else {
  setPill("ended", "no live session");
}
