// The breathing guide: its phase comes from the server's pacer clock, so every tab breathes in
// step. Optional soft sound at each turn of the breath (Web Audio, off until the user asks).

const reducedMotion = matchMedia("(prefers-reduced-motion: reduce)");

/** A quiet tone at the start of each in-breath (rising) and out-breath (falling). */
export class AudioCue {
  constructor() { this.ctx = null; this.on = false; }

  async enable(on) {
    this.on = on;
    if (on && !this.ctx) this.ctx = new AudioContext();
    if (this.ctx) await (on ? this.ctx.resume() : this.ctx.suspend());
  }

  play(inhale, seconds) {
    if (!this.on || !this.ctx) return;
    const ctx = this.ctx;
    const t0 = ctx.currentTime;
    const length = Math.min(Math.max(seconds * 0.6, 0.8), 3);
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = "sine";
    osc.frequency.setValueAtTime(inhale ? 196 : 262, t0);
    osc.frequency.linearRampToValueAtTime(inhale ? 262 : 196, t0 + length);
    gain.gain.setValueAtTime(0, t0);
    gain.gain.linearRampToValueAtTime(0.06, t0 + 0.3);
    gain.gain.linearRampToValueAtTime(0, t0 + length);
    osc.connect(gain).connect(ctx.destination);
    osc.start(t0);
    osc.stop(t0 + length + 0.05);
  }
}

export class BreathingGuide {
  constructor(element, textElement, { cue = null } = {}) {
    this.el = element;
    this.text = textElement;
    this.disc = element.querySelector(".disc");
    this.cue = cue;
    this.state = null;
    this.offsetMs = 0; // server clock minus this browser's clock
    this.measured = false;
    this.lastInhale = null;
    this.frame = this.frame.bind(this);
    requestAnimationFrame(this.frame);
  }

  update(pacer) {
    this.state = pacer;
    // Until a ping's round trip measures the clock offset (setOffset), take the pacer frame as
    // fresh on arrival (its transit time then counts as offset).
    if (!this.measured) this.offsetMs = pacer.server_utc * 1000 - Date.now();
    this.el.dataset.running = String(pacer.running);
  }

  setOffset(offsetMs) { this.offsetMs = offsetMs; this.measured = true; }

  // Same definitions as the server's PacerState.phase / size (api/session/pacer.py).
  phaseAt(nowMs) {
    const s = this.state;
    const t = (nowMs + this.offsetMs) / 1000;
    const p = ((t - s.epoch_utc) * s.rate_per_min / 60) % 1;
    return p < 0 ? p + 1 : p;
  }

  sizeAt(phase) {
    const f = this.state.inhale_fraction;
    const x = phase < f ? phase / f : 1 - (phase - f) / (1 - f);
    return 0.5 - 0.5 * Math.cos(Math.PI * x);
  }

  frame() {
    const s = this.state;
    if (s && s.running) {
      const phase = this.phaseAt(Date.now());
      const size = this.sizeAt(phase);
      this.el.dataset.phase = phase.toFixed(4);
      this.el.dataset.size = size.toFixed(4);
      const inhaling = phase < s.inhale_fraction;
      const words = inhaling ? "breathe in" : "breathe out";
      if (this.text.textContent !== words) this.text.textContent = words;
      if (this.lastInhale !== null && inhaling !== this.lastInhale) {
        const cycle = 60 / s.rate_per_min;
        this.cue?.play(inhaling, cycle * (inhaling ? s.inhale_fraction : 1 - s.inhale_fraction));
      }
      this.lastInhale = inhaling;
      // With reduced motion the disc barely moves; the words lead the breath.
      const scale = reducedMotion.matches ? 0.6 + 0.1 * size : 0.35 + 0.65 * size;
      this.disc.style.transform = `scale(${scale.toFixed(4)})`;
    } else if (s) {
      if (this.text.textContent !== "paused") this.text.textContent = "paused";
      this.lastInhale = null;
      this.disc.style.transform = "scale(0.35)";
    }
    requestAnimationFrame(this.frame);
  }
}
