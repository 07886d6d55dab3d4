"""Small statistics over simulated times."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from convergelib.calls import Call
from convergelib.oracle import percentile


def p50_p95(values: Sequence[float]) -> tuple[float | None, float | None]:
    if not values:
        return None, None
    return percentile(values, 0.5), percentile(values, 0.95)


def per_minute(calls: Iterable[Call], start: float, minutes: int) -> list[int]:
    """Calls in each whole simulated minute from `start`."""
    counts = Counter(int((c.time - start) // 60) for c in calls if c.time >= start)
    return [counts.get(i, 0) for i in range(minutes)]
