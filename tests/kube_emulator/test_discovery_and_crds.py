"""Discovery, CRD registration (by dict or by POST) and what a CRD schema does to writes."""

from __future__ import annotations

import copy
import pathlib
from typing import Any

import httpx
import yaml

from aura_devtools.kube_emulator import AURA_INSTANCE_CRD, SECRETS, KubernetesApiEmulator, load_crds
from aura_devtools.kube_emulator.api import KubernetesApi
from aura_devtools.kube_emulator.resources import bundled_builtin_resource_types
from kube_emulator.helpers import create

WIDGETS = "/apis/example.com/v1/namespaces/default/widgets"


def widget_crd(schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {
            "group": "example.com",
            "scope": "Namespaced",
            "names": {"kind": "Widget", "plural": "widgets", "singular": "widget"},
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": {"openAPIV3Schema": schema or {"type": "object"}},
                }
            ],
        },
    }


async def test_core_v1_serves_what_kopf_and_the_operator_need(http: httpx.AsyncClient) -> None:
    resources = (await http.get("/api/v1")).json()

    names = {resource["name"] for resource in resources["resources"]}
    assert resources["groupVersion"] == "v1"
    assert {"namespaces", "secrets", "events", "configmaps"} <= names


async def test_aura_instances_are_discoverable_with_their_status_subresource(
    http: httpx.AsyncClient,
) -> None:
    groups = (await http.get("/apis")).json()
    resources = (await http.get("/apis/aura.neo4j.io/v1alpha1")).json()["resources"]

    assert "aura.neo4j.io" in {group["name"] for group in groups["groups"]}
    main = next(resource for resource in resources if resource["name"] == "aurainstances")
    assert main["kind"] == "AuraInstance"
    assert main["namespaced"] is True
    assert main["shortNames"] == ["aura"]
    assert {"list", "watch", "patch"} <= set(main["verbs"])
    assert "aurainstances/status" in {resource["name"] for resource in resources}


async def test_subresources_are_listed_without_the_parents_names(
    http: httpx.AsyncClient,
) -> None:
    resources = (await http.get("/apis/aura.neo4j.io/v1alpha1")).json()["resources"]

    status = next(resource for resource in resources if resource["name"] == "aurainstances/status")
    assert status["shortNames"] == []
    assert set(status["verbs"]) == {"get", "patch", "update"}


async def test_the_aura_instance_crd_is_stored_as_an_object(http: httpx.AsyncClient) -> None:
    path = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/aurainstances.aura.neo4j.io"

    crd = (await http.get(path)).json()

    assert crd["spec"]["names"]["kind"] == "AuraInstance"


async def test_namespaces_are_served_as_a_cluster_scoped_resource(
    http: httpx.AsyncClient,
) -> None:
    await create(http, "/api/v1/namespaces", {"metadata": {"name": "team-b"}})

    listing = (await http.get("/api/v1/namespaces")).json()
    fetched = await http.get("/api/v1/namespaces/team-b")

    assert [ns["metadata"]["name"] for ns in listing["items"]] == ["default", "team-b"]
    assert fetched.json()["status"] == {"phase": "Active"}


async def test_posting_a_crd_serves_its_resource(http: httpx.AsyncClient) -> None:
    await create(http, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", widget_crd())

    created = await http.post(WIDGETS, json={"metadata": {"name": "w"}})

    assert created.status_code == 201
    assert created.json()["kind"] == "Widget"


async def test_a_registered_crd_schema_prunes_unknown_fields_and_fills_defaults(
    no_leaked_tasks: None,
) -> None:
    schema = {
        "type": "object",
        "properties": {
            "spec": {
                "type": "object",
                "properties": {
                    "size": {"type": "string", "default": "small"},
                    "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                },
            },
            "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
        },
    }
    emulator = KubernetesApiEmulator(crds=[widget_crd(schema)])
    async with KubernetesApi(emulator) as kube:
        body = {
            "metadata": {"name": "w"},
            "spec": {"labels": {"a": "b"}, "unknown": 1},
            "extra": True,
        }

        created = await kube.create("widgets", body, namespace="default")

    assert created["spec"] == {"labels": {"a": "b"}, "size": "small"}
    assert "extra" not in created
    assert created["metadata"]["name"] == "w"


async def test_crds_load_from_a_yaml_file(tmp_path: pathlib.Path, no_leaked_tasks: None) -> None:
    crd = copy.deepcopy(dict(AURA_INSTANCE_CRD))
    crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"] = {
        "type": "object",
        "properties": {"spec": {"type": "object", "properties": {"version": {"default": "5"}}}},
    }
    manifest = tmp_path / "crds.yaml"
    manifest.write_text(yaml.safe_dump_all([{"kind": "Namespace"}, crd]), encoding="utf-8")

    async with KubernetesApi(KubernetesApiEmulator(crds=load_crds(manifest))) as kube:
        body = {"metadata": {"name": "db"}, "spec": {}}
        created = await kube.create("aura", body, namespace="default")

    assert created["spec"] == {"version": "5"}


async def test_kmocks_bundled_builtins_can_all_be_served(no_leaked_tasks: None) -> None:
    emulator = KubernetesApiEmulator(resource_types=bundled_builtin_resource_types())
    async with KubernetesApi(emulator) as kube:
        pod = await kube.create("pods", {"metadata": {"name": "p"}}, namespace="default")
        deployments = (await kube.http.get("/apis/apps/v1")).json()["resources"]

    assert pod["kind"] == "Pod"
    assert "deployments" in {resource["name"] for resource in deployments}
    assert kube.resource("secrets") == SECRETS
