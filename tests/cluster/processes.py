"""The Aura simulator and the operator as their own processes, as they run in production."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from .control_plane import ControlPlane, free_port
from .installs import Install
from .kubectl import Kubectl

TIME_SCALE = 600  # a 4-minute create takes 0.4 s
TENANT = "8c2a7e4e-5f0b-4d8e-9a51-1f3c6b2d7e01"
CLIENT_ID, CLIENT_SECRET = "demo-client", "demo-secret"


def _python_command(*args: str, package: str = "aura_operator") -> list[str]:
    """`aura-operator ARGS` (or `aura-operator-dev ARGS`: package="aura_devtools")."""
    return [sys.executable, "-m", package, *args]


@dataclass
class Process:
    popen: subprocess.Popen[bytes]
    log_path: Path
    log: IO[bytes]

    def text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self, timeout: float = 30.0) -> int:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        self.log.close()
        return self.popen.returncode


def spawn(command: list[str], log_path: Path, env: dict[str, str] | None = None) -> Process:
    log = log_path.open("wb")
    popen = subprocess.Popen(
        command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env
    )
    return Process(popen, log_path, log)


class SimulatorProcess:
    """`aura-operator-dev simulator` on a free loopback port, with its /_sim control API."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = spawn(
            _python_command(
                "simulator",
                "--port",
                str(self.port),
                "--time-scale",
                str(TIME_SCALE),
                package="aura_devtools",
            ),
            workdir / "simulator.log",
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                self.control("GET", "/_sim")
                return
            except OSError:
                if self.process.popen.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"simulator did not start:\n{self.process.text()}") from None
                time.sleep(0.1)

    def control(self, method: str, path: str, body: Any = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310 - loopback
            self.url + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
            return json.loads(answer.read())["data"]

    def instances(self) -> list[dict[str, Any]]:
        return [i for i in self.control("GET", "/_sim/instances") if not i.get("deleted")]

    def instance(self, instance_id: str) -> dict[str, Any] | None:
        return next((i for i in self.instances() if i["id"] == instance_id), None)

    def stop(self) -> None:
        self.process.stop()


def start_operator(
    log_path: Path,
    *,
    kubeconfig: Path,
    pod_namespace: str,
    api_url: str,
    watch_namespaces: tuple[str, ...] = (),
) -> Process:
    """`aura-operator run` authenticated by `kubeconfig` (the ServiceAccount's token)."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(log_path.parent),
        "KUBECONFIG": str(kubeconfig),
        "POD_NAMESPACE": pod_namespace,
        "AURA_API_URL": api_url,
        "AURA_TIME_SCALE": str(TIME_SCALE),
        "AURA_METRICS_PORT": "0",
        "AURA_SHUTDOWN_GRACE": "5",
        "AURA_WATCH_NAMESPACES": ",".join(watch_namespaces),
        # The test namespaces use the operator-wide credentials (an administrator's opt-in).
        "AURA_DEFAULT_CREDENTIALS_NAMESPACES": "*",
    }
    return spawn(_python_command("run", "--no-liveness"), log_path, env)


def create_credentials(kubectl: Kubectl, namespace: str, name: str = "aura-credentials") -> None:
    """The simulator's demo credentials, as the README's quick start stores them."""
    kubectl(
        "create", "secret", "generic", name, "--namespace", namespace,
        f"--from-literal=clientId={CLIENT_ID}", f"--from-literal=clientSecret={CLIENT_SECRET}",
        f"--from-literal=tenantId={TENANT}",
    )  # fmt: skip


@contextmanager
def operator_as_service_account(
    control_plane: ControlPlane, install: Install, simulator: SimulatorProcess, workdir: Path
) -> Iterator[Process]:
    """The operator process with the token of the ServiceAccount `install` created."""
    kubeconfig = control_plane.service_account_kubeconfig(
        workdir / "operator.kubeconfig", install.namespace, install.service_account
    )
    process = start_operator(
        workdir / "operator.log",
        kubeconfig=kubeconfig,
        pod_namespace=install.namespace,
        api_url=simulator.url,
        watch_namespaces=install.watch_namespaces,
    )
    try:
        yield process
    finally:
        process.stop()


@dataclass
class RunningOperator:
    """The operator installed by `kubectl apply -k deploy/`, running as its ServiceAccount, and a
    namespace for the module's AuraInstances; `restart()` stops and starts the process."""

    install: Install
    namespace: str
    process: Process
    start: Callable[[], Process]

    def stop(self) -> None:
        self.process.stop()

    def restart(self) -> None:
        self.process.stop()
        self.process = self.start()
