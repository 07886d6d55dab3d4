"""The two Kubernetes sides a scenario runs against, behind one small seam.

- `EmulatorBackend`: the project's emulator, fresh for each test; the operator watches all
  namespaces, as `deploy/` installs it.
- `RealBackend`: a real kube-apiserver (with etcd and kube-controller-manager) shared by the e2e
  run, the operator authenticated as the ServiceAccount `deploy/` creates. Each test gets its
  own namespaces (`e2e-<n>-default`, `e2e-<n>-team-a`, ...) and the operator watches only those,
  as the chart's `watchNamespaces` installs it: objects an earlier test left behind (deleted in
  the background) are never seen. At the end the test's objects lose their finalizers and its
  namespaces are deleted, without waiting.

A scenario names namespaces through `Harness.namespace` and `Harness.ns("team-a")`.
"""

from __future__ import annotations

import asyncio
import itertools
import secrets
import subprocess
import time
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import kopf

from aura_devtools.kube_emulator import (
    AURA_INSTANCES,
    AURA_RESTORES,
    AURA_SNAPSHOTS,
    NAMESPACES,
    KubernetesClient,
    RemoteKubernetesApi,
)
from aura_devtools.kube_emulator.api import KubernetesApi, KubernetesApiError
from cluster.control_plane import ControlPlane
from cluster.installs import DEPLOY_DIR
from cluster.kubectl import Kubectl
from delivery.fetch_tools import ensure_tools

AURA_KINDS = (AURA_INSTANCES, AURA_SNAPSHOTS, AURA_RESTORES)
# Every namespace a scenario may use, by the name the scenarios give it.
LOGICAL_NAMESPACES = ("default", "team-a", "team-b", "team-c")


class Backend(Protocol):
    name: str
    kube: KubernetesClient
    """The test's client (an administrator on the real server)."""
    connection: kopf.ConnectionInfo
    """How the operator logs in."""
    watch_namespaces: tuple[str, ...]
    gc_grace: float
    """Seconds within which the garbage collector acts: to wait before checking it did not."""

    def namespace(self, logical: str) -> str: ...


@dataclass
class EmulatorBackend:
    kube: KubernetesApi
    name: str = "emulator"
    watch_namespaces: tuple[str, ...] = ()
    gc_grace: float = 0.5

    @property
    def connection(self) -> kopf.ConnectionInfo:
        return kopf.ConnectionInfo(server=self.kube.url, default_namespace="default")

    def namespace(self, logical: str) -> str:
        return logical


@dataclass(frozen=True)
class RealCluster:
    """The control plane of the e2e run, with `deploy/` applied (the CRDs, and the operator's
    ServiceAccount and ClusterRole; its Deployment never runs: there is no kubelet)."""

    plane: ControlPlane
    operator_token: str = field(repr=False)
    run_id: str

    def admin_client(self) -> RemoteKubernetesApi:
        return RemoteKubernetesApi(
            self.plane.server, token=self.plane.admin_token, ca_path=self.plane.ca_path
        )

    def operator_connection(self, default_namespace: str) -> kopf.ConnectionInfo:
        return kopf.ConnectionInfo(
            server=self.plane.server,
            ca_path=str(self.plane.ca_path),
            token=self.operator_token,
            default_namespace=default_namespace,
        )


@contextmanager
def started_real_cluster(workdir: Path) -> Iterator[RealCluster]:
    plane = ControlPlane(workdir)
    plane.start()
    try:
        kubectl = Kubectl(ensure_tools().kubectl, plane.admin_kubeconfig)
        kubectl("apply", "-k", str(DEPLOY_DIR))
        kubectl("wait", "--for=condition=Established", "crd", "--all", "--timeout=60s")
        _wait_for_custom_resource_storage(kubectl)
        token = plane.token_for("aura-operator", "aura-operator", seconds=6 * 3600)
        yield RealCluster(plane, token, run_id=secrets.token_hex(2))
    finally:
        plane.stop()


def _wait_for_custom_resource_storage(kubectl: Kubectl, timeout: float = 30.0) -> None:
    """An Established CRD still answers 429 "storage is (re)initializing" for about a second."""
    deadline = time.monotonic() + timeout
    for kind in AURA_KINDS:
        while True:
            done = kubectl.run("get", kind.qualified_plural, "--all-namespaces", check=False)
            if done.returncode == 0:
                break
            if time.monotonic() > deadline:
                raise subprocess.SubprocessError(f"{kind.plural} not served: {done.stderr}")
            time.sleep(0.2)


_test_numbers = itertools.count(1)


@dataclass
class RealBackend:
    kube: RemoteKubernetesApi
    cluster: RealCluster
    name: str = "real"
    gc_grace: float = 3.0  # as tests/cluster measured: the collector acts within a second
    prefix: str = field(init=False)

    def __post_init__(self) -> None:
        self.prefix = f"e2e-{self.cluster.run_id}-{next(_test_numbers)}"

    @property
    def connection(self) -> kopf.ConnectionInfo:
        return self.cluster.operator_connection(self.namespace("default"))

    def namespace(self, logical: str) -> str:
        if logical not in LOGICAL_NAMESPACES:
            raise ValueError(f"{logical!r} is not among {LOGICAL_NAMESPACES}: add it there")
        return f"{self.prefix}-{logical}"

    @property
    def watch_namespaces(self) -> tuple[str, ...]:
        return tuple(self.namespace(logical) for logical in LOGICAL_NAMESPACES)

    async def __aenter__(self) -> RealBackend:
        await self.kube.create(NAMESPACES, {"metadata": {"name": self.namespace("default")}})
        return self

    async def __aexit__(self, *_: object) -> None:
        await asyncio.gather(*(self._release(ns) for ns in self.watch_namespaces))

    async def _release(self, namespace: str) -> None:
        for kind in AURA_KINDS:
            for item in await self.kube.list(kind, namespace=namespace):
                if item["metadata"].get("finalizers"):
                    await self._ignore_missing(
                        self.kube.patch(
                            kind,
                            item["metadata"]["name"],
                            {"metadata": {"finalizers": None}},
                            namespace=namespace,
                        )
                    )
        await self._ignore_missing(self.kube.delete(NAMESPACES, namespace))

    @staticmethod
    async def _ignore_missing(call: Awaitable[Any]) -> None:
        try:
            await call
        except KubernetesApiError as error:
            if error.status != 404:
                raise
