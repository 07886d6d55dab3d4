"""Replays the image's build stage in a fresh virtual environment and runs the result.

There is no Docker engine here: the Dockerfile's own RUN line (deploy/image/install.sh) runs on
a copy of exactly what the build stage COPYs. pip takes the wheels from a local wheelhouse
(see wheelhouse.py), so only a cold run downloads.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

from .image_recipe import build_steps, canonical, load_recipe, lock_pins, stage_build_context
from .paths import PYPROJECT, RUNTIME_PACKAGE
from .wheelhouse import ensure_wheelhouse

# Each runs as `<ENTRYPOINT executable> <arguments>` in the built environment.
HELP_COMMANDS = [
    ["--help"],
    ["crds", "--help"],
    ["run", "--help"],  # the image's ENTRYPOINT: `aura-operator run`
]


@pytest.fixture(scope="module")
def built_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    recipe = load_recipe()
    root = tmp_path_factory.mktemp("image")
    context = root / "context"
    context.mkdir()
    venv = root / "venv"
    wheels = ensure_wheelhouse()
    # Step by step as the image builds: each RUN sees only what the COPYs before it brought.
    for copies, run in build_steps(recipe):
        stage_build_context(recipe, context, copies)
        done = subprocess.run(
            ["/bin/sh", "-c", recipe.build_command(run, venv)],
            cwd=context,
            env={
                **os.environ,
                "PYTHON": sys.executable,
                "PIP_NO_INDEX": "1",
                "PIP_FIND_LINKS": str(wheels),
            },
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, f"{run.arguments} failed:\n{done.stdout}\n{done.stderr}"
    return venv


@pytest.mark.slow
@pytest.mark.parametrize("arguments", HELP_COMMANDS, ids=" ".join)
def test_built_operator_answers(built_venv: Path, arguments: list[str]) -> None:
    executable = load_recipe().final.one("ENTRYPOINT").exec_form()[0]
    done = subprocess.run(
        [str(built_venv / "bin" / executable), *arguments],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": f"{built_venv / 'bin'}:/usr/bin:/bin", "HOME": str(built_venv)},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"usage: {executable}")


@pytest.mark.slow
def test_operator_runtime_imports_from_the_locked_set(built_venv: Path) -> None:
    # `run --help` stops before the heavy imports; this is what `run` itself loads.
    done = subprocess.run(
        [str(built_venv / "bin" / "python"), "-c", "import aura_operator.controller.runner"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.slow
def test_environment_holds_exactly_the_lock_and_the_operator(built_venv: Path) -> None:
    (site_packages,) = built_venv.glob("lib/python3*/site-packages")
    installed = {
        canonical(dist.metadata["Name"]): dist.version
        for dist in metadata.distributions(path=[str(site_packages)])
    }
    version = tomllib.loads(PYPROJECT.read_text())["project"]["version"]
    assert installed == {**lock_pins(), "aura-operator": version}
    assert "kubernetes" not in installed


@pytest.mark.slow
def test_environment_holds_the_operator_without_its_developer_tools(built_venv: Path) -> None:
    # The simulator, the Kubernetes API emulator and the demo are aura-operator-devtools.
    (site_packages,) = built_venv.glob("lib/python3*/site-packages")
    installed = {
        p.relative_to(site_packages).as_posix()
        for p in (site_packages / "aura_operator").rglob("*.py")
    }
    source = {
        p.relative_to(RUNTIME_PACKAGE.parent).as_posix() for p in RUNTIME_PACKAGE.rglob("*.py")
    }
    assert installed == source
    assert not (site_packages / "aura_devtools").exists()
    assert not list(built_venv.glob("bin/aura-operator-dev"))
    done = subprocess.run(
        [str(built_venv / "bin" / "aura-operator"), "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    # argparse lists each subcommand indented by four spaces under COMMAND.
    commands = set(re.findall(r"^    (\S+)", done.stdout, re.MULTILINE))
    assert commands == {"crds", "run"}


@pytest.mark.slow
def test_operator_reports_the_package_version(built_venv: Path) -> None:
    version = tomllib.loads(PYPROJECT.read_text())["project"]["version"]
    done = subprocess.run(
        [str(built_venv / "bin" / "aura-operator"), "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.stdout.split() == ["aura-operator", version]


@pytest.mark.slow
def test_environment_carries_no_installer(built_venv: Path) -> None:
    assert not list(built_venv.glob("bin/pip*"))
    assert not [
        p
        for p in built_venv.rglob("*")
        if re.search(r"(^|/)(pip|setuptools)(/|$)", str(p.relative_to(built_venv)))
    ]
