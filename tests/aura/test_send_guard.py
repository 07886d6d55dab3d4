"""Requests that must not go out: a create past its send window, any call the send guard
refuses (a deposed leader). Aura sees nothing, and the unused slot is given back."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from aura_operator.aura import AuraNotSent
from aura_operator.aura.calls import Call
from aura_operator.aura.exchange import Exchanger
from aura_operator.aura.lanes import Lane
from aura_operator.aura.limiter import Budget
from aura_operator.aura.retry_rules import CallKind

from .conftest import AuraEnv, EnvFactory


def budget_taken(env: AuraEnv) -> int:
    [budget] = list(env.registry.budgets())
    return budget.stats().in_window


async def test_a_create_past_its_deadline_is_not_sent_and_gives_its_slot_back(env: AuraEnv) -> None:
    await env.client.list_tenants()  # the token first: its request counts too
    taken = budget_taken(env)

    with pytest.raises(AuraNotSent, match="deadline"):
        await env.client.create_instance(env.create_request(), send_by=time.monotonic() - 1)

    assert not [e for e in await env.control.api_requests() if e["method"] == "POST"]
    assert await env.control.instances() == []
    assert budget_taken(env) == taken  # the slot was cancelled, not spent


async def test_the_send_guard_refuses_every_call_while_closed(make_env: EnvFactory) -> None:
    refusal: list[str] = []
    env = await make_env(send_guard=lambda: refusal[0] if refusal else None)
    await env.client.list_tenants()
    before = len(await env.control.requests())
    refusal.append("this process no longer holds the leader lease")

    with pytest.raises(AuraNotSent, match="leader lease"):
        await env.client.list_instances(env.tenant_id)
    with pytest.raises(AuraNotSent):
        await env.client.create_instance(env.create_request())

    assert len(await env.control.requests()) == before
    refusal.clear()
    await env.client.list_instances(env.tenant_id)  # open again: calls go out
    assert len(await env.control.requests()) == before + 1


async def test_a_guard_closing_while_the_token_is_renewed_stops_the_call() -> None:
    """The guard is asked right before the request leaves: renewing an expired token while
    holding the permit can take seconds (a slow token endpoint, a busy budget), in which the
    process may lose the Lease."""
    sent: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda request: sent.append(request) or httpx.Response(202))
    refusal: list[str] = []
    budget = Budget("client")
    exchanger = Exchanger(
        httpx.AsyncClient(transport=transport),
        "https://aura.invalid",
        budget,
        guard=lambda: refusal[0] if refusal else None,
    )

    async def renewing_headers() -> dict[str, str]:
        refusal.append("this process no longer holds the leader lease")  # meanwhile
        return {"Authorization": "Bearer renewed"}

    call = Call("POST", "/v1/instances", "create_instance", CallKind.CREATE, Lane.CREATE, {})
    with pytest.raises(AuraNotSent, match="leader lease"):
        await exchanger.send(call, renewing_headers, 1)
    assert sent == []
    assert budget.stats().in_window == 0  # the slot was given back


async def test_a_guard_closing_while_the_call_waits_for_a_connection_stops_the_call() -> None:
    """The guard is asked once more as the request's first bytes are about to leave: a call
    that passed it can still wait for a pooled connection (or its process be frozen) and would
    otherwise leave after the guard closed."""
    seen: list[str] = []
    slow_answer, reading_started, create_checked = asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def answer(request: web.Request) -> web.Response:
        seen.append(request.method)
        if request.method == "GET":
            reading_started.set()
            await slow_answer.wait()
        return web.json_response({"data": []})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
    refusal: list[str] = []
    asked: list[str] = []

    def guard() -> str | None:
        asked.append("asked")
        if len(asked) == 2 and reading_started.is_set():  # the create passed both checks
            create_checked.set()
        return refusal[0] if refusal else None

    async def headers() -> dict[str, str]:
        return {"Authorization": "Bearer token"}

    budget = Budget("client")
    async with (
        TestServer(app) as server,
        httpx.AsyncClient(
            limits=httpx.Limits(max_connections=1)  # one connection: the second call waits for it
        ) as http,
    ):
        exchanger = Exchanger(http, str(server.make_url("")), budget, guard=guard)
        read = Call("GET", "/v1/instances", "list_instances", CallKind.IDEMPOTENT, Lane.BACKGROUND)
        create = Call("POST", "/v1/instances", "create_instance", CallKind.CREATE, Lane.CREATE, {})
        reading = asyncio.create_task(exchanger.send(read, headers, 1))
        await reading_started.wait()
        asked.clear()
        creating = asyncio.create_task(exchanger.send(create, headers, 1))
        await create_checked.wait()  # now it waits for the one connection
        refusal.append("this process no longer holds the leader lease")
        slow_answer.set()

        await reading
        with pytest.raises(AuraNotSent, match="leader lease"):
            await creating

    assert seen == ["GET"]
    assert budget.stats().in_window == 1  # the read's; the create's slot was given back
