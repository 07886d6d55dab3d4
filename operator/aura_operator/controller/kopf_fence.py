"""kopf's own writes (finalizers, its progress annotations, Events it posts) go through the same
gate as the operator's: kopf has no hook for that, so for the time the operator runs under
leader election its one request function is wrapped, and so is the session each of its API
contexts sends with, since kopf retries a failed request by itself, seconds later: each attempt
asks the gate right before aiohttp takes the request. Reads pass; a write the gate refuses
raises before anything is sent."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

from kopf._cogs.clients import api as kopf_api
from kopf._cogs.clients import auth

from aura_operator.aura.last_moment import log_grant

READS = frozenset({"GET", "HEAD"})


class KopfWriteRefused(RuntimeError):
    """kopf wanted to write while this process may not (not the leader any more)."""


class _GatedSession:
    """kopf's aiohttp session, asking the gate before each write it sends."""

    def __init__(self, session: Any, ask: Callable[[str, str], None]) -> None:
        self._session = session
        self._ask = ask

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)

    def request(self, method: str, url: Any, **kwargs: Any) -> Any:
        if method.upper() not in READS:
            self._ask(method, str(url))
            log_grant(method.upper(), urlsplit(str(url)).path)
        return self._session.request(method, url, **kwargs)


@contextlib.contextmanager
def fenced_kopf(refusal: Callable[[], str | None]) -> Iterator[None]:
    original_request = kopf_api.request
    original_init = auth.APIContext.__init__

    def ask(method: str, url: str) -> None:
        if method.upper() not in READS:
            reason = refusal()
            if reason is not None:
                raise KopfWriteRefused(f"{method} {url} not sent: {reason}")

    async def request(method: str, url: str, **kwargs: Any) -> Any:
        ask(method, url)
        return await original_request(method, url, **kwargs)

    def init(self: auth.APIContext, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        self.session = _GatedSession(self.session, ask)  # type: ignore[assignment]

    kopf_api.request = request
    auth.APIContext.__init__ = init  # type: ignore[method-assign]
    try:
        yield
    finally:
        kopf_api.request = original_request
        auth.APIContext.__init__ = original_init  # type: ignore[method-assign]
