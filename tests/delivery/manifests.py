"""Lookups in rendered manifests."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

Manifest = dict[str, Any]


@dataclass(frozen=True)
class Rendering:
    """One way of installing the operator, rendered to manifests."""

    name: str
    manifests: list[Manifest]
    operator_namespace: str
    watch_namespaces: tuple[str, ...] = ()  # empty: all namespaces
    default_values: bool = True  # rendered from the shipped defaults
    aggregated_roles: bool = True  # ClusterRoles extending admin/edit/view

    def of_kind(self, kind: str) -> list[Manifest]:
        return [m for m in self.manifests if m["kind"] == kind]

    def one(self, kind: str) -> Manifest:
        found = self.of_kind(kind)
        assert len(found) == 1, f"{self.name}: expected one {kind}, found {len(found)}"
        return found[0]

    def operator_container(self) -> Manifest:
        containers = self.one("Deployment")["spec"]["template"]["spec"]["containers"]
        assert len(containers) == 1, f"{self.name}: expected the operator container only"
        container: Manifest = containers[0]
        return container

    def operator_env(self) -> dict[str, Manifest]:
        return {item["name"]: item for item in self.operator_container().get("env", [])}

    def operator_service_account(self) -> str:
        name: str = self.one("Deployment")["spec"]["template"]["spec"]["serviceAccountName"]
        return name


def container_port(container: Manifest, name: str) -> int:
    ports = [p["containerPort"] for p in container.get("ports", []) if p.get("name") == name]
    assert len(ports) == 1, f"container port {name!r} missing or repeated"
    port: int = ports[0]
    return port


def names(manifests: Iterable[Manifest]) -> set[str]:
    return {m["metadata"]["name"] for m in manifests}
