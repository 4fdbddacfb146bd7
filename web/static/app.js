// The live view: wires the websocket frames to the page. DOM selectors live in one table.

import { BreathingGuide } from "./breathing.js";
import { connectSession } from "./live.js";
import { CLOSE } from "/protocol.js";

const $ = {
  source: "#source", connection: "#connection", hr: "#hr", rmssd: "#rmssd", rmssd30: "#rmssd30",
  rmssd300: "#rmssd300", lf: "#lf", hf: "#hf", coherence: "#coherence", beats: "#beats",
  corrected: "#corrected", contact: "#contact", battery: "#battery", notice: "#notice",
  sessions: "#sessions", guide: "#guide", guideText: "#guide-text", breathe: "#breathe", rate: "#rate", marker: "#marker",
};
for (const key of Object.keys($)) $[key] = document.querySelector($[key]);

const fmt = (v, digits = 0) => (v === null || v === undefined || Number.isNaN(v) ? "–" : Number(v).toFixed(digits));
const guide = new BreathingGuide($.guide, $.guideText);
let beats = 0;
let windowHr = null;
let link = null;

function setConnection(state, text) {
  $.connection.dataset.state = state;
  $.connection.textContent = text ?? state;
}

function showBeat(frame) {
  beats = Math.max(beats, frame.index + 1);
  $.beats.textContent = beats;
  $.contact.textContent = frame.contact === null ? "n/a" : frame.contact ? "good" : "none";
  const w60 = frame.windows?.["60"];
  const w30 = frame.windows?.["30"];
  if (w60) {
    // Until the 60 s window holds enough beats, the strap's own HR stands in (see sample()).
    windowHr = w60.values.HR ?? null;
    if (windowHr !== null) $.hr.textContent = fmt(windowHr);
    $.rmssd.textContent = fmt(w60.values.HRV_RMSSD);
    $.corrected.textContent = w60.corrected_share === null ? "–" : `${Math.round(w60.corrected_share * 100)} %`;
  }
  if (w30) $.rmssd30.textContent = fmt(w30.values.HRV_RMSSD);
}

const handlers = {
  onOpen() { $.notice.textContent = ""; },
  onClose(event) {
    document.body.dataset.ready = "false";
    setConnection("lost", event.code === CLOSE.UNKNOWN_SESSION ? "no such session" : "server unreachable");
  },
  hello(frame) {
    const s = frame.session;
    document.body.dataset.ready = "true";
    $.source.textContent = s.source_id;
    setConnection(s.connection);
    if (s.device?.battery_percent !== undefined) $.battery.textContent = `${s.device.battery_percent} %`;
    for (const b of frame.history) showBeat(b);
    if (s.last_sample) $.hr.textContent = fmt(s.last_sample.hr_bpm);
    if (s.last_metrics) handlers.metrics(s.last_metrics);
    if (s.status !== "live") {
      setConnection("ended", `session ${s.status}`);
      $.notice.textContent = s.status_detail ?? "";
    }
  },
  sample(frame) {
    if (windowHr === null && frame.hr_bpm > 0) $.hr.textContent = fmt(frame.hr_bpm);
    if (frame.contact === false) $.contact.textContent = "none";
  },
  beat: showBeat,
  metrics(frame) {
    const v = frame.long.values;
    $.rmssd300.textContent = fmt(v.HRV_RMSSD);
    $.lf.textContent = fmt(v.HRV_LF);
    $.hf.textContent = fmt(v.HRV_HF);
    $.coherence.textContent = fmt(frame.coherence.values.coherence_ratio ?? frame.coherence.values.Coherence, 2);
  },
  pacer(frame) {
    guide.update(frame);
    $.breathe.setAttribute("aria-pressed", String(frame.running));
    $.breathe.textContent = frame.running ? "Stop breathing guide" : "Start breathing guide";
    if (frame.running) $.rate.value = String(frame.rate_per_min);
  },
  status(frame) {
    if (frame.connection) setConnection(frame.connection, frame.attempt ? `${frame.connection} (${frame.attempt})` : frame.connection);
    if (frame.device?.battery_percent !== undefined && frame.device.battery_percent !== null) $.battery.textContent = `${frame.device.battery_percent} %`;
    if (frame.session && frame.session !== "live") { setConnection("ended", `session ${frame.session}`); $.notice.textContent = frame.detail ?? ""; }
    if (frame.dropped_frames) $.notice.textContent = "this tab fell behind; some updates were skipped";
  },
  event(frame) { if (frame.event === "marker") $.notice.textContent = `marker at ${fmt(frame.t)} s`; },
  error(frame) { $.notice.textContent = frame.message; },
};

function listSessions(sessions, current) {
  // Several participants (one per strap): one link each, so a tab can follow any of them.
  const live = sessions.filter((s) => s.status === "live");
  if (live.length < 2) return;
  for (const s of live) {
    const a = document.createElement("a");
    a.href = `?session=${encodeURIComponent(s.id)}`;
    a.textContent = s.source_id;
    if (s.id === current) a.setAttribute("aria-current", "page");
    $.sessions.append(a);
  }
}

async function pickSession() {
  const response = await fetch("/api/sessions");
  const sessions = await response.json();
  const wanted = new URLSearchParams(location.search).get("session");
  if (wanted) {
    listSessions(sessions, wanted);
    return wanted;
  }
  // The live session, else the newest one (so a failed start shows its reason).
  const live = sessions.find((s) => s.status === "live") ?? sessions[0];
  if (live) listSessions(sessions, live.id);
  return live ? live.id : null;
}

$.breathe.addEventListener("click", () => {
  const running = $.breathe.getAttribute("aria-pressed") === "true";
  link?.send(running ? { type: "breathing", action: "stop" } : { type: "breathing", action: "start", rate_per_min: Number($.rate.value) });
});
$.rate.addEventListener("change", () => {
  if ($.breathe.getAttribute("aria-pressed") === "true") link?.send({ type: "breathing", action: "start", rate_per_min: Number($.rate.value) });
});
$.marker.addEventListener("click", () => link?.send({ type: "marker", text: "" }));

const sessionId = await pickSession();
if (sessionId) {
  document.body.dataset.session = sessionId;
  link = connectSession(sessionId, handlers);
} else {
  setConnection("ended", "no live session");
}
