"""The request loop of one credential: token, permit, send, then retry or raise."""

from __future__ import annotations

from datetime import datetime

from aura_operator.aura.auth import REFUSAL_MEMORY_SECONDS, TokenCache
from aura_operator.aura.backoff import RetryPolicy
from aura_operator.aura.calls import Call
from aura_operator.aura.clock import Clock
from aura_operator.aura.credentials import AccessToken, Credentials
from aura_operator.aura.errors import AuraError
from aura_operator.aura.exchange import Exchange, Exchanger
from aura_operator.aura.failures import network_error, status_error
from aura_operator.aura.limiter import Budget
from aura_operator.aura.retry_after import parse_retry_after
from aura_operator.aura.retry_rules import Decision, decide_on_exception, decide_on_status
from aura_operator.aura.server_clock import ServerClock
from aura_operator.aura.token_endpoint import TOKEN_CALL, basic_authorization, parse_token, refused


class CredentialSession:
    """Sends calls on behalf of one credential through its budget and token cache."""

    def __init__(
        self,
        credentials: Credentials,
        exchanger: Exchanger,
        *,
        retry: RetryPolicy,
        clock: Clock,
        time_scale: float,
    ) -> None:
        self.credentials = credentials
        self._exchanger = exchanger
        self._retry = retry
        self._clock = clock
        self._time_scale = time_scale
        self.tokens = TokenCache(
            self._fetch_token, clock, refusal_memory=REFUSAL_MEMORY_SECONDS / time_scale
        )

    @property
    def server_clock(self) -> ServerClock:
        return self._exchanger.server_clock

    @property
    def budget(self) -> Budget:
        return self._exchanger.budget

    async def request(self, call: Call) -> Exchange:
        """Return the successful (2xx) exchange, or raise the `AuraError` that ended the call."""
        failures = 0
        auth_replayed = False
        first_sent_at: datetime | None = None
        while True:
            token: AccessToken | None = None

            async def headers() -> dict[str, str]:
                # The token current when the permit is granted: one renewed while this call
                # waited (after a 403 elsewhere) is used instead of the one it had before.
                nonlocal token
                token = await self.tokens.get() if call.authenticated else None
                return self._headers(call, token)

            if call.authenticated:
                # Fetched before the wait too, so a missing token is not fetched while this
                # call holds a permit (the token request needs one of its own).
                await self.tokens.get()
            attempt = failures + 1 + int(auth_replayed)
            exchange = await self._exchanger.send(call, headers, attempt)
            first_sent_at = first_sent_at or exchange.sent_at

            if exchange.response is None:
                assert exchange.error is not None
                failures += 1
                decision = decide_on_exception(call.kind, exchange.error)
                if decision is Decision.RETRY and failures < self._retry.max_attempts:
                    await self._back_off(failures, None)
                    continue
                raise network_error(call, exchange.error, decision, first_sent_at)

            response = exchange.response
            status = response.status_code
            if 200 <= status < 300:
                return exchange
            if status in (401, 403) and token is not None and not auth_replayed:
                auth_replayed = True
                self.tokens.invalidate(token)
                continue

            retry_after = parse_retry_after(
                response.headers.get("Retry-After"), server_date=response.headers.get("Date")
            )
            if status == 429:
                # The budget is gone for everyone: close it; the next acquire waits it out.
                self._exchanger.budget.note_rate_limited(retry_after)
            failures += 1
            decision = decide_on_status(call.kind, status)
            if decision is Decision.RETRY and failures < self._retry.max_attempts:
                if status != 429:
                    await self._back_off(failures, retry_after)
                continue
            raise status_error(call, exchange, decision, retry_after, first_sent_at)

    async def _fetch_token(self) -> AccessToken:
        try:
            exchange = await self.request(TOKEN_CALL)
        except AuraError as error:
            raise refused(self.credentials, error) from None
        return parse_token(exchange, now=self._clock.monotonic(), time_scale=self._time_scale)

    def _headers(self, call: Call, token: AccessToken | None) -> dict[str, str]:
        if token is not None:
            return {"Authorization": token.authorization()}
        if not call.authenticated:
            return {"Authorization": basic_authorization(self.credentials)}
        return {}

    async def _back_off(self, failures: int, retry_after: float | None) -> None:
        await self._clock.sleep(self._retry.backoff(failures, retry_after) / self._time_scale)
