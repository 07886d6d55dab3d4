"""Errors the gateway in front of Aura produces: injected 5xx (as Aura's JSON or as the load
balancer's HTML page) and the `Retry-After` header in either of its forms."""

from __future__ import annotations

import math

from aiohttp import web

from aura_devtools.simulator.clock import http_date
from aura_devtools.simulator.errors import ApiError, GatewayPage
from aura_devtools.simulator.state import SimulatorState

SERVER_ERROR_MESSAGES = {
    500: ("Internal server error", "internal-server-error"),
    502: ("Bad gateway", "bad-gateway"),
    503: ("Service unavailable", "service-unavailable"),
    504: ("Gateway timeout", "gateway-timeout"),
}
GATEWAY_PAGE_STATUSES = frozenset({502, 503, 504})
GATEWAY_PAGE = (
    "<html>\r\n<head><title>{status} {title}</title></head>\r\n<body>\r\n"
    "<center><h1>{status} {title}</h1></center>\r\n</body>\r\n</html>\r\n"
)


def retry_after_header(state: SimulatorState, delay: int, now: float) -> dict[str, str]:
    """`Retry-After` in whole seconds, or as the HTTP date that far ahead on the simulated
    clock (`retry_after_format`)."""
    if state.faults.faults.retry_after_format == "http-date":
        return {"Retry-After": http_date(math.ceil(now) + delay)}
    return {"Retry-After": str(delay)}


def render_gateway_page(page: GatewayPage) -> web.Response:
    title = SERVER_ERROR_MESSAGES.get(page.status, ("Server Error", ""))[0].title()
    return web.Response(
        text=GATEWAY_PAGE.format(status=page.status, title=title),
        status=page.status,
        content_type="text/html",
        headers=page.headers,
    )


def server_error(state: SimulatorState, status: int, now: float) -> Exception:
    """An injected 5xx: Aura's error body, or the gateway's HTML page where that is switched
    on; with `Retry-After` when `error_retry_after` is set."""
    faults = state.faults.faults
    retry_after = faults.error_retry_after
    headers = None if retry_after is None else retry_after_header(state, retry_after, now)
    if faults.gateway_error_html and status in GATEWAY_PAGE_STATUSES:
        return GatewayPage(status, headers)
    message, reason = SERVER_ERROR_MESSAGES.get(status, ("Server error", "server-error"))
    return ApiError(status, message, reason, kind="gateway", headers=headers)
