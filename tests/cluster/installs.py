"""Installing and removing the operator on the test control plane, the ways the README shows."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .kubectl import Helm, Kubectl

REPO_ROOT = Path(__file__).resolve().parents[2]
DEPLOY_DIR = REPO_ROOT / "deploy"
CHART_DIR = REPO_ROOT / "charts" / "aura-operator"
CRDS_DIR = REPO_ROOT / "crds"
CRD_NAME = "aurainstances.aura.neo4j.io"


@dataclass(frozen=True)
class Install:
    """Where an installation put the operator's ServiceAccount."""

    namespace: str
    service_account: str
    watch_namespaces: tuple[str, ...] = ()


@contextmanager
def kustomize_install(kubectl: Kubectl) -> Iterator[Install]:
    """`kubectl apply -k deploy/`; removed again with everything but the CRD."""
    kubectl("apply", "-k", str(DEPLOY_DIR))
    try:
        yield Install("aura-operator", "aura-operator")
    finally:
        kubectl("delete", "-k", str(DEPLOY_DIR / "operator"), "--wait=true", "--timeout=120s")


@contextmanager
def helm_install(
    helm: Helm,
    kubectl: Kubectl,
    namespace: str,
    *,
    watch_namespaces: tuple[str, ...] = (),
    crds: bool = False,
) -> Iterator[Install]:
    """`helm install aura-operator` into `namespace`; uninstalled and the namespace deleted.

    Without `crds` the chart installs no CRD (`crds.enabled=false`, the README's way to manage
    it yourself): the tier's CRD is shared by every test, and Helm would refuse to adopt it."""
    args = ["install", "aura-operator", str(CHART_DIR), "--namespace", namespace]
    args += ["--create-namespace", "--set", f"crds.enabled={str(crds).lower()}"]
    for index, watched in enumerate(watch_namespaces):
        args += ["--set", f"watchNamespaces[{index}]={watched}"]
    helm.run(*args)
    try:
        yield Install(namespace, "aura-operator", watch_namespaces)
    finally:
        helm.run("uninstall", "aura-operator", "--namespace", namespace, "--wait")
        kubectl("delete", "namespace", namespace, "--wait=true", "--timeout=120s")
