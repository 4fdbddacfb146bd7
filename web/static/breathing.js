// The breathing guide: its phase comes from the server's pacer clock, so every tab breathes in step.

export class BreathingGuide {
  constructor(element, textElement) {
    this.el = element;
    this.text = textElement;
    this.disc = element.querySelector(".disc");
    this.state = null;
    this.offsetMs = 0; // server clock minus this browser's clock
    this.reducedMotion = matchMedia("(prefers-reduced-motion: reduce)").matches;
    this.frame = this.frame.bind(this);
    requestAnimationFrame(this.frame);
  }

  update(pacer) {
    this.state = pacer;
    this.offsetMs = pacer.server_utc * 1000 - Date.now();
    this.el.dataset.running = String(pacer.running);
  }

  // Same definitions as the server's PacerState.phase / size (api/pacer.py).
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
      this.text.textContent = inhaling ? "breathe in" : "breathe out";
      // With reduced motion the disc barely moves; the words still lead the breath.
      const scale = this.reducedMotion ? 0.6 + 0.1 * size : 0.35 + 0.65 * size;
      this.disc.style.transform = `scale(${scale.toFixed(4)})`;
    } else if (s) {
      this.text.textContent = "paused";
      this.disc.style.transform = "scale(0.35)";
    }
    requestAnimationFrame(this.frame);
  }
}
