"""The write gate closing for a moment (a leader whose Lease renewal came late on a saturated
event loop) refuses kopf's writes and the operator's alike: no object is left without a next
look because kopf could not record its own retry."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from e2e_harness import Harness

from aura_operator.controller import kube as kube_module
from aura_operator.controller.kopf_fence import fenced_kopf

pytestmark = pytest.mark.e2e

REASON = "this process did not renew the leader Lease in time"


async def test_a_create_refused_by_a_briefly_closed_gate_is_carried_out_once_it_opens(
    operator: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    closed = [False]  # closed from the operator's thread, opened from the test's

    def refusal() -> str | None:
        return REASON if closed[0] else None

    original = kube_module.KubeClient.create_secret

    async def create_secret(self: Any, namespace: str, secret: dict[str, Any]) -> Any:
        closed[0] = True  # the gate closes just as the create's first write goes out
        return await original(self, namespace, secret)

    monkeypatch.setattr(kube_module.KubeClient, "create_secret", create_secret)
    operator.memo.kube._write_guard = refusal
    with fenced_kopf(refusal):
        await operator.apply("movies")
        await operator.poll(lambda: asyncio.sleep(0, closed[0] or None))
        await asyncio.sleep(0.5)  # kopf meets the closed gate with its own retry record
        monkeypatch.setattr(kube_module.KubeClient, "create_secret", original)
        closed[0] = False

        await operator.wait_ready("movies", within=30)

    posts = await operator.aura_requests("POST", "/v1/instances")
    assert len(posts) == 1
