"""Fan-out: a slow subscriber loses its oldest frames, counted; others lose nothing."""

from __future__ import annotations

from tolerance.api.hub import Hub


def test_a_stalled_client_drops_its_oldest_frames_and_others_get_everything() -> None:
    hub = Hub(maxsize=10)
    slow = hub.subscribe("s")
    fast = hub.subscribe("s")
    got = []
    for i in range(25):
        hub.publish("s", {"i": i})
        got.append(fast.queue.get_nowait()["i"])
    assert got == list(range(25))
    assert slow.dropped == 15 and slow.queue.qsize() == 10
    assert slow.queue.get_nowait()["i"] == 15


def test_closing_a_subscription_stops_delivery() -> None:
    hub = Hub()
    with hub.subscribe("s") as sub:
        hub.publish("s", {"a": 1})
    hub.publish("s", {"a": 2})
    assert sub.queue.qsize() == 1 and hub.subscribers("s") == 0
