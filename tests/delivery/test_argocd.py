"""deploy/argocd: the AuraInstance health check (run as Lua), its argocd-cm snippet, the example."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from .argocd_cm import HEALTH_KEY, OTHER_CHECKS, other_scripts, render_argocd_cm
from .kube_schema import schema_errors
from .lua_health import run_health_check
from .manifests import Manifest, Rendering
from .paths import ARGOCD_DIR, REPO_ROOT

HEALTH_LUA = (ARGOCD_DIR / "health.lua").read_text()
HEALTH_CASES: list[dict[str, Any]] = yaml.safe_load((ARGOCD_DIR / "health_test.yaml").read_text())[
    "tests"
]
PHASES = [
    "Pending",
    "Creating",
    "Ready",
    "Updating",
    "Pausing",
    "Paused",
    "Resuming",
    "Deleting",
    "Failed",
]


def load_case(case: dict[str, Any]) -> Manifest:
    sample: Manifest = yaml.safe_load((ARGOCD_DIR / case["inputPath"]).read_text())
    return sample


@pytest.mark.parametrize("case", HEALTH_CASES, ids=lambda case: Path(case["inputPath"]).stem)
def test_health_check_reports_the_expected_status(case: dict[str, Any]) -> None:
    health = run_health_check(HEALTH_LUA, load_case(case))
    assert (health.status, health.message) == (
        case["healthStatus"]["status"],
        case["healthStatus"]["message"],
    )


def test_cases_cover_every_phase_and_every_status() -> None:
    samples = [load_case(case) for case in HEALTH_CASES]
    assert {s["status"]["phase"] for s in samples if "status" in s} == set(PHASES)
    statuses = {case["healthStatus"]["status"] for case in HEALTH_CASES}
    assert statuses == {"Healthy", "Progressing", "Degraded", "Suspended"}
    files = {f"testdata/{p.name}" for p in (ARGOCD_DIR / "testdata").glob("*.yaml")}
    assert files == {case["inputPath"] for case in HEALTH_CASES}


def test_samples_are_valid_aurainstances(crds: list[Manifest]) -> None:
    assert schema_errors([load_case(case) for case in HEALTH_CASES], crds) == []


def test_sandbox_lacks_the_string_library_as_argocd_does() -> None:
    with pytest.raises(Exception, match="string"):
        run_health_check('return {status = string.upper("healthy"), message = ""}', {})
    with pytest.raises(Exception, match="string value"):
        run_health_check('local s = "healthy"; return {status = s:upper(), message = ""}', {})


def test_argocd_cm_holds_health_lua_verbatim() -> None:
    snippet = (ARGOCD_DIR / "argocd-cm.yaml").read_text()
    regenerate = "regenerate it: .venv/bin/python tests/delivery/argocd_cm.py"
    expected = render_argocd_cm(HEALTH_LUA, other_scripts())
    assert snippet == expected, f"argocd-cm.yaml is stale; {regenerate}"
    config_map = yaml.safe_load(snippet)
    assert (config_map["kind"], config_map["metadata"]["name"]) == ("ConfigMap", "argocd-cm")
    assert config_map["data"] == {HEALTH_KEY: HEALTH_LUA, **other_scripts()}
    assert schema_errors([config_map], crds=[]) == []


def sync_wave(manifest: Manifest) -> int:
    annotations = manifest["metadata"].get("annotations", {})
    return int(annotations.get("argocd.argoproj.io/sync-wave", "0"))


def test_example_syncs_crds_then_operator_then_instances(
    kustomize_argocd_example: Rendering,
) -> None:
    manifests = kustomize_argocd_example.manifests
    crd_waves = {sync_wave(m) for m in manifests if m["kind"] == "CustomResourceDefinition"}
    instance_waves = {sync_wave(m) for m in manifests if m["kind"] == "AuraInstance"}
    operator_waves = {
        sync_wave(m)
        for m in manifests
        if m["kind"] not in ("CustomResourceDefinition", "AuraInstance")
    }
    assert crd_waves and operator_waves and instance_waves
    assert max(crd_waves) < min(operator_waves)
    assert max(operator_waves) < min(instance_waves)


def test_example_never_prunes_or_deletes_crds(kustomize_argocd_example: Rendering) -> None:
    for crd in kustomize_argocd_example.of_kind("CustomResourceDefinition"):
        options = crd["metadata"]["annotations"]["argocd.argoproj.io/sync-options"].split(",")
        assert {"Prune=false", "Delete=false"} <= set(options)


def test_example_application_syncs_the_example(kustomize_argocd_example: Rendering) -> None:
    application = yaml.safe_load((ARGOCD_DIR / "application.yaml").read_text())
    assert application["kind"] == "Application"
    source_path = REPO_ROOT / application["spec"]["source"]["path"]
    assert source_path == ARGOCD_DIR / "example"
    assert (source_path / "kustomization.yaml").is_file()
    assert "ServerSideApply=true" in application["spec"]["syncPolicy"]["syncOptions"]
    assert "resources-finalizer.argocd.argoproj.io" in application["metadata"]["finalizers"]
    assert kustomize_argocd_example.of_kind("AuraInstance")


OTHER_KINDS = {"AuraSnapshot": "snapshot", "AuraRestore": "restore"}


def other_cases() -> list[tuple[str, dict[str, Any]]]:
    cases = []
    for name in OTHER_KINDS.values():
        listed = yaml.safe_load((ARGOCD_DIR / f"{name}-health_test.yaml").read_text())["tests"]
        cases += [(name, case) for case in listed]
    return cases


@pytest.mark.parametrize(
    ("kind", "case"), other_cases(), ids=lambda c: c if isinstance(c, str) else c["inputPath"]
)
def test_snapshot_and_restore_health_checks_report_the_expected_status(
    kind: str, case: dict[str, Any]
) -> None:
    script = (ARGOCD_DIR / f"{kind}-health.lua").read_text()
    health = run_health_check(script, load_case(case))
    assert (health.status, health.message) == (
        case["healthStatus"]["status"],
        case["healthStatus"]["message"],
    )


@pytest.mark.parametrize("kind", OTHER_KINDS.values())
def test_snapshot_and_restore_cases_cover_every_case_file_and_are_valid(
    kind: str, crds: list[Manifest]
) -> None:
    listed = yaml.safe_load((ARGOCD_DIR / f"{kind}-health_test.yaml").read_text())["tests"]
    files = {f"testdata-{kind}/{p.name}" for p in (ARGOCD_DIR / f"testdata-{kind}").glob("*.yaml")}
    assert files == {case["inputPath"] for case in listed}
    statuses = {case["healthStatus"]["status"] for case in listed}
    assert {"Healthy", "Progressing", "Degraded"} <= statuses
    assert schema_errors([load_case(case) for case in listed], crds) == []


def test_every_kind_has_a_health_check_in_argocd_cm() -> None:
    keys = {HEALTH_KEY, *OTHER_CHECKS}
    assert keys == {
        f"resource.customizations.health.aura.neo4j.io_{k}" for k in ("AuraInstance", *OTHER_KINDS)
    }


def test_example_application_overrides_the_unpullable_image(
    kustomize_argocd_example: Rendering,
) -> None:
    """Argo CD runs `kustomize edit set image NAME=NEW` for each entry: NAME must be the image
    the example deploys, or the override silently does nothing."""
    application = yaml.safe_load((ARGOCD_DIR / "application.yaml").read_text())
    (override,) = application["spec"]["source"]["kustomize"]["images"]
    name, _, replacement = override.partition("=")
    deployed = kustomize_argocd_example.operator_container()["image"]
    assert deployed.rpartition(":")[0] == name
    assert "/" in replacement.rpartition(":")[0], "a registry the cluster pulls from"
