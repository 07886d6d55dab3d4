"""An AuraInstance that vanishes under the operator (its finalizer removed by hand, the
README's advice for a stuck delete) ends the operator's work on it."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from e2e_harness import Harness

from aura_devtools.kube_emulator import AURA_INSTANCES, SECRETS
from aura_operator.aura.client import AuraClient

pytestmark = pytest.mark.e2e


async def test_removing_the_finalizer_during_a_create_ends_the_create_and_frees_its_slot(
    operator: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = AuraClient.create_instance
    posted, answer = asyncio.Event(), asyncio.Event()

    async def create_instance(self: Any, request: Any, **options: Any) -> Any:
        result = await original(self, request, **options)
        posted.set()
        await answer.wait()  # the answer is slow to come back
        return result

    monkeypatch.setattr(AuraClient, "create_instance", create_instance)
    await operator.apply("movies", {"deletionPolicy": "Delete"})
    await asyncio.wait_for(posted.wait(), 10)

    await operator.kube.delete(AURA_INSTANCES, "movies", namespace=operator.namespace)
    await operator.kube.patch(
        AURA_INSTANCES, "movies", {"metadata": {"finalizers": []}}, namespace=operator.namespace
    )
    await operator.kube.wait_gone(AURA_INSTANCES, "movies", namespace=operator.namespace)
    answer.set()

    creator = operator.memo.engine.creator
    await operator.poll(lambda: asyncio.sleep(0, not creator.storing), within=10)
    admission = operator.memo.engine.admission
    await operator.poll(lambda: asyncio.sleep(0, admission.admitted == 0), within=10)
    fleet = operator.memo.engine.fleet  # kopf may replay stale events of the object first
    await operator.poll(lambda: asyncio.sleep(0, fleet.get((operator.namespace, "movies")) is None))
    assert len(await operator.aura_requests("POST", "/v1/instances")) == 1
    [instance] = await operator.aura_instances()  # left alone, as the README says
    await asyncio.sleep(operator.backend.gc_grace)  # what the garbage collector would take
    secret = await operator.kube.find(SECRETS, "movies-connection", namespace=operator.namespace)
    assert secret is not None and not secret["metadata"].get("ownerReferences")
    assert (await operator.secret("movies-connection") or {})["NEO4J_PASSWORD"] == instance[
        "password"
    ]
