"""`/v1/instances/{id}/snapshots`: take, list per day, read, restore."""

from __future__ import annotations

from aiohttp import web

from aura_devtools.simulator import snapshots
from aura_devtools.simulator.context import data, now_of, read_json, state_of
from aura_devtools.simulator.routes_instances import fail_after_commit
from aura_devtools.simulator.views import instance_view, snapshot_view

routes = web.RouteTableDef()
BASE = "/v1/instances/{instance_id}/snapshots"


@routes.post(BASE)
async def take_snapshot(request: web.Request) -> web.Response:
    await read_json(request, optional=True)
    state = state_of(request)
    snapshot = snapshots.take_snapshot(state, request.match_info["instance_id"], now_of(request))
    await fail_after_commit(request, state.faults.take_action_commit_then_fail("snapshot"))
    return data(request, {"snapshot_id": snapshot.snapshot_id}, 202)


@routes.get(BASE)
async def list_snapshots(request: web.Request) -> web.Response:
    now = now_of(request)
    listed = snapshots.list_snapshots(
        state_of(request), request.match_info["instance_id"], request.query.get("date"), now
    )
    return data(request, [snapshot_view(s, now) for s in listed])


@routes.get(BASE + "/{snapshot_id}")
async def get_snapshot(request: web.Request) -> web.Response:
    now = now_of(request)
    snapshot = snapshots.get_snapshot(
        state_of(request), request.match_info["instance_id"], request.match_info["snapshot_id"], now
    )
    return data(request, snapshot_view(snapshot, now))


@routes.post(BASE + "/{snapshot_id}/restore")
async def restore_snapshot(request: web.Request) -> web.Response:
    await read_json(request, optional=True)
    state = state_of(request)
    instance = snapshots.restore_snapshot(
        state,
        request.match_info["instance_id"],
        request.match_info["snapshot_id"],
        now_of(request),
    )
    await fail_after_commit(request, state.faults.take_action_commit_then_fail("restore"))
    return data(request, instance_view(instance, state.faults.faults), 202)
