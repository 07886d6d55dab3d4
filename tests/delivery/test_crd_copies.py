"""deploy/ and the chart carry byte-identical copies of the generated CRDs in crds/.

kustomize refuses files outside the kustomization's folder (and symlinks out of it), and Helm
reads only files inside its chart (templates/crds.yaml renders files/crds/), so both need real
copies; `make crds` writes them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from .manifests import Manifest
from .paths import CRD_COPY_DIRS, CRDS_DIR, DEPLOY_DIR, REPO_ROOT
from .staging import source_crds

FIX = "run `make crds` to regenerate crds/ and refresh its copies"
AURA_INSTANCES_CRD = "aurainstances.aura.neo4j.io.yaml"


def crd_files(directory: Path) -> set[str]:
    return {p.name for p in directory.glob("*.yaml") if p.name != "kustomization.yaml"}


def test_generated_aurainstance_crd_exists() -> None:
    assert (CRDS_DIR / AURA_INSTANCES_CRD).is_file(), f"crds/{AURA_INSTANCES_CRD} is missing: {FIX}"


@pytest.mark.parametrize("copy_dir", CRD_COPY_DIRS, ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_copies_are_byte_identical_to_crds(copy_dir: Path) -> None:
    where = copy_dir.relative_to(REPO_ROOT)
    sources = crd_files(CRDS_DIR) or {AURA_INSTANCES_CRD}
    for name in sorted(sources):
        source, copy = CRDS_DIR / name, copy_dir / name
        assert source.is_file(), f"crds/{name} is missing: {FIX}"
        assert copy.is_file(), f"{where}/{name} is missing: {FIX}"
        assert copy.read_bytes() == source.read_bytes(), f"{where}/{name} differs from crds/: {FIX}"
    extra = crd_files(copy_dir) - sources
    assert not extra, f"{where} holds CRDs that crds/ does not ({sorted(extra)}): {FIX}"


def test_deploy_kustomization_lists_every_crd() -> None:
    kustomization = yaml.safe_load((DEPLOY_DIR / "crds" / "kustomization.yaml").read_text())
    expected = crd_files(CRDS_DIR) or {AURA_INSTANCES_CRD}
    assert set(kustomization["resources"]) == expected, f"deploy/crds/kustomization.yaml: {FIX}"


@pytest.mark.parametrize(
    "path", [p for p in source_crds() if p.name == AURA_INSTANCES_CRD], ids=lambda p: p.name
)
def test_crd_defines_the_agreed_aurainstance_api(path: Path) -> None:
    crd: Manifest = yaml.safe_load(path.read_text())
    spec = crd["spec"]
    assert crd["metadata"]["name"] == "aurainstances.aura.neo4j.io"
    assert spec["group"] == "aura.neo4j.io"
    assert spec["scope"] == "Namespaced"
    assert spec["names"]["kind"] == "AuraInstance"
    assert spec["names"]["plural"] == "aurainstances"
    assert "aura" in spec["names"]["shortNames"]
    served = {v["name"]: v for v in spec["versions"] if v["served"]}
    assert "v1alpha1" in served
    assert served["v1alpha1"]["subresources"]["status"] == {}
