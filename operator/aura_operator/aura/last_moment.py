"""Asking a send guard at the last moment a request can still be held back: as its first bytes
are about to leave, after any wait for a pooled connection, the connect and the TLS handshake
(httpx's `trace` request extension). A check made earlier can pass, then the request waits
(a busy pool, a login, a process frozen by its node) and leaves after the guard closed.

Each grant is logged at DEBUG (logger `aura_operator.gate`, fields `method`, `path` and
`granted_at`, the wall-clock time of the grant), so that what a process sent can be matched to
when it was allowed to.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

grants = logging.getLogger("aura_operator.gate")

_SENDING = frozenset({"http11.send_request_headers.started", "http2.send_request_headers.started"})


def last_moment(check: Callable[[], None], method: str, path: str) -> dict[str, Any]:
    """httpx request extensions that run `check` (it raises to refuse; nothing is sent then)
    right before the request leaves. Transports without `trace` (test doubles) skip it."""

    async def trace(event: str, _info: dict[str, Any]) -> None:
        if event in _SENDING:
            check()
            log_grant(method, path)

    return {"trace": trace}


def log_grant(method: str, path: str) -> None:
    grants.debug(
        "granted %s %s",
        method,
        path,
        extra={"method": method, "path": path, "granted_at": time.time()},
    )
