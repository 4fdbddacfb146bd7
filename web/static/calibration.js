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
    this.$.step.textContent = "Calibrating: sit still, breathe normally";
    this.$.text.textContent = "Starting…";
    this.$.progress.hidden = false;
    this.$.progress.max = CALIBRATION_S - 60;
    this.$.start.hidden = true;
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
    if (frame.required_s && frame.progress_s !== null && frame.source === "population" && !this.done(frame)) {
      this.$.progress.hidden = false;
      this.$.progress.max = frame.required_s;
      this.$.progress.value = Math.min(frame.progress_s, frame.required_s);
      this.$.text.textContent = `${Math.round(Math.min(frame.progress_s / frame.required_s, 1) * 100)} % of the rest recorded.`;
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
