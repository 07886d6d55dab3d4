"""Deleting over HTTP: finalizers hold objects, DELETED events, owners take dependents along."""

from __future__ import annotations

import httpx

from kube_emulator.helpers import (
    AURA_INSTANCES,
    JSON_PATCH,
    SECRETS,
    aura_instance,
    create,
    patch,
    watch,
)

DB = f"{AURA_INSTANCES}/db"


def with_finalizers(body: dict[str, object], *finalizers: str) -> dict[str, object]:
    metadata = body["metadata"]
    assert isinstance(metadata, dict)
    metadata["finalizers"] = list(finalizers)
    return body


async def test_delete_without_finalizers_removes_at_once(http: httpx.AsyncClient) -> None:
    created = await create(http, AURA_INSTANCES, aura_instance("db"))

    response = await http.delete(DB)

    assert response.status_code == 200
    answer = response.json()
    assert (answer["kind"], answer["status"]) == ("Status", "Success")
    assert answer["details"] == {
        "name": "db",
        "group": "aura.neo4j.io",
        "kind": "aurainstances",
        "uid": created["metadata"]["uid"],
    }
    assert (await http.get(DB)).status_code == 404
    events = await watch(
        http, AURA_INSTANCES, count=1, resourceVersion=created["metadata"]["resourceVersion"]
    )
    assert (events[0]["type"], events[0]["object"]["metadata"]["name"]) == ("DELETED", "db")


async def test_delete_with_finalizers_only_marks_the_object(http: httpx.AsyncClient) -> None:
    created = await create(http, AURA_INSTANCES, with_finalizers(aura_instance("db"), "x/y"))

    response = await http.delete(DB)

    stored = (await http.get(DB)).json()
    assert response.json()["metadata"]["deletionTimestamp"]
    assert (
        stored["metadata"]["deletionTimestamp"] == response.json()["metadata"]["deletionTimestamp"]
    )
    assert stored["metadata"]["finalizers"] == ["x/y"]
    # As the API server's BeforeDelete: the mark is a change of desired state.
    assert stored["metadata"]["generation"] == created["metadata"]["generation"] + 1
    events = await watch(
        http, AURA_INSTANCES, count=1, resourceVersion=created["metadata"]["resourceVersion"]
    )
    assert events[0]["type"] == "MODIFIED"


async def test_removing_the_last_finalizer_completes_the_deletion(
    http: httpx.AsyncClient,
) -> None:
    await create(http, AURA_INSTANCES, with_finalizers(aura_instance("db"), "x/y"))
    marked = (await http.delete(DB)).json()
    operations = [
        {
            "op": "test",
            "path": "/metadata/resourceVersion",
            "value": marked["metadata"]["resourceVersion"],
        },
        {"op": "remove", "path": "/metadata/finalizers"},
    ]

    response = await patch(http, DB, operations, JSON_PATCH)

    assert response.status_code == 200
    assert (await http.get(DB)).status_code == 404
    events = await watch(
        http, AURA_INSTANCES, count=1, resourceVersion=marked["metadata"]["resourceVersion"]
    )
    assert events[0]["type"] == "DELETED"
    assert not events[0]["object"]["metadata"].get("finalizers")


async def test_no_new_finalizers_while_deleting(http: httpx.AsyncClient) -> None:
    await create(http, AURA_INSTANCES, with_finalizers(aura_instance("db"), "x/y"))
    await http.delete(DB)

    response = await patch(http, DB, {"metadata": {"finalizers": ["x/y", "other/z"]}})

    assert response.status_code == 422
    assert response.json()["message"] == (
        'AuraInstance.aura.neo4j.io "db" is invalid: metadata.finalizers: Forbidden: no new'
        " finalizers can be added if the object is being deleted, found new finalizers"
        ' []string{"other/z"}'
    )


async def test_a_second_delete_changes_nothing(http: httpx.AsyncClient) -> None:
    await create(http, AURA_INSTANCES, with_finalizers(aura_instance("db"), "x/y"))
    first = (await http.delete(DB)).json()

    second = (await http.delete(DB)).json()

    assert second["metadata"]["resourceVersion"] == first["metadata"]["resourceVersion"]


async def test_delete_precondition_on_a_stale_resource_version_is_a_409(
    http: httpx.AsyncClient,
) -> None:
    created = await create(http, AURA_INSTANCES, aura_instance("db"))
    await patch(http, DB, {"spec": {"memory": "16GB"}})
    options = {"preconditions": {"resourceVersion": created["metadata"]["resourceVersion"]}}

    response = await http.request("DELETE", DB, json=options)

    assert response.status_code == 409
    assert (await http.get(DB)).status_code == 200


async def test_deleting_an_owner_deletes_its_dependents(http: httpx.AsyncClient) -> None:
    owner = await create(http, AURA_INSTANCES, aura_instance("db"))
    reference = {
        "apiVersion": owner["apiVersion"],
        "kind": owner["kind"],
        "name": "db",
        "uid": owner["metadata"]["uid"],
    }
    await create(http, SECRETS, {"metadata": {"name": "owned", "ownerReferences": [reference]}})
    await create(http, SECRETS, {"metadata": {"name": "unowned"}})

    await http.delete(DB)

    assert (await http.get(f"{SECRETS}/owned")).status_code == 404
    assert (await http.get(f"{SECRETS}/unowned")).status_code == 200


async def test_an_object_written_with_only_absent_owners_is_collected(
    http: httpx.AsyncClient,
) -> None:
    """The garbage collector judges every dependent, not only those of an owner it saw go: one
    created, or changed, to name owners that no longer exist goes too."""
    owner = await create(http, AURA_INSTANCES, aura_instance("db"))
    reference = {
        "apiVersion": owner["apiVersion"],
        "kind": owner["kind"],
        "name": "db",
        "uid": owner["metadata"]["uid"],
    }
    await create(http, SECRETS, {"metadata": {"name": "changed"}})
    await http.delete(DB)

    created = await http.post(
        SECRETS, json={"metadata": {"name": "late", "ownerReferences": [reference]}}
    )
    owned = {"metadata": {"ownerReferences": [reference]}}
    changed = await patch(http, f"{SECRETS}/changed", owned)

    assert (created.status_code, changed.status_code) == (201, 200)  # accepted, then collected
    assert (await http.get(f"{SECRETS}/late")).status_code == 404
    assert (await http.get(f"{SECRETS}/changed")).status_code == 404


async def test_deleting_a_missing_object_is_a_404(http: httpx.AsyncClient) -> None:
    response = await http.delete(f"{AURA_INSTANCES}/ghost")

    assert response.status_code == 404


async def test_a_deleted_name_can_be_created_again(http: httpx.AsyncClient) -> None:
    first = await create(http, AURA_INSTANCES, aura_instance("db"))
    await http.delete(DB)

    second = await create(http, AURA_INSTANCES, aura_instance("db"))

    assert second["metadata"]["uid"] != first["metadata"]["uid"]
    assert second["metadata"]["generation"] == 1
