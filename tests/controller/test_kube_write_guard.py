"""Every write the operator makes to the API server first asks the write guard (leader
election's gate), the re-send after a re-login included: the process may have lost the Lease
while it logged in again."""

from __future__ import annotations

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from aura_operator.controller.kube import Connection, KubeClient, ObjectRef, WriteRefused


async def test_a_write_is_not_sent_again_after_a_relogin_once_the_guard_closed() -> None:
    sent: list[str] = []

    async def unauthorized(request: web.Request) -> web.Response:
        sent.append(request.method)
        return web.json_response({"message": "Unauthorized"}, status=401)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", unauthorized)
    refusal: list[str] = []
    logins = 0

    async with TestServer(app) as server:

        async def connect() -> Connection:
            nonlocal logins
            logins += 1
            if logins > 1:  # the Lease is lost while the process logs in again
                refusal.append("this process no longer holds the leader lease")
            return Connection(server=str(server.make_url("/")).rstrip("/"), token="rotated")

        kube = KubeClient(connect, write_guard=lambda: refusal[0] if refusal else None)
        try:
            with pytest.raises(WriteRefused, match="leader lease"):
                await kube.patch_status(ObjectRef("default", "movies", "uid-1"), {"phase": "Ready"})
        finally:
            await kube.aclose()

    assert sent == ["PATCH"]


async def test_a_write_is_not_sent_when_the_guard_closes_before_it_leaves() -> None:
    """The guard is asked as the request's first bytes are about to leave, not only before the
    client connects: a process frozen (or slowed) between the two must not send a write
    decided before."""
    sent: list[str] = []

    async def answer(request: web.Request) -> web.Response:
        sent.append(request.method)
        return web.json_response({})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
    refusal: list[str] = []

    async with TestServer(app) as server:

        async def connect() -> Connection:  # e.g. the process is frozen while it logs in
            refusal.append("this process no longer holds the leader lease")
            return Connection(server=str(server.make_url("/")).rstrip("/"))

        kube = KubeClient(connect, write_guard=lambda: refusal[0] if refusal else None)
        try:
            with pytest.raises(WriteRefused, match="leader lease"):
                await kube.patch_status(ObjectRef("default", "movies", "uid-1"), {"phase": "Ready"})
        finally:
            await kube.aclose()

    assert sent == []
