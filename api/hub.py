"""Fan-out of a session's frames to its websocket clients, one bounded queue per client.

Messages are encoded frames (JSON text), encoded once whatever the number of clients.
A slow or sleeping browser tab must never slow the session or the other clients, nor grow
memory: each subscriber has its own queue of ``maxsize`` frames, and when it is full the oldest
frame is dropped for that subscriber alone and counted, so the client can be told.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from typing import Final

_log = logging.getLogger(__name__)

DEFAULT_QUEUE_FRAMES: Final = 512
"""About 5 minutes of a live session's frames (~1.5 frames/s) before a stalled tab drops any."""


class Subscription:
    """One client's view of a topic: ``await get()`` the next frame, ``dropped`` counts losses."""

    def __init__(self, hub: Hub, topic: str, maxsize: int) -> None:
        self._hub = hub
        self.topic = topic
        self.queue: asyncio.Queue[str] = asyncio.Queue(maxsize)
        self.dropped = 0

    def offer(self, message: str) -> None:
        while True:
            try:
                self.queue.put_nowait(message)
                return
            except asyncio.QueueFull:
                try:
                    self.queue.get_nowait()
                    self.dropped += 1
                except asyncio.QueueEmpty:  # pragma: no cover - another consumer drained it
                    pass

    async def get(self) -> str:
        return await self.queue.get()

    def close(self) -> None:
        self._hub._unsubscribe(self)

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Hub:
    """Topics (one per session) with any number of subscribers."""

    def __init__(self, maxsize: int = DEFAULT_QUEUE_FRAMES) -> None:
        self.maxsize = maxsize
        self._subs: defaultdict[str, set[Subscription]] = defaultdict(set)
        self.published = 0

    def subscribe(self, topic: str) -> Subscription:
        sub = Subscription(self, topic, self.maxsize)
        self._subs[topic].add(sub)
        return sub

    def _unsubscribe(self, sub: Subscription) -> None:
        subs = self._subs.get(sub.topic)
        if subs is not None:
            subs.discard(sub)
            if not subs:
                del self._subs[sub.topic]

    def publish(self, topic: str, message: str) -> None:
        """Offer ``message`` (an encoded frame) to every subscriber of ``topic``; never blocks."""
        self.published += 1
        for sub in tuple(self._subs.get(topic, ())):
            sub.offer(message)

    def subscribers(self, topic: str) -> int:
        return len(self._subs.get(topic, ()))
