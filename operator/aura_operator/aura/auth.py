"""The token cache of one credential: reuse until shortly before expiry, one fetch at a time."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from aura_operator.aura.clock import Clock
from aura_operator.aura.credentials import AccessToken
from aura_operator.aura.errors import AuraAuthError

REFUSAL_MEMORY_SECONDS = 60.0
"""Aura seconds for which refused credentials are not sent to the token endpoint again."""
REFRESH_BEFORE_EXPIRY_SECONDS = 60.0
"""Aura seconds before expiry at which a token is renewed (less for short-lived tokens)."""


def refresh_lead(expires_in: float) -> float:
    """Aura seconds before expiry to renew a token that lives `expires_in` seconds."""
    return min(REFRESH_BEFORE_EXPIRY_SECONDS, expires_in / 10)


class TokenCache:
    """Holds the current token; concurrent callers that find none share one fetch."""

    def __init__(
        self,
        fetch: Callable[[], Awaitable[AccessToken]],
        clock: Clock,
        *,
        refusal_memory: float = 0.0,
    ) -> None:
        """`refusal_memory`: real seconds for which the token endpoint's refusal of the
        credentials is raised again without asking it (the credentials are fixed by a new
        Secret, which gets a new cache)."""
        self._fetch = fetch
        self._clock = clock
        self._token: AccessToken | None = None
        self._inflight: asyncio.Future[AccessToken] | None = None
        self._refusal_memory = refusal_memory
        self._refused: tuple[AuraAuthError, float] | None = None

    async def get(self) -> AccessToken:
        token = self._token
        if token is not None and self._clock.monotonic() < token.refresh_at:
            return token
        if self._refused is not None:
            refusal, until = self._refused
            if self._clock.monotonic() < until:
                raise refusal
            self._refused = None
        if self._inflight is None:
            self._inflight = asyncio.ensure_future(self._refresh())
            self._inflight.add_done_callback(_consume_exception)
        # Shielded: a caller that gives up must not cancel the fetch the others wait for.
        return await asyncio.shield(self._inflight)

    def invalidate(self, token: AccessToken) -> None:
        """Drop `token` after Aura refused it; a no-op if a newer one is already cached."""
        if self._token is token:
            self._token = None

    async def _refresh(self) -> AccessToken:
        try:
            token = await self._fetch()
            self._token = token
            return token
        except AuraAuthError as refusal:
            self._refused = (refusal, self._clock.monotonic() + self._refusal_memory)
            raise
        finally:
            self._inflight = None


def _consume_exception(future: asyncio.Future[AccessToken]) -> None:
    # Every waiter sees the error; this only keeps asyncio from warning when none is left.
    if not future.cancelled():
        future.exception()
