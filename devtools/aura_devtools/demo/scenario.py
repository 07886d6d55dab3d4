"""The demo itself: start everything, apply the samples, watch them, resize one."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import sys
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import httpx
import kopf
import yaml

from aura_devtools.demo.table import masked_secret, ready_of, render
from aura_devtools.kube_emulator import AURA_INSTANCES, SECRETS
from aura_devtools.kube_emulator.api import KubernetesApi
from aura_devtools.kube_emulator.kopf_runner import running_operator
from aura_devtools.simulator import Simulator, SimulatorConfig
from aura_devtools.simulator.config import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_TENANTS
from aura_operator.api import KIND
from aura_operator.controller.runner import register
from aura_operator.controller.settings import OperatorSettings

NAMESPACE = "default"
RESIZED = "movies"


class DemoFailed(Exception):
    """The demo did not reach its goal; the message says which resources and why."""


@dataclass(frozen=True)
class DemoOptions:
    samples: Path
    time_scale: float = 60.0
    timeout: float = 120.0
    once: bool = False
    out: TextIO = sys.stdout


def load_samples(directory: Path) -> list[dict[str, Any]]:
    """The AuraInstance manifests of `directory` (other kinds are left out)."""
    if not directory.is_dir():
        raise DemoFailed(f"no samples at {directory}: run the demo from the repository root")
    manifests = []
    for path in sorted(directory.glob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text()):
            if document and document.get("kind") == KIND:
                manifests.append(document)
    if not manifests:
        raise DemoFailed(f"no {KIND} manifests in {directory}")
    return manifests


def credentials_secret() -> dict[str, Any]:
    def b64(value: str) -> str:
        return base64.b64encode(value.encode()).decode()

    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "aura-credentials"},
        "data": {
            "clientId": b64(DEMO_CLIENT_ID),
            "clientSecret": b64(DEMO_CLIENT_SECRET),
            "tenantId": b64(DEMO_TENANTS[0][0]),
        },
    }


def existing_instance(manifest: dict[str, Any]) -> dict[str, Any]:
    """What a sample adopting `spec.instanceId` finds at Aura: an instance made in the console."""
    return {
        "id": manifest["spec"]["instanceId"],
        "instance": {
            "name": manifest["metadata"]["name"],
            "tenant_id": DEMO_TENANTS[0][0],
            "cloud_provider": "gcp",
            "region": "europe-west1",
            "type": "professional-db",
            "memory": "4GB",
            "version": "5",
        },
    }


@contextlib.asynccontextmanager
async def environment(options: DemoOptions) -> AsyncIterator[tuple[Simulator, KubernetesApi]]:
    config = SimulatorConfig(time_scale=options.time_scale, duration_jitter=0.25, seed=42)
    async with Simulator(config) as sim, KubernetesApi() as kube:
        settings = OperatorSettings(
            api_url=sim.base_url,
            time_scale=options.time_scale,
            metrics_port=0,
            pod_namespace=NAMESPACE,
            default_credentials_secret=f"{NAMESPACE}/aura-credentials",
        )
        url = kube.url

        def login(**_: Any) -> kopf.ConnectionInfo:
            return kopf.ConnectionInfo(server=url, default_namespace=NAMESPACE)

        await kube.create(SECRETS, credentials_secret(), namespace=NAMESPACE)
        async with running_operator(
            url, lambda registry: register(registry, settings, login=login)
        ):
            yield sim, kube


async def run_demo(options: DemoOptions) -> None:
    say = Printer(options.out, live=not options.once and options.out.isatty())
    manifests = load_samples(options.samples)
    say.line(
        f"aura-operator-dev demo: {len(manifests)} samples from {options.samples}, "
        f"Aura time x{options.time_scale:g}"
    )
    async with environment(options) as (sim, kube):
        say.line(f"Aura simulator on {sim.base_url}, Kubernetes API emulator on {kube.url}")
        for manifest in manifests:
            if manifest["spec"].get("instanceId"):
                await _seed(sim, existing_instance(manifest))
            await kube.create(AURA_INSTANCES, manifest, namespace=NAMESPACE)
        say.line(f"applied: {', '.join(m['metadata']['name'] for m in manifests)}\n")
        names = {m["metadata"]["name"] for m in manifests}
        await watch(kube, say, options.timeout, lambda objs: _all_ready(objs, names))
        secret = await kube.get(SECRETS, f"{RESIZED}-connection", namespace=NAMESPACE)
        data = {k: base64.b64decode(v).decode() for k, v in secret["data"].items()}
        say.line(f"\nconnection Secret {RESIZED}-connection:\n{masked_secret(data)}\n")
        target = "4GB"
        say.line(f"resizing {RESIZED} to {target} (kubectl patch aurainstance {RESIZED} ...)\n")
        await kube.patch(AURA_INSTANCES, RESIZED, {"spec": {"memory": target}}, namespace=NAMESPACE)
        await watch(
            kube,
            say,
            options.timeout,
            lambda objs: _resized(objs, target) and _all_ready(objs, names),
        )
        say.line(f"\nall {len(names)} samples Ready; {RESIZED} resized to {target}.")
        if not options.once:
            say.line("The operator keeps running; press Ctrl-C to stop.")
            await watch(kube, say, float("inf"), lambda objs: False)


async def _seed(sim: Simulator, body: dict[str, Any]) -> None:
    async with httpx.AsyncClient(base_url=sim.base_url) as http:
        (await http.post("/_sim/instances", json=body)).raise_for_status()


def _all_ready(objects: list[dict[str, Any]], names: set[str]) -> bool:
    ready = {o["metadata"]["name"] for o in objects if ready_of(o) == "True"}
    return names <= ready


def _resized(objects: list[dict[str, Any]], memory: str) -> bool:
    return any(
        o["metadata"]["name"] == RESIZED and (o.get("status") or {}).get("memory") == memory
        for o in objects
    )


async def watch(
    kube: KubernetesApi,
    say: Printer,
    limit: float,
    done: Callable[[list[dict[str, Any]]], bool],
) -> None:
    """Redraw the table until `done`; DemoFailed after `limit` seconds."""
    deadline = time.monotonic() + limit
    while True:
        objects = await kube.list(AURA_INSTANCES, namespace=NAMESPACE)
        say.table(render(objects))
        if done(objects):
            return
        if time.monotonic() > deadline:
            raise DemoFailed(_not_ready_report(objects, limit))
        await asyncio.sleep(0.25)


def _not_ready_report(objects: list[dict[str, Any]], timeout: float) -> str:
    lines = [f"not every sample became Ready within {timeout:g} s:"]
    for obj in objects:
        if ready_of(obj) != "True":
            conditions = (obj.get("status") or {}).get("conditions") or []
            why = "; ".join(
                f"{c['type']}={c['status']} {c.get('reason', '')}: {c.get('message', '')}"
                for c in conditions
            )
            lines.append(f"  {obj['metadata']['name']}: {why or 'no status yet'}")
    return "\n".join(lines)


class Printer:
    """Redraws the table in place on a terminal; elsewhere prints it when it changes."""

    def __init__(self, out: TextIO, *, live: bool) -> None:
        self.out = out
        self.live = live
        self._last = ""
        self._height = 0

    def line(self, text: str) -> None:
        self._height = 0
        print(text, file=self.out, flush=True)

    def table(self, text: str) -> None:
        if text == self._last:
            return
        self._last = text
        if self.live and self._height:
            self.out.write(f"\x1b[{self._height}F\x1b[J")
        print(text, file=self.out, flush=True)
        self._height = text.count("\n") + 1 if self.live else 0
        if not self.live:
            print(file=self.out, flush=True)
