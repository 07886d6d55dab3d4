"""What a user types, answered by the real API server, and the README showing the same.

Set AURA_CAPTURE_KUBECTL=<file> to write the captured outputs there (to refresh the README).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml

from .kubectl import Kubectl
from .processes import RunningOperator

REPO_ROOT = Path(__file__).resolve().parents[2]
README = REPO_ROOT / "README.md"
SAMPLE = REPO_ROOT / "deploy" / "samples" / "professional-db.yaml"


@pytest.fixture(scope="module")
def movies(kubectl: Kubectl, deployed_operator: RunningOperator) -> tuple[str, str]:
    """The README's first AuraInstance, Ready: its namespace and what `kubectl wait` said."""
    ns = deployed_operator.namespace
    kubectl("apply", "--namespace", ns, "-f", str(SAMPLE))
    waited = kubectl(
        "wait", "aurainstance/movies", "--for=condition=Ready", "--timeout=60s", "-n", ns
    )
    return ns, waited


@pytest.fixture(scope="module")
def outputs(kubectl: Kubectl, movies: tuple[str, str]) -> dict[str, str]:
    ns, waited = movies
    captured = {
        "kubectl wait aurainstance/movies --for=condition=Ready --timeout=15m": waited,
        "kubectl get aura": kubectl("get", "aura", "-n", ns),
        "kubectl get aura -o wide": kubectl("get", "aura", "-o", "wide", "-n", ns),
        "kubectl describe aurainstance movies": kubectl(
            "describe", "aurainstance", "movies", "-n", ns
        ),
        "kubectl explain aurainstance.spec.memory": kubectl("explain", "aurainstance.spec.memory"),
    }
    target = os.environ.get("AURA_CAPTURE_KUBECTL")
    if target:
        Path(target).write_text(
            "".join(f"$ {command}\n{output}\n" for command, output in captured.items())
        )
    return captured


def readme_block_after(command: str) -> list[str]:
    """The `# `-commented output lines the README shows right after `command`."""
    lines = README.read_text().splitlines()
    for index, line in enumerate(lines):
        if line.strip() == command:
            shown = []
            for following in lines[index + 1 :]:
                if not following.strip().startswith("#"):
                    break
                shown.append(following.strip()[2:])
            if shown:
                return shown
    raise AssertionError(f"README shows no output for {command!r}")


def columns(line: str) -> list[str]:
    return re.split(r"\s{2,}", line.strip())


def test_wait_answers_as_the_readme_shows(outputs: dict[str, str]) -> None:
    command = "kubectl wait aurainstance/movies --for=condition=Ready --timeout=15m"

    assert outputs[command].splitlines() == readme_block_after(command)


def test_get_shows_the_printer_columns_as_the_readme_does(outputs: dict[str, str]) -> None:
    header, row = outputs["kubectl get aura"].splitlines()[:2]
    readme_header, readme_row = readme_block_after("kubectl get aura")[:2]

    assert columns(header) == columns(readme_header)
    values = dict(zip(columns(header), columns(row), strict=True))
    assert values["NAME"] == "movies"
    assert re.fullmatch(r"[0-9a-f]{8}", values["AURA ID"])
    assert (values["STATUS"], values["TYPE"], values["MEMORY"], values["REGION"]) == (
        "running",
        "professional-db",
        "2GB",
        "europe-west1",
    )
    assert values["READY"] == "True"
    assert columns(readme_row)[2:7] == ["running", "professional-db", "2GB", "europe-west1", "True"]


def test_wide_adds_stalled_and_the_phase(outputs: dict[str, str]) -> None:
    header, row = outputs["kubectl get aura -o wide"].splitlines()[:2]

    assert columns(header)[-3:] == ["STALLED", "AGE", "PHASE"]
    assert columns(row)[-1] == "Ready"
    assert columns(header) == columns(readme_block_after("kubectl get aura -o wide")[0])


def test_describe_shows_conditions_and_events_with_request_ids(
    outputs: dict[str, str],
) -> None:
    described = outputs["kubectl describe aurainstance movies"]
    events = described.split("\nEvents:", 1)[1]

    assert "Conditions:" in described
    assert re.search(r"Normal\s+Created\s+.*request id [0-9a-f-]{8,}", events), events
    shown = "\n".join(readme_block_after("kubectl describe aurainstance movies"))
    assert "Events:" in shown
    assert re.search(r"Normal\s+Created\s+.*request id", shown)


def test_explain_documents_the_field_from_the_crd(outputs: dict[str, str]) -> None:
    explained = outputs["kubectl explain aurainstance.spec.memory"]
    crd = yaml.safe_load((REPO_ROOT / "crds" / "aurainstances.aura.neo4j.io.yaml").read_text())
    schema = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    description = schema["properties"]["spec"]["properties"]["memory"]["description"]

    assert "FIELD: memory <string>" in explained
    assert " ".join(description.split()[:6]) in " ".join(explained.split())
    shown = "\n".join(readme_block_after("kubectl explain aurainstance.spec.memory"))
    assert "FIELD: memory <string>" in shown
