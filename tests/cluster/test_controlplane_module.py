"""The Go module that pins the control plane: its staging `replace` lines are the ones derived
from the pinned k8s.io/kubernetes release's own go.mod, not typed by hand."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

MODULE_DIR = Path(__file__).resolve().parent / "controlplane"


def go_mod() -> dict[str, object]:
    done = subprocess.run(
        ["go", "mod", "edit", "-json"], cwd=MODULE_DIR, capture_output=True, text=True, check=True
    )
    parsed: dict[str, object] = json.loads(done.stdout)
    return parsed


@pytest.mark.skipif(shutil.which("go") is None, reason="needs Go")
def test_staging_replaces_match_the_pinned_kubernetes_release() -> None:
    sys.path.insert(0, str(MODULE_DIR))
    try:
        import pin_staging
    finally:
        sys.path.remove(str(MODULE_DIR))
    module = go_mod()
    versions = {req["Path"]: req["Version"] for req in module["Require"]}  # type: ignore[attr-defined]
    kubernetes = versions["k8s.io/kubernetes"]
    replaces = {
        entry["Old"]["Path"]: (entry["New"]["Path"], entry["New"]["Version"])
        for entry in module["Replace"]  # type: ignore[attr-defined]
    }

    expected = pin_staging.staging_modules(kubernetes)

    assert sorted(replaces) == expected
    pinned = pin_staging.staging_version(kubernetes)
    assert all(replaces[name] == (name, pinned) for name in expected)
