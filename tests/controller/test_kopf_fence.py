"""kopf's own writes ask the leadership gate too (kopf has no hook; its request function is
wrapped while the operator runs under leader election)."""

from __future__ import annotations

import logging
from typing import Any

import kopf
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from kopf._cogs.clients import api as kopf_api
from kopf._cogs.clients import auth
from kopf._cogs.structs import credentials

from aura_operator.controller.kopf_fence import KopfWriteRefused, fenced_kopf


async def test_kopf_writes_are_refused_while_the_gate_is_closed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sent: list[str] = []

    async def request(method: str, url: str, **_: Any) -> str:
        sent.append(method)
        return "answer"

    monkeypatch.setattr(kopf_api, "request", request)
    refusal: list[str] = []

    with fenced_kopf(lambda: refusal[0] if refusal else None):
        assert await kopf_api.request("PATCH", "/x") == "answer"
        refusal.append("not the leader")
        with pytest.raises(KopfWriteRefused, match="not the leader"):
            await kopf_api.request("PATCH", "/x")
        with pytest.raises(KopfWriteRefused):
            await kopf_api.request("post", "/events")
        assert await kopf_api.request("GET", "/x") == "answer"  # reads still pass

    assert sent == ["PATCH", "GET"]
    assert kopf_api.request is request  # put back


async def test_kopf_does_not_retry_a_write_once_the_gate_closed() -> None:
    """kopf retries a failed request by itself, seconds later (`error_backoffs`): each attempt
    asks the gate, not only the first."""
    sent: list[str] = []
    refusal: list[str] = []

    async def failing(request: web.Request) -> web.Response:
        sent.append(request.method)
        refusal.append("not the leader")  # the gate closes while kopf waits to retry
        return web.json_response({"message": "try again"}, status=500)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", failing)
    settings = kopf.OperatorSettings()
    settings.networking.error_backoffs = [0.01, 0.01]
    async with TestServer(app) as server:
        vault = credentials.Vault()
        info = credentials.ConnectionInfo(server=str(server.make_url("")).rstrip("/"))
        await vault.populate({"test": info})
        auth.vault_var.set(vault)
        try:
            with (
                fenced_kopf(lambda: refusal[0] if refusal else None),
                pytest.raises(KopfWriteRefused, match="not the leader"),
            ):
                await kopf_api.request(
                    "PATCH", "/x", payload={}, settings=settings, logger=logging.getLogger("test")
                )
        finally:
            await vault.close()

    assert sent == ["PATCH"]
