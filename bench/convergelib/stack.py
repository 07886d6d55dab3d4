"""The environment of one benchmark timeline: the Aura simulator and the Kubernetes API emulator
in this process, the real operator as a subprocess, and the recorders that watch them."""

from __future__ import annotations

import base64
import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from pydantic import SecretStr

from aura_devtools.kube_emulator import (
    AURA_INSTANCES,
    NAMESPACES,
    SECRETS,
    KubernetesApiEmulator,
    ObjectFilter,
)
from aura_devtools.kube_emulator.api import KubernetesApi
from aura_devtools.kube_emulator.patches import PatchType
from aura_devtools.simulator import Credential, Faults, Simulator, SimulatorConfig
from aura_devtools.simulator.config import DEMO_TENANTS
from convergelib.calls import Call, join, read_operator_log
from convergelib.kubewatch import KubeWatch
from convergelib.operator_process import OperatorProcess, ProcessFigures, write_kubeconfig
from convergelib.recorder import SimRecorder
from convergelib.settings import DEFAULT_MARGIN, operator_budget

NAMESPACE = "default"
SECOND_NAMESPACE = "second"
"""Where the second operator of the `pair` workload works (standing for a second cluster)."""
CLIENT_ID = "bench-operator"
CLIENT_SECRET = "bench-operator-secret"  # noqa: S105 - a throwaway credential of the simulator
TENANT = DEMO_TENANTS[0][0]
RATE_LIMIT = 125
PROVISIONING_MEDIAN = 240.0
PROVISIONING_SIGMA = 0.25
SPEC: dict[str, Any] = {
    "cloudProvider": "gcp",
    "region": "europe-west1",
    "type": "professional-db",
    "memory": "2GB",
    "deletionPolicy": "Delete",
}
CHANGE_RETENTION = 500_000  # the emulator's watch history; the default 10 000 is one N=1000 burst
REQUEST_HISTORY = 8
"""Requests the emulator keeps for assertions (none are made here); each request's routing
scans them, and a burst of 500 makes tens of thousands."""


def _b64(value: str) -> str:
    return base64.b64encode(value.encode()).decode()


@dataclass(frozen=True)
class StackOptions:
    time_scale: float
    seed: int
    out: Path
    label: str
    external_rpm: float = 0.0
    """Requests a minute another client spends from the operator's budget (workload 5)."""
    operator_src: Path | None = None
    """A directory holding another `aura_operator` package to run as the operator."""
    rate_limit_margin: int = DEFAULT_MARGIN
    """The operator's AURA_RATE_LIMIT_MARGIN."""

    @property
    def operator_budget(self) -> int:
        return operator_budget(self.rate_limit_margin)


@dataclass
class Stack:
    options: StackOptions
    sim: Simulator = field(init=False)
    kube: KubernetesApi = field(init=False)
    recorder: SimRecorder = field(init=False)
    watch: KubeWatch = field(init=False)
    operator: OperatorProcess | None = field(init=False, default=None)
    second: OperatorProcess | None = field(init=False, default=None)
    """The pair workload's second operator process (same credential, its own namespace)."""
    namespace_of: dict[str, str] = field(init=False, default_factory=dict)
    processes: list[ProcessFigures] = field(init=False, default_factory=list)
    log_paths: list[Path] = field(init=False, default_factory=list)
    started_at: float = field(init=False, default=0.0)
    _running: contextlib.AsyncExitStack = field(init=False)

    @property
    def time_scale(self) -> float:
        return self.options.time_scale

    def now(self) -> float:
        """Simulated epoch seconds (the clock of every figure the benchmark reports)."""
        return self.sim.clock.now()

    async def __aenter__(self) -> Self:
        external = {CLIENT_ID: self.options.external_rpm} if self.options.external_rpm else {}
        config = SimulatorConfig(
            credentials=[Credential(client_id=CLIENT_ID, client_secret=SecretStr(CLIENT_SECRET))],
            time_scale=self.options.time_scale,
            rate_limit_per_minute=RATE_LIMIT,
            duration_jitter=PROVISIONING_SIGMA,
            seed=self.options.seed,
            initial_scheduled_snapshot=False,
            request_log_limit=1_000_000,
            faults=Faults(external_load=external),
        )
        config.durations.creating = PROVISIONING_MEDIAN
        async with contextlib.AsyncExitStack() as starting:
            self.sim = await starting.enter_async_context(Simulator(config))
            emulator = KubernetesApiEmulator(
                change_retention=CHANGE_RETENTION, request_history=REQUEST_HISTORY
            )
            self.kube = await starting.enter_async_context(KubernetesApi(emulator))
            self._running = starting.pop_all()
        self.recorder = SimRecorder(self.sim)
        self.watch = KubeWatch(self.kube.emulator, self.sim.clock)
        self.watch.start()
        self.started_at = self.now()
        self.kube.emulator.store.create(NAMESPACES, None, {"metadata": {"name": SECOND_NAMESPACE}})
        self.kube.emulator.store.create(
            SECRETS,
            NAMESPACE,
            {
                "metadata": {"name": "aura-credentials"},
                "data": {
                    "clientId": _b64(CLIENT_ID),
                    "clientSecret": _b64(CLIENT_SECRET),
                    "tenantId": _b64(TENANT),
                },
            },
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self.second is not None:
                await self.stop_second_operator()
            if self.operator is not None:
                await self.stop_operator()
            await self.watch.stop()
        finally:
            await self._running.__aexit__(exc_type, exc, tb)

    # the operator

    def _operator_env(self, watch_namespace: str | None = None) -> dict[str, str]:
        kubeconfig = self.options.out / f"{self.options.label}.kubeconfig"
        write_kubeconfig(kubeconfig, self.kube.url)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AURA_", "KUBERNETES_"))}
        env.update(
            {
                "KUBECONFIG": str(kubeconfig),
                "AURA_API_URL": self.sim.base_url,
                "AURA_TIME_SCALE": str(self.time_scale),
                "AURA_DEFAULT_CREDENTIALS_SECRET": f"{NAMESPACE}/aura-credentials",
                "AURA_LOG_FORMAT": "json",
                "AURA_LOG_LEVEL": "INFO",
                "AURA_METRICS_PORT": "0",
                "AURA_RATE_LIMIT_MARGIN": str(self.options.rate_limit_margin),
                "POD_NAMESPACE": NAMESPACE,
                # One tenant's cluster: the default credentials serve both bench namespaces.
                "AURA_DEFAULT_CREDENTIALS_NAMESPACES": f"{NAMESPACE},{SECOND_NAMESPACE}",
            }
        )
        if watch_namespace is not None:
            env["AURA_WATCH_NAMESPACES"] = watch_namespace
            # A shard has a Lease of its own, or it would stand by behind the other process.
            env["AURA_LEASE_NAME"] = f"aura-operator-{watch_namespace}"
        if self.options.operator_src is not None:
            env["PYTHONPATH"] = str(self.options.operator_src)
        return env

    async def _spawn(self, watch_namespace: str | None) -> OperatorProcess:
        number = len(self.log_paths) + 1
        log_path = self.options.out / f"{self.options.label}.operator-{number}.log"
        log_path.unlink(missing_ok=True)
        self.log_paths.append(log_path)
        process = OperatorProcess(
            env=self._operator_env(watch_namespace), log_path=log_path, clock=self.sim.clock
        )
        await process.start()
        return process

    async def start_operator(self, watch_namespace: str | None = None) -> OperatorProcess:
        self.operator = await self._spawn(watch_namespace)
        return self.operator

    async def start_second_operator(self) -> OperatorProcess:
        """Another operator process with the same credential, watching SECOND_NAMESPACE only:
        to Aura it is a second cluster using the same API key."""
        self.second = await self._spawn(SECOND_NAMESPACE)
        return self.second

    async def stop_second_operator(self) -> ProcessFigures:
        second, self.second = self.second, None
        if second is None:
            raise RuntimeError("no second operator is running")
        figures = await second.stop()
        self.processes.append(figures)
        return figures

    async def stop_operator(self) -> ProcessFigures:
        operator, self.operator = self.operator, None
        if operator is None:
            raise RuntimeError("no operator is running")
        figures = await operator.stop()
        self.processes.append(figures)
        return figures

    # Kubernetes writes a user makes (in-process: no HTTP round trip to slow the burst down)

    def apply(
        self, name: str, spec: dict[str, Any] | None = None, namespace: str = NAMESPACE
    ) -> None:
        body = {"metadata": {"name": name}, "spec": {**SPEC, **(spec or {})}}
        self.kube.emulator.store.create(AURA_INSTANCES, namespace, body)
        self.namespace_of[name] = namespace

    def patch_spec(self, name: str, spec: dict[str, Any]) -> None:
        namespace = self.namespace_of.get(name, NAMESPACE)
        self.kube.emulator.store.patch(
            AURA_INSTANCES, namespace, name, {"spec": spec}, PatchType.MERGE
        )

    def delete(self, name: str) -> None:
        namespace = self.namespace_of.get(name, NAMESPACE)
        self.kube.emulator.store.delete(AURA_INSTANCES, namespace, name)

    def names(self) -> list[str]:
        objects = self.kube.emulator.store.list(AURA_INSTANCES, ObjectFilter(namespace=None))
        return [o["metadata"]["name"] for o in objects]

    # what happened

    def calls(self) -> list[Call]:
        """Every Aura request of the operator's client so far, with lane and limiter wait."""
        mine = [r for r in self.recorder.requests if r.client_id in (CLIENT_ID, None)]
        return join(mine, read_operator_log(self.log_paths))
