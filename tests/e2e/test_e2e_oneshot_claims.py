"""Claims for AuraSnapshot and AuraRestore (issue 15 on issue 9): an Aura instance that an
AuraInstance of another namespace manages is neither snapshotted, overwritten, nor copied from;
one managed in the object's own namespace is used freely."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from e2e_harness import Harness, condition, is_ready
from test_e2e_tenancy import own_credentials, team, writes_to

from aura_devtools.kube_emulator import AURA_INSTANCES, AURA_RESTORES, AURA_SNAPSHOTS
from aura_operator.api import API_VERSION
from aura_operator.api.restore import RESTORE_KIND
from aura_operator.api.snapshot import SNAPSHOT_KIND

pytestmark = pytest.mark.e2e

KINDS = {AURA_SNAPSHOTS: SNAPSHOT_KIND, AURA_RESTORES: RESTORE_KIND}


async def create(
    operator: Harness, resource: str, name: str, spec: dict[str, Any], namespace: str
) -> None:
    body = {"apiVersion": API_VERSION, "kind": KINDS[resource], "metadata": {"name": name}}
    await operator.kube.create(resource, {**body, "spec": spec}, namespace=namespace)


async def wait_claimed(
    operator: Harness, resource: str, name: str, namespace: str
) -> dict[str, Any]:
    def claimed(obj: dict[str, Any]) -> bool:
        stalled = condition(obj, "Stalled")
        return stalled.get("status") == "True" and stalled.get("reason") == "InstanceClaimed"

    return await operator.kube.wait_for(resource, name, claimed, namespace=namespace, within=15)


async def two_teams(operator: Harness) -> str:
    """team-a manages `movies`; team-b has credentials for the same tenant. The id of movies."""
    await team(operator, operator.ns("team-a"))
    await team(operator, operator.ns("team-b"))
    await operator.apply("movies", own_credentials(), namespace=operator.ns("team-a"))
    owner = await operator.wait_ready("movies", namespace=operator.ns("team-a"))
    return str(owner["status"]["instanceId"])


async def test_a_restore_in_another_namespace_does_not_overwrite_a_managed_instance(
    operator: Harness,
) -> None:
    instance_id = await two_teams(operator)
    await operator.apply("scratch", own_credentials(), namespace=operator.ns("team-b"))
    source_id = (await operator.wait_ready("scratch", namespace=operator.ns("team-b")))["status"][
        "instanceId"
    ]
    writes_before = await writes_to(operator, instance_id)

    await create(
        operator,
        AURA_RESTORES,
        "wipe",
        own_credentials(
            {
                "instanceId": instance_id,
                "sourceInstanceId": source_id,
                "confirmInstanceId": instance_id,
                "snapshotBefore": True,
            }
        ),
        operator.ns("team-b"),
    )
    obj = await wait_claimed(operator, AURA_RESTORES, "wipe", operator.ns("team-b"))

    message = condition(obj, "Stalled")["message"]
    assert f"{instance_id} (the target)" in message and f"{operator.ns('team-a')}/movies" in message
    await asyncio.sleep(0.5)  # five Aura minutes: one recheck at least, still nothing sent
    assert await writes_to(operator, instance_id) == writes_before
    assert (
        await operator.kube.find(AURA_SNAPSHOTS, "wipe-before", namespace=operator.ns("team-b"))
        is None
    )
    events = await operator.events("wipe", namespace=operator.ns("team-b"))
    [event] = [e for e in events if e["reason"] == "InstanceClaimed"]
    assert f"{operator.ns('team-a')}/movies" in event["message"]
    assert is_ready(await operator.get("movies", namespace=operator.ns("team-a")))


async def test_a_restore_does_not_copy_another_namespaces_instance_into_its_own(
    operator: Harness,
) -> None:
    """The source counts too: overwriting team-b's instance from team-a's leaks team-a's data."""
    instance_id = await two_teams(operator)
    await operator.apply("copy", own_credentials(), namespace=operator.ns("team-b"))
    target_id = (await operator.wait_ready("copy", namespace=operator.ns("team-b")))["status"][
        "instanceId"
    ]

    await create(
        operator,
        AURA_RESTORES,
        "leak",
        own_credentials(
            {
                "instanceRef": {"name": "copy"},
                "sourceInstanceId": instance_id,
                "confirmInstanceId": target_id,
            }
        ),
        operator.ns("team-b"),
    )
    obj = await wait_claimed(operator, AURA_RESTORES, "leak", operator.ns("team-b"))

    assert f"{instance_id} (the source)" in condition(obj, "Stalled")["message"]
    await asyncio.sleep(0.5)
    assert await writes_to(operator, target_id) == []


async def test_a_snapshot_in_another_namespace_is_refused_until_the_owner_goes(
    operator: Harness,
) -> None:
    instance_id = await two_teams(operator)

    spec = own_credentials({"instanceId": instance_id})
    await create(operator, AURA_SNAPSHOTS, "peek", spec, operator.ns("team-b"))
    obj = await wait_claimed(operator, AURA_SNAPSHOTS, "peek", operator.ns("team-b"))

    assert f"{operator.ns('team-a')}/movies" in condition(obj, "Stalled")["message"]
    await asyncio.sleep(0.5)
    assert [w for w in await writes_to(operator, instance_id) if "/snapshots" in w["path"]] == []

    # The owner goes (Retain, the default): nobody manages the instance, the snapshot is taken.
    await operator.kube.delete(AURA_INSTANCES, "movies", namespace=operator.ns("team-a"))
    done = await operator.kube.wait_for(
        AURA_SNAPSHOTS, "peek", is_ready, namespace=operator.ns("team-b"), within=15
    )
    assert condition(done, "Stalled").get("status") != "True"
    assert done["status"]["instanceId"] == instance_id


async def test_an_instance_of_the_same_namespace_is_used_by_id(operator: Harness) -> None:
    instance_id = await two_teams(operator)

    spec = own_credentials({"instanceId": instance_id})
    await create(operator, AURA_SNAPSHOTS, "snap", spec, operator.ns("team-a"))
    await operator.kube.wait_for(
        AURA_SNAPSHOTS, "snap", is_ready, namespace=operator.ns("team-a"), within=15
    )
    await create(
        operator,
        AURA_RESTORES,
        "rollback",
        own_credentials(
            {
                "instanceId": instance_id,
                "snapshotRef": {"name": "snap"},
                "confirmInstanceId": instance_id,
            }
        ),
        operator.ns("team-a"),
    )
    restored = await operator.kube.wait_for(
        AURA_RESTORES, "rollback", is_ready, namespace=operator.ns("team-a"), within=15
    )

    assert restored["status"]["phase"] == "Succeeded"
    posts = [w for w in await writes_to(operator, instance_id) if w["method"] == "POST"]
    assert [p["path"].rsplit("/", 1)[-1] for p in posts] == ["snapshots", "restore"]


async def test_an_instance_is_not_cloned_from_another_namespaces_instance(
    operator: Harness,
) -> None:
    """spec.source copies the source's data into the new instance, as an overwrite would: an
    instance another namespace manages is no source for this namespace's clone."""
    instance_id = await two_teams(operator)
    creates_before = len(await operator.aura_requests("POST", "/v1/instances"))

    await operator.apply(
        "copy",
        own_credentials({"source": {"instanceId": instance_id}}),
        namespace=operator.ns("team-b"),
    )
    obj = await wait_claimed(operator, AURA_INSTANCES, "copy", operator.ns("team-b"))

    message = condition(obj, "Stalled")["message"]
    assert (
        instance_id in message
        and f"{operator.ns('team-a')}/movies" in message
        and "spec.source" in message
    )
    await asyncio.sleep(0.5)  # five Aura minutes: one recheck at least, still nothing sent
    assert len(await operator.aura_requests("POST", "/v1/instances")) == creates_before
    assert "instanceId" not in obj["status"]
    # A clone of an instance of its own namespace is made.
    await operator.apply("scratch", own_credentials(), namespace=operator.ns("team-b"))
    scratch = await operator.wait_ready("scratch", namespace=operator.ns("team-b"))
    own = scratch["status"]["instanceId"]
    await operator.apply(
        "copy-own",
        own_credentials({"source": {"instanceId": own}}),
        namespace=operator.ns("team-b"),
    )
    await operator.wait_ready("copy-own", namespace=operator.ns("team-b"))
