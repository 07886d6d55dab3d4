"""The test-side `KubernetesApi` helpers: resource names, errors, waiting."""

from __future__ import annotations

import asyncio

import pytest

from aura_devtools.kube_emulator import AURA_INSTANCES, SECRETS
from aura_devtools.kube_emulator.api import KubernetesApi, KubernetesApiError, WaitTimeoutError
from aura_devtools.kube_emulator.patches import PatchType
from kube_emulator.helpers import SPEC_DEFAULTS, VALID_SPEC, aura_instance


@pytest.mark.parametrize(
    "name",
    [
        "aurainstances",
        "aurainstance",
        "aura",
        "AuraInstance",
        "aurainstances.aura.neo4j.io",
        "aura.neo4j.io/v1alpha1/aurainstances",
    ],
)
async def test_resources_resolve_by_any_of_their_names(kube: KubernetesApi, name: str) -> None:
    assert kube.resource(name) == AURA_INSTANCES


async def test_core_resources_resolve_by_version_and_plural(kube: KubernetesApi) -> None:
    assert kube.resource("v1/secrets") == SECRETS


async def test_an_unknown_resource_name_is_a_lookup_error(kube: KubernetesApi) -> None:
    with pytest.raises(LookupError, match="pods"):
        kube.resource("pods")


async def test_refusals_raise_with_the_status_fields(kube: KubernetesApi) -> None:
    await kube.create("aura", aura_instance("db"), namespace="default")

    with pytest.raises(KubernetesApiError) as refused:
        await kube.create("aura", aura_instance("db"), namespace="default")

    assert (refused.value.status, refused.value.reason) == (409, "AlreadyExists")


async def test_find_returns_none_for_a_missing_object(kube: KubernetesApi) -> None:
    assert await kube.find("aura", "ghost", namespace="default") is None


async def test_json_patch_and_replace_helpers(kube: KubernetesApi) -> None:
    created = await kube.create("aura", aura_instance("db", memory="8GB"), namespace="default")
    operations = [{"op": "replace", "path": "/spec/memory", "value": "16GB"}]

    patched = await kube.patch(
        "aura", "db", operations, namespace="default", patch_type=PatchType.JSON
    )
    spec = {**VALID_SPEC, "memory": "32GB"}
    replaced = await kube.replace("aura", "db", {**patched, "spec": spec}, namespace="default")

    assert patched["spec"]["memory"] == "16GB"
    assert replaced["spec"] == {**spec, **SPEC_DEFAULTS}
    assert replaced["metadata"]["uid"] == created["metadata"]["uid"]


async def test_list_helper_applies_a_label_selector(kube: KubernetesApi) -> None:
    labelled = aura_instance("a")
    labelled["metadata"]["labels"] = {"team": "x"}
    await kube.create("aura", labelled, namespace="default")
    await kube.create("aura", aura_instance("b"), namespace="default")

    found = await kube.list("aura", namespace="default", label_selector="team=x")

    assert [obj["metadata"]["name"] for obj in found] == ["a"]


async def test_wait_for_returns_once_a_later_write_satisfies_it(kube: KubernetesApi) -> None:
    await kube.create("aura", aura_instance("db"), namespace="default")

    async def write_status_later() -> None:
        await kube.patch_status("aura", "db", {"phase": "Ready"}, namespace="default")

    waiting = kube.wait_for(
        "aura", "db", lambda obj: "status" in obj, namespace="default", within=5
    )
    ready, _ = await asyncio.gather(waiting, write_status_later())

    assert ready["status"] == {"phase": "Ready"}


async def test_wait_for_times_out_with_the_last_seen_state(kube: KubernetesApi) -> None:
    await kube.create("aura", aura_instance("db"), namespace="default")

    with pytest.raises(WaitTimeoutError) as timed_out:
        await kube.wait_for(
            "aura", "db", lambda obj: "status" in obj, namespace="default", within=0.05
        )

    assert timed_out.value.last_seen["metadata"]["name"] == "db"


async def test_events_for_lists_the_events_about_an_object(kube: KubernetesApi) -> None:
    db = await kube.create("aura", aura_instance("db"), namespace="default")
    other = await kube.create("aura", aura_instance("other"), namespace="default")
    for obj, reason in [(db, "Mine"), (other, "Theirs")]:
        event = {
            "metadata": {"generateName": "e-"},
            "reason": reason,
            "involvedObject": {"uid": obj["metadata"]["uid"]},
        }
        await kube.create("events", event, namespace="default")

    events = await kube.events_for(db)

    assert [event["reason"] for event in events] == ["Mine"]
