"""Writing objects over HTTP: generation, the status subresource, concurrency and patch types."""

from __future__ import annotations

import httpx

from kube_emulator.helpers import (
    AURA_INSTANCES,
    JSON_PATCH,
    SECRETS,
    SPEC_DEFAULTS,
    VALID_SPEC,
    aura_instance,
    create,
    patch,
)

DB = f"{AURA_INSTANCES}/db"


async def test_spec_change_bumps_generation_and_resource_version(
    http: httpx.AsyncClient,
) -> None:
    created = await create(http, AURA_INSTANCES, aura_instance("db", memory="8GB"))

    response = await patch(http, DB, {"spec": {"memory": "16GB"}})

    patched = response.json()
    assert response.status_code == 200
    assert patched["spec"]["memory"] == "16GB"
    assert patched["metadata"]["generation"] == 2
    assert int(patched["metadata"]["resourceVersion"]) > int(created["metadata"]["resourceVersion"])


async def test_metadata_change_keeps_generation(http: httpx.AsyncClient) -> None:
    await create(http, AURA_INSTANCES, aura_instance("db"))

    response = await patch(http, DB, {"metadata": {"labels": {"team": "a"}, "finalizers": ["f"]}})

    assert response.json()["metadata"]["labels"] == {"team": "a"}
    assert response.json()["metadata"]["generation"] == 1


async def test_status_patch_changes_only_status_and_keeps_generation(
    http: httpx.AsyncClient,
) -> None:
    await create(http, AURA_INSTANCES, aura_instance("db", memory="8GB"))

    response = await patch(
        http, f"{DB}/status", {"spec": {"memory": "64GB"}, "status": {"phase": "Ready"}}
    )

    stored = (await http.get(DB)).json()
    assert response.status_code == 200
    assert stored["status"] == {"phase": "Ready"}
    assert stored["spec"]["memory"] == "8GB"
    assert stored["metadata"]["generation"] == 1


async def test_main_resource_write_ignores_status(http: httpx.AsyncClient) -> None:
    await create(http, AURA_INSTANCES, aura_instance("db"))
    await patch(http, f"{DB}/status", {"status": {"phase": "Ready"}})

    response = await patch(http, DB, {"spec": {"memory": "16GB"}, "status": {"phase": "Failed"}})

    assert response.json()["status"] == {"phase": "Ready"}
    assert response.json()["spec"]["memory"] == "16GB"


async def test_status_put_replaces_only_status(http: httpx.AsyncClient) -> None:
    created = await create(http, AURA_INSTANCES, aura_instance("db", memory="8GB"))
    body = {**created, "spec": {"memory": "1GB"}, "status": {"phase": "Ready"}}

    response = await http.put(f"{DB}/status", json=body)

    assert response.status_code == 200
    assert response.json()["status"] == {"phase": "Ready"}
    assert response.json()["spec"]["memory"] == "8GB"


async def test_status_of_a_resource_without_the_subresource_is_not_found(
    http: httpx.AsyncClient,
) -> None:
    await create(http, SECRETS, {"metadata": {"name": "s"}})

    response = await patch(http, f"{SECRETS}/s/status", {"status": {"x": 1}})

    assert response.status_code == 404


async def test_put_with_a_stale_resource_version_is_a_409_conflict(
    http: httpx.AsyncClient,
) -> None:
    created = await create(http, AURA_INSTANCES, aura_instance("db"))
    await patch(http, DB, {"spec": {"memory": "16GB"}})

    response = await http.put(DB, json={**created, "spec": {"memory": "32GB"}})

    assert response.status_code == 409
    assert response.json()["reason"] == "Conflict"
    assert (await http.get(DB)).json()["spec"]["memory"] == "16GB"


async def test_put_with_the_current_resource_version_replaces(http: httpx.AsyncClient) -> None:
    created = await create(http, AURA_INSTANCES, aura_instance("db", memory="8GB", paused=True))
    spec = {**VALID_SPEC, "memory": "32GB"}

    response = await http.put(DB, json={**created, "spec": spec})

    assert response.status_code == 200
    assert response.json()["spec"] == {**spec, **SPEC_DEFAULTS}  # paused: back to its default
    assert response.json()["metadata"]["generation"] == 2


async def test_merge_patch_with_a_stale_resource_version_is_a_409_conflict(
    http: httpx.AsyncClient,
) -> None:
    created = await create(http, AURA_INSTANCES, aura_instance("db"))
    await patch(http, DB, {"spec": {"memory": "16GB"}})
    stale = created["metadata"]["resourceVersion"]

    response = await patch(http, DB, {"metadata": {"resourceVersion": stale}, "spec": {"x": 1}})

    assert response.status_code == 409


async def test_failed_json_patch_test_is_a_422_status(http: httpx.AsyncClient) -> None:
    created = await create(http, AURA_INSTANCES, aura_instance("db", memory="8GB"))
    await patch(http, DB, {"metadata": {"labels": {"changed": "yes"}}})
    operations = [
        {
            "op": "test",
            "path": "/metadata/resourceVersion",
            "value": created["metadata"]["resourceVersion"],
        },
        {"op": "replace", "path": "/spec/memory", "value": "16GB"},
    ]

    response = await patch(http, DB, operations, JSON_PATCH)

    assert response.status_code == 422
    assert response.json()["kind"] == "Status"
    assert response.json()["reason"] == "Invalid"
    # The API server's generic wording: which operation failed is not said.
    assert response.json()["message"] == (
        "the server rejected our request due to an error in our request"
    )
    assert (await http.get(DB)).json()["spec"]["memory"] == "8GB"


async def test_json_patch_with_a_passing_test_applies(http: httpx.AsyncClient) -> None:
    created = await create(http, AURA_INSTANCES, aura_instance("db"))
    operations = [
        {
            "op": "test",
            "path": "/metadata/resourceVersion",
            "value": created["metadata"]["resourceVersion"],
        },
        {"op": "add", "path": "/metadata/finalizers", "value": ["a", "b"]},
        {"op": "remove", "path": "/metadata/finalizers/0"},
    ]

    response = await patch(http, DB, operations, JSON_PATCH)

    assert response.status_code == 200
    assert response.json()["metadata"]["finalizers"] == ["b"]


async def test_json_patch_on_a_missing_path_is_a_422_and_changes_nothing(
    http: httpx.AsyncClient,
) -> None:
    await create(http, AURA_INSTANCES, aura_instance("db"))
    operations = [
        {"op": "add", "path": "/metadata/labels", "value": {"a": "b"}},
        {"op": "remove", "path": "/spec/nothing"},
    ]

    response = await patch(http, DB, operations, JSON_PATCH)

    assert response.status_code == 422
    assert "labels" not in (await http.get(DB)).json()["metadata"]


async def test_json_patch_errors_do_not_echo_values(http: httpx.AsyncClient) -> None:
    await create(http, SECRETS, {"metadata": {"name": "s"}, "stringData": {"password": "hunter2"}})
    operations = [{"op": "test", "path": "/data/password", "value": "aHVudGVyMw=="}]

    response = await patch(http, f"{SECRETS}/s", operations, JSON_PATCH)

    assert response.status_code == 422
    assert "aHVudGVy" not in response.text


async def test_merge_patch_null_deletes_and_objects_merge(http: httpx.AsyncClient) -> None:
    labels = {"a": "1", "b": "2"}
    body = aura_instance("db", storage="16GB", connectionSecret={"labels": labels})
    await create(http, AURA_INSTANCES, body)

    changes = {"storage": None, "connectionSecret": {"labels": {"b": None, "c": "3"}}}
    response = await patch(http, DB, {"spec": changes})

    spec = response.json()["spec"]
    assert "storage" not in spec
    assert spec["connectionSecret"] == {"labels": {"a": "1", "c": "3"}}


async def test_unknown_patch_content_type_is_a_415(http: httpx.AsyncClient) -> None:
    await create(http, AURA_INSTANCES, aura_instance("db"))

    response = await patch(http, DB, {"spec": {}}, {"Content-Type": "application/apply-patch+yaml"})

    assert response.status_code == 415


async def test_a_write_that_changes_nothing_keeps_the_resource_version(
    http: httpx.AsyncClient,
) -> None:
    created = await create(http, AURA_INSTANCES, aura_instance("db", memory="8GB"))

    response = await patch(http, DB, {"spec": {"memory": "8GB"}})

    assert response.json()["metadata"]["resourceVersion"] == created["metadata"]["resourceVersion"]


async def test_server_owned_metadata_cannot_be_overwritten(http: httpx.AsyncClient) -> None:
    created = await create(http, AURA_INSTANCES, aura_instance("db"))
    forged = {"uid": "forged", "generation": 99, "creationTimestamp": "1999-01-01T00:00:00Z"}

    response = await patch(http, DB, {"metadata": forged})

    metadata = response.json()["metadata"]
    assert metadata["uid"] == created["metadata"]["uid"]
    assert metadata["generation"] == 1
    assert metadata["creationTimestamp"] == created["metadata"]["creationTimestamp"]


async def test_patching_a_missing_object_is_a_404(http: httpx.AsyncClient) -> None:
    response = await patch(http, f"{AURA_INSTANCES}/ghost", {"spec": {}})

    assert response.status_code == 404
    assert response.json()["reason"] == "NotFound"
