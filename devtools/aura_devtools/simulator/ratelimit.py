"""A strict sliding-window rate limiter over simulated time, plus per-client statistics.

A request is admitted when fewer than `limit` admitted requests of its scope key fall in the
window (now - 60 s, now]. Rejected requests (429) are not counted against the window: Aura's
gateway documents no penalty for them, and counting them would let a retrying client lock itself
out forever.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Literal

RateScope = Literal["client", "global"]
GLOBAL_KEY = "*"


@dataclass
class ClientRateStats:
    window: deque[float] = field(default_factory=deque)
    max_in_any_window: int = 0
    admitted: int = 0
    rejected: int = 0


def _prune(times: deque[float], now: float, window: float) -> None:
    while times and times[0] <= now - window:
        times.popleft()


class SlidingWindowLimiter:
    def __init__(self, limit: int, scope: RateScope = "client", window: float = 60.0) -> None:
        self.limit = limit
        self.scope: RateScope = scope
        self.window = window
        self._keys: dict[str, deque[float]] = {}
        self._clients: dict[str, ClientRateStats] = {}

    def key_for(self, client_id: str) -> str:
        return client_id if self.scope == "client" else GLOBAL_KEY

    def acquire(self, client_id: str, now: float, external_load: float = 0.0) -> float | None:
        """Admits the request (None) or returns the simulated seconds until a slot frees.

        `external_load` is the requests per window that some other client spends from the same
        budget at an even pace; it lowers the capacity left for this key.
        """
        times = self._keys.setdefault(self.key_for(client_id), deque())
        _prune(times, now, self.window)
        capacity = self.limit - math.ceil(external_load)
        if len(times) >= capacity:
            self.note_rejected(client_id)
            if capacity <= 0:
                return self.window
            return times[len(times) - capacity] + self.window - now
        times.append(now)
        stats = self._clients.setdefault(client_id, ClientRateStats())
        _prune(stats.window, now, self.window)
        stats.window.append(now)
        stats.admitted += 1
        stats.max_in_any_window = max(stats.max_in_any_window, len(stats.window))
        return None

    def note_rejected(self, client_id: str) -> None:
        self._clients.setdefault(client_id, ClientRateStats()).rejected += 1

    def snapshot(self, now: float) -> dict[str, Any]:
        clients: dict[str, dict[str, int]] = {}
        for client_id, stats in sorted(self._clients.items()):
            _prune(stats.window, now, self.window)
            clients[client_id] = {
                "current": len(stats.window),
                "max_in_any_window": stats.max_in_any_window,
                "admitted": stats.admitted,
                "rejected": stats.rejected,
            }
        return {
            "limit": self.limit,
            "window_seconds": self.window,
            "scope": self.scope,
            "clients": clients,
        }

    def clear(self) -> None:
        self._keys.clear()
        self._clients.clear()
