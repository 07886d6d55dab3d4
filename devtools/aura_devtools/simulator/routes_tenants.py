"""Tenants (projects): list, read with configurations, metrics integration.

`/v1/projects` is served as an alias, as the official tutorial calls it.
"""

from __future__ import annotations

from aiohttp import web

from aura_devtools.simulator.context import data, state_of
from aura_devtools.simulator.errors import ApiError
from aura_devtools.simulator.views import METRICS_BASE, METRICS_TYPES, tenant_summary, tenant_view

routes = web.RouteTableDef()


async def list_tenants(request: web.Request) -> web.Response:
    tenants = state_of(request).catalog.tenants.values()
    return data(request, [tenant_summary(t) for t in tenants])


async def get_tenant(request: web.Request) -> web.Response:
    tenant = state_of(request).catalog.get(request.match_info["tenant_id"])
    return data(request, tenant_view(tenant))


async def get_metrics_integration(request: web.Request) -> web.Response:
    state = state_of(request)
    tenant = state.catalog.get(request.match_info["tenant_id"])
    if not any(
        i.tenant_id == tenant.id and i.type in METRICS_TYPES
        for i in state.inventory.live_instances()
    ):
        raise ApiError(
            400,
            "This tenant has no instances eligible for metrics integration",
            "tenant-incapable-of-action",
        )
    return data(request, {"endpoint": f"{METRICS_BASE}/{tenant.id}/metrics"})


for prefix in ("/v1/tenants", "/v1/projects"):
    routes.get(prefix)(list_tenants)
    routes.get(prefix + "/{tenant_id}")(get_tenant)
    routes.get(prefix + "/{tenant_id}/metrics-integration")(get_metrics_integration)
