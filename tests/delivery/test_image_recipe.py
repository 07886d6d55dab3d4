"""The Dockerfile and requirements.lock, read without building (no Docker engine here)."""

from __future__ import annotations

import re
import subprocess
import tomllib

import yaml

from .contracts import operator_settings
from .image_recipe import (
    build_lock_pins,
    build_steps,
    canonical,
    context_files,
    load_recipe,
    lock_pins,
    locked,
)
from .paths import (
    BUILD_REQUIREMENTS_LOCK,
    CHART_DIR,
    DEPLOY_DIR,
    PYPROJECT,
    REPO_ROOT,
    REQUIREMENTS_LOCK,
)

RECIPE = load_recipe()
PYPROJECT_DATA = tomllib.loads(PYPROJECT.read_text())
INSTALL_SCRIPT = "deploy/image/install.sh"
RELOCK = "run `sh deploy/image/lock-requirements.sh` from the repository root"


def test_two_stages_on_the_same_slim_python_311_or_later() -> None:
    assert [stage.name for stage in RECIPE.dockerfile.stages] == ["build", None]
    assert RECIPE.build.base == RECIPE.final.base
    major, minor = (int(part) for part in RECIPE.python_minor().split("."))
    assert (major, minor) >= (3, 11)


def test_final_stage_only_copies_the_built_environment() -> None:
    # No RUN: nothing installed, so no compiler, package manager cache or build tool can land.
    assert RECIPE.final.all("RUN") == []
    assert [i.flags_and_words()[0].get("from") for i in RECIPE.final.all("COPY")] == ["build"]
    assert RECIPE.final.all("ADD") == []


def test_build_stage_runs_the_shared_install_script_with_a_cache_mount() -> None:
    steps = [run.flags_and_words() for run in RECIPE.build_runs()]
    assert [words for _, words in steps] == [
        ["sh", INSTALL_SCRIPT, "deps", ".", RECIPE.venv],
        ["sh", INSTALL_SCRIPT, "operator", ".", RECIPE.venv],
    ]
    # pip's cache lives in a BuildKit cache mount, never in an image layer.
    assert all(flags["mount"].startswith("type=cache,") for flags, _ in steps)


def test_dependencies_are_installed_before_the_source_is_copied() -> None:
    """A code change must reuse the dependency layer: nothing the operator's code or metadata
    is made of may reach the build before the dependencies are installed."""
    (deps_copies, deps_run), (operator_copies, _) = build_steps(RECIPE)
    assert "deps" in deps_run.arguments
    before = {source for sources, _ in deps_copies for source in sources}
    assert before == {INSTALL_SCRIPT, "requirements.lock", "build-requirements.lock"}
    after = {source.rstrip("/") for sources, _ in operator_copies for source in sources}
    assert {"operator", "pyproject.toml"} <= after


def test_every_locked_requirement_carries_hashes_and_is_installed_with_them() -> None:
    for lock in (REQUIREMENTS_LOCK, BUILD_REQUIREMENTS_LOCK):
        unhashed = [name for name, (_, hashes) in locked(lock).items() if not hashes]
        assert unhashed == [], f"{lock.name}: {RELOCK}"
    script = (REPO_ROOT / INSTALL_SCRIPT).read_text()
    for lock in ("requirements.lock", "build-requirements.lock"):
        assert f'--require-hashes --requirement "$src/{lock}"' in script
    assert "--no-build-isolation" in script  # the backend comes from the hashed lock only


def test_build_lock_pins_the_build_system_requirements() -> None:
    pins = build_lock_pins()
    for requirement in PYPROJECT_DATA["build-system"]["requires"]:
        name = canonical(re.split(r"[<>=!~ ]", requirement)[0])
        assert name in pins, f"{requirement} not in build-requirements.lock: {RELOCK}"


def test_the_official_kubernetes_client_is_not_a_runtime_dependency() -> None:
    """126 MB for a login fallback: kopf's own service-account and kubeconfig logins do it."""
    assert "kubernetes" not in lock_pins()
    extras = PYPROJECT_DATA["project"]["optional-dependencies"]["kubeconfig-plugins"]
    assert [r.split("==")[0] for r in extras] == ["kubernetes"]


def test_runs_as_the_fixed_non_root_uid_the_manifests_expect() -> None:
    user = RECIPE.final.one("USER").arguments
    assert re.fullmatch(r"[1-9][0-9]*:[1-9][0-9]*", user), "a numeric non-root uid:gid"
    uid = int(user.split(":")[0])
    deployment = yaml.safe_load((DEPLOY_DIR / "operator" / "deployment.yaml").read_text())
    values = yaml.safe_load((CHART_DIR / "values.yaml").read_text())
    assert deployment["spec"]["template"]["spec"]["securityContext"]["runAsUser"] == uid
    assert values["podSecurityContext"]["runAsUser"] == uid


def test_entrypoint_is_aura_operator_run_from_the_environment() -> None:
    assert RECIPE.final.one("ENTRYPOINT").exec_form() == ["aura-operator", "run"]
    assert RECIPE.env()["PATH"].startswith(f"{RECIPE.venv}/bin:")


def test_declares_the_liveness_and_metrics_ports() -> None:
    settings = operator_settings()
    exposed = {int(port) for port in RECIPE.final.one("EXPOSE").arguments.split()}
    assert exposed == {int(settings["AURA_HEALTH_PORT"]), int(settings["AURA_METRICS_PORT"])}


def test_writes_nothing_outside_tmp() -> None:
    env = RECIPE.env()
    assert env["HOME"] == "/tmp"
    assert env["PYTHONDONTWRITEBYTECODE"] == "1"


def test_build_context_holds_exactly_what_the_build_copies() -> None:
    files = context_files()
    sources = [s.rstrip("/") for sources, _ in RECIPE.context_copies() for s in sources]
    for source in sources:
        assert any(f == source or f.startswith(source + "/") for f in files), f"{source} ignored"
    unused = {f for f in files if not any(f == s or f.startswith(s + "/") for s in sources)}
    assert unused == set(), "sent to the build but never copied: tighten .dockerignore"


def test_lock_pins_the_pyproject_dependencies_at_their_versions() -> None:
    pins = lock_pins()
    for requirement in PYPROJECT_DATA["project"]["dependencies"]:
        name, version = requirement.split("==")
        assert pins.get(canonical(name)) == version, f"{requirement} not locked: {RELOCK}"


def test_lock_is_resolved_for_the_image_python() -> None:
    header = REQUIREMENTS_LOCK.read_text().split("\n", 3)[:3]
    assert any(f"CPython {RECIPE.python_minor()}" in line for line in header), RELOCK


def test_versions_agree_across_pyproject_chart_and_manifests() -> None:
    version = PYPROJECT_DATA["project"]["version"]
    chart = yaml.safe_load((CHART_DIR / "Chart.yaml").read_text())
    deployment = yaml.safe_load((DEPLOY_DIR / "operator" / "deployment.yaml").read_text())
    image = deployment["spec"]["template"]["spec"]["containers"][0]["image"]
    assert chart["appVersion"] == version
    assert image == f"aura-operator:{version}"


def test_oci_labels_take_version_revision_and_source_from_build_arguments() -> None:
    labels = RECIPE.final.one("LABEL").arguments
    declared = {i.arguments for i in RECIPE.final.all("ARG")}
    for label, arg in (("version", "VERSION"), ("revision", "REVISION"), ("source", "SOURCE")):
        assert f'org.opencontainers.image.{label}="${{{arg}}}"' in labels
        assert arg in declared
    # `make image` passes them: the version read from pyproject.toml, never typed again.
    done = subprocess.run(
        ["make", "--dry-run", "--always-make", "image"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    version = PYPROJECT_DATA["project"]["version"]
    assert f"--build-arg VERSION={version} " in done.stdout
    assert "--build-arg REVISION=$(git rev-parse HEAD)" in done.stdout
    assert "--build-arg SOURCE=$(git config --get remote.origin.url" in done.stdout
    assert f"-t aura-operator:{version} ." in done.stdout
