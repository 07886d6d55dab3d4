"""A scratch copy of deploy/ and the chart with the CRD copies taken from crds/.

Rendering checks run on it, so they test the manifests whether or not `make crds` has refreshed
the committed copies (test_crd_copies checks those).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from .paths import CHART_DIR, CRDS_DIR, DEPLOY_DIR


@dataclass(frozen=True)
class StagedTree:
    deploy: Path
    chart: Path


def source_crds() -> list[Path]:
    """The generated CRD files, the source of every copy."""
    return sorted(CRDS_DIR.glob("*.yaml"))


def stage_delivery_tree(root: Path) -> StagedTree:
    staged = StagedTree(deploy=root / "deploy", chart=root / "charts" / CHART_DIR.name)
    shutil.copytree(DEPLOY_DIR, staged.deploy)
    shutil.copytree(CHART_DIR, staged.chart)
    for crd_dir in (staged.deploy / "crds", staged.chart / "files" / "crds"):
        crd_dir.mkdir(exist_ok=True)
        for stale in crd_dir.glob("*.yaml"):
            if stale.name != "kustomization.yaml":
                stale.unlink()
        for crd in source_crds():
            shutil.copyfile(crd, crd_dir / crd.name)
    return staged
