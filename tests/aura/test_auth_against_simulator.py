"""Tokens: cached, renewed before expiry, fetched once for many callers, refreshed once on 403."""

from __future__ import annotations

import asyncio

import pytest
from pydantic import SecretStr

from aura_operator.aura import AuraAuthError, Credentials

from .conftest import CLIENT_ID, TIME_SCALE, AuraEnv, EnvFactory, OffsetClock


async def test_one_token_serves_many_calls(env: AuraEnv) -> None:
    for _ in range(5):
        await env.client.list_tenants()
    assert len(await env.control.token_requests()) == 1


async def test_50_concurrent_callers_after_the_token_expired_at_aura_make_one_token_request(
    env: AuraEnv,
) -> None:
    await env.client.list_tenants()
    since = await env.control.last_seq()
    await env.control.expire_tokens()

    await asyncio.gather(*(env.client.list_tenants() for _ in range(50)))

    assert len(await env.control.token_requests(since)) == 1
    statuses = [e["status"] for e in await env.control.api_requests(since)]
    # Every caller succeeded, refused at most once: those sent before the first refusal came
    # back used the old token (on a busy machine, all fifty may be), the rest took the renewed
    # one when their permit was granted (tests/aura/test_unreliable_edges_client.py).
    assert statuses.count(200) == 50
    assert 1 <= statuses.count(403) <= 50
    assert set(statuses) == {200, 403}


async def test_50_concurrent_callers_after_the_token_lifetime_make_one_token_request(
    make_env: EnvFactory,
) -> None:
    clock = OffsetClock()
    env = await make_env(clock=clock)
    await env.client.list_tenants()
    since = await env.control.last_seq()
    # 3550 of the token's 3600 seconds pass, for the client and for Aura: the client renews
    # 60 seconds before expiry, so it must fetch a new token before its next call.
    clock.offset += 3550 / TIME_SCALE
    await env.control.advance(3550)

    await asyncio.gather(*(env.client.list_tenants() for _ in range(50)))

    log = await env.control.requests(since)
    assert [e["path"] for e in log].count("/oauth/token") == 1
    # Renewed before use: no call was refused for an expired token.
    assert all(e["status"] == 200 for e in log)


async def test_token_requests_pass_the_limiter(make_env: EnvFactory) -> None:
    env = await make_env(limit=3, margin=0)
    await asyncio.gather(*(env.client.list_tenants() for _ in range(6)))
    log = await env.control.requests()
    assert log[0]["path"] == "/oauth/token"
    # Three slots per window: the token request took one of the first window's three.
    first_window = [e for e in log if e["time"] < log[0]["time"] + 60]
    assert len(first_window) == 3


async def test_a_token_refused_again_after_one_refresh_raises_auth_error(
    make_env: EnvFactory,
) -> None:
    # Tokens that are already expired when issued: every call gets 403.
    env = await make_env(token_lifetime=0.001)
    with pytest.raises(AuraAuthError) as caught:
        await env.client.list_tenants()
    log = await env.control.requests()
    assert [(e["path"], e["status"]) for e in log] == [
        ("/oauth/token", 200),
        ("/v1/tenants", 403),
        ("/oauth/token", 200),
        ("/v1/tenants", 403),
    ]
    assert caught.value.status == 403
    assert caught.value.request_id == log[-1]["request_id"]


async def test_wrong_credentials_raise_auth_error_without_calling_the_api(
    env: AuraEnv,
) -> None:
    client = env.api.client_for(Credentials(CLIENT_ID, SecretStr("not-the-secret")))
    with pytest.raises(AuraAuthError) as caught:
        await client.list_tenants()
    log = await env.control.requests()
    assert [(e["path"], e["status"]) for e in log] == [("/oauth/token", 401)]
    assert caught.value.status == 401
    assert caught.value.request_id == log[0]["request_id"]
    assert "not-the-secret" not in str(caught.value)


async def test_clients_are_cached_per_credential_and_share_the_token(env: AuraEnv) -> None:
    same = env.api.client_for(Credentials(CLIENT_ID, SecretStr("client-a-secret-never-logged")))
    assert same is env.client
    await env.client.list_tenants()
    await same.list_tenants()
    assert len(await env.control.token_requests()) == 1


async def test_a_stale_secret_of_the_same_client_id_does_not_discard_the_good_token(
    env: AuraEnv,
) -> None:
    """Two credentials Secrets with one client id (one namespace rotated, another did not):
    the stale one's calls fail, and the good one keeps its token instead of fetching anew."""
    stale = env.api.client_for(Credentials(CLIENT_ID, SecretStr("rotated-away")))
    good = env.api.client_for(Credentials(CLIENT_ID, SecretStr("client-a-secret-never-logged")))
    await good.list_tenants()
    for _ in range(3):
        with pytest.raises(AuraAuthError):
            await env.api.client_for(stale.credentials).list_tenants()
        await env.api.client_for(good.credentials).list_tenants()

    fetched = [e["status"] for e in await env.control.token_requests()]
    assert fetched.count(200) == 1  # the good token, fetched once and reused
