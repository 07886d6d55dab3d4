"""A leader whose event loop is saturated (a burst of reconciles) keeps its Lease and its gate
open: the renewal does not wait for that loop.

The whole `aura-operator run` process runs here (election, kopf, the engine), against the
Kubernetes emulator served from a thread of its own, so that the only loop the test saturates
is the operator's."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from aura_devtools.kube_emulator import LEASES
from aura_devtools.kube_emulator.api import KubernetesApi
from aura_operator.controller import process
from aura_operator.controller.election import LeaderElector
from aura_operator.controller.settings import OperatorSettings

T = TypeVar("T")

RENEW_DEADLINE = 1.0
SETTINGS = OperatorSettings(
    api_url="http://127.0.0.1:9",  # no AuraInstance: Aura is never called
    pod_name="op-a",
    pod_namespace="default",
    health_port=0,
    metrics_port=0,
    shutdown_grace=0,
    lease_duration=1.5,
    renew_deadline=RENEW_DEADLINE,
    retry_period=0.25,
)
SATURATED_FOR = 3 * RENEW_DEADLINE
SLICE = 0.05  # seconds each hog holds the loop (and the GIL, but for the interpreter's switches)
HOGS = 20  # one turn of the loop: ~1 s, the renew deadline


class EmulatorThread:
    """The Kubernetes emulator on its own thread and event loop."""

    def __init__(self) -> None:
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self.kube: KubernetesApi | None = None
        self._thread = threading.Thread(target=asyncio.run, args=(self._serve(),), daemon=True)

    async def _serve(self) -> None:
        async with KubernetesApi() as kube:
            self.kube, self._loop, self._stop = kube, asyncio.get_running_loop(), asyncio.Event()
            self._ready.set()
            await self._stop.wait()

    def __enter__(self) -> EmulatorThread:
        self._thread.start()
        assert self._ready.wait(30), "the emulator did not start"
        return self

    def __exit__(self, *_: object) -> None:
        assert self._loop is not None and self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run `coroutine` on the emulator's loop; block this thread until it is done."""
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(30)

    def lease(self) -> dict[str, Any] | None:
        assert self.kube is not None
        return self.run(self.kube.find(LEASES, "aura-operator", namespace="default"))


@pytest.fixture
def emulator(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[EmulatorThread]:
    with EmulatorThread() as emulator:
        assert emulator.kube is not None
        config = tmp_path / "kubeconfig"
        config.write_text(
            "apiVersion: v1\nkind: Config\n"
            f"clusters:\n- name: e\n  cluster:\n    server: {emulator.kube.url}\n"
            "users:\n- name: u\n  user:\n    token: op-a\n"
            "contexts:\n- name: e\n  context:\n    cluster: e\n    user: u\n"
            "current-context: e\n"
        )
        monkeypatch.setenv("KUBECONFIG", str(config))
        yield emulator


def hog_the_loop(until: float) -> list[asyncio.Task[None]]:
    """Tasks that keep the running loop busy until `until` (monotonic): each computes for
    `SLICE` seconds at a time, like reconciles parsing and deciding."""

    async def hog() -> None:
        while time.monotonic() < until:
            busy_until = min(until, time.monotonic() + SLICE)
            while time.monotonic() < busy_until:
                pass
            await asyncio.sleep(0)

    return [asyncio.create_task(hog()) for _ in range(HOGS)]


def watch_the_gate(gate: LeaderElector, until: float) -> tuple[threading.Thread, list[str]]:
    """A thread that asks the gate every 10 ms until `until`; the refusals it heard."""
    refusals: list[str] = []

    def watch() -> None:
        while time.monotonic() < until:
            reason = gate.refusal()
            if reason is not None:
                refusals.append(reason)
            time.sleep(0.01)

    return threading.Thread(target=watch, daemon=True), refusals


async def test_a_leader_busy_for_several_renew_deadlines_keeps_its_lease_and_gate(
    emulator: EmulatorThread, monkeypatch: pytest.MonkeyPatch
) -> None:
    electors: list[LeaderElector] = []

    class Recorded(LeaderElector):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            electors.append(self)

    exits: list[int] = []

    def no_exit(code: int) -> None:  # losing the Lease would end the test process
        exits.append(code)
        raise RuntimeError(f"the operator exited with status {code}")

    monkeypatch.setattr(process, "LeaderElector", Recorded)
    monkeypatch.setattr(os, "_exit", no_exit)
    operator = asyncio.create_task(process.run_operator(SETTINGS, liveness=False))
    while not (electors and electors[0].refusal() is None):
        assert not operator.done(), operator
        await asyncio.sleep(0.05)
    renewed_before = (emulator.lease() or {})["spec"]["renewTime"]

    until = time.monotonic() + SATURATED_FOR
    watcher, refusals = watch_the_gate(electors[0], until)
    watcher.start()
    hogs = hog_the_loop(until)
    await asyncio.gather(*hogs)
    watcher.join()

    assert not exits
    assert refusals == []
    lease = emulator.lease()
    assert lease is not None
    assert lease["spec"]["holderIdentity"] == "op-a"
    assert lease["spec"]["renewTime"] != renewed_before

    os.kill(os.getpid(), signal.SIGTERM)  # a graceful stop still releases the Lease
    await asyncio.wait_for(operator, 30)
    released = emulator.lease()
    assert released is not None
    assert not released["spec"].get("holderIdentity")
    assert '"final":true' in released["metadata"]["annotations"]["aura.neo4j.io/budget"]
