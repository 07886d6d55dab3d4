"""End to end: a toy kopf operator with a finalizer runs against the emulator over HTTP.

The handlers run in kopf's thread; they record their calls and write what they saw into the
object, and the test waits on those writes (the emulator wakes it on every write, no polling).
"""

from __future__ import annotations

import asyncio
import re
import threading
from typing import Any

import kmock
import kopf

from aura_devtools.kube_emulator import AURA_INSTANCES, EVENTS
from aura_devtools.kube_emulator.api import KubernetesApi
from aura_devtools.kube_emulator.kopf_runner import running_operator
from aura_devtools.kube_emulator.selectors import ObjectFilter
from kube_emulator.helpers import aura_instance

GROUP, VERSION, PLURAL = "aura.neo4j.io", "v1alpha1", "aurainstances"


class ToyOperator:
    """Handlers for AuraInstances that record each call as (handler, generation)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: list[tuple[str, int]] = []

    def calls(self, handler: str) -> list[int]:
        with self._lock:
            return [generation for name, generation in self._calls if name == handler]

    def _record(self, handler: str, meta: kopf.Meta) -> None:
        with self._lock:
            self._calls.append((handler, meta["generation"]))

    def register(self, registry: kopf.OperatorRegistry) -> None:
        @kopf.on.create(GROUP, VERSION, PLURAL, registry=registry)
        def created(body: kopf.Body, meta: kopf.Meta, patch: kopf.Patch, **_: Any) -> None:
            self._record("create", meta)
            patch.status["phase"] = "Creating"
            patch.status["observedGeneration"] = meta["generation"]
            kopf.info(body, reason="Provisioning", message="first event")
            kopf.info(body, reason="Provisioning", message="second event")

        @kopf.on.update(GROUP, VERSION, PLURAL, field="spec", registry=registry)
        def updated(meta: kopf.Meta, patch: kopf.Patch, **_: Any) -> None:
            self._record("update", meta)
            patch.status["observedGeneration"] = meta["generation"]

        @kopf.on.delete(GROUP, VERSION, PLURAL, registry=registry)
        def deleted(meta: kopf.Meta, **_: Any) -> None:
            self._record("delete", meta)


def observed(generation: int) -> Any:
    return lambda obj: obj.get("status", {}).get("observedGeneration") == generation


def events_about(kube: KubernetesApi, uid: str) -> list[dict[str, Any]]:
    events = kube.emulator.store.list(EVENTS, ObjectFilter(namespace="default"))
    return [event for event in events if event["involvedObject"]["uid"] == uid]


async def test_toy_operator_handles_create_update_status_and_delete(kube: KubernetesApi) -> None:
    toy = ToyOperator()
    async with running_operator(kube.url, toy.register, namespaces=["default"]):
        await kube.create(AURA_INSTANCES, aura_instance("db", memory="8GB"), namespace="default")

        # Create: the handler ran once, wrote status; kopf added its finalizer.
        db = await kube.wait_for(AURA_INSTANCES, "db", observed(1), namespace="default")
        assert db["status"]["phase"] == "Creating"
        assert db["metadata"]["generation"] == 1
        assert db["metadata"]["finalizers"] == ["kopf.zalando.org/KopfFinalizerMarker"]
        assert toy.calls("create") == [1]

        # Both kopf.info calls became Events: generateName gave each its own name.
        uid = db["metadata"]["uid"]
        await kube.wait_until(lambda: len(events_about(kube, uid)) == 2)
        events = events_about(kube, uid)
        assert all(re.fullmatch(r"kopf-event-[a-z0-9]{5}", e["metadata"]["name"]) for e in events)
        assert sorted(event["message"] for event in events) == ["first event", "second event"]

        # A spec change bumps generation, and the update handler runs once for it.
        await kube.patch(AURA_INSTANCES, "db", {"spec": {"memory": "16GB"}}, namespace="default")
        db = await kube.wait_for(AURA_INSTANCES, "db", observed(2), namespace="default")
        assert db["metadata"]["generation"] == 2
        assert toy.calls("update") == [2]

        # A status write neither bumps generation nor reaches the spec handler: after it, the
        # next spec change is the only other update the handler sees.
        status = {"auraStatus": "creating"}
        written = await kube.patch_status(AURA_INSTANCES, "db", status, namespace="default")
        assert written["metadata"]["generation"] == 2
        await kube.patch(AURA_INSTANCES, "db", {"spec": {"memory": "32GB"}}, namespace="default")
        await kube.wait_for(AURA_INSTANCES, "db", observed(3), namespace="default")
        assert toy.calls("update") == [2, 3]

        # Delete: the handler runs, kopf removes its finalizer, the object goes.
        await kube.delete(AURA_INSTANCES, "db", namespace="default")
        await kube.wait_gone(AURA_INSTANCES, "db", namespace="default")
        assert toy.calls("delete") == [4]  # the deletion mark bumped the generation
        assert toy.calls("create") == [1]


async def test_kopf_resumes_its_watch_from_the_last_resource_version(kube: KubernetesApi) -> None:
    toy = ToyOperator()
    async with running_operator(kube.url, toy.register, namespaces=["default"]):
        await kube.create(AURA_INSTANCES, aura_instance("db"), namespace="default")
        db = await kube.wait_for(AURA_INSTANCES, "db", observed(1), namespace="default")
        watch_aura_instances = kube.emulator[kmock.action.WATCH, AURA_INSTANCES.key]
        reconnected: asyncio.Future[kmock.Request] = asyncio.get_running_loop().create_future()
        watch_aura_instances >> reconnected  # the next such request, once

        kube.emulator.end_watch_streams()

        async with asyncio.timeout(5):
            request = await reconnected
        assert request.params["resourceVersion"] == db["metadata"]["resourceVersion"]
        await kube.patch(AURA_INSTANCES, "db", {"spec": {"memory": "16GB"}}, namespace="default")
        await kube.wait_for(AURA_INSTANCES, "db", observed(2), namespace="default")
        assert toy.calls("update") == [2]
        assert toy.calls("create") == [1]
