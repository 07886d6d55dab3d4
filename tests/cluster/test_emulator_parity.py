"""The emulator answers as this real API server does: each case sends the same requests to both
and compares what a client sees (status code, reason, message, the fields named). Differences
kept on purpose are listed in tests/e2e/README.md, "Where the emulator differs"."""

from __future__ import annotations

import json
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest

from aura_devtools.kube_emulator.api import KubernetesApi

from .control_plane import ControlPlane

Observation = tuple[Any, ...]
Case = Callable[["Client"], Awaitable[None]]

AURA = "/apis/aura.neo4j.io/v1alpha1/namespaces/{ns}/aurainstances"
SECRETS = "/api/v1/namespaces/{ns}/secrets"
SPEC = {"cloudProvider": "gcp", "region": "europe-west1", "type": "professional-db"}
MERGE = {"Content-Type": "application/merge-patch+json"}
JSON_PATCH = {"Content-Type": "application/json-patch+json"}


def aura_instance(name: str, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "aura.neo4j.io/v1alpha1",
        "kind": "AuraInstance",
        "metadata": {"name": name},
        "spec": spec,
    }


class Client:
    """Requests to one server in the case's namespace, recording what the case looks at."""

    def __init__(self, http: httpx.AsyncClient, namespace: str) -> None:
        self.http = http
        self.namespace = namespace
        self.seen: list[Observation] = []

    async def send(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> dict[str, Any]:
        """The answer; a refusal is recorded as (status, reason, message)."""
        content = json.dumps(body) if body is not None else None
        response = await self.http.request(
            method, path.format(ns=self.namespace), content=content, headers=headers or {}
        )
        answer: dict[str, Any] = response.json()
        if response.is_error:
            self.seen.append((response.status_code, answer.get("reason"), answer.get("message")))
        return answer

    def see(self, *observed: Any) -> None:
        self.seen.append(observed)


async def cel_rules_of_a_field(client: Client) -> None:
    await client.send("POST", AURA, aura_instance("db", memory="2GB"))


async def cel_rules_of_the_object(client: Client) -> None:
    await client.send("POST", AURA, aura_instance("m" * 250, memory="2GB", **SPEC))


async def openapi_pattern(client: Client) -> None:
    await client.send("POST", AURA, aura_instance("db", memory="2 GB", **SPEC))


async def unsupported_field_selector(client: Client) -> None:
    await client.send("GET", AURA + "?fieldSelector=spec.memory%3D2GB")


async def failed_json_patch_test(client: Client) -> None:
    await client.send("POST", AURA, aura_instance("db", memory="2GB", **SPEC))
    test = [{"op": "test", "path": "/spec/memory", "value": "4GB"}]
    await client.send("PATCH", AURA + "/db", test, JSON_PATCH)


async def stale_resource_version(client: Client) -> None:
    created = await client.send("POST", AURA, aura_instance("db", memory="2GB", **SPEC))
    await client.send("PATCH", AURA + "/db", {"spec": {"memory": "4GB"}}, MERGE)
    stale = {"metadata": {"resourceVersion": created["metadata"]["resourceVersion"]}}
    await client.send("PATCH", AURA + "/db", {**stale, "spec": {"memory": "8GB"}}, MERGE)


async def missing_objects_and_namespaces(client: Client) -> None:
    await client.send("GET", AURA + "/ghost")
    await client.send("DELETE", SECRETS + "/ghost")
    await client.send("POST", f"/api/v1/namespaces/no-{client.namespace}/secrets", {})


async def deletion_without_a_finalizer(client: Client) -> None:
    await client.send("POST", AURA, aura_instance("db", memory="2GB", **SPEC))
    await client.send("POST", SECRETS, {"metadata": {"name": "s"}})
    for path in (AURA + "/db", SECRETS + "/s"):
        answer = await client.send("DELETE", path)
        details = answer.get("details") or {}
        client.see(answer["kind"], answer.get("status"), details.get("kind"), details.get("name"))


async def deletion_with_a_finalizer(client: Client) -> None:
    body = aura_instance("db", memory="2GB", **SPEC)
    body["metadata"]["finalizers"] = ["example.com/first"]
    created = await client.send("POST", AURA, body)
    marked = await client.send("DELETE", AURA + "/db")
    client.see(
        "generation after the deletion mark",
        marked["metadata"]["generation"] - created["metadata"]["generation"],
    )
    added = {"metadata": {"finalizers": ["example.com/first", "example.com/second"]}}
    await client.send("PATCH", AURA + "/db", added, MERGE)


async def writes_that_change_nothing(client: Client) -> None:
    created = await client.send("POST", AURA, aura_instance("db", memory="2GB", **SPEC))
    same = await client.send("PATCH", AURA + "/db", {"spec": {"memory": "2GB"}}, MERGE)
    client.see(
        "a no-op patch keeps the resourceVersion",
        same["metadata"]["resourceVersion"] == created["metadata"]["resourceVersion"],
    )
    status = {"status": {"phase": "Ready"}, "spec": {"memory": "8GB"}}
    written = await client.send("PATCH", AURA + "/db/status", status, MERGE)
    client.see("the status subresource leaves spec", written["spec"]["memory"], written["status"])


async def built_in_lists(client: Client) -> None:
    await client.send("POST", SECRETS, {"metadata": {"name": "s"}, "stringData": {"k": "v"}})
    [item] = (await client.send("GET", SECRETS))["items"]
    client.see("a Secret in a list", item.get("kind"), item.get("apiVersion"), item["data"])


CASES: list[Case] = [
    cel_rules_of_a_field,
    cel_rules_of_the_object,
    openapi_pattern,
    unsupported_field_selector,
    failed_json_patch_test,
    stale_resource_version,
    missing_objects_and_namespaces,
    deletion_without_a_finalizer,
    deletion_with_a_finalizer,
    writes_that_change_nothing,
    built_in_lists,
]


@pytest.fixture
async def real_http(control_plane: ControlPlane) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        base_url=control_plane.server,
        verify=ssl.create_default_context(cafile=control_plane.ca_path),
        headers={"Authorization": f"Bearer {control_plane.admin_token}"},
    ) as http:
        yield http


@pytest.mark.usefixtures("crd")
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.__name__)
async def test_the_emulator_answers_as_the_api_server(
    case: Case, real_http: httpx.AsyncClient, namespace: str
) -> None:
    real = Client(real_http, namespace)
    await case(real)
    async with KubernetesApi() as kube:
        await kube.create("namespaces", {"metadata": {"name": namespace}})
        emulated = Client(kube.http, namespace)
        await case(emulated)

    assert emulated.seen == real.seen
