"""Each error type, mapped from the simulator's real responses, with the right request id."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, TypeVar

import pytest

from aura_operator.aura import (
    AuraAuthError,
    AuraClientError,
    AuraConflict,
    AuraError,
    AuraNotFound,
    AuraServerError,
    AuraValidationError,
    InstancePatch,
    OverwriteRequest,
)

from .conftest import AuraEnv, EnvFactory

E = TypeVar("E", bound=AuraError)


async def expect(env: AuraEnv, cls: type[E], call: Awaitable[Any]) -> tuple[E, dict[str, Any]]:
    """Run `call`, which must raise `cls`; return the error and the response's log entry."""
    since = await env.control.last_seq()
    with pytest.raises(cls) as caught:
        await call
    entries = await env.control.api_requests(since)
    error = caught.value
    assert type(error) is cls
    assert error.request_id == entries[-1]["request_id"]
    assert error.status == entries[-1]["status"]
    assert f"request id {error.request_id}" in str(error)
    return error, entries[-1]


async def test_validation_error_names_the_field(env: AuraEnv) -> None:
    error, _ = await expect(
        env, AuraValidationError, env.client.create_instance(env.create_request(memory="3GB"))
    )
    assert error.status == 400
    assert error.field == "memory"
    assert error.method == "POST" and error.path == "/v1/instances"
    assert "field memory" in str(error)


async def test_tier_rule_violation_is_a_validation_error(env: AuraEnv) -> None:
    instance_id = await env.running_instance()
    error, _ = await expect(
        env,
        AuraValidationError,
        env.client.patch_instance(instance_id, InstancePatch(secondaries_count=2)),
    )
    assert error.reason == "database-incapable-of-action"


async def test_not_found_for_instance_tenant_and_snapshot(env: AuraEnv) -> None:
    error, _ = await expect(env, AuraNotFound, env.client.get_instance("deadbeef"))
    assert error.reason == "db-not-found"
    error, _ = await expect(
        env, AuraNotFound, env.client.get_tenant("00000000-0000-0000-0000-000000000000")
    )
    assert error.reason == "tenant-not-found"
    instance_id = await env.running_instance()
    error, _ = await expect(env, AuraNotFound, env.client.get_snapshot(instance_id, "nope"))
    assert error.reason == "snapshot-not-found"


async def test_second_delete_is_not_found(env: AuraEnv) -> None:
    instance_id = await env.running_instance()
    await env.client.delete_instance(instance_id)
    await env.control.advance(600)
    error, _ = await expect(env, AuraNotFound, env.client.delete_instance(instance_id))
    assert error.status == 404


async def test_conflict_while_busy(env: AuraEnv) -> None:
    created = await env.client.create_instance(env.create_request())
    error, _ = await expect(env, AuraConflict, env.client.pause_instance(created.value.id))
    assert error.is_busy
    assert "creating" in error.message


async def test_conflict_in_the_wrong_state_is_not_busy(env: AuraEnv) -> None:
    instance_id = await env.running_instance()
    error, _ = await expect(env, AuraConflict, env.client.resume_instance(instance_id))
    assert not error.is_busy


async def test_instance_limit_is_a_client_error(env: AuraEnv) -> None:
    free = {"type": "free-db", "memory": "1GB"}
    await env.client.create_instance(env.create_request("free-1", **free))
    error, _ = await expect(
        env, AuraClientError, env.client.create_instance(env.create_request("free-2", **free))
    )
    assert error.status == 405


async def test_overwriting_a_free_instance_is_a_client_error(env: AuraEnv) -> None:
    source = await env.running_instance("source")
    created = await env.client.create_instance(
        env.create_request("free", type="free-db", memory="1GB")
    )
    await env.control.advance(600)
    error, _ = await expect(
        env,
        AuraClientError,
        env.client.overwrite_instance(
            created.value.id, OverwriteRequest(source_instance_id=source)
        ),
    )
    assert error.status == 420


async def test_overwriting_into_a_smaller_instance_is_a_server_error(env: AuraEnv) -> None:
    big = await env.client.create_instance(env.create_request("big", memory="16GB"))
    small = await env.running_instance("small")
    await env.control.advance(600)
    error, _ = await expect(
        env,
        AuraServerError,
        env.client.overwrite_instance(small, OverwriteRequest(source_instance_id=big.value.id)),
    )
    assert "smaller" in error.message


async def test_auth_error_in_the_middleware_shape(make_env: EnvFactory) -> None:
    env = await make_env(token_lifetime=0.001)
    await env.control.faults(auth_error_shape="middleware")
    error, _ = await expect(env, AuraAuthError, env.client.list_tenants())
    assert error.status == 403
    assert error.message  # read from {"error": "..."}
    assert error.reason is None


async def test_server_error_in_the_middleware_shape(env: AuraEnv) -> None:
    instance_id = await env.running_instance()
    await env.control.faults(
        error_rate=1.0, error_codes=[502], error_methods=["PATCH"], gateway_error_shape="middleware"
    )
    error, _ = await expect(
        env, AuraServerError, env.client.patch_instance(instance_id, InstancePatch(name="x"))
    )
    assert error.message == "Bad gateway"
