"""Creating objects over HTTP: what the API server stamps, derives and refuses."""

from __future__ import annotations

import re

import httpx

from kube_emulator.helpers import AURA_INSTANCES, EVENTS, SECRETS, aura_instance, create


async def test_create_stamps_server_metadata(http: httpx.AsyncClient) -> None:
    created = await create(http, AURA_INSTANCES, aura_instance("db"))

    metadata = created["metadata"]
    assert re.fullmatch(r"[0-9a-f-]{36}", metadata["uid"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", metadata["creationTimestamp"])
    assert metadata["generation"] == 1
    assert int(metadata["resourceVersion"]) > 0
    assert (created["apiVersion"], created["kind"]) == ("aura.neo4j.io/v1alpha1", "AuraInstance")


async def test_create_takes_the_namespace_from_the_url(http: httpx.AsyncClient) -> None:
    body = aura_instance("db")
    body.pop("apiVersion"), body.pop("kind")

    created = await create(http, AURA_INSTANCES, body)

    assert created["metadata"]["namespace"] == "default"
    assert created["kind"] == "AuraInstance"
    assert (await http.get(f"{AURA_INSTANCES}/db")).json()["metadata"]["namespace"] == "default"


async def test_create_refuses_a_namespace_different_from_the_url(http: httpx.AsyncClient) -> None:
    body = aura_instance("db")
    body["metadata"]["namespace"] = "elsewhere"

    response = await http.post(AURA_INSTANCES, json=body)

    assert response.status_code == 400
    assert response.json()["kind"] == "Status"


async def test_create_in_a_missing_namespace_is_not_found(http: httpx.AsyncClient) -> None:
    path = "/apis/aura.neo4j.io/v1alpha1/namespaces/nowhere/aurainstances"

    response = await http.post(path, json=aura_instance("db"))

    assert response.status_code == 404
    assert response.json()["message"] == 'namespaces "nowhere" not found'


async def test_create_twice_is_a_409_already_exists(http: httpx.AsyncClient) -> None:
    await create(http, AURA_INSTANCES, aura_instance("db"))

    response = await http.post(AURA_INSTANCES, json=aura_instance("db"))

    assert response.status_code == 409
    assert response.json()["reason"] == "AlreadyExists"


async def test_generate_name_gives_each_object_a_fresh_name(http: httpx.AsyncClient) -> None:
    event = {"metadata": {"generateName": "kopf-event-"}, "reason": "Test", "message": "hi"}

    first = await create(http, EVENTS, event)
    second = await create(http, EVENTS, event)

    names = {first["metadata"]["name"], second["metadata"]["name"]}
    assert len(names) == 2
    assert all(re.fullmatch(r"kopf-event-[a-z0-9]{5}", name) for name in names)


async def test_create_without_name_or_generate_name_is_invalid(http: httpx.AsyncClient) -> None:
    response = await http.post(EVENTS, json={"metadata": {}, "reason": "Test"})

    assert response.status_code == 422
    assert response.json()["reason"] == "Invalid"


async def test_resource_version_is_one_counter_across_resources(http: httpx.AsyncClient) -> None:
    aura = await create(http, AURA_INSTANCES, aura_instance("db"))
    secret = await create(http, SECRETS, {"metadata": {"name": "s"}})
    listing = (await http.get(AURA_INSTANCES)).json()

    aura_version = int(aura["metadata"]["resourceVersion"])
    assert int(secret["metadata"]["resourceVersion"]) == aura_version + 1
    assert listing["metadata"]["resourceVersion"] == secret["metadata"]["resourceVersion"]


async def test_status_sent_on_create_is_dropped_with_a_status_subresource(
    http: httpx.AsyncClient,
) -> None:
    body = {**aura_instance("db"), "status": {"phase": "Ready"}}

    created = await create(http, AURA_INSTANCES, body)

    assert "status" not in created


async def test_secret_string_data_is_stored_as_base64_data(http: httpx.AsyncClient) -> None:
    created = await create(http, SECRETS, {"metadata": {"name": "s"}, "stringData": {"k": "v"}})

    assert created["data"] == {"k": "dg=="}
    assert created["type"] == "Opaque"
    assert "stringData" not in created
