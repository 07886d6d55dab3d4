"""Session fixtures: the real helm/kubectl, a staged tree, and every rendering checked here."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from .fetch_tools import KubeTools, ensure_tools
from .manifests import Manifest, Rendering
from .paths import FIXTURES_DIR
from .render import Renderer
from .staging import StagedTree, source_crds, stage_delivery_tree

CUSTOM_VALUES = FIXTURES_DIR / "values-custom.yaml"
# Rendering name -> the fixture that renders it.
RENDERINGS = {
    "kustomize": "kustomize_install",
    "kustomize-network-policy": "kustomize_network_policy",
    "kustomize-argocd-example": "kustomize_argocd_example",
    "helm-default": "helm_default",
    "helm-custom": "helm_custom",
}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: builds a virtual environment (tens of seconds)")


@pytest.fixture(scope="session")
def kube_tools() -> KubeTools:
    return ensure_tools()


@pytest.fixture(scope="session")
def renderer(kube_tools: KubeTools, tmp_path_factory: pytest.TempPathFactory) -> Renderer:
    return Renderer(tools=kube_tools, home=tmp_path_factory.mktemp("tool-home"))


@pytest.fixture(scope="session")
def staged(tmp_path_factory: pytest.TempPathFactory) -> StagedTree:
    return stage_delivery_tree(tmp_path_factory.mktemp("delivery"))


@pytest.fixture(scope="session")
def crds() -> list[Manifest]:
    return [yaml.safe_load(path.read_text()) for path in source_crds()]


@pytest.fixture(scope="session")
def custom_values() -> Path:
    return CUSTOM_VALUES


@pytest.fixture(scope="session")
def kustomize_install(renderer: Renderer, staged: StagedTree) -> Rendering:
    return Rendering("kustomize", renderer.kustomize(staged.deploy), "aura-operator")


@pytest.fixture(scope="session")
def kustomize_network_policy(renderer: Renderer, staged: StagedTree) -> Rendering:
    manifests = renderer.kustomize(staged.deploy / "with-network-policy")
    return Rendering("kustomize-network-policy", manifests, "aura-operator")


@pytest.fixture(scope="session")
def kustomize_argocd_example(renderer: Renderer, staged: StagedTree) -> Rendering:
    manifests = renderer.kustomize(staged.deploy / "argocd" / "example")
    return Rendering("kustomize-argocd-example", manifests, "aura-operator")


@pytest.fixture(scope="session")
def helm_default(renderer: Renderer, staged: StagedTree) -> Rendering:
    manifests = renderer.helm_template(staged.chart, namespace="aura-system")
    return Rendering("helm-default", manifests, "aura-system")


@pytest.fixture(scope="session")
def helm_custom(renderer: Renderer, staged: StagedTree, custom_values: Path) -> Rendering:
    manifests = renderer.helm_template(staged.chart, namespace="platform", values=[custom_values])
    watched = tuple(yaml.safe_load(custom_values.read_text())["watchNamespaces"])
    return Rendering(
        "helm-custom",
        manifests,
        "platform",
        watch_namespaces=watched,
        default_values=False,
        aggregated_roles=False,
    )


@pytest.fixture(scope="session", params=list(RENDERINGS))
def rendering(request: pytest.FixtureRequest) -> Rendering:
    """Each way of installing the operator in turn."""
    found: Rendering = request.getfixturevalue(RENDERINGS[request.param])
    return found


@pytest.fixture(scope="session", params=[name for name in RENDERINGS if name != "helm-custom"])
def default_rendering(request: pytest.FixtureRequest) -> Rendering:
    """Each way of installing the operator with the shipped defaults."""
    found: Rendering = request.getfixturevalue(RENDERINGS[request.param])
    assert found.default_values
    return found
