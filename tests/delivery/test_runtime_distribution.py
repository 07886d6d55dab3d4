"""The runtime distribution (pyproject.toml, source operator/) holds only what runs in a cluster.

The simulator, the Kubernetes API emulator and the demo are aura-operator-devtools (devtools/):
they import the operator, the operator never imports them, and the operator's wheel, the one
the image's build stage builds, contains none of them.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

from .image_recipe import load_recipe, stage_build_context
from .module_imports import imported_modules, within
from .paths import (
    BUILD_REQUIREMENTS_LOCK,
    DEVTOOLS_DIR,
    DEVTOOLS_PYPROJECT,
    PYPROJECT,
    RUNTIME_PACKAGE,
)
from .wheelhouse import ensure_wheelhouse

# Imported only by the developer tools: never by a runtime module (kmock and matplotlib are in
# no runtime lock, so the image could not even import them).
DEVELOPER_ONLY = ("aura_devtools", "kmock", "matplotlib")
# The subpackages that moved to aura_devtools.
DEVELOPER_TOOLS = ("simulator", "kube_emulator", "demo")
RUNTIME = tomllib.loads(PYPROJECT.read_text())["project"]
DEVTOOLS = tomllib.loads(DEVTOOLS_PYPROJECT.read_text())["project"]


def runtime_modules() -> dict[str, Path]:
    """The runtime package's modules by their path in a wheel (aura_operator/...)."""
    root = RUNTIME_PACKAGE.parent
    return {p.relative_to(root).as_posix(): p for p in sorted(RUNTIME_PACKAGE.rglob("*.py"))}


def test_the_runtime_package_never_imports_a_developer_tool() -> None:
    modules = runtime_modules()
    assert "aura_operator/controller/runner.py" in modules
    offences = {
        module: sorted(
            name
            for name in imported_modules(path)
            if any(within(name, tool) for tool in DEVELOPER_ONLY)
        )
        for module, path in modules.items()
    }
    assert {module: names for module, names in offences.items() if names} == {}


def test_the_import_walk_sees_statements_and_subcommand_tables() -> None:
    # The check above is only as good as this walk: the devtools' CLI imports the runtime's by
    # statement and names its subcommands' modules in strings.
    names = imported_modules(DEVTOOLS_DIR / "aura_devtools" / "cli.py")
    assert {"aura_operator.cli", "aura_devtools.simulator.cli", "aura_devtools.demo.cli"} <= names


def test_no_developer_tool_is_left_in_the_runtime_source() -> None:
    for tool in DEVELOPER_TOOLS:
        assert not list((RUNTIME_PACKAGE / tool).glob("**/*.py")), tool
        assert list((DEVTOOLS_DIR / "aura_devtools" / tool).glob("*.py")), tool


def test_the_runtime_offers_no_developer_command_or_dependency() -> None:
    assert RUNTIME["scripts"] == {"aura-operator": "aura_operator.cli:main"}
    extras = RUNTIME["optional-dependencies"]
    requirements = [*RUNTIME["dependencies"], *(r for rs in extras.values() for r in rs)]
    assert not [r for r in requirements if r.startswith(("kmock", "matplotlib", "aura-operator"))]


def test_the_devtools_require_the_operator_at_its_version() -> None:
    assert f"aura-operator=={RUNTIME['version']}" in DEVTOOLS["dependencies"]
    assert DEVTOOLS["version"] == RUNTIME["version"]
    assert DEVTOOLS["scripts"] == {"aura-operator-dev": "aura_devtools.cli:main"}


@pytest.fixture(scope="module")
def runtime_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The operator's wheel, built as the image's build stage builds it: from what the
    Dockerfile copies, with the locked build backend and nothing fetched."""
    root = tmp_path_factory.mktemp("runtime-wheel")
    context = stage_build_context(load_recipe(), root / "context")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "--disable-pip-version-check", "--no-input"]
    env = {**os.environ, "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(ensure_wheelhouse())}
    lock = ["--no-deps", "--require-hashes", "--requirement", str(BUILD_REQUIREMENTS_LOCK)]
    wheel = ["--no-deps", "--no-build-isolation", "--wheel-dir", str(root / "dist"), str(context)]
    for command in ([*pip, "install", "--quiet", *lock], [*pip, "wheel", "--quiet", *wheel]):
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        assert done.returncode == 0, f"{command}:\n{done.stdout}\n{done.stderr}"
    (wheel,) = (root / "dist").glob("*.whl")
    return wheel


@pytest.mark.slow
def test_the_runtime_wheel_holds_exactly_the_runtime_package(runtime_wheel: Path) -> None:
    with zipfile.ZipFile(runtime_wheel) as wheel:
        names = wheel.namelist()
    dist_info = f"aura_operator-{RUNTIME['version']}.dist-info"
    assert {name.split("/")[0] for name in names} == {"aura_operator", dist_info}
    assert {name for name in names if name.endswith(".py")} == set(runtime_modules())
    assert not [
        name
        for name in names
        if any(within(name.replace("/", "."), f"aura_operator.{t}") for t in DEVELOPER_TOOLS)
    ]


@pytest.mark.slow
def test_the_runtime_wheel_names_no_developer_command_or_dependency(runtime_wheel: Path) -> None:
    dist_info = f"aura_operator-{RUNTIME['version']}.dist-info"
    with zipfile.ZipFile(runtime_wheel) as wheel:
        entry_points = wheel.read(f"{dist_info}/entry_points.txt").decode()
        metadata = Parser().parsestr(wheel.read(f"{dist_info}/METADATA").decode())
    assert "aura-operator-dev" not in entry_points
    assert "aura-operator = aura_operator.cli:main" in entry_points
    requirements = metadata.get_all("Requires-Dist") or []
    assert requirements
    assert not [r for r in requirements if r.startswith(("kmock", "matplotlib", "aura-operator"))]
