"""The client against Aura's unreliable edges: a revoked token while calls queue, Aura's clock
through its Date headers, HTTP-date Retry-After, gateway pages and a slow token endpoint."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from aura_operator.aura import AuraServerError, AuraUnavailable, CreateOutcomeUnknown, Lane
from aura_operator.aura.token_endpoint import TOKEN_PATH

from .conftest import TIME_SCALE, AuraEnv, EnvFactory


async def test_calls_queued_in_the_limiter_take_the_token_renewed_meanwhile(
    make_env: EnvFactory,
) -> None:
    # What each request carried, in the order the client sent them (not the order they reached
    # the simulator, which a loaded machine may shuffle).
    sent: list[tuple[str, str]] = []

    async def record(request: httpx.Request) -> None:
        sent.append((request.url.path, request.headers.get("Authorization", "")))

    http = httpx.AsyncClient(event_hooks={"request": [record]})
    # Three requests a window (0.4 s real), paced one per 0.13 s: twelve calls queue for a
    # while, and a 403 comes back long before the next permit is granted.
    env = await make_env(limit=3, margin=0, time_scale=150.0, http=http)
    try:
        await env.client.list_tenants()
        [(_, dead_token)] = [entry for entry in sent if entry[0] != TOKEN_PATH]
        since = await env.control.last_seq()
        calls = asyncio.gather(*(env.client.list_tenants() for _ in range(12)))
        while len(await env.control.api_requests(since)) < 2:  # noqa: ASYNC110 - state elsewhere
            await asyncio.sleep(0.005)
        await env.control.expire_tokens()  # revoked while most calls still wait for a permit

        await calls
    finally:
        await http.aclose()

    log = await env.control.api_requests(since)
    assert [e["status"] for e in log].count(200) == 12
    assert [e["status"] for e in log].count(403) >= 1
    renewals = [i for i, (path, _) in enumerate(sent) if path == TOKEN_PATH]
    assert len(renewals) == 2  # the first token, then one renewal
    # Only calls sent before the client asked for a new token carry the dead one (how many
    # depends on the machine's speed); every call sent after it carries the new token.
    # Taken before the limiter's wait, the calls still queued went out with the dead token.
    after_renewal = [auth for path, auth in sent[renewals[1] :] if path != TOKEN_PATH]
    assert after_renewal
    stale = sum(auth == dead_token for auth in after_renewal)  # counted: tokens stay unprinted
    assert stale == 0, f"{stale} of {len(after_renewal)} calls after the renewal had the dead token"


@pytest.mark.parametrize("offset", [600.0, -600.0])
async def test_auras_time_comes_from_its_date_headers_not_the_local_clock(
    make_env: EnvFactory, offset: float
) -> None:
    env = await make_env(sim_options={"clock_offset": offset})

    aura_now = await env.client.aura_time()
    sim_now = datetime.fromtimestamp(env.sim.clock.now(), UTC)

    # A lower bound: at most a second (the header's resolution) plus the exchange behind,
    # and nowhere near the local clock, which is `offset` away.
    assert sim_now - timedelta(seconds=2 + TIME_SCALE * 0.05) <= aura_now <= sim_now


async def test_auras_time_runs_on_in_aura_seconds_between_answers(env: AuraEnv) -> None:
    first = await env.client.aura_time()
    await asyncio.sleep(0.05)  # 30 Aura seconds at this time scale

    later = await env.client.aura_time()

    assert (later - first).total_seconds() >= 29


async def test_a_create_not_granted_a_permit_by_its_deadline_is_not_sent(
    make_env: EnvFactory,
) -> None:
    env = await make_env(limit=1, margin=0)
    await env.client.list_tenants()  # the one slot of this window is taken
    since = await env.control.last_seq()

    with pytest.raises(AuraUnavailable) as caught:
        await env.client.create_instance(env.create_request(), send_by=time.monotonic() + 0.01)

    assert not isinstance(caught.value, CreateOutcomeUnknown)
    assert "not sent" in str(caught.value)
    assert await env.control.requests(since) == []
    assert await env.control.instances() == []


async def test_a_429_with_an_http_date_retry_after_is_waited_out(env: AuraEnv) -> None:
    # Longer than the pause after a 429 whose Retry-After cannot be read (one window).
    await env.control.faults(retry_after_format="http-date", rate_limit_storm_seconds=200)

    result = await env.client.list_tenants(lane=Lane.INTENT)

    assert result.value
    statuses = [e["status"] for e in await env.control.requests()]
    # The one 429 (on the token request) said when the storm ends; nothing was sent before.
    assert statuses == [429, 200, 200]


async def test_a_gateway_page_without_a_request_id_is_reported_as_such(env: AuraEnv) -> None:
    await env.control.faults(gateway_error_html=True, error_rate=1.0, error_codes=[503])

    with pytest.raises(AuraServerError) as caught:
        await env.client.list_tenants()

    error = caught.value
    assert error.status == 503
    assert error.request_id is None
    assert "no request id" in str(error)
    assert "None" not in str(error)


async def test_a_create_answered_by_a_gateway_page_leaves_the_outcome_unknown(
    env: AuraEnv,
) -> None:
    await env.control.faults(gateway_error_html=True, create_commit_then_fail="504")

    with pytest.raises(CreateOutcomeUnknown) as caught:
        await env.client.create_instance(env.create_request())

    assert caught.value.status == 504
    assert caught.value.request_id is None
    assert len(await env.control.instances()) == 1


async def test_a_slow_token_endpoint_delays_but_does_not_fail_calls(env: AuraEnv) -> None:
    await env.control.faults(token_latency=0.3)

    results = await asyncio.gather(*(env.client.list_tenants() for _ in range(5)))

    assert all(r.value for r in results)
    assert len(await env.control.token_requests()) == 1
