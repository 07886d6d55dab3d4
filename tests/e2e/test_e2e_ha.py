"""Two replicas, never two actors (issue 13): several real operator processes with leader
election against the emulator and the simulator, killed, stopped and frozen mid-burst.

Each process logs every Aura call it makes (with its time) and has its own token towards the
API server, so "a standby makes no Aura call and no write" is checked per process."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from e2e_harness import BASE_SPEC, TENANT, b64, condition, is_ready, unb64
from ha_processes import (
    LEASE_PATH,
    NAMESPACE,
    OperatorProcess,
    WhoWrote,
    Write,
    kubeconfig,
    operator_env,
)

from aura_devtools.kube_emulator import AURA_INSTANCES, LEASES, SECRETS
from aura_devtools.kube_emulator.api import KubernetesApi
from aura_devtools.simulator import Simulator, SimulatorConfig
from aura_operator.api import API_VERSION, KIND

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.emulator_only("WhoWrote: the emulator tells which process sent each write"),
]

TIME_SCALE = 120.0  # a create takes about 2 s: kills land mid-burst


@dataclass
class Cluster:
    kube: KubernetesApi
    sim: Simulator
    sim_http: httpx.AsyncClient
    tmp: Path
    processes: list[OperatorProcess]

    async def spawn(self, name: str, **extra: str) -> OperatorProcess:
        config = self.tmp / f"{name}.kubeconfig"
        kubeconfig(config, self.kube.url, token=name)
        env = operator_env(
            name=name,
            kubeconfig_path=config,
            api_url=self.sim.base_url,
            time_scale=TIME_SCALE,
            **extra,
        )
        process = OperatorProcess(name, env, self.tmp / f"{name}.log")
        await process.start()
        self.processes.append(process)
        return process

    async def leader(self, within: float = 60.0, *, other_than: str = "") -> OperatorProcess:
        """The process holding the Lease, once it says so in its log."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            lease = await self.kube.find(LEASES, "aura-operator", namespace=NAMESPACE)
            holder = ((lease or {}).get("spec") or {}).get("holderIdentity")
            for process in self.processes:
                if process.name == holder != other_than and process.running and process.led_at():
                    return process
            await asyncio.sleep(0.1)
        raise AssertionError(f"no leader within {within} s")

    async def apply(self, name: str, **spec: Any) -> None:
        body = {
            "apiVersion": API_VERSION,
            "kind": KIND,
            "metadata": {"name": name},
            "spec": {**BASE_SPEC, **spec},
        }
        await self.kube.create(AURA_INSTANCES, body, namespace=NAMESPACE)

    async def aura_instances(self) -> list[dict[str, Any]]:
        response = await self.sim_http.get("/_sim/instances")
        return [i for i in response.json()["data"] if not i.get("deleted")]

    async def all_ready(self, names: list[str], within: float = 120.0) -> None:
        for name in names:
            await self.kube.wait_for(
                AURA_INSTANCES, name, is_ready, namespace=NAMESPACE, within=within
            )


@pytest.fixture
async def cluster(tmp_path: Path) -> AsyncIterator[Cluster]:
    WhoWrote.writes = []
    config = SimulatorConfig(seed=13, time_scale=TIME_SCALE, initial_scheduled_snapshot=False)
    async with (
        Simulator(config) as sim,
        KubernetesApi(WhoWrote()) as kube,
        httpx.AsyncClient(base_url=sim.base_url, timeout=10.0) as sim_http,
    ):
        await kube.create(
            SECRETS,
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": {"name": "aura-credentials"},
                "data": {
                    "clientId": b64("demo-client"),
                    "clientSecret": b64("demo-secret"),
                    "tenantId": b64(TENANT),
                },
            },
            namespace=NAMESPACE,
        )
        cluster = Cluster(kube, sim, sim_http, tmp_path, [])
        try:
            yield cluster
        finally:
            for process in cluster.processes:
                if process.running:
                    process.kill()
                    await process.wait()


def no_duplicates(instances: list[dict[str, Any]], names: list[str]) -> None:
    assert sorted(i["name"] for i in instances) == sorted(names)


def standbys_were_silent(cluster: Cluster) -> None:
    """No process made an Aura call or a write (other than on the Lease) before it led, nor
    after it was stopped, killed or frozen."""
    for process in cluster.processes:
        led_at = process.led_at()
        silent_until = led_at if led_at is not None else float("inf")
        early = [line for at, line in process.aura_calls() if at < silent_until]
        assert not early, f"{process.name} called Aura as a standby: {early[:3]}"
        writes = [
            w
            for w in WhoWrote.writes
            if w.token == process.name and not w.path.startswith(LEASE_PATH)
        ]
        assert not [w for w in writes if w.at < silent_until], f"{process.name} wrote as standby"
        if process.resumed_at is not None:  # frozen, deposed meanwhile, then woken up
            decided_by_the_gate(process, writes)


def decided_by_the_gate(process: OperatorProcess, writes: list[Write]) -> None:
    """A process frozen while it led and woken up deposed decided nothing after the freeze:
    its gate granted nothing once it ran again (the gate had closed meanwhile), and every
    write and Aura call it made was granted before. A request granted just before the freeze
    may still leave after the thaw: it was already on its way out."""
    grants = process.grants()
    assert grants, "the gate's grants are logged at DEBUG"
    late = [g for g in grants if g.at >= (process.resumed_at or 0)]
    assert not late, f"{process.name} granted requests after it was deposed: {late[:3]}"
    granted = Counter((g.method, g.path) for g in grants)
    sent = Counter((w.method, w.path) for w in writes)
    sent.update((line["method"], line["path"]) for _, line in process.aura_calls())
    assert not sent - granted, f"{process.name} sent what its gate never granted"


async def passwords(cluster: Cluster, names: list[str]) -> tuple[int, int]:
    """(stored, reported lost): a Secret holds the password Aura gave, or the status says it
    is gone. Never a wrong one, never a silent loss."""
    by_name = {i["name"]: i for i in await cluster.aura_instances()}
    stored = lost = 0
    for name in names:
        obj = await cluster.kube.get(AURA_INSTANCES, name, namespace=NAMESPACE)
        secret = await cluster.kube.find(SECRETS, f"{name}-connection", namespace=NAMESPACE)
        data = {k: unb64(v) for k, v in ((secret or {}).get("data") or {}).items()}
        if "NEO4J_PASSWORD" in data:
            assert data["NEO4J_PASSWORD"] == by_name[name]["password"]
            stored += 1
        else:
            credentials = condition(obj, "CredentialsAvailable")
            assert (credentials["status"], credentials["reason"]) == (
                "False",
                "PasswordNotRecoverable",
            ), f"{name}: password neither stored nor reported lost"
            lost += 1
    return stored, lost


async def test_probes_tell_leader_from_standby(cluster: Cluster) -> None:
    for name in ("op-a", "op-b"):
        await cluster.spawn(name)
    leader = await cluster.leader()
    standby = next(p for p in cluster.processes if p is not leader)
    await cluster.kube.wait_until(standby.probe_port, within=30)

    async with httpx.AsyncClient() as http:
        for process, role in ((leader, "leader"), (standby, "standby")):
            base = f"http://127.0.0.1:{process.probe_port()}"
            ready = await http.get(f"{base}/readyz")
            assert ready.status_code == 200  # both count as ready: a rollout can finish
            assert ready.json()["role"] == role
            assert ready.json()["holder"] in ("", leader.name)
            assert (await http.get(f"{base}/leader")).status_code == (
                200 if role == "leader" else 503
            )
            assert (await http.get(f"{base}/healthz")).status_code == 200


async def test_three_processes_with_leader_kills_and_fixed_specs_create_each_once(
    cluster: Cluster,
) -> None:
    rng = random.Random()
    for name in ("op-a", "op-b", "op-c"):
        await cluster.spawn(name)
    leader = await cluster.leader()
    valid = [f"db-{i}" for i in range(8)]
    rejected = [f"bad-{i}" for i in range(3)]
    await asyncio.gather(*(cluster.apply(name) for name in valid[:4]))
    await asyncio.gather(*(cluster.apply(name, memory="3GB") for name in rejected))

    kills = 0
    for round_ in range(2):
        await asyncio.sleep(rng.uniform(0.3, 2.0))  # a random moment of the burst
        leader.kill()
        await leader.wait()
        kills += 1
        await cluster.spawn(f"op-{round_}-restarted")  # Kubernetes restarts the pod
        if round_ == 0:
            await asyncio.gather(*(cluster.apply(name) for name in valid[4:]))
        else:
            for name in rejected:  # the user fixes the spec
                await cluster.kube.patch(
                    AURA_INSTANCES, name, {"spec": {"memory": "4GB"}}, namespace=NAMESPACE
                )
        leader = await cluster.leader(other_than=leader.name)

    names = valid + rejected
    await cluster.all_ready(names)
    await asyncio.sleep(2.0)  # four Aura minutes for a late duplicate to show

    no_duplicates(await cluster.aura_instances(), names)
    standbys_were_silent(cluster)
    stored, lost = await passwords(cluster, names)
    assert stored + lost == len(names)
    assert lost <= kills * 16  # only answers in flight in a killed process can be lost


async def test_a_graceful_stop_hands_over_without_losing_a_password(cluster: Cluster) -> None:
    for name in ("op-a", "op-b"):
        await cluster.spawn(name)
    leader = await cluster.leader()
    names = [f"db-{i}" for i in range(8)]
    await asyncio.gather(*(cluster.apply(name) for name in names))
    await asyncio.sleep(1.0)  # mid-burst

    leader.terminate()
    successor = await cluster.leader(other_than=leader.name, within=30)
    assert await leader.wait() == 0

    await cluster.all_ready(names)
    no_duplicates(await cluster.aura_instances(), names)
    standbys_were_silent(cluster)
    assert await passwords(cluster, names) == (len(names), 0)
    lease = await cluster.kube.get(LEASES, "aura-operator", namespace=NAMESPACE)
    assert lease["spec"]["holderIdentity"] == successor.name


async def test_a_frozen_leader_that_wakes_up_deposed_writes_nothing_and_exits(
    cluster: Cluster,
) -> None:
    for name in ("op-a", "op-b"):
        await cluster.spawn(name, AURA_LOG_LEVEL="DEBUG")  # the gate's grants are logged
    leader = await cluster.leader()
    names = [f"db-{i}" for i in range(6)]
    await asyncio.gather(*(cluster.apply(name) for name in names[:3]))
    await asyncio.sleep(0.5)

    leader.freeze()  # a partitioned node: the process runs on, unaware
    await cluster.leader(other_than=leader.name, within=30)
    await asyncio.gather(*(cluster.apply(name) for name in names[3:]))
    leader.thaw()

    assert await leader.wait() == 1  # it notices it lost the Lease and stops at once
    await cluster.all_ready(names)
    no_duplicates(await cluster.aura_instances(), names)
    standbys_were_silent(cluster)
    stored, lost = await passwords(cluster, names)
    assert stored + lost == len(names)
