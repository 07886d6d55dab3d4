"""What is retried, what is not, and the create that may or may not have happened."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import httpx
import pytest

from aura_operator.aura import (
    AuraServerError,
    AuraUnavailable,
    CallRecord,
    CreateOutcomeUnknown,
    InstancePatch,
    RetryPolicy,
    Timeouts,
)

from .conftest import AuraEnv, EnvFactory, HookedClock


def calls(log: list[dict[str, Any]]) -> list[tuple[str, int | None]]:
    return [(e["method"], e["status"]) for e in log if e["path"] != "/oauth/token"]


async def env_that_heals(make_env: EnvFactory, **faults: Any) -> AuraEnv:
    """An env whose faults are cleared during the client's first backoff sleep."""
    holder: list[AuraEnv] = []

    async def heal(sleep_number: int) -> None:
        if sleep_number == 1:
            await holder[0].control.clear_faults()

    env = await make_env(clock=HookedClock(heal))
    holder.append(env)
    await env.client.list_tenants()  # token in hand before faults are armed
    await env.control.faults(**faults)
    return env


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_get_is_retried_on_server_errors(make_env: EnvFactory, status: int) -> None:
    env = await env_that_heals(make_env, error_rate=1.0, error_codes=[status])
    since = await env.control.last_seq()
    result = await env.client.list_tenants()
    log = await env.control.requests(since)
    assert calls(log) == [("GET", status), ("GET", 200)]
    assert result.request_id == log[-1]["request_id"]


async def test_delete_is_retried_on_server_errors(make_env: EnvFactory) -> None:
    env = await env_that_heals(make_env)
    instance_id = await env.running_instance()
    await env.control.faults(error_rate=1.0, error_codes=[502], error_methods=["DELETE"])
    since = await env.control.last_seq()
    deleted = await env.client.delete_instance(instance_id)
    assert calls(await env.control.requests(since)) == [("DELETE", 502), ("DELETE", 202)]
    assert deleted.value is not None and deleted.value.status == "destroying"


async def test_get_gives_up_after_max_attempts_with_the_last_request_id(
    make_env: EnvFactory,
) -> None:
    env = await make_env(retry=RetryPolicy(max_attempts=4))
    await env.client.list_tenants()
    since = await env.control.last_seq()
    await env.control.faults(error_rate=1.0, error_codes=[503], error_retry_after=1)
    with pytest.raises(AuraServerError) as caught:
        await env.client.list_tenants()
    log = await env.control.requests(since)
    assert calls(log) == [("GET", 503)] * 4
    assert caught.value.status == 503
    assert caught.value.request_id == log[-1]["request_id"]
    # Retry-After (1 simulated second) is the floor of every backoff.
    gaps = [b["time"] - a["time"] for a, b in itertools.pairwise(log)]
    assert all(gap >= 1.0 for gap in gaps)


@pytest.mark.parametrize("status", [500, 503])
async def test_patch_is_not_retried_on_server_errors(env: AuraEnv, status: int) -> None:
    instance_id = await env.running_instance()
    await env.control.faults(error_rate=1.0, error_codes=[status], error_methods=["PATCH"])
    since = await env.control.last_seq()
    with pytest.raises(AuraServerError) as caught:
        await env.client.patch_instance(instance_id, InstancePatch(memory="16GB"))
    log = await env.control.requests(since)
    assert calls(log) == [("PATCH", status)]
    assert caught.value.request_id == log[0]["request_id"]


async def test_action_post_is_not_retried_on_server_errors(env: AuraEnv) -> None:
    instance_id = await env.running_instance()
    await env.control.faults(error_rate=1.0, error_codes=[502], error_methods=["POST"])
    since = await env.control.last_seq()
    with pytest.raises(AuraServerError):
        await env.client.pause_instance(instance_id)
    assert calls(await env.control.requests(since)) == [("POST", 502)]


async def test_action_post_is_retried_on_429(env: AuraEnv) -> None:
    instance_id = await env.running_instance()
    since = await env.control.last_seq()
    await env.control.faults(rate_limit_storm_seconds=60)
    paused = await env.client.pause_instance(instance_id)
    assert calls(await env.control.requests(since)) == [("POST", 429), ("POST", 202)]
    assert paused.value is not None and paused.value.status == "pausing"


@pytest.mark.parametrize("mode", ["500", "drop"])
async def test_create_committed_then_failed_raises_outcome_unknown_after_one_post(
    env: AuraEnv, mode: str
) -> None:
    await env.client.list_tenants()
    since = await env.control.last_seq()
    await env.control.faults(create_commit_then_fail=mode)
    with pytest.raises(CreateOutcomeUnknown) as caught:
        await env.client.create_instance(env.create_request("orders"))

    log = await env.control.requests(since)
    assert calls(log) == [("POST", 500 if mode == "500" else None)]
    instances = await env.control.instances()
    assert [i["name"] for i in instances] == ["orders"]  # Aura did create it
    error = caught.value
    assert error.request_body["name"] == "orders"
    assert error.request_body["tenant_id"] == env.tenant_id
    assert error.sent_at is not None
    if mode == "500":
        assert error.status == 500
        assert error.request_id == log[0]["request_id"]
    else:
        assert error.status is None
        assert error.request_id is None


async def test_create_answered_with_a_server_error_raises_outcome_unknown(env: AuraEnv) -> None:
    await env.client.list_tenants()
    since = await env.control.last_seq()
    await env.control.faults(error_rate=1.0, error_codes=[503], error_methods=["POST"])
    with pytest.raises(CreateOutcomeUnknown) as caught:
        await env.client.create_instance(env.create_request())
    log = await env.control.requests(since)
    assert calls(log) == [("POST", 503)]
    assert caught.value.request_id == log[0]["request_id"]


async def test_create_timing_out_raises_outcome_unknown_after_one_post(
    make_env: EnvFactory,
) -> None:
    env = await make_env(timeouts=Timeouts(read=0.1))
    await env.client.list_tenants()
    since = await env.control.last_seq()
    await env.control.faults(latency=0.3)  # real seconds before the simulator answers
    with pytest.raises(CreateOutcomeUnknown) as caught:
        await env.client.create_instance(env.create_request("slow"))
    assert "ReadTimeout" in str(caught.value)
    # The simulator logs the request when it is done with it, after its latency.
    for _ in range(100):
        log = await env.control.api_requests(since)
        if log:
            break
        await asyncio.sleep(0.01)
    assert [e["method"] for e in log] == ["POST"]


async def test_create_is_retried_when_it_never_got_a_connection(make_env: EnvFactory) -> None:
    # One connection in the pool, held by a slow GET: the create times out waiting for it
    # (nothing was sent), so it may be sent again, and it goes out once the GET is done.
    records: list[CallRecord] = []

    class Recorder:
        def on_call(self, record: CallRecord) -> None:
            records.append(record)

    env = await make_env(
        limits=httpx.Limits(max_connections=1),
        timeouts=Timeouts(pool=0.05),
        retry=RetryPolicy(max_attempts=20),
        observer=Recorder(),
    )
    await env.client.list_tenants()
    since = await env.control.last_seq()
    await env.control.faults(latency=0.25)
    slow = asyncio.create_task(env.client.list_tenants())
    await asyncio.sleep(0.02)  # the GET takes the connection; its answer is 0.25 s away
    created = await env.client.create_instance(env.create_request("orders"))
    await slow

    create_attempts = [r.error for r in records if r.endpoint == "create_instance"]
    assert "PoolTimeout" in create_attempts
    assert create_attempts[-1] is None
    assert calls(await env.control.requests(since)) == [("GET", 200), ("POST", 202)]
    assert [i["id"] for i in await env.control.instances()] == [created.value.id]


async def test_create_raises_unavailable_not_outcome_unknown_when_never_connected(
    make_env: EnvFactory,
) -> None:
    env = await make_env(retry=RetryPolicy(max_attempts=3))
    await env.client.list_tenants()  # token in hand
    await env.sim.stop()  # connections are now refused
    with pytest.raises(AuraUnavailable) as caught:
        await env.client.create_instance(env.create_request())
    assert not isinstance(caught.value, CreateOutcomeUnknown)
    assert "ConnectError" in str(caught.value)
    assert caught.value.path == "/v1/instances"
