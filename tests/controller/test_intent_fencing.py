"""The create intent is a compare-and-swap (issue 13): of two processes that read the same
object, only one records an intent, and an intent is cleared only by a process that still
sees it as it read it. Against the emulator, which answers like the API server (422 on a
failed JSON-patch test, 409 on a stale resourceVersion)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from aura_devtools.kube_emulator import AURA_INSTANCES
from aura_devtools.kube_emulator.api import KubernetesApi
from aura_operator.api import API_VERSION, KIND
from aura_operator.controller.kube import Connection, KubeClient
from aura_operator.controller.publishing import Publisher
from aura_operator.controller.tracking import Fleet, Tracked

SPEC = {"cloudProvider": "gcp", "region": "europe-west1", "type": "free-db", "memory": "1GB"}


def intent(at: str) -> dict[str, str]:
    return {"name": "movies", "tenantId": "t-1", "requestedAt": at}


@pytest.fixture
async def kube() -> AsyncIterator[KubernetesApi]:
    async with KubernetesApi() as api:
        yield api


@pytest.fixture
async def body(kube: KubernetesApi) -> dict[str, Any]:
    return await kube.create(
        AURA_INSTANCES,
        {"apiVersion": API_VERSION, "kind": KIND, "metadata": {"name": "movies"}, "spec": SPEC},
        namespace="default",
    )


async def process(kube: KubernetesApi, body: dict[str, Any]) -> tuple[Publisher, Tracked]:
    """One operator process's view: its own client, and the object as its watch saw it."""

    async def connect() -> Connection:
        return Connection(server=kube.url)

    return Publisher(KubeClient(connect)), Fleet().track(body)


async def test_of_two_processes_claiming_at_once_exactly_one_wins(
    kube: KubernetesApi, body: dict[str, Any]
) -> None:
    (one, seen_by_one), (two, seen_by_two) = [await process(kube, body) for _ in range(2)]

    won = await asyncio.gather(
        one.claim_intent(seen_by_one, intent("2026-01-01T00:00:00.000001Z")),
        two.claim_intent(seen_by_two, intent("2026-01-01T00:00:00.000002Z")),
    )

    assert sorted(won) == [False, True]
    stored = (await kube.get(AURA_INSTANCES, "movies", namespace="default"))["status"]
    winner, loser = (seen_by_one, seen_by_two) if won[0] else (seen_by_two, seen_by_one)
    assert stored["createIntent"] == winner.status["createIntent"]
    assert loser.status["createIntent"] == stored["createIntent"]  # the loser re-read it


async def test_a_process_that_read_an_old_version_does_not_claim_over_an_intent(
    kube: KubernetesApi, body: dict[str, Any]
) -> None:
    one, seen_by_one = await process(kube, body)
    two, seen_by_two = await process(kube, body)  # read before the first claim

    assert await one.claim_intent(seen_by_one, intent("2026-01-01T00:00:00.000001Z"))
    assert not await two.claim_intent(seen_by_two, intent("2026-01-01T00:00:00.000002Z"))

    stored = (await kube.get(AURA_INSTANCES, "movies", namespace="default"))["status"]
    assert stored["createIntent"]["requestedAt"] == "2026-01-01T00:00:00.000001Z"


async def test_an_object_with_an_instance_id_is_never_claimed(
    kube: KubernetesApi, body: dict[str, Any]
) -> None:
    await kube.patch_status(
        AURA_INSTANCES, "movies", {"instanceId": "0a1b2c3d"}, namespace="default"
    )
    publisher, stale = await process(kube, body)  # its copy predates the instance id

    assert not await publisher.claim_intent(stale, intent("2026-01-01T00:00:00.000001Z"))
    assert stale.status["instanceId"] == "0a1b2c3d"


async def test_an_unrelated_write_between_read_and_claim_does_not_lose_the_claim(
    kube: KubernetesApi, body: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    publisher, tracked = await process(kube, body)
    original = KubeClient.get_instance
    reads: list[int] = []

    async def get_then_someone_labels(self: KubeClient, ref: Any) -> Any:
        read = await original(self, ref)
        if not reads:  # kopf's own annotation writes look like this to the compare-and-swap
            await kube.patch(
                AURA_INSTANCES, "movies", {"metadata": {"labels": {"a": "b"}}}, namespace="default"
            )
        reads.append(1)
        return read

    monkeypatch.setattr(KubeClient, "get_instance", get_then_someone_labels)

    assert await publisher.claim_intent(tracked, intent("2026-01-01T00:00:00.000001Z"))
    assert len(reads) >= 2


async def test_clearing_an_intent_another_process_replaced_is_dropped(
    kube: KubernetesApi, body: dict[str, Any]
) -> None:
    one, seen_by_one = await process(kube, body)
    assert await one.claim_intent(seen_by_one, intent("2026-01-01T00:00:00.000001Z"))
    # Another process concluded the first create never happened and created afresh.
    replaced = intent("2026-01-01T00:00:30.000001Z")
    await kube.patch_status(
        AURA_INSTANCES, "movies", {"createIntent": replaced}, namespace="default"
    )

    await one.raw_status(seen_by_one, {"createIntent": None, "phase": "Pending"})

    stored = (await kube.get(AURA_INSTANCES, "movies", namespace="default"))["status"]
    assert stored["createIntent"] == replaced
    assert stored["phase"] == "Creating"  # the stale report was dropped whole
    assert seen_by_one.status["createIntent"] == replaced


async def test_clearing_its_own_intent_goes_through(
    kube: KubernetesApi, body: dict[str, Any]
) -> None:
    one, tracked = await process(kube, body)
    assert await one.claim_intent(tracked, intent("2026-01-01T00:00:00.000001Z"))

    await one.raw_status(tracked, {"createIntent": None, "phase": "Pending"})

    stored = (await kube.get(AURA_INSTANCES, "movies", namespace="default"))["status"]
    assert "createIntent" not in stored
    assert stored["phase"] == "Pending"
