"""kopf's own writes ask the leadership gate too (kopf has no hook; its request function is
wrapped while the operator runs under leader election)."""

from __future__ import annotations

from typing import Any

import pytest
from kopf._cogs.clients import api as kopf_api

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
