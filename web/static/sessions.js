// Sessions (/sessions): every recorded session, one in detail, its exports, and calibration.

import { api, exportFormats } from "./api.js";
import { CalibrationWizard } from "./calibration.js";
import { bind, SELECTORS } from "./dom.js";
import { duration, sessionName } from "./format.js";
import { connectSession } from "./live.js";

const $ = bind(SELECTORS.sessions);
const FORMAT_WORDS = { csv: "CSV (one row per beat)", json: "JSON (every stored table)", replay: "Replay log (raw notifications)" };
let link = null;
const wizard = new CalibrationWizard((frame) => link?.send(frame) ?? false);
const formats = exportFormats().catch(() => ["csv", "json", "replay"]);

/** Signal strength in words (RSSI in dBm: closer to 0 is stronger). */
function signal(rssi) {
  if (rssi === null || rssi === undefined) return "signal unknown";
  return `${rssi > -60 ? "strong" : rssi > -75 ? "fair" : "weak"} signal (${rssi} dBm)`;
}

async function pair(strap) {
  $.pairStatus.dataset.state = "starting";
  $.pairStatus.textContent = `Connecting to ${strap.name ?? strap.address}…`;
  try {
    const label = $.pairLabel.value.trim() || null;
    const s = await api.addSession(`ble:${strap.address}`, { label });
    location.assign(`/?session=${encodeURIComponent(s.id)}`);
  } catch (err) {
    $.pairStatus.dataset.state = "problem";
    $.pairStatus.textContent = `Could not start a session on it: ${err.message}`;
  }
}

$.pairScan.addEventListener("click", async () => {
  $.pairScan.disabled = true;
  $.pairList.replaceChildren();
  $.pairStatus.dataset.state = "scanning";
  $.pairStatus.textContent = "Looking for straps (8 seconds)…";
  try {
    const found = await api.straps(8);
    if (!found.bluetooth) {
      // No adapter here: the server's words say what to check.
      $.pairStatus.dataset.state = "problem";
      $.pairStatus.textContent = found.problem;
      return;
    }
    $.pairStatus.dataset.state = found.straps.length ? "found" : "none";
    $.pairStatus.textContent = found.straps.length
      ? `${found.straps.length} strap${found.straps.length === 1 ? "" : "s"} nearby, strongest first. Pick yours:`
      : found.advice;
    $.pairList.replaceChildren(...found.straps.map((strap) => {
      const li = document.createElement("li");
      const what = document.createElement("span");
      what.textContent = `${strap.name ?? "a strap without a name"} · ${signal(strap.rssi)}`;
      const use = document.createElement("button");
      use.type = "button";
      use.textContent = "Start a session";
      use.setAttribute("aria-label", `Start a session on ${strap.name ?? strap.address}`);
      use.dataset.address = strap.address;
      use.addEventListener("click", () => pair(strap));
      li.append(what, use);
      return li;
    }));
  } catch (err) {
    $.pairStatus.dataset.state = "problem";
    $.pairStatus.textContent = `The scan did not run: ${err.message}`;
  } finally {
    $.pairScan.disabled = false;
  }
});

const when = (tUtc) => new Date(tUtc * 1000).toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
const span = (s) => duration((s.ended_utc ?? Date.now() / 1000) - s.created_utc);

function cell(text) { const td = document.createElement("td"); td.textContent = text; return td; }

async function showList(selected) {
  const sessions = await api.sessions();
  $.list.replaceChildren(...sessions.map((s) => {
    const tr = document.createElement("tr");
    tr.dataset.session = s.id;
    // The start time is the button that opens the session: no column to scroll to in a narrow window.
    const open = document.createElement("button");
    open.type = "button";
    open.className = "link";
    open.textContent = when(s.created_utc);
    open.setAttribute("aria-label", `Details of the session started ${when(s.created_utc)}`);
    open.addEventListener("click", () => select(s.id));
    const start = document.createElement("td");
    start.append(open);
    tr.append(start, cell(span(s)), cell(sessionName(s)), cell(s.status));
    if (s.id === selected) tr.setAttribute("aria-current", "true");
    return tr;
  }));
  document.body.dataset.ready = "true";
}

async function select(id) {
  history.replaceState(null, "", `?session=${encodeURIComponent(id)}`);
  const s = await api.session(id);
  $.detail.hidden = false;
  $.detailTitle.textContent = `Session of ${when(s.created_utc)}`;
  const facts = [
    ["Source", s.source_id], ["Label", s.label ?? "–"], ["Status", s.status_detail ? `${s.status}: ${s.status_detail}` : s.status],
    ["Started", when(s.created_utc)], ["Ended", s.ended_utc ? when(s.ended_utc) : "still running"], ["Duration", span(s)],
    ...Object.entries(s.stored ?? {}).map(([k, v]) => [`Stored ${k}`, String(v)]),
  ];
  $.detailBody.replaceChildren(...facts.flatMap(([k, v]) => {
    const dt = document.createElement("dt"); dt.textContent = k;
    const dd = document.createElement("dd"); dd.textContent = v;
    return [dt, dd];
  }));
  $.exports.replaceChildren(...(await formats).map((f) => {
    const a = document.createElement("a");
    a.className = "button";
    a.href = api.exportUrl(id, f);
    a.setAttribute("download", "");
    a.dataset.format = f;
    a.textContent = `Download ${FORMAT_WORDS[f] ?? f}`;
    return a;
  }));
  link?.close();
  link = null;
  $.calibrate.hidden = s.status !== "live";
  if (s.status === "live") link = connectSession(id, { baseline: (frame) => wizard.baseline(frame), beat: (frame) => wizard.tick(frame.t) });
  for (const tr of $.list.children) tr.toggleAttribute("aria-current", tr.dataset.session === id);
  $.detail.dataset.session = id;
}

$.calibrate.addEventListener("click", () => wizard.open());
const wanted = new URLSearchParams(location.search).get("session");
try {
  await showList(wanted);
  if (wanted) await select(wanted);
} catch (err) {
  $.notice.textContent = `Sessions could not be loaded: ${err.message}`;
  document.body.dataset.ready = "true";
}
