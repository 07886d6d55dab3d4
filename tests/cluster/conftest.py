"""The real-API-server tier: one control plane for the tier (stopped when its last test is done,
so it does not compete with the rest of the suite), one namespace per test.

Without the binaries (`make controlplane` needs Go) the tier is skipped with one reason; with
AURA_REQUIRE_CLUSTER_TIER=1 (set by .ci/run) that is a failure instead.
"""

from __future__ import annotations

import contextlib
import itertools
import os
from collections.abc import Iterator

import pytest

from delivery.fetch_tools import ensure_tools

from .control_plane import REQUIRE_VARIABLE, ControlPlane, unavailable
from .installs import CRDS_DIR, kustomize_install
from .kubectl import Helm, Kubectl, fresh_namespace
from .processes import (
    Process,
    RunningOperator,
    SimulatorProcess,
    create_credentials,
    operator_as_service_account,
)

_started: list[ControlPlane] = []


_UNAVAILABLE = unavailable()
_REQUIRED = os.environ.get(REQUIRE_VARIABLE) == "1"
if _UNAVAILABLE is not None and not _REQUIRED:
    # Not collected at all, so the run ends with one line saying why (pytest_terminal_summary).
    collect_ignore_glob = ["test_*.py"]


@pytest.fixture(scope="package")
def control_plane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ControlPlane]:
    if _UNAVAILABLE is not None:
        pytest.fail(f"{REQUIRE_VARIABLE}=1 but {_UNAVAILABLE}", pytrace=False)
    plane = ControlPlane(tmp_path_factory.mktemp("control-plane"))
    plane.start()
    _started.append(plane)
    try:
        yield plane
    finally:
        plane.stop()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _UNAVAILABLE is not None and not _REQUIRED:
        terminalreporter.write_line(f"real-API-server tier skipped: {_UNAVAILABLE}", yellow=True)
    for plane in _started:
        terminalreporter.write_line(
            f"real API server: etcd, kube-apiserver and kube-controller-manager started in "
            f"{plane.start_seconds:.1f} s"
        )


@pytest.fixture(scope="package")
def kubectl(control_plane: ControlPlane) -> Kubectl:
    return Kubectl(ensure_tools().kubectl, control_plane.admin_kubeconfig)


@pytest.fixture(scope="package")
def helm(control_plane: ControlPlane, tmp_path_factory: pytest.TempPathFactory) -> Helm:
    return Helm(
        ensure_tools().helm, control_plane.admin_kubeconfig, tmp_path_factory.mktemp("helm")
    )


@pytest.fixture(scope="package")
def simulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimulatorProcess]:
    """One Aura simulator for the session (tests use their own instance names and ids)."""
    sim = SimulatorProcess(tmp_path_factory.mktemp("simulator"))
    yield sim
    sim.stop()


@pytest.fixture
def crd(kubectl: Kubectl) -> None:
    """The project's CRDs from crds/, established (a test may have removed them)."""
    kubectl("apply", "--server-side", "--force-conflicts", "-f", str(CRDS_DIR))
    kubectl("wait", "--for=condition=Established", "--timeout=60s", "-f", str(CRDS_DIR))


@pytest.fixture
def namespace(kubectl: Kubectl) -> Iterator[str]:
    """A fresh namespace; at teardown its AuraInstances lose their finalizers (no operator may be
    left to remove them) and it is deleted without waiting."""
    with fresh_namespace(kubectl) as name:
        yield name


@pytest.fixture(scope="module")
def deployed_operator(
    control_plane: ControlPlane,
    kubectl: Kubectl,
    simulator: SimulatorProcess,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[RunningOperator]:
    kubectl("apply", "--server-side", "--force-conflicts", "-f", str(CRDS_DIR))
    workdir = tmp_path_factory.mktemp("operator")
    with (
        kustomize_install(kubectl) as install,
        fresh_namespace(kubectl) as namespace,
        contextlib.ExitStack() as processes,
    ):
        create_credentials(kubectl, install.namespace)
        runs = itertools.count(1)

        def start() -> Process:
            run = workdir / f"run-{next(runs)}"
            run.mkdir()
            context = operator_as_service_account(control_plane, install, simulator, run)
            return processes.enter_context(context)

        running = RunningOperator(install, namespace, start(), start)
        yield running
        running.stop()
