"""One structured line per exchange, and no secret anywhere in logs, reprs or errors."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from aura_operator.aura import (
    AuraApi,
    AuraError,
    Credentials,
    InstancePatch,
    Lane,
    LimiterRegistry,
)

from .conftest import CLIENT_ID, CLIENT_SECRET, TIME_SCALE, EnvFactory

STRUCTURED_FIELDS = (
    "method",
    "path",
    "status",
    "duration_ms",
    "request_id",
    "lane",
    "limiter_wait_ms",
    "attempt",
)


def aura_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "aura_operator.aura"]


async def test_each_exchange_logs_one_structured_line(
    make_env: EnvFactory, caplog: pytest.LogCaptureFixture
) -> None:
    env = await make_env()
    caplog.set_level(logging.INFO, logger="aura_operator.aura")
    result = await env.client.list_tenants(lane=Lane.INTENT)
    records = aura_records(caplog)
    assert [(r.method, r.path, r.status) for r in records] == [  # type: ignore[attr-defined]
        ("POST", "/oauth/token", 200),
        ("GET", "/v1/tenants", 200),
    ]
    last = records[-1]
    for name in STRUCTURED_FIELDS:
        assert hasattr(last, name), name
    assert last.request_id == result.request_id  # type: ignore[attr-defined]
    assert last.lane == "intent"  # type: ignore[attr-defined]
    assert last.attempt == 1  # type: ignore[attr-defined]
    assert last.levelno == logging.INFO
    assert f"request id {result.request_id}," in last.getMessage()


async def test_a_full_run_leaves_no_secret_token_or_password_in_logs_reprs_or_errors(
    make_env: EnvFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, httpx and httpcore included
    tokens: list[str] = []

    async def keep_tokens(response: httpx.Response) -> None:
        if response.request.url.path == "/oauth/token" and response.status_code == 200:
            await response.aread()
            tokens.append(response.json()["access_token"])

    env = await make_env()
    seen: list[Any] = []
    wrong_secret = "wrong-secret-also-never-logged"
    async with (
        httpx.AsyncClient(event_hooks={"response": [keep_tokens]}) as http,
        AuraApi(
            env.sim.base_url,
            limiter_registry=LimiterRegistry(time_scale=TIME_SCALE),
            time_scale=TIME_SCALE,
            http=http,
        ) as api,
    ):
        client = api.client_for(Credentials(CLIENT_ID, SecretStr(CLIENT_SECRET)))
        seen.append(client)
        tenants = await client.list_tenants()
        created = await client.create_instance(env.create_request("orders"))
        seen += [tenants, created, created.value, created.value.password]
        try:
            await client.pause_instance(created.value.id)  # 409: still creating
        except AuraError as error:
            seen.append(error)
        await env.control.advance(600)
        seen.append(await client.patch_instance(created.value.id, InstancePatch(name="o2")))
        await env.control.expire_tokens()  # 403, one refresh, replay
        seen.append(await client.get_instance(created.value.id))
        await env.control.faults(create_commit_then_fail="500")
        try:
            await client.create_instance(env.create_request("lost"))
        except AuraError as error:
            seen.append(error)
        try:
            await api.client_for(Credentials("client-b", SecretStr(wrong_secret))).list_tenants()
        except AuraError as error:
            seen.append(error)

    passwords = [i["password"] for i in await env.control.instances()]
    secrets = [CLIENT_SECRET, wrong_secret, *tokens, *passwords]
    assert len(tokens) == 2
    assert len(passwords) == 2
    assert all(secrets)

    text = caplog.text + "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    text += "\n".join(f"{item!r} {item}" for item in seen)
    for secret in secrets:
        assert secret not in text
    # The run really was logged: every exchange, including the failed ones.
    statuses = [r.status for r in aura_records(caplog)]  # type: ignore[attr-defined]
    assert {200, 202, 401, 403, 409, 500} <= set(statuses)
