"""The inspection and control API under `/_sim/`: never part of Aura's paths, never logged,
never rate-limited, no auth. Bodies are wrapped in `{"data": ...}`."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from pydantic import ValidationError

from aura_devtools.simulator import instances
from aura_devtools.simulator.config import Faults
from aura_devtools.simulator.context import control_data, now_of, read_json, state_of
from aura_devtools.simulator.errors import ApiError, db_not_found, invalid
from aura_devtools.simulator.inventory import Instance
from aura_devtools.simulator.validation import require_object
from aura_devtools.simulator.views import instance_dump, snapshot_view

routes = web.RouteTableDef()
PREFIX = "/_sim"

ENDPOINTS = {
    "GET /_sim/requests?since=<seq>": "request log (method, path, status, request id, client id)",
    "GET /_sim/rate": "rate-limit counts per client id",
    "GET /_sim/instances": "every instance with status and password, deleted ones flagged",
    "GET /_sim/snapshots": "every snapshot with its status",
    "GET|PUT|PATCH|DELETE /_sim/faults": "read, replace, merge or reset the fault switches",
    "GET|POST /_sim/clock": 'read the simulated clock or move it: {"advance": seconds}',
    "POST /_sim/tokens/expire": "expire every issued token (next use gets 403)",
    "POST /_sim/tokens/revoke": "revoke every issued token (next use gets 403)",
    "POST /_sim/instances": 'seed a running instance: {"id": "0a1b2c3d", "instance": {...}}',
    "POST /_sim/instances/{id}/status": 'force a status: {"status": "...", "stuck": true}',
    "POST /_sim/instances/{id}/busy": 'GET keeps its status but actions get 409: {"busy": true}',
    "POST /_sim/reset": "forget instances, requests, tokens, rate counts and faults",
    "GET /_sim/config": "the effective configuration (secrets masked)",
}


def _validation_error(error: ValidationError) -> ApiError:
    first = error.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or None
    return invalid(field, str(first["msg"]), "invalid-fault")


@routes.get(PREFIX)
async def index(request: web.Request) -> web.Response:
    return control_data(ENDPOINTS)


@routes.get(PREFIX + "/requests")
async def requests_log(request: web.Request) -> web.Response:
    try:
        since = int(request.query.get("since", "0"))
    except ValueError:
        raise invalid("since", "since must be an integer") from None
    log = state_of(request).requests
    return control_data([entry.as_dict() for entry in log.since(since)])


@routes.get(PREFIX + "/rate")
async def rate(request: web.Request) -> web.Response:
    return control_data(state_of(request).limiter.snapshot(now_of(request)))


@routes.get(PREFIX + "/instances")
async def dump_instances(request: web.Request) -> web.Response:
    state = state_of(request)
    faults = state.faults.faults
    return control_data([instance_dump(i, faults) for i in state.inventory.instances.values()])


@routes.get(PREFIX + "/instances/{instance_id}")
async def dump_instance(request: web.Request) -> web.Response:
    state = state_of(request)
    instance = state.inventory.instances.get(request.match_info["instance_id"])
    if instance is None:
        raise db_not_found(request.match_info["instance_id"])
    return control_data(instance_dump(instance, state.faults.faults))


@routes.get(PREFIX + "/snapshots")
async def dump_snapshots(request: web.Request) -> web.Response:
    state, now = state_of(request), now_of(request)
    snapshots = [s for s in state.inventory.snapshots.values() if s.visible(now)]
    return control_data([snapshot_view(s, now) for s in snapshots])


@routes.get(PREFIX + "/faults")
async def get_faults(request: web.Request) -> web.Response:
    return control_data(state_of(request).faults.view(now_of(request)))


@routes.put(PREFIX + "/faults")
async def replace_faults(request: web.Request) -> web.Response:
    state, now = state_of(request), now_of(request)
    try:
        faults = Faults.model_validate(await read_json(request, optional=True))
    except ValidationError as error:
        raise _validation_error(error) from None
    state.faults.replace(faults, now)
    return control_data(state.faults.view(now))


@routes.patch(PREFIX + "/faults")
async def merge_faults(request: web.Request) -> web.Response:
    state, now = state_of(request), now_of(request)
    patch = require_object(await read_json(request, optional=True))
    try:
        state.faults.merge(patch, now)
    except ValidationError as error:
        raise _validation_error(error) from None
    return control_data(state.faults.view(now))


@routes.delete(PREFIX + "/faults")
async def reset_faults(request: web.Request) -> web.Response:
    state = state_of(request)
    state.faults.reset()
    return control_data(state.faults.view(now_of(request)))


def _clock_view(request: web.Request, now: float) -> dict[str, Any]:
    return {"now": now, "time_scale": state_of(request).clock.time_scale}


@routes.get(PREFIX + "/clock")
async def get_clock(request: web.Request) -> web.Response:
    return control_data(_clock_view(request, state_of(request).now()))


@routes.post(PREFIX + "/clock")
async def advance_clock(request: web.Request) -> web.Response:
    state = state_of(request)
    body = require_object(await read_json(request, optional=True))
    seconds = body.get("advance", 0)
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
        raise invalid("advance", "advance must be a non-negative number of simulated seconds")
    now = state.clock.advance(float(seconds))
    state.inventory.refresh(now)
    return control_data(_clock_view(request, now))


async def _client_filter(request: web.Request) -> str | None:
    body = require_object(await read_json(request, optional=True))
    client_id = body.get("client_id")
    if client_id is not None and not isinstance(client_id, str):
        raise invalid("client_id", "client_id must be a string")
    return client_id


@routes.post(PREFIX + "/tokens/expire")
async def expire_tokens(request: web.Request) -> web.Response:
    state = state_of(request)
    count = state.tokens.expire_all(state.now(), await _client_filter(request))
    return control_data({"expired": count})


@routes.post(PREFIX + "/tokens/revoke")
async def revoke_tokens(request: web.Request) -> web.Response:
    state = state_of(request)
    count = state.tokens.revoke_all(await _client_filter(request))
    return control_data({"revoked": count})


def _live_instance(request: web.Request) -> Instance:
    instance = state_of(request).inventory.live(request.match_info["instance_id"])
    if instance is None:
        raise db_not_found(request.match_info["instance_id"])
    return instance


@routes.post(PREFIX + "/instances")
async def seed_instance(request: web.Request) -> web.Response:
    """An instance that already exists, as if created earlier in the console (demos, tests):
    `{"id": "0a1b2c3d", "instance": <create body>}`; it is running at once."""
    state, now = state_of(request), now_of(request)
    body = require_object(await read_json(request))
    instance_id = body.get("id")
    if instance_id is not None and (
        not isinstance(instance_id, str)
        or len(instance_id) != 8
        or any(c not in "0123456789abcdef" for c in instance_id)
    ):
        raise invalid("id", "id must be 8 lowercase hex characters")
    if instance_id is not None and state.inventory.live(instance_id) is not None:
        raise invalid("id", f"instance {instance_id} already exists")
    instance = instances.create_instance(state, body.get("instance"), now, instance_id=instance_id)
    state.inventory.force_status(instance, "running", False, now)
    return control_data(instance_dump(instance, state.faults.faults))


@routes.post(PREFIX + "/instances/{instance_id}/status")
async def force_status(request: web.Request) -> web.Response:
    state, now = state_of(request), now_of(request)
    instance = _live_instance(request)
    body = require_object(await read_json(request, optional=True))
    status = body.get("status")
    stuck = body.get("stuck", False)
    if not isinstance(stuck, bool):
        raise invalid("stuck", "stuck must be a boolean")
    if status is None:
        state.inventory.set_stuck(instance, stuck, now)
    elif isinstance(status, str) and status:
        state.inventory.force_status(instance, status, stuck, now)
    else:
        raise invalid("status", "status must be a non-empty string")
    return control_data(instance_dump(instance, state.faults.faults))


@routes.post(PREFIX + "/instances/{instance_id}/busy")
async def force_busy(request: web.Request) -> web.Response:
    state = state_of(request)
    instance = _live_instance(request)
    body = require_object(await read_json(request, optional=True))
    busy = body.get("busy", True)
    operation = body.get("operation", "creating")
    if not isinstance(busy, bool):
        raise invalid("busy", "busy must be a boolean")
    if not isinstance(operation, str) or not operation:
        raise invalid("operation", "operation must be a non-empty string")
    instance.busy_operation = operation if busy else None
    return control_data(instance_dump(instance, state.faults.faults))


@routes.post(PREFIX + "/reset")
async def reset(request: web.Request) -> web.Response:
    state_of(request).reset()
    return control_data({"reset": True})


@routes.get(PREFIX + "/config")
async def config(request: web.Request) -> web.Response:
    return control_data(state_of(request).config.model_dump(mode="json"))
