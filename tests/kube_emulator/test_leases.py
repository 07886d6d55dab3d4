"""coordination.k8s.io/v1 Leases, as leader election uses them: one winner per write."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from kube_emulator.helpers import JSON_PATCH, create, patch

LEASES = "/apis/coordination.k8s.io/v1/namespaces/default/leases"
LEASE = f"{LEASES}/aura-operator"


def lease(holder: str) -> dict[str, Any]:
    return {
        "apiVersion": "coordination.k8s.io/v1",
        "kind": "Lease",
        "metadata": {"name": "aura-operator"},
        "spec": {
            "holderIdentity": holder,
            "leaseDurationSeconds": 15,
            "acquireTime": "2026-01-01T00:00:00.000000Z",
            "renewTime": "2026-01-01T00:00:00.000000Z",
            "leaseTransitions": 0,
        },
    }


async def test_leases_are_discoverable(http: httpx.AsyncClient) -> None:
    response = await http.get("/apis/coordination.k8s.io/v1")

    assert response.status_code == 200
    assert "leases" in {r["name"] for r in response.json()["resources"]}


async def test_a_second_create_of_the_same_lease_is_a_409(http: httpx.AsyncClient) -> None:
    await create(http, LEASES, lease("a"))

    response = await http.post(LEASES, json=lease("b"))

    assert response.status_code == 409
    assert response.json()["reason"] == "AlreadyExists"
    assert (await http.get(LEASE)).json()["spec"]["holderIdentity"] == "a"


async def test_only_one_of_two_updates_from_the_same_version_wins(
    http: httpx.AsyncClient,
) -> None:
    read = await create(http, LEASES, lease("a"))
    first = {**read, "spec": {**read["spec"], "holderIdentity": "b"}}
    second = {**read, "spec": {**read["spec"], "holderIdentity": "c"}}

    answers = await asyncio.gather(http.put(LEASE, json=first), http.put(LEASE, json=second))

    assert sorted(r.status_code for r in answers) == [200, 409]
    winner = next(r for r in answers if r.status_code == 200).json()
    stored = (await http.get(LEASE)).json()
    assert stored["spec"]["holderIdentity"] == winner["spec"]["holderIdentity"]
    assert int(stored["metadata"]["resourceVersion"]) > int(read["metadata"]["resourceVersion"])


async def test_a_json_patch_testing_an_old_version_is_refused(http: httpx.AsyncClient) -> None:
    read = await create(http, LEASES, lease("a"))
    await patch(http, LEASE, {"spec": {"renewTime": "2026-01-01T00:00:05.000000Z"}})

    response = await patch(
        http,
        LEASE,
        [
            {
                "op": "test",
                "path": "/metadata/resourceVersion",
                "value": read["metadata"]["resourceVersion"],
            },
            {"op": "replace", "path": "/spec/holderIdentity", "value": "b"},
        ],
        JSON_PATCH,
    )

    assert response.status_code == 422
    assert (await http.get(LEASE)).json()["spec"]["holderIdentity"] == "a"
