"""Benchmark of leader election (run on demand, not a test): failover and handover times, and the
Aura budget across a failover and a handover during a burst.

Real `aura-operator run` processes (two at a time: a leader and a standby; a stopped one is
replaced, as Kubernetes would) against the Kubernetes emulator and the Aura simulator, both in
this process.

- `kill`: SIGKILL the leader `--kills` times; failover = from the kill until the successor logs
  that it leads (Lease taken), and until its operator is running (kopf started, engine built).
- `handover`: SIGTERM the leader `--handovers` times (a rollout); the same two figures.
- `burst`: `--burst` creates; the leader is SIGKILLed after `--burst-kill-after` Aura seconds and
  its successor SIGTERMed after as many again; prints the busiest rolling 60 Aura-second window
  the simulator saw and its 429s (the budget record on the Lease carries the spent budget over).

    .venv/bin/python bench/failover.py --kills 10 --handovers 5
    .venv/bin/python bench/failover.py --phases burst --burst 120 --time-scale 2

`kill` and `handover` run at time scale 1, `burst` at `--time-scale`; all with the production
election timings (real seconds) unless told otherwise. At time scale 2 a failover of ~18 s is
~36 Aura seconds, well inside the 60 s window the successor must not overspend. Logs go to
bench/out/failover/.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import signal
import statistics
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from aura_devtools.kube_emulator import AURA_INSTANCES, LEASES, SECRETS
from aura_devtools.kube_emulator.api import KubernetesApi
from aura_devtools.simulator import Simulator, SimulatorConfig
from aura_devtools.simulator.config import DEMO_TENANTS
from aura_operator.api import API_VERSION, KIND

NAMESPACE = "default"
OUT = Path(__file__).resolve().parent / "out" / "failover"
SPEC = {
    "cloudProvider": "gcp",
    "region": "europe-west1",
    "type": "professional-db",
    "memory": "2GB",
    "deletionPolicy": "Delete",
}
OPERATOR_READY = "metrics on port"  # logged once the leader's operator runs (runner.py)


def b64(value: str) -> str:
    return base64.b64encode(value.encode()).decode()


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phases", default="kill,handover", help="kill, handover, burst")
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--handovers", type=int, default=5)
    parser.add_argument("--lease-duration", type=float, default=15.0)
    parser.add_argument("--renew-deadline", type=float, default=10.0)
    parser.add_argument("--retry-period", type=float, default=2.0)
    parser.add_argument("--burst", type=int, default=120)
    parser.add_argument("--burst-kill-after", type=float, default=40.0, help="Aura seconds")
    parser.add_argument("--time-scale", type=float, default=2.0, help="for the burst phase")
    return parser.parse_args(argv)


@dataclass
class Process:
    name: str
    log: Path
    process: asyncio.subprocess.Process

    def lines(self) -> Iterator[dict[str, Any]]:
        for raw in self.log.read_text().splitlines() if self.log.exists() else []:
            if raw.startswith("{"):
                yield json.loads(raw)

    def first(self, prefix: str) -> float | None:
        for line in self.lines():
            if line["message"].startswith(prefix):
                return datetime.fromisoformat(line["time"]).timestamp()
        return None


@dataclass
class Bench:
    kube: KubernetesApi
    sim: Simulator
    args: argparse.Namespace
    time_scale: float
    timings: tuple[float, float, float]
    processes: list[Process] = field(default_factory=list)
    spawned: int = 0

    async def spawn(self) -> Process:
        self.spawned += 1
        name = f"op-{self.spawned}"
        config = OUT / f"{name}.kubeconfig"
        config.write_text(
            "apiVersion: v1\nkind: Config\n"
            f"clusters:\n- name: e\n  cluster:\n    server: {self.kube.url}\n"
            "users:\n- name: u\n  user:\n    token: bench\n"
            "contexts:\n- name: e\n  context:\n    cluster: e\n    user: u\n"
            f"    namespace: {NAMESPACE}\ncurrent-context: e\n"
        )
        duration, deadline, retry = self.timings
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AURA_", "POD_"))}
        env.update(
            KUBECONFIG=str(config),
            AURA_API_URL=self.sim.base_url,
            AURA_TIME_SCALE=str(self.time_scale),
            AURA_DEFAULT_CREDENTIALS_SECRET=f"{NAMESPACE}/aura-credentials",
            AURA_LOG_FORMAT="json",
            AURA_HEALTH_PORT="0",
            AURA_METRICS_PORT="0",
            AURA_LEASE_DURATION=str(duration),
            AURA_LEASE_RENEW_DEADLINE=str(deadline),
            AURA_LEASE_RETRY_PERIOD=str(retry),
            POD_NAME=name,
            POD_NAMESPACE=NAMESPACE,
        )
        log = OUT / f"{name}.log"
        with log.open("wb") as handle:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "aura_operator", "run", env=env, stdout=handle, stderr=handle
            )
        spawned = Process(name, log, process)
        self.processes.append(spawned)
        return spawned

    async def leader(self, other_than: str = "", within: float = 120.0) -> Process:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            lease = await self.kube.find(LEASES, "aura-operator", namespace=NAMESPACE)
            holder = ((lease or {}).get("spec") or {}).get("holderIdentity")
            for p in self.processes:
                ready = p.first(OPERATOR_READY)
                if p.name == holder != other_than and p.process.returncode is None and ready:
                    return p
            await asyncio.sleep(0.05)
        raise RuntimeError("no leader")

    async def stop_all(self) -> None:
        for p in self.processes:
            if p.process.returncode is None:
                p.process.kill()
                await p.process.wait()


async def takeovers(bench: Bench, count: int, signum: int) -> list[tuple[float, float]]:
    """(seconds until the successor leads, seconds until its operator runs) per stop."""
    figures = []
    while len([p for p in bench.processes if p.process.returncode is None]) < 2:
        await bench.spawn()
    for _ in range(count):
        leader = await bench.leader()
        stopped_at = time.time()
        leader.process.send_signal(signum)
        replacement = bench.spawn()  # the Deployment's new pod
        successor = await bench.leader(other_than=leader.name)
        await replacement
        await leader.process.wait()
        led = successor.first(f"{successor.name} leads")
        running = successor.first(OPERATOR_READY)
        assert led is not None and running is not None
        figures.append((led - stopped_at, running - stopped_at))
        print(
            f"  {signal.Signals(signum).name}: leads after {figures[-1][0]:.2f} s, "
            f"operator running after {figures[-1][1]:.2f} s"
        )
    return figures


def summary(label: str, figures: list[tuple[float, float]]) -> dict[str, Any]:
    lead = [f[0] for f in figures]
    run = [f[1] for f in figures]
    result = {
        "n": len(figures),
        "leads_p50": statistics.median(lead),
        "leads_max": max(lead),
        "running_p50": statistics.median(run),
        "running_max": max(run),
    }
    print(
        f"{label}: n={result['n']}  Lease taken p50 {result['leads_p50']:.2f} s, "
        f"max {result['leads_max']:.2f} s;  operator running p50 {result['running_p50']:.2f} s, "
        f"max {result['running_max']:.2f} s"
    )
    return result


def busiest_window(times: list[float], window: float = 60.0) -> int:
    times = sorted(times)
    best, start = 0, 0
    for end, at in enumerate(times):
        while times[start] <= at - window:
            start += 1
        best = max(best, end - start + 1)
    return best


async def burst(bench: Bench, http: httpx.AsyncClient) -> dict[str, Any]:
    while len([p for p in bench.processes if p.process.returncode is None]) < 2:
        await bench.spawn()
    leader = await bench.leader()
    since = (await http.get("/_sim/requests")).json()["data"]
    since_seq = since[-1]["seq"] if since else 0
    names = [f"burst-{i}" for i in range(bench.args.burst)]
    for name in names:
        body = {"apiVersion": API_VERSION, "kind": KIND, "metadata": {"name": name}, "spec": SPEC}
        await bench.kube.create(AURA_INSTANCES, body, namespace=NAMESPACE)
    pause = bench.args.burst_kill_after / bench.time_scale
    for signum in (signal.SIGKILL, signal.SIGTERM):
        await asyncio.sleep(pause)
        leader.process.send_signal(signum)
        replacement = asyncio.create_task(bench.spawn())
        leader = await bench.leader(other_than=leader.name)
        await replacement
        print(f"  {signal.Signals(signum).name} during the burst: {leader.name} took over")
    started = time.monotonic()
    while True:
        items = await bench.kube.list(AURA_INSTANCES, namespace=NAMESPACE)
        ready = sum(
            1
            for item in items
            for c in (item.get("status") or {}).get("conditions") or []
            if c["type"] == "Ready" and c["status"] == "True"
        )
        if ready >= len(names) or time.monotonic() - started > 1800:
            break
        await asyncio.sleep(1.0)
    log = [e for e in (await http.get("/_sim/requests")).json()["data"] if e["seq"] > since_seq]
    calls = log  # token requests count against the budget too
    instances = (await http.get("/_sim/instances")).json()["data"]
    result = {
        "creates": len(names),
        "ready": ready,
        "aura_instances": len(instances),
        "requests": len(calls),
        "busiest_60s": busiest_window([e["time"] for e in calls if e["status"] != 429]),
        "rate_limited_429": sum(1 for e in calls if e["status"] == 429),
        "limit": 125,
    }
    print(
        f"burst: {ready}/{len(names)} Ready, {len(instances)} Aura instances, "
        f"{result['requests']} requests; busiest 60 s at Aura: {result['busiest_60s']} "
        f"(limit 125); 429s: {result['rate_limited_429']}"
    )
    return result


async def run(args: argparse.Namespace) -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    phases = [p.strip() for p in args.phases.split(",") if p.strip()]
    results: dict[str, Any] = {"args": vars(args)}
    for phase in phases:
        scale = args.time_scale if phase == "burst" else 1.0
        timings = (args.lease_duration, args.renew_deadline, args.retry_period)
        config = SimulatorConfig(seed=13, time_scale=scale, initial_scheduled_snapshot=False)
        async with (
            Simulator(config) as sim,
            KubernetesApi() as kube,
            httpx.AsyncClient(base_url=sim.base_url, timeout=30.0) as http,
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
                        "tenantId": b64(DEMO_TENANTS[0][0]),
                    },
                },
                namespace=NAMESPACE,
            )
            bench = Bench(kube, sim, args, scale, timings)
            try:
                print(
                    f"{phase}: lease {timings[0]:g} s, renew deadline {timings[1]:g} s, "
                    f"retry {timings[2]:g} s, time scale {scale:g}"
                )
                if phase == "kill":
                    results["kill"] = summary(
                        "failover after SIGKILL", await takeovers(bench, args.kills, signal.SIGKILL)
                    )
                elif phase == "handover":
                    results["handover"] = summary(
                        "handover after SIGTERM",
                        await takeovers(bench, args.handovers, signal.SIGTERM),
                    )
                elif phase == "burst":
                    results["burst"] = await burst(bench, http)
            finally:
                await bench.stop_all()
    (OUT / "failover.json").write_text(json.dumps(results, indent=2))
    return 0


def main() -> int:
    return asyncio.run(run(parse_args(sys.argv[1:])))


if __name__ == "__main__":
    raise SystemExit(main())
