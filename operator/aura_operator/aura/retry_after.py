"""Parsing of the `Retry-After` header (delta seconds or an HTTP date)."""

from __future__ import annotations

import email.utils
from datetime import UTC, datetime

MAX_RETRY_AFTER_SECONDS = 600.0
"""A larger value is taken for a broken header and capped to this."""


def parse_retry_after(
    value: str | None, *, server_date: str | None = None, now: datetime | None = None
) -> float | None:
    """Return the delay in (Aura) seconds that `value` asks for, or None if absent or unusable.

    An HTTP date is measured from the response's own `Date` header when there is one (so clock
    skew, and a simulator's scaled clock, do not matter), else from `now` (default: the wall
    clock). A date in the past means no delay.
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        target = _parse_http_date(text)
        if target is None:
            return None
        reference = _parse_http_date(server_date) if server_date else None
        seconds = (target - (reference or now or datetime.now(UTC))).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_SECONDS)


def _parse_http_date(text: str) -> datetime | None:
    try:
        parsed = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed
