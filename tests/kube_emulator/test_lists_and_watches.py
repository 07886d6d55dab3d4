"""Lists and watch streams over HTTP: kinds, selectors, resuming from a resourceVersion."""

from __future__ import annotations

import asyncio
import contextlib
import json

import httpx

from aura_devtools.kube_emulator.api import KubernetesApi
from kube_emulator.helpers import (
    AURA_INSTANCES,
    SECRETS,
    aura_instance,
    create,
    lines_of,
    patch,
    watch,
)

ALL_AURA_INSTANCES = "/apis/aura.neo4j.io/v1alpha1/aurainstances"


async def test_list_carries_kind_api_version_and_a_list_resource_version(
    http: httpx.AsyncClient,
) -> None:
    created = await create(http, AURA_INSTANCES, aura_instance("db"))

    listing = (await http.get(AURA_INSTANCES)).json()

    assert listing["kind"] == "AuraInstanceList"
    assert listing["apiVersion"] == "aura.neo4j.io/v1alpha1"
    assert listing["metadata"]["resourceVersion"] == created["metadata"]["resourceVersion"]
    assert [item["metadata"]["name"] for item in listing["items"]] == ["db"]


async def test_items_of_a_built_in_list_carry_no_kind_those_of_a_custom_one_do(
    http: httpx.AsyncClient,
) -> None:
    """As the API server encodes them: built-in lists typed, custom resource lists not."""
    await create(http, AURA_INSTANCES, aura_instance("db"))
    await create(http, SECRETS, {"metadata": {"name": "s"}})

    [secret] = (await http.get(SECRETS)).json()["items"]
    [db] = (await http.get(AURA_INSTANCES)).json()["items"]

    assert "kind" not in secret and "apiVersion" not in secret
    assert (db["kind"], db["apiVersion"]) == ("AuraInstance", "aura.neo4j.io/v1alpha1")


async def test_cluster_wide_list_spans_namespaces(kube: KubernetesApi) -> None:
    await kube.create("namespaces", {"metadata": {"name": "team-b"}})
    await kube.create("aura", aura_instance("a"), namespace="default")
    await kube.create("aura", aura_instance("b"), namespace="team-b")

    listing = (await kube.http.get(ALL_AURA_INSTANCES)).json()

    assert {(i["metadata"]["namespace"], i["metadata"]["name"]) for i in listing["items"]} == {
        ("default", "a"),
        ("team-b", "b"),
    }


async def test_label_selector_filters_lists(http: httpx.AsyncClient) -> None:
    for name, labels in [("a", {"tier": "gold"}), ("b", {"tier": "free"}), ("c", {})]:
        body = aura_instance(name)
        body["metadata"]["labels"] = labels
        await create(http, AURA_INSTANCES, body)

    def names(selector: str) -> list[str]:
        return [item["metadata"]["name"] for item in listed[selector]["items"]]

    selectors = ["tier=gold", "tier!=gold", "tier in (gold,free)", "!tier", "tier"]
    listed = {
        s: (await http.get(AURA_INSTANCES, params={"labelSelector": s})).json() for s in selectors
    }

    assert names("tier=gold") == ["a"]
    assert names("tier!=gold") == ["b", "c"]
    assert names("tier in (gold,free)") == ["a", "b"]
    assert names("!tier") == ["c"]
    assert names("tier") == ["a", "b"]


async def test_field_selector_on_name_filters_lists(http: httpx.AsyncClient) -> None:
    await create(http, AURA_INSTANCES, aura_instance("a"))
    await create(http, AURA_INSTANCES, aura_instance("b"))

    listing = (await http.get(AURA_INSTANCES, params={"fieldSelector": "metadata.name=b"})).json()

    assert [item["metadata"]["name"] for item in listing["items"]] == ["b"]


async def test_unsupported_field_selector_is_a_400(http: httpx.AsyncClient) -> None:
    response = await http.get(AURA_INSTANCES, params={"fieldSelector": "spec.memory=8GB"})

    assert response.status_code == 400
    assert response.json()["message"] == "field label not supported: spec.memory"


async def test_watch_without_resource_version_starts_with_the_current_objects(
    http: httpx.AsyncClient,
) -> None:
    await create(http, AURA_INSTANCES, aura_instance("a"))
    await create(http, AURA_INSTANCES, aura_instance("b"))

    events = await watch(http, AURA_INSTANCES, count=2)

    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [
        ("ADDED", "a"),
        ("ADDED", "b"),
    ]


async def test_watch_resumes_after_the_given_resource_version_without_replaying(
    http: httpx.AsyncClient,
) -> None:
    created = await create(http, AURA_INSTANCES, aura_instance("a"))
    patched = (await patch(http, f"{AURA_INSTANCES}/a", {"spec": {"memory": "16GB"}})).json()
    await create(http, AURA_INSTANCES, aura_instance("b"))

    events = await watch(
        http, AURA_INSTANCES, count=2, resourceVersion=created["metadata"]["resourceVersion"]
    )

    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [
        ("MODIFIED", "a"),
        ("ADDED", "b"),
    ]
    assert (
        events[0]["object"]["metadata"]["resourceVersion"]
        == (patched["metadata"]["resourceVersion"])
    )


async def test_watch_streams_are_json(http: httpx.AsyncClient) -> None:
    params = {"watch": "true", "timeoutSeconds": "0"}

    async with http.stream("GET", AURA_INSTANCES, params=params) as stream:
        content_type = stream.headers["Content-Type"]

    assert content_type.startswith("application/json")  # kubectl refuses octet-streams


async def test_watch_streams_live_changes(http: httpx.AsyncClient) -> None:
    listing = (await http.get(AURA_INSTANCES)).json()
    params = {"watch": "true", "resourceVersion": listing["metadata"]["resourceVersion"]}

    async with (
        asyncio.timeout(5),
        http.stream("GET", AURA_INSTANCES, params=params) as stream,
        contextlib.aclosing(lines_of(stream)) as lines,
    ):
        await create(http, AURA_INSTANCES, aura_instance("live"))
        event = json.loads(await anext(lines))

    assert (event["type"], event["object"]["metadata"]["name"]) == ("ADDED", "live")


async def test_watch_ends_after_timeout_seconds_with_a_bookmark(http: httpx.AsyncClient) -> None:
    created = await create(http, AURA_INSTANCES, aura_instance("a"))
    version = created["metadata"]["resourceVersion"]

    events = await watch(
        http,
        AURA_INSTANCES,
        resourceVersion=version,
        timeoutSeconds="0",
        allowWatchBookmarks="true",
    )

    assert events == [
        {
            "type": "BOOKMARK",
            "object": {
                "apiVersion": "aura.neo4j.io/v1alpha1",
                "kind": "AuraInstance",
                "metadata": {"resourceVersion": version},
            },
        }
    ]


async def test_watch_from_a_compacted_resource_version_gets_410_gone(
    kube: KubernetesApi,
) -> None:
    created = await kube.create("aura", aura_instance("a"), namespace="default")
    await kube.patch("aura", "a", {"spec": {"memory": "16GB"}}, namespace="default")
    kube.emulator.changes.compact()

    events = await watch(
        kube.http, AURA_INSTANCES, resourceVersion=created["metadata"]["resourceVersion"]
    )

    assert [(e["type"], e["object"]["code"]) for e in events] == [("ERROR", 410)]


async def test_label_filtered_watch_sees_objects_leave_and_enter(http: httpx.AsyncClient) -> None:
    body = aura_instance("a")
    body["metadata"]["labels"] = {"tier": "gold"}
    created = await create(http, AURA_INSTANCES, body)
    await patch(http, f"{AURA_INSTANCES}/a", {"metadata": {"labels": {"tier": "free"}}})
    await patch(http, f"{AURA_INSTANCES}/a", {"metadata": {"labels": {"tier": "gold"}}})

    events = await watch(
        http,
        AURA_INSTANCES,
        count=2,
        resourceVersion=created["metadata"]["resourceVersion"],
        labelSelector="tier=gold",
    )

    assert [e["type"] for e in events] == ["DELETED", "ADDED"]


async def test_namespaced_watch_ignores_other_namespaces(kube: KubernetesApi) -> None:
    start = (await kube.http.get(AURA_INSTANCES)).json()["metadata"]["resourceVersion"]
    await kube.create("namespaces", {"metadata": {"name": "team-b"}})
    await kube.create("aura", aura_instance("elsewhere"), namespace="team-b")
    await kube.create("aura", aura_instance("here"), namespace="default")

    events = await watch(kube.http, AURA_INSTANCES, count=1, resourceVersion=start)

    assert events[0]["object"]["metadata"]["name"] == "here"


async def test_ending_watch_streams_closes_open_watches(kube: KubernetesApi) -> None:
    listing = (await kube.http.get(AURA_INSTANCES)).json()
    version = listing["metadata"]["resourceVersion"]
    params = {"watch": "true", "resourceVersion": version}

    async with (
        asyncio.timeout(5),
        kube.http.stream("GET", AURA_INSTANCES, params=params) as stream,
    ):
        kube.emulator.end_watch_streams()
        remaining = [line async for line in stream.aiter_lines()]

    assert remaining == []


async def test_namespaces_can_be_watched(kube: KubernetesApi) -> None:
    listing = (await kube.http.get("/api/v1/namespaces")).json()
    await kube.create("namespaces", {"metadata": {"name": "team-b"}})

    events = await watch(
        kube.http,
        "/api/v1/namespaces",
        count=1,
        resourceVersion=listing["metadata"]["resourceVersion"],
    )

    assert (events[0]["type"], events[0]["object"]["metadata"]["name"]) == ("ADDED", "team-b")
