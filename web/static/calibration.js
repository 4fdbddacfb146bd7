// The calibration wizard: explains, starts a calibration on the session (websocket command
// ``calibrate``), follows its progress from baseline frames, and says how it ended.

import { bind, SELECTORS } from "./dom.js";
import { duration } from "./format.js";

export const CALIBRATION_S = 240;

export class CalibrationWizard {
  /** ``send(frame)`` sends a websocket command; returns false when the link is down. */
  constructor(send) {
    this.$ = bind(SELECTORS.calibration);
    this.send = send;
    this.running = false;
    this.startT = null; // session time of the newest beat when the calibration began
    this.lastT = null;
    this.$.start.addEventListener("click", () => this.start());
    this.$.close.addEventListener("click", () => this.$.dialog.close());
    this.intro();
  }

  intro() {
    this.$.step.textContent = "Find your own window";
    this.$.text.textContent =
      `Sit comfortably, keep still and breathe as you normally do for ${duration(CALIBRATION_S)}. ` +
      "Tolerance then centres the window on your own resting heart rate and HRV instead of population averages. " +
      "Keep the page open; you can carry on reading.";
    this.$.progress.value = 0;
    this.$.progress.hidden = true;
    this.$.start.hidden = false;
    this.$.start.disabled = false;
  }

  open() {
    if (!this.running) this.intro();
    this.$.dialog.showModal();
  }

  start() {
    if (!this.send({ type: "calibrate", duration_s: CALIBRATION_S })) {
      this.$.text.textContent = "Not connected to the server just now; try again in a moment.";
      return;
    }
    this.running = true;
    this.startT = this.lastT;
    this.$.step.textContent = "Calibrating: sit still, breathe normally";
    this.$.text.textContent = "Starting…";
    this.$.progress.hidden = false;
    this.$.progress.max = 1;
    this.$.progress.value = 0;
    this.$.start.hidden = true;
  }

  /** The session time of a beat: the server reports a calibration only when it ends, so the
   * wizard shows the share of its span that has passed in beat time (right at any --speed). */
  tick(t) {
    this.lastT = t;
    if (!this.running) return;
    if (this.startT === null) this.startT = t;
    const share = Math.min((t - this.startT) / CALIBRATION_S, 1);
    this.$.progress.hidden = false;
    this.$.progress.max = 1;
    this.$.progress.value = share;
    this.$.text.textContent = `${Math.round(share * 100)} % of the rest recorded. Sit still, breathe normally.`;
  }

  /** A baseline frame: progress, refusal, or the new baseline. */
  baseline(frame) {
    if (frame.refused) {
      this.running = false;
      this.$.step.textContent = "The calibration was not used";
      this.$.text.textContent = `${frame.refused}. Your previous window stays in use; you can try again.`;
      this.$.progress.hidden = true;
      this.$.start.hidden = false;
      return;
    }
    if (this.done(frame)) {
      this.running = false;
      this.$.step.textContent = "Your own window is in use";
      this.$.text.textContent =
        `Centred on ${Math.round(frame.hr_center_bpm)} bpm and RMSSD ${Math.round(frame.rmssd_center_ms)} ms.`;
      this.$.progress.hidden = true;
      this.$.start.hidden = true;
    }
  }

  done(frame) { return frame.source !== "population" && frame.hr_center_bpm !== null; }
}
