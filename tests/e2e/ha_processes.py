"""Several real `aura-operator run` processes against one Kubernetes emulator and one Aura
simulator (both in the test process), each with its own kubeconfig token so that every
Kubernetes write can be traced to the process that made it."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

import aiohttp.web

from aura_devtools.kube_emulator import KubernetesApiEmulator

NAMESPACE = "default"
LEASE_PATH = "/apis/coordination.k8s.io/v1/namespaces/default/leases"


@dataclass(frozen=True)
class Grant:
    """A request the leader gate let go (logged at DEBUG as it was about to leave)."""

    method: str
    path: str
    at: float  # time.time() in the operator process


@dataclass(frozen=True)
class Write:
    token: str
    method: str
    path: str
    at: float  # time.time()


class WhoWrote(KubernetesApiEmulator):
    """The emulator, recording who sent each write (by bearer token)."""

    writes: ClassVar[list[Write]] = []

    async def __call__(self, raw_request: aiohttp.web.BaseRequest) -> aiohttp.web.StreamResponse:
        if raw_request.method not in ("GET", "HEAD"):
            token = raw_request.headers.get("Authorization", "").removeprefix("Bearer ")
            WhoWrote.writes.append(Write(token, raw_request.method, raw_request.path, time.time()))
        return await super().__call__(raw_request)


def kubeconfig(path: Path, server: str, token: str) -> None:
    path.write_text(
        "apiVersion: v1\nkind: Config\n"
        f"clusters:\n- name: emulator\n  cluster:\n    server: {server}\n"
        f"users:\n- name: {token}\n  user:\n    token: {token}\n"
        f"contexts:\n- name: emulator\n  context:\n    cluster: emulator\n    user: {token}\n"
        f"    namespace: {NAMESPACE}\n"
        "current-context: emulator\n"
    )


@dataclass
class OperatorProcess:
    name: str
    env: dict[str, str]
    log_path: Path
    process: asyncio.subprocess.Process | None = None
    stopped_at: float | None = None
    resumed_at: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    async def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "aura_operator",
                "run",
                env=self.env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )

    def lines(self) -> Iterator[dict[str, Any]]:
        if not self.log_path.exists():
            return
        for raw in self.log_path.read_text().splitlines():
            if raw.startswith("{"):
                yield json.loads(raw)

    def led_at(self) -> float | None:
        """time.time() when this process started to lead (None: never)."""
        for line in self.lines():
            if line["message"].startswith(f"{self.name} leads"):
                return datetime.fromisoformat(line["time"]).timestamp()
        return None

    def aura_calls(self) -> list[tuple[float, dict[str, Any]]]:
        return [
            (datetime.fromisoformat(line["time"]).timestamp(), line)
            for line in self.lines()
            if line["logger"] == "aura_operator.aura" and line["message"].startswith("aura ")
        ]

    def grants(self) -> list[Grant]:
        """What the gate let go, with when (needs AURA_LOG_LEVEL=DEBUG)."""
        return [
            Grant(line["method"], line["path"], line["granted_at"])
            for line in self.lines()
            if line["logger"] == "aura_operator.gate"
        ]

    def probe_port(self) -> int | None:
        for line in self.lines():
            if line["message"].startswith("probe port "):
                return int(line["message"].split()[2].rstrip(","))
        return None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.stopped_at = time.time()

    def terminate(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        self.stopped_at = time.time()

    def freeze(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)
        self.stopped_at = time.time()

    def thaw(self) -> None:
        assert self.process is not None
        self.resumed_at = time.time()
        self.process.send_signal(signal.SIGCONT)

    async def wait(self, within: float = 30.0) -> int:
        assert self.process is not None
        return await asyncio.wait_for(self.process.wait(), within)


def operator_env(
    *, name: str, kubeconfig_path: Path, api_url: str, time_scale: float, **extra: str
) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AURA_", "POD_"))}
    env.update(
        {
            "KUBECONFIG": str(kubeconfig_path),
            "AURA_API_URL": api_url,
            "AURA_TIME_SCALE": str(time_scale),
            "AURA_DEFAULT_CREDENTIALS_SECRET": f"{NAMESPACE}/aura-credentials",
            "AURA_LOG_FORMAT": "json",
            "AURA_HEALTH_PORT": "0",
            "AURA_METRICS_PORT": "0",
            "AURA_SHUTDOWN_GRACE": "5",
            "AURA_LEASE_DURATION": "6",
            "AURA_LEASE_RENEW_DEADLINE": "4",
            "AURA_LEASE_RETRY_PERIOD": "0.5",
            "POD_NAME": name,
            "POD_NAMESPACE": NAMESPACE,
        }
    )
    env.update(extra)
    return env
