"""`RemoteKubernetesApi`, the helpers for a real API server, tried on the emulator's URL: its
waits watch through the API, so they see every state an object passes through."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from aura_devtools.kube_emulator import AURA_INSTANCES, SECRETS
from aura_devtools.kube_emulator.api import KubernetesApi
from aura_devtools.kube_emulator.client import RemoteKubernetesApi, WaitTimeoutError
from kube_emulator.helpers import aura_instance


@pytest.fixture
async def remote(kube: KubernetesApi) -> AsyncIterator[RemoteKubernetesApi]:
    async with RemoteKubernetesApi(kube.url, token="unused") as api:
        yield api


async def test_types_resolve_by_plural_kind_and_short_name(remote: RemoteKubernetesApi) -> None:
    assert remote.resource("aurainstances") == AURA_INSTANCES
    assert remote.resource("AuraInstance") == AURA_INSTANCES
    assert remote.resource("secrets") == SECRETS
    with pytest.raises(LookupError, match="pods"):
        remote.resource("pods")


async def test_wait_for_sees_a_state_that_a_later_write_replaces(
    remote: RemoteKubernetesApi,
) -> None:
    await remote.create(AURA_INSTANCES, aura_instance("db"), namespace="default")
    read = asyncio.Event()

    def creating(obj: dict[str, Any]) -> bool:
        read.set()  # the current state is read: the watch continues from its resourceVersion
        return (obj.get("status") or {}).get("phase") == "Creating"

    waiting = asyncio.create_task(
        remote.wait_for(AURA_INSTANCES, "db", creating, namespace="default", within=5)
    )
    await read.wait()

    for phase in ("Creating", "Ready"):
        await remote.patch_status(AURA_INSTANCES, "db", {"phase": phase}, namespace="default")

    seen = await waiting
    assert seen["status"]["phase"] == "Creating"
    assert seen["kind"] == "AuraInstance"


async def test_wait_for_an_object_created_later(remote: RemoteKubernetesApi) -> None:
    waiting = asyncio.create_task(
        remote.wait_for(AURA_INSTANCES, "db", namespace="default", within=5)
    )
    await asyncio.sleep(0.1)
    await remote.create(AURA_INSTANCES, aura_instance("db"), namespace="default")

    assert (await waiting)["metadata"]["name"] == "db"


async def test_wait_gone_returns_once_deleted(remote: RemoteKubernetesApi) -> None:
    await remote.create(AURA_INSTANCES, aura_instance("db"), namespace="default")
    waiting = asyncio.create_task(
        remote.wait_gone(AURA_INSTANCES, "db", namespace="default", within=5)
    )
    await asyncio.sleep(0.1)
    await remote.delete(AURA_INSTANCES, "db", namespace="default")

    await waiting
    assert await remote.find(AURA_INSTANCES, "db", namespace="default") is None


async def test_a_wait_times_out_with_the_last_seen_state(remote: RemoteKubernetesApi) -> None:
    await remote.create(AURA_INSTANCES, aura_instance("db"), namespace="default")

    with pytest.raises(WaitTimeoutError) as timed_out:
        await remote.wait_for(
            AURA_INSTANCES, "db", lambda obj: "status" in obj, namespace="default", within=0.2
        )

    assert timed_out.value.last_seen["metadata"]["name"] == "db"
