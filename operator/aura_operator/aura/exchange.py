"""One HTTP exchange: wait for the budget's permit, ask the send guard, send at once, give the
permit back when the response is in, log the outcome."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from aura_operator.aura.call_log import CallObserver, CallRecord, log_call
from aura_operator.aura.calls import Call
from aura_operator.aura.clock import Clock, SystemClock
from aura_operator.aura.errors import AuraNotSent
from aura_operator.aura.last_moment import last_moment
from aura_operator.aura.limiter import Budget, Permit
from aura_operator.aura.server_clock import ServerClock

REQUEST_ID_HEADER = "X-Request-Id"


@dataclass(frozen=True)
class Exchange:
    """The response, or the network error that took its place."""

    response: httpx.Response | None
    error: httpx.RequestError | None
    sent_at: datetime
    """Wall-clock time the permit was granted, i.e. when the request left."""

    @property
    def request_id(self) -> str | None:
        return None if self.response is None else self.response.headers.get(REQUEST_ID_HEADER)


Headers = Callable[[], Awaitable[Mapping[str, str]]]
"""Builds the request headers once the permit is granted (the token current at that moment)."""

SendGuard = Callable[[], str | None]
"""Asked right before every request goes out: None lets it go, a reason refuses it
(`AuraNotSent`). Leader election closes it on a process that may no longer write."""


class Exchanger:
    def __init__(
        self,
        http: httpx.AsyncClient,
        base_url: str,
        budget: Budget,
        observer: CallObserver | None = None,
        *,
        server_clock: ServerClock | None = None,
        clock: Clock | None = None,
        guard: SendGuard | None = None,
    ) -> None:
        self._http = http
        self._base_url = base_url.rstrip("/")
        self.budget = budget
        self._observer = observer
        self._clock = clock or SystemClock()
        self.server_clock = server_clock or ServerClock(self._clock)
        self._guard = guard

    async def send(self, call: Call, headers: Headers, attempt: int) -> Exchange:
        """Wait for a permit, then build the headers and send. Raises `AuraNotSent` when the
        permit came after `call.send_by` or the send guard refuses (the unused slot is then
        given back), and what `headers` raises."""
        permit = await self.budget.acquire(call.lane)
        response: httpx.Response | None = None
        error: httpx.RequestError | None = None
        try:
            self._refuse_if_due(call, permit)
            sent_headers = await headers()
            # Asked again once the headers are built (renewing a token that expired while the
            # call waited takes time, in which the deadline may pass or the process lose the
            # Lease), and last as the request's first bytes leave (it may wait for a pooled
            # connection, or its process be frozen, after this check).
            self._refuse_if_due(call, permit)
            extensions = last_moment(
                lambda: self._refuse_if_due(call, permit), call.method, call.path
            )
            sent_at = datetime.now(UTC)
            started = time.perf_counter()
            try:
                response = await self._http.request(
                    call.method,
                    self._base_url + call.path,
                    json=call.json,
                    params=call.params,
                    data=call.form,
                    headers=sent_headers,
                    extensions=extensions,
                )
            except httpx.RequestError as exc:
                error = exc
        finally:
            permit.release()
        if response is not None:
            self.server_clock.observe(response.headers.get("Date"), self._clock.monotonic())
        exchange = Exchange(response, error, sent_at)
        record = CallRecord(
            method=call.method,
            path=call.path,
            endpoint=call.endpoint,
            status=None if response is None else response.status_code,
            duration=time.perf_counter() - started,
            request_id=exchange.request_id,
            lane=call.lane,
            limiter_wait=permit.waited,
            attempt=attempt,
            error=None if error is None else type(error).__name__,
        )
        log_call(record)
        if self._observer is not None:
            self._observer.on_call(record)
        return exchange

    def _refuse_if_due(self, call: Call, permit: Permit) -> None:
        refusal = self._refusal(call)
        if refusal is not None:
            permit.give_back()
            raise AuraNotSent(f"not sent: {refusal}", method=call.method, path=call.path)

    def _refusal(self, call: Call) -> str | None:
        if call.send_by is not None and self._clock.monotonic() > call.send_by:
            return "the rate limiter held it past its deadline"
        return None if self._guard is None else self._guard()
