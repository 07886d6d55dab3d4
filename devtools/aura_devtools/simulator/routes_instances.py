"""`/v1/instances`: list, create, sizing, read, update, delete and the lifecycle actions."""

from __future__ import annotations

import asyncio

from aiohttp import web

from aura_devtools.simulator import instances
from aura_devtools.simulator.context import data, now_of, read_json, state_of
from aura_devtools.simulator.errors import db_not_found
from aura_devtools.simulator.gateway_errors import server_error
from aura_devtools.simulator.inventory import Instance
from aura_devtools.simulator.views import created_view, instance_view, summary_view

routes = web.RouteTableDef()


class DropConnection(Exception):
    """Raised by a handler to close the connection without answering."""


async def fail_after_commit(request: web.Request, mode: str | None) -> None:
    """An action's "commit then fail": the change is made, but the client never learns it."""
    if mode is not None and mode.isdigit():
        raise server_error(state_of(request), int(mode), now_of(request))
    if mode == "drop":
        raise DropConnection
    if mode == "hang":  # no answer until the client gives up (it is logged without a status)
        while request.transport is not None and not request.transport.is_closing():  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        raise DropConnection


def _instance(request: web.Request, instance: Instance, status: int) -> web.Response:
    return data(request, instance_view(instance, state_of(request).faults.faults), status)


@routes.get("/v1/instances")
async def list_instances(request: web.Request) -> web.Response:
    state = state_of(request)
    tenant_id = request.query.get("tenantId")
    if tenant_id is not None:
        state.catalog.get(tenant_id, "tenantId")
    # Eventual consistency: a new instance reaches the listing only after the lag.
    visible_from = state.faults.faults.list_after_create_lag_seconds
    now = now_of(request)
    listed = [
        summary_view(i)
        for i in state.inventory.live_instances()
        if (tenant_id is None or i.tenant_id == tenant_id) and i.created_at + visible_from <= now
    ]
    return data(request, listed)


@routes.post("/v1/instances")
async def create_instance(request: web.Request) -> web.Response:
    state, now = state_of(request), now_of(request)
    body = await read_json(request)
    faults = state.faults.faults
    late = faults.create_commit_then_fail is not None and faults.create_commit_delay > 0
    commit_at = now + faults.create_commit_delay if late else None
    instance = instances.create_instance(state, body, now, commit_at=commit_at)
    # "Commit then fail": the instance exists (or will), but the client never learns it.
    mode = state.faults.take_commit_then_fail()
    if mode is not None and mode.isdigit():
        raise server_error(state, int(mode), now)
    if mode == "drop":
        raise DropConnection
    if mode == "hang":  # no answer until the client gives up (it is logged without a status)
        while request.transport is not None and not request.transport.is_closing():  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        raise DropConnection
    return data(request, created_view(instance), 202)


@routes.post("/v1/instances/sizing")
async def size_instance(request: web.Request) -> web.Response:
    return data(request, instances.estimate_size(await read_json(request)))


@routes.get("/v1/instances/{instance_id}")
async def get_instance(request: web.Request) -> web.Response:
    state = state_of(request)
    instance = instances.require_instance(state, request.match_info["instance_id"])
    # Eventual consistency: a read soon after the create may not find the instance yet.
    if now_of(request) < instance.created_at + state.faults.faults.read_after_create_404_seconds:
        raise db_not_found(instance.id)
    return _instance(request, instance, 200)


@routes.patch("/v1/instances/{instance_id}")
async def patch_instance(request: web.Request) -> web.Response:
    instance, status = instances.patch_instance(
        state_of(request),
        request.match_info["instance_id"],
        await read_json(request),
        now_of(request),
    )
    return _instance(request, instance, status)


@routes.delete("/v1/instances/{instance_id}")
async def delete_instance(request: web.Request) -> web.Response:
    state, now = state_of(request), now_of(request)
    found = instances.require_instance(state, request.match_info["instance_id"])
    # Eventual consistency: a DELETE soon after the create may not find the instance yet, and
    # then deletes nothing.
    if now < found.created_at + state.faults.faults.delete_after_create_404_seconds:
        raise db_not_found(found.id)
    instance = instances.delete_instance(state, found.id, now)
    return _instance(request, instance, 202)


@routes.post("/v1/instances/{instance_id}/pause")
async def pause_instance(request: web.Request) -> web.Response:
    await read_json(request, optional=True)
    instance = instances.pause_instance(
        state_of(request), request.match_info["instance_id"], now_of(request)
    )
    return _instance(request, instance, 202)


@routes.post("/v1/instances/{instance_id}/resume")
async def resume_instance(request: web.Request) -> web.Response:
    await read_json(request, optional=True)
    instance = instances.resume_instance(
        state_of(request), request.match_info["instance_id"], now_of(request)
    )
    return _instance(request, instance, 202)


@routes.post("/v1/instances/{instance_id}/overwrite")
async def overwrite_instance(request: web.Request) -> web.Response:
    state = state_of(request)
    instance = instances.overwrite_instance(
        state, request.match_info["instance_id"], await read_json(request), now_of(request)
    )
    await fail_after_commit(request, state.faults.take_action_commit_then_fail("overwrite"))
    return _instance(request, instance, 202)


@routes.post("/v1/instances/{instance_id}/upgrade")
async def upgrade_instance(request: web.Request) -> web.Response:
    instance = instances.upgrade_instance(
        state_of(request),
        request.match_info["instance_id"],
        await read_json(request, optional=True),
        now_of(request),
    )
    return _instance(request, instance, 200)
