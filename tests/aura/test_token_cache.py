"""The token cache on its own: reuse, single flight, shared failure, invalidation."""

from __future__ import annotations

import asyncio

import pytest
from pydantic import SecretStr

from aura_operator.aura.auth import TokenCache, refresh_lead
from aura_operator.aura.credentials import AccessToken, Credentials
from aura_operator.aura.errors import AuraAuthError

from .fake_clock import FakeClock, settle


class Fetcher:
    def __init__(self, clock: FakeClock, lifetime: float = 10.0) -> None:
        self.clock = clock
        self.lifetime = lifetime
        self.calls = 0
        self.release = asyncio.Event()
        self.fail: Exception | None = None

    async def __call__(self) -> AccessToken:
        self.calls += 1
        await self.release.wait()
        if self.fail is not None:
            raise self.fail
        return AccessToken(SecretStr(f"t{self.calls}"), self.clock.now + self.lifetime)


async def test_concurrent_callers_share_one_fetch() -> None:
    clock = FakeClock()
    fetch = Fetcher(clock)
    cache = TokenCache(fetch, clock)
    waiters = [asyncio.create_task(cache.get()) for _ in range(50)]
    await settle()
    fetch.release.set()
    tokens = await asyncio.gather(*waiters)
    assert fetch.calls == 1
    assert len({id(t) for t in tokens}) == 1


async def test_token_is_reused_until_its_refresh_time() -> None:
    clock = FakeClock()
    fetch = Fetcher(clock, lifetime=10.0)
    fetch.release.set()
    cache = TokenCache(fetch, clock)
    first = await cache.get()
    await clock.advance(9.9)
    assert await cache.get() is first
    await clock.advance(0.1)
    assert await cache.get() is not first
    assert fetch.calls == 2


async def test_a_failed_fetch_fails_every_waiter_once_and_the_next_call_retries() -> None:
    clock = FakeClock()
    fetch = Fetcher(clock)
    fetch.fail = RuntimeError("token endpoint down")
    cache = TokenCache(fetch, clock)
    waiters = [asyncio.create_task(cache.get()) for _ in range(10)]
    await settle()
    fetch.release.set()
    results = await asyncio.gather(*waiters, return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results)
    assert fetch.calls == 1
    fetch.fail = None
    assert (await cache.get()).value.get_secret_value() == "t2"


async def test_a_cancelled_caller_does_not_cancel_the_shared_fetch() -> None:
    clock = FakeClock()
    fetch = Fetcher(clock)
    cache = TokenCache(fetch, clock)
    quitter = asyncio.create_task(cache.get())
    stayer = asyncio.create_task(cache.get())
    await settle()
    quitter.cancel()
    await settle()
    fetch.release.set()
    assert (await stayer).value.get_secret_value() == "t1"
    assert fetch.calls == 1


async def test_invalidate_drops_only_the_refused_token() -> None:
    clock = FakeClock()
    fetch = Fetcher(clock)
    fetch.release.set()
    cache = TokenCache(fetch, clock)
    old = await cache.get()
    cache.invalidate(old)
    new = await cache.get()
    assert new is not old
    cache.invalidate(old)  # a late 403 for the old token must not throw the new one away
    assert await cache.get() is new
    assert fetch.calls == 2


@pytest.mark.parametrize(("expires_in", "lead"), [(3600, 60.0), (60, 6.0), (10, 1.0)])
def test_tokens_are_renewed_shortly_before_expiry(expires_in: float, lead: float) -> None:
    assert refresh_lead(expires_in) == lead


def test_secrets_stay_out_of_reprs() -> None:
    token = AccessToken(SecretStr("eyJ-very-secret-token"), 12.0)
    creds = Credentials("client-a", SecretStr("client-secret-value"))
    assert "eyJ" not in repr(token)
    assert "client-secret-value" not in repr(creds)
    assert "client-secret-value" not in str(creds)


async def test_refused_credentials_are_remembered_for_a_while_not_asked_again_per_call() -> None:
    """Hundreds of resources naming one wrong secret each look again every few minutes: they
    learn the refusal from one token request, not one each (a transient failure is retried)."""
    clock = FakeClock()
    fetch = Fetcher(clock)
    fetch.release.set()
    fetch.fail = AuraAuthError("the token endpoint refused client id c", status=401)
    cache = TokenCache(fetch, clock, refusal_memory=30.0)

    errors = []
    for _ in range(5):
        with pytest.raises(AuraAuthError) as caught:
            await cache.get()
        errors.append(caught.value)
    assert fetch.calls == 1
    assert all(e is errors[0] for e in errors)  # the refusal itself, with its request id

    await clock.advance(30.0)
    with pytest.raises(AuraAuthError):
        await cache.get()
    assert fetch.calls == 2
