// The first-run walkthrough: what the strap measures, what the window is, what above and below
// mean and cannot mean, why calibrate. Shown once (this browser remembers it was read), and
// again from "How this works".

import { bind, SELECTORS } from "./dom.js";

const SEEN_KEY = "tolerance.intro.seen";

function seen() {
  try { return localStorage.getItem(SEEN_KEY) === "1"; } catch { return false; }
}

export class Intro {
  constructor() {
    this.$ = bind(SELECTORS.intro);
    this.$.open.addEventListener("click", () => this.open());
    this.$.close.addEventListener("click", () => this.close());
    this.$.dialog.addEventListener("close", () => this.remember());
    if (!seen()) this.open();
  }

  open() { if (!this.$.dialog.open) this.$.dialog.showModal(); }

  close() { this.$.dialog.close(); }

  remember() {
    try { localStorage.setItem(SEEN_KEY, "1"); } catch { /* private mode: shown again next time */ }
  }
}
