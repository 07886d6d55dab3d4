"""Aura's clock, as its answers tell it: the `Date` header of the latest response.

Times the operator compares with Aura's own (`created_at` of a listed instance, when a listing
was taken) must come from Aura's clock, not the pod's: a node clock minutes off would otherwise
match the wrong instance or none. The estimate is a lower bound: the header is whole seconds,
stamped before the answer arrived, and only the time since then is added (in Aura seconds, so
a time-scaled simulator reads right too).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from aura_operator.aura.clock import Clock


class ServerClock:
    def __init__(self, clock: Clock, time_scale: float = 1.0) -> None:
        self._clock = clock
        self._time_scale = time_scale
        self._date: datetime | None = None
        self._received: float = 0.0

    def observe(self, date_header: str | None, received: float) -> None:
        """Record the `Date` of an answer that arrived at `received` (the clock's monotonic
        seconds); a missing or unreadable header is ignored."""
        date = parse_http_date(date_header)
        if date is not None:
            self._date, self._received = date, received

    def age(self) -> float | None:
        """Real seconds since the latest dated answer (None: none yet)."""
        return None if self._date is None else self._clock.monotonic() - self._received

    def now(self) -> datetime | None:
        """A lower bound of Aura's current time, or None before the first dated answer."""
        if self._date is None:
            return None
        elapsed = (self._clock.monotonic() - self._received) * self._time_scale
        return self._date + timedelta(seconds=max(0.0, elapsed))


def parse_http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
