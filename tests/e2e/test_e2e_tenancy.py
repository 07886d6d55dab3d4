"""Promises at the boundaries between teams and objects (issue 9): one owner per Aura instance,
credentials scoped to namespaces, Secrets the operator may touch."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from e2e_harness import TENANT, Harness, condition, is_ready

from aura_devtools.kube_emulator import AURA_INSTANCES, AURA_RESTORES, AURA_SNAPSHOTS
from aura_operator.api import API_VERSION
from aura_operator.api.restore import RESTORE_KIND
from aura_operator.api.snapshot import SNAPSHOT_KIND
from aura_operator.controller.claims import claims_of, owner_of

pytestmark = pytest.mark.e2e

WRITES = {"POST", "PATCH", "DELETE"}


async def team(operator: Harness, namespace: str) -> None:
    """A namespace with its own Aura credentials Secret `aura`."""
    await operator.add_namespace(namespace)
    await operator.create_credentials("aura", namespace=namespace)


def own_credentials(spec: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"credentialsSecretRef": {"name": "aura"}, **(spec or {})}


async def writes_to(operator: Harness, instance_id: str) -> list[dict[str, Any]]:
    return [
        r
        for r in await operator.aura_requests()
        if r["method"] in WRITES and r["path"].startswith(f"/v1/instances/{instance_id}")
    ]


async def existing_instance(operator: Harness, name: str = "legacy") -> str:
    created = await operator.aura_call(
        "POST",
        "/instances",
        {
            "name": name,
            "tenant_id": TENANT,
            "cloud_provider": "gcp",
            "region": "europe-west1",
            "type": "professional-db",
            "memory": "2GB",
            "version": "5",
        },
    )
    await operator.sim_post("/_sim/clock", {"advance": 600})
    return str(created.json()["data"]["id"])


async def test_another_namespace_cannot_take_over_resize_or_delete_a_managed_instance(
    operator: Harness,
) -> None:
    """Case 1: team-b names team-a's instance in spec.instanceId, with deletionPolicy Delete."""
    await team(operator, operator.ns("team-a"))
    await team(operator, operator.ns("team-b"))
    await operator.apply("movies", own_credentials(), namespace=operator.ns("team-a"))
    owner = await operator.wait_ready("movies", namespace=operator.ns("team-a"))
    instance_id = owner["status"]["instanceId"]
    writes_before = await writes_to(operator, instance_id)

    await operator.apply(
        "thief",
        own_credentials(
            {"instanceId": instance_id, "deletionPolicy": "Delete", "memory": "8GB", "name": "x"}
        ),
        namespace=operator.ns("team-b"),
    )
    thief = await operator.wait_stalled("thief", "InstanceClaimed", namespace=operator.ns("team-b"))

    assert f"{operator.ns('team-a')}/movies" in condition(thief, "Stalled")["message"]
    assert "instanceId" not in thief["status"]  # no claim recorded for the loser
    await operator.kube.delete(AURA_INSTANCES, "thief", namespace=operator.ns("team-b"))
    await operator.kube.wait_gone(
        AURA_INSTANCES, "thief", namespace=operator.ns("team-b"), within=10
    )
    await asyncio.sleep(0.5)  # five Aura minutes

    assert await writes_to(operator, instance_id) == writes_before  # no resize, rename, delete
    [instance] = await operator.aura_instances()
    assert (instance["id"], instance["memory"], instance["name"]) == (instance_id, "2GB", "movies")
    assert await operator.secret("thief-connection", namespace=operator.ns("team-b")) is None
    assert is_ready(await operator.get("movies", namespace=operator.ns("team-a")))


async def test_an_observe_only_object_in_another_namespace_gets_no_connection_details(
    operator: Harness,
) -> None:
    await team(operator, operator.ns("team-a"))
    await team(operator, operator.ns("team-b"))
    await operator.apply("movies", own_credentials(), namespace=operator.ns("team-a"))
    instance_id = (await operator.wait_ready("movies", namespace=operator.ns("team-a")))["status"][
        "instanceId"
    ]

    await operator.apply(
        "peek",
        own_credentials({"instanceId": instance_id, "managementPolicy": "ObserveOnly"}),
        namespace=operator.ns("team-b"),
    )

    await operator.wait_stalled("peek", "InstanceClaimed", namespace=operator.ns("team-b"))
    assert await operator.secret("peek-connection", namespace=operator.ns("team-b")) is None


async def test_three_namespaces_adopting_one_instance_at_once_get_exactly_one_owner(
    operator: Harness,
) -> None:
    instance_id = await existing_instance(operator)
    namespaces = [operator.ns(team) for team in ("team-a", "team-b", "team-c")]
    for namespace in namespaces:
        await team(operator, namespace)

    await asyncio.gather(
        *(
            operator.apply(
                "db",
                own_credentials({"instanceId": instance_id, "memory": memory}),
                namespace=namespace,
            )
            for namespace, memory in zip(namespaces, ["4GB", "8GB", "16GB"], strict=True)
        )
    )

    def settled(obj: dict[str, Any]) -> bool:
        return is_ready(obj) or condition(obj, "Stalled").get("reason") == "InstanceClaimed"

    objects = [await operator.wait("db", settled, 20, namespace=ns) for ns in namespaces]
    owners = [o for o in objects if is_ready(o)]
    losers = [o for o in objects if not is_ready(o)]
    assert len(owners) == 1 and len(losers) == 2
    [owner] = owners
    owner_name = f"{owner['metadata']['namespace']}/db"
    expected = owner_of(instance_id, claims_of(await operator.kube.list(AURA_INSTANCES)))
    assert expected is not None and expected.owner == owner_name  # the rule, not a race
    for loser in losers:
        assert owner_name in condition(loser, "Stalled")["message"]
    [instance] = await operator.aura_instances()
    assert instance["memory"] == owner["spec"]["memory"]
    await asyncio.sleep(1.0)  # ten Aura minutes: no tug of war between the three specs
    assert len([w for w in await writes_to(operator, instance_id) if w["method"] == "PATCH"]) == 1

    # The owner goes (Retain): exactly one of the others takes the instance over.
    await operator.kube.delete(AURA_INSTANCES, "db", namespace=owner["metadata"]["namespace"])
    left = [o["metadata"]["namespace"] for o in losers]

    async def one_new_owner() -> list[str] | None:
        ready = [ns for ns in left if is_ready(await operator.get("db", namespace=ns))]
        return ready or None

    [heir] = await operator.poll(one_new_owner, within=20)
    await asyncio.sleep(0.5)
    others = [ns for ns in left if ns != heir]
    [other] = [await operator.get("db", namespace=ns) for ns in others]
    assert condition(other, "Stalled")["reason"] == "InstanceClaimed"
    assert f"{heir}/db" in condition(other, "Stalled")["message"]


async def test_a_namespace_not_allowed_the_default_credentials_stalls_and_sends_nothing(
    operator: Harness,
) -> None:
    # team-b has no credentials of its own; the default ones serve the operator's namespace only
    await operator.add_namespace(operator.ns("team-b"))
    await operator.apply("movies", namespace=operator.ns("team-b"))

    obj = await operator.wait_stalled(
        "movies", "CredentialsNotAllowed", namespace=operator.ns("team-b")
    )

    message = condition(obj, "Stalled")["message"]
    assert operator.ns("team-b") in message and "spec.credentialsSecretRef" in message
    assert "AURA_DEFAULT_CREDENTIALS_NAMESPACES" in message
    await asyncio.sleep(0.5)
    assert not await operator.aura_requests("POST", "/v1/instances")
    assert await operator.secret("movies-connection", namespace=operator.ns("team-b")) is None

    # The fix the message names: a Secret of its own.
    await operator.create_credentials("aura", namespace=operator.ns("team-b"))
    await operator.kube.patch(
        AURA_INSTANCES,
        "movies",
        {"spec": {"credentialsSecretRef": {"name": "aura"}}},
        namespace=operator.ns("team-b"),
    )
    await operator.wait_ready("movies", namespace=operator.ns("team-b"))
    assert len(await operator.aura_requests("POST", "/v1/instances")) == 1


async def test_deleting_an_object_stalled_for_credentials_is_not_held_by_the_finalizer(
    operator: Harness,
) -> None:
    await operator.add_namespace(operator.ns("team-b"))
    await operator.apply("movies", {"deletionPolicy": "Delete"}, namespace=operator.ns("team-b"))
    await operator.wait_stalled("movies", "CredentialsNotAllowed", namespace=operator.ns("team-b"))

    await operator.kube.delete(AURA_INSTANCES, "movies", namespace=operator.ns("team-b"))

    await operator.kube.wait_gone(
        AURA_INSTANCES, "movies", namespace=operator.ns("team-b"), within=10
    )
    assert not await operator.aura_requests()


async def test_snapshots_and_restores_get_the_default_credentials_only_where_allowed(
    operator: Harness,
) -> None:
    """An AuraRestore in another namespace must not overwrite team-a's instance with the
    platform's credentials (nor an AuraSnapshot read it)."""
    await operator.apply("movies")  # in the operator's namespace, with the default credentials
    instance_id = (await operator.wait_ready("movies"))["status"]["instanceId"]
    await operator.add_namespace(operator.ns("team-b"))
    before = len(await operator.aura_requests())

    for resource, kind, spec in [
        (AURA_SNAPSHOTS, SNAPSHOT_KIND, {"instanceId": instance_id}),
        (
            AURA_RESTORES,
            RESTORE_KIND,
            {
                "instanceId": instance_id,
                "confirmInstanceId": instance_id,
                "sourceInstanceId": "0f0f0f0f",
            },
        ),
    ]:
        body = {"apiVersion": API_VERSION, "kind": kind, "metadata": {"name": "x"}, "spec": spec}
        await operator.kube.create(resource, body, namespace=operator.ns("team-b"))

        def not_allowed(obj: dict[str, Any]) -> bool:
            return condition(obj, "Stalled").get("reason") == "CredentialsNotAllowed"

        obj = await operator.kube.wait_for(
            resource, "x", not_allowed, namespace=operator.ns("team-b")
        )
        assert "AURA_DEFAULT_CREDENTIALS_NAMESPACES" in condition(obj, "Stalled")["message"]

    calls = (await operator.aura_requests())[before:]
    assert [c for c in calls if instance_id in c["path"]] == []
