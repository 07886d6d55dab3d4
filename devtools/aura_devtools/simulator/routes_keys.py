"""`/v1/customer-managed-keys`: create, list (summaries), read, delete."""

from __future__ import annotations

from aiohttp import web

from aura_devtools.simulator import keys
from aura_devtools.simulator.context import data, now_of, read_json, state_of
from aura_devtools.simulator.views import key_summary, key_view

routes = web.RouteTableDef()
BASE = "/v1/customer-managed-keys"


@routes.post(BASE)
async def create_key(request: web.Request) -> web.Response:
    now = now_of(request)
    key = keys.create_key(state_of(request), await read_json(request), now)
    return data(request, key_view(key, now), 202)


@routes.get(BASE)
async def list_keys(request: web.Request) -> web.Response:
    listed = keys.list_keys(state_of(request), request.query.get("tenantId"))
    return data(request, [key_summary(k) for k in listed])


@routes.get(BASE + "/{key_id}")
async def get_key(request: web.Request) -> web.Response:
    key = keys.get_key(state_of(request), request.match_info["key_id"])
    return data(request, key_view(key, now_of(request)))


@routes.delete(BASE + "/{key_id}")
async def delete_key(request: web.Request) -> web.Response:
    keys.delete_key(state_of(request), request.match_info["key_id"])
    return web.Response(status=204)
