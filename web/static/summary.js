// A worker's own summary (/summary): made only when asked, printable, notes chosen one by one.

import { api } from "./api.js";
import { bind, SELECTORS } from "./dom.js";
import { clock, duration, isoDate, percent, roughly } from "./format.js";

const $ = bind(SELECTORS.summary);
$.end.value = isoDate(new Date());

const el = (tag, text) => { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; return e; };
const dayWords = (date) => new Date(`${date}T12:00:00`).toLocaleDateString([], { weekday: "short", day: "numeric", month: "short" });

function showNotes() {
  const chosen = $.notes.querySelectorAll("input:checked").length;
  $.noNotes.hidden = chosen > 0;
  $.notes.dataset.chosen = String(chosen);
}

function show(s) {
  const t = s.totals;
  $.sheetTitle.textContent = s.period === "week" ? "My week of practice" : "My month of practice";
  $.sheetSpan.textContent = `${dayWords(s.start)} to ${dayWords(s.end)}`;
  $.totals.replaceChildren(...[
    ["Time in my window", t.within_share === null ? "–" : `${percent(t.within_share)} of ${duration(t.measured_s)} measured`],
    ["Recoveries", `${t.recoveries} of ${t.excursions} time${t.excursions === 1 ? "" : "s"} above my window`],
    ["Median recovery", t.recovery_median_s === null ? "–" : roughly(t.recovery_median_s)],
    ["Times I noticed", String(t.noticed)],
    ["Breathing with the guide", `${t.breathing} time${t.breathing === 1 ? "" : "s"}`],
  ].flatMap(([k, v]) => [el("dt", k), el("dd", v)]));
  $.days.querySelector("tbody").replaceChildren(...s.days.filter((d) => d.measured_s > 0 || d.noticed > 0).map((d) => {
    const tr = el("tr");
    for (const v of [dayWords(d.date), percent(d.within_share), String(d.recoveries), String(d.noticed),
      d.recovery_median_s === null ? "–" : roughly(d.recovery_median_s)]) tr.append(el("td", v));
    return tr;
  }));
  $.notes.replaceChildren(...s.notes.map((n, i) => {
    const li = el("li");
    const box = el("input");
    box.type = "checkbox";
    box.id = `note-${i}`;
    const label = el("label", `${dayWords(isoDate(new Date(n.t_utc * 1000)))} ${clock(n.t_utc)} · ${n.text}`);
    label.htmlFor = box.id;
    box.addEventListener("change", () => { li.dataset.chosen = String(box.checked); showNotes(); });
    li.dataset.chosen = "false";
    li.append(box, label);
    return li;
  }));
  showNotes();
  $.sheet.hidden = false;
}

$.make.addEventListener("click", async () => {
  $.make.disabled = true;
  try {
    show(await api.summary($.period.value, $.end.value || isoDate(new Date())));
    $.notice.textContent = "";
  } catch (err) {
    $.notice.textContent = `The summary could not be made: ${err.message}`;
  } finally {
    $.make.disabled = false;
  }
});
$.print.addEventListener("click", () => print());
document.body.dataset.ready = "true";
