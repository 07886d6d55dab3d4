"""One structured log line (and one observer event) per HTTP exchange with Aura.

Only the method, path, status, timings, lane, attempt and request id are recorded: never a
header, a request body or a response body, so no secret, token or password can get in.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from aura_operator.aura.lanes import Lane

logger = logging.getLogger("aura_operator.aura")


@dataclass(frozen=True)
class CallRecord:
    method: str
    path: str
    endpoint: str
    status: int | None
    """None when no response came back (see `error`)."""
    duration: float
    """Real seconds from sending to the end of the response."""
    request_id: str | None
    lane: Lane
    limiter_wait: float
    """Real seconds spent waiting for the limiter's permit."""
    attempt: int
    error: str | None = None
    """The network error's class name when there was no response."""


class CallObserver(Protocol):
    """Receives every exchange, e.g. to feed request counters and latency histograms."""

    def on_call(self, record: CallRecord) -> None: ...


def log_call(record: CallRecord) -> None:
    failed = record.status is None or record.status == 429 or record.status >= 500
    outcome = record.error if record.status is None else str(record.status)
    logger.log(
        logging.WARNING if failed else logging.INFO,
        "aura %s %s -> %s in %.0f ms (request id %s, lane %s, limiter wait %.0f ms, attempt %d)",
        record.method,
        record.path,
        outcome,
        record.duration * 1000,
        record.request_id or "none",
        record.lane.value,
        record.limiter_wait * 1000,
        record.attempt,
        extra={
            "method": record.method,
            "path": record.path,
            "endpoint": record.endpoint,
            "status": record.status,
            "duration_ms": round(record.duration * 1000, 1),
            "request_id": record.request_id,
            "lane": record.lane.value,
            "limiter_wait_ms": round(record.limiter_wait * 1000, 1),
            "attempt": record.attempt,
            "error": record.error,
        },
    )
