"""kopf's own writes (finalizers, its progress annotations, Events it posts) go through the same
gate as the operator's: kopf has no hook for that, so its one request function is wrapped for
the time the operator runs under leader election. Reads pass; a write the gate refuses raises
before anything is sent."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from kopf._cogs.clients import api as kopf_api

READS = frozenset({"GET", "HEAD"})


class KopfWriteRefused(RuntimeError):
    """kopf wanted to write while this process may not (not the leader any more)."""


@contextlib.contextmanager
def fenced_kopf(refusal: Callable[[], str | None]) -> Iterator[None]:
    original = kopf_api.request

    async def request(method: str, url: str, **kwargs: Any) -> Any:
        if method.upper() not in READS:
            reason = refusal()
            if reason is not None:
                raise KopfWriteRefused(f"{method} {url} not sent: {reason}")
        return await original(method, url, **kwargs)

    kopf_api.request = request
    try:
        yield
    finally:
        kopf_api.request = original
