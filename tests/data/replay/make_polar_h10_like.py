"""Rebuild polar_h10_like.jsonl (constructed, not captured): ``python make_polar_h10_like.py``.

Deterministic (seeded). See README.md in this folder for what the log contains and why.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

HERE = Path(__file__).parent
SHARED = HERE.parent / "ble" / "heart_rate_measurement.json"
SOURCE = "ble:C8:2E:00:00:00:01"
T0_UTC = 1732521600.0  # 2024-11-25 08:00:00 UTC


def main() -> None:
    data = json.loads(SHARED.read_text())
    polar_h10 = [e["hex"] for e in data["payloads"] if e["captured"] and "Polar H10" in e["source"]]
    malformed = next(e["hex"] for e in data["malformed"] if "odd number" in e["why"])
    rng = random.Random(20241125)
    lines: list[dict[str, object]] = [{"format": "tolerance-notifications", "version": 1, "source": SOURCE}]
    t = 0.0

    def note(hex_: str) -> None:
        lines.append({"t": round(t, 4), "t_utc": round(T0_UTC + t, 4), "source": SOURCE, "hex": hex_})

    def event(name: str, **extra: object) -> None:
        lines.append({"t": round(t, 4), "t_utc": round(T0_UTC + t, 4), "source": SOURCE, "event": name, **extra})

    event("connected")
    for i in range(118):
        t += 1.0 + rng.uniform(-0.03, 0.03)  # about one notification a second, as Polar straps send
        if i == 45:
            note(malformed)  # one corrupted notification mid-stream
        elif i == 70:
            event("lost", detail="the strap or the Bluetooth stack closed the link")
            t += 0.9
            event("reconnecting", detail="next attempt in 0.90 s", attempt=1)
            t += 2.4
            event("reconnected", attempt=1)
        else:
            note(rng.choice(polar_h10))
    (HERE / "polar_h10_like.jsonl").write_text("".join(json.dumps(o) + "\n" for o in lines))


if __name__ == "__main__":
    main()
