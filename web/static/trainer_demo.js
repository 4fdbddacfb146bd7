// The trainer's demo script: calibrate, rest, a stress event, breathing together, recovery, and a
// summary of the room's recoveries. Each step starts when the trainer says so (Next step), so the
// pace is the room's; with simulated participants every step shows on the stage by itself.

import { api } from "./api.js";
import { sessionName } from "./format.js";

const CALIBRATE_S = 180;
const DEMO_SIZE = 6;

export const STEPS = Object.freeze([
  { id: "calibrate", title: "Calibrate", text: "Everyone sits still and breathes as usual for 3 minutes: each band becomes that person's own window." },
  { id: "rest", title: "Rest", text: "Sit as you are. The line wanders inside the band: that is a settled body, able to think and respond." },
  { id: "stress", title: "A stress event", text: "Simulated participants get a scripted stress event; with real straps, count back from 1000 in sevens, out loud. Watch the lines rise." },
  { id: "breathe", title: "Breathe together", text: "One slow guide for everyone, 6 breaths a minute. Notice the rise; let it fall." },
  { id: "recover", title: "Recovery", text: "Each line comes back into its band in its own time. Rising is normal; coming back is the skill." },
  { id: "summary", title: "Summary", text: "The room's recoveries: how long each took to come back inside the window." },
]);

export class Demo {
  constructor($, stage) {
    this.$ = $;
    this.stage = stage;
    this.step = -1;
    this.render();
    $.demoNext.addEventListener("click", () => this.next());
    $.demoReset.addEventListener("click", () => { this.step = -1; $.demoSummary.hidden = true; this.render(); });
  }

  render() {
    const { demoSteps, demoNext } = this.$;
    demoSteps.replaceChildren(...STEPS.map((s, i) => {
      const li = document.createElement("li");
      li.dataset.step = s.id;
      const b = document.createElement("b");
      b.textContent = s.title;
      li.append(b);
      if (i === this.step) {
        li.setAttribute("aria-current", "step");
        const p = document.createElement("p");
        p.textContent = s.text;
        li.append(p);
      }
      return li;
    }));
    document.body.dataset.demoStep = this.step < 0 ? "" : STEPS[this.step].id;
    demoNext.textContent = this.step < 0 ? "Start the demo" : this.step >= STEPS.length - 1 ? "Done" : `Next: ${STEPS[this.step + 1].title}`;
    demoNext.disabled = this.step >= STEPS.length - 1;
  }

  async next() {
    if (this.step >= STEPS.length - 1) return;
    this.step += 1;
    this.render();
    try { await this[STEPS[this.step].id](); } catch (err) { this.stage.say(`${STEPS[this.step].title}: ${err.message}`); }
  }

  async calibrate() {
    // An empty room (or one person): simulated participants join, so there is a room to show.
    if (this.stage.cards().length < 2) while (this.stage.cards().length < DEMO_SIZE) await this.stage.addParticipant();
    const results = await Promise.allSettled(this.stage.cards().map((s) => api.calibrate(s.id, CALIBRATE_S)));
    const refused = results.filter((r) => r.status === "rejected").length;
    this.stage.say(refused ? `Calibration not started for ${refused}.` : "Calibrating: 3 minutes of stillness.");
  }

  async rest() { this.stage.say("Rest: the lines stay inside their bands."); }

  async stress() {
    const sims = this.stage.cards().filter((s) => s.source_kind === "sim");
    await Promise.allSettled(sims.map((s, i) => api.stress(s.id, { intensity: 0.8 + 0.1 * (i % 3), rise_s: 20, tau_s: 45 + 15 * (i % 4) })));
    this.stage.say(sims.length ? `A stress event for ${sims.length} simulated participant(s).` : "Now the task: count back from 1000 in sevens.");
  }

  async breathe() { await this.stage.setGuide(true); }

  async recover() { this.stage.say("Recovery: watch each line come back."); }

  async summary() {
    await this.stage.setGuide(false);
    const rows = await Promise.all(this.stage.cards().map(async (s) => ({ s, episodes: await api.episodes(s.id).catch(() => []) })));
    const table = document.createElement("table");
    table.innerHTML = "<caption>The room's recoveries</caption><thead><tr><th scope='col'>who</th><th scope='col'>back within in</th></tr></thead>";
    const body = document.createElement("tbody");
    const times = [];
    for (const { s, episodes } of rows) {
      const closed = episodes.filter((e) => e.closed && e.recovery_s !== null);
      const last = closed[closed.length - 1];
      if (last) times.push(last.recovery_s);
      const tr = document.createElement("tr");
      const who = document.createElement("td");
      who.textContent = sessionName(s);
      const back = document.createElement("td");
      back.textContent = last ? this.stage.roughly(last.recovery_s) : episodes.length ? "still coming back" : "stayed within";
      tr.append(who, back);
      body.append(tr);
    }
    table.append(body);
    const p = document.createElement("p");
    times.sort((a, b) => a - b);
    p.textContent = times.length
      ? `${times.length} recover${times.length === 1 ? "y" : "ies"}; the middle one took ${this.stage.roughly(times[Math.floor(times.length / 2)])}.`
      : "No recovery to show yet.";
    this.$.demoSummary.replaceChildren(p, table);
    this.$.demoSummary.hidden = false;
    this.$.demoSummary.dataset.recoveries = String(times.length);
  }
}
