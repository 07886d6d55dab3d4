"""The one-command demo, run for real (`aura-operator-dev demo --once`)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from aura_devtools.demo.table import masked_secret, render

ROOT = Path(__file__).resolve().parents[2]


def demo(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aura_devtools", "demo", "--once", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.mark.e2e
def test_the_demo_brings_every_sample_to_ready_and_resizes_one() -> None:
    result = demo("--time-scale", "300")

    assert result.returncode == 0, result.stderr
    assert "all 6 samples Ready; movies resized to 4GB." in result.stdout
    assert "NEO4J_PASSWORD=<hidden" in result.stdout
    final_table = result.stdout.rsplit("NAME", 1)[1]
    assert "movies" in final_table and "4GB" in final_table


@pytest.mark.e2e
def test_the_demo_fails_clearly_when_a_sample_cannot_become_ready(tmp_path: Path) -> None:
    shutil.copy(ROOT / "deploy/samples/professional-db.yaml", tmp_path)
    bad = (ROOT / "deploy/samples/delete-policy.yaml").read_text().replace("1GB", "3GB")
    (tmp_path / "bad.yaml").write_text(bad)

    result = demo("--samples", str(tmp_path), "--time-scale", "300", "--timeout", "3")

    assert result.returncode == 1
    assert "not every sample became Ready" in result.stderr
    assert "scratch: Ready=False" in result.stderr
    assert "field memory" in result.stderr


def test_the_table_lists_each_resource_and_counts_ready_for_the_current_generation() -> None:
    obj = {
        "metadata": {"name": "movies", "generation": 2},
        "spec": {"memory": "4GB"},
        "status": {
            "instanceId": "0a1b2c3d",
            "auraStatus": "running",
            "phase": "Ready",
            "memory": "2GB",
            "conditions": [{"type": "Ready", "status": "True", "observedGeneration": 1}],
        },
    }
    lines = render([obj]).splitlines()
    assert lines[0].split() == ["NAME", "AURA", "ID", "AURA", "STATUS", "PHASE", "READY", "MEMORY"]
    assert lines[1].split() == ["movies", "0a1b2c3d", "running", "Ready", "Unknown", "2GB"]


def test_the_password_is_masked() -> None:
    shown = masked_secret({"NEO4J_PASSWORD": "correct-horse", "NEO4J_USERNAME": "neo4j"})
    assert "correct-horse" not in shown
    assert "NEO4J_USERNAME=neo4j" in shown
