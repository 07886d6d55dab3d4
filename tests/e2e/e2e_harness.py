"""The real operator (kopf, in its own thread) against a Kubernetes backend (the emulator or a
real API server, backends.py) and the Aura simulator, both over HTTP, with helpers to drive and
inspect all three."""

from __future__ import annotations

import asyncio
import base64
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx
import kopf
from backends import Backend

from aura_devtools.kube_emulator import AURA_INSTANCES, EVENTS, NAMESPACES, SECRETS
from aura_devtools.kube_emulator.api import KubernetesApiError
from aura_devtools.kube_emulator.kopf_runner import running_operator
from aura_devtools.simulator import Simulator
from aura_operator.api import API_VERSION, KIND
from aura_operator.controller.runner import register
from aura_operator.controller.settings import OperatorSettings

T = TypeVar("T")

TIME_SCALE = 600.0  # a 4-minute create takes 0.4 s
TENANT = "8c2a7e4e-5f0b-4d8e-9a51-1f3c6b2d7e01"
BASE_SPEC = {
    "cloudProvider": "gcp",
    "region": "europe-west1",
    "type": "professional-db",
    "memory": "2GB",
}


def b64(value: str) -> str:
    return base64.b64encode(value.encode()).decode()


def unb64(value: str) -> str:
    return base64.b64decode(value).decode()


def condition(obj: dict[str, Any], type_: str) -> dict[str, Any]:
    for item in (obj.get("status") or {}).get("conditions") or []:
        if item["type"] == type_:
            return dict(item)
    return {}


def is_ready(obj: dict[str, Any]) -> bool:
    """What `kubectl wait --for=condition=Ready` checks, plus observedGeneration."""
    ready = condition(obj, "Ready")
    generation = obj["metadata"].get("generation")
    return ready.get("status") == "True" and ready.get("observedGeneration") == generation


class Harness:
    def __init__(self, backend: Backend, sim: Simulator, sim_http: httpx.AsyncClient) -> None:
        self.backend = backend
        self.kube = backend.kube
        self.sim = sim
        self.sim_http = sim_http
        self.namespace = backend.namespace("default")
        """The operator's own namespace, where the scenarios' objects live unless they say."""
        self.settings = OperatorSettings(
            api_url=sim.base_url,
            time_scale=sim.config.time_scale,
            metrics_port=0,
            pod_namespace=self.namespace,
            default_credentials_secret=f"{self.namespace}/aura-credentials",
            watch_namespaces=backend.watch_namespaces,
            shutdown_grace=5.0,  # within running_operator's stop limit
        )
        self.memo: Any = None
        self._operator: contextlib.AsyncExitStack | None = None

    # the operator

    def ns(self, logical: str) -> str:
        """The namespace a scenario calls `logical` ("team-a"): itself on the emulator, the
        test's own on the real server."""
        return self.backend.namespace(logical)

    def running_operator(self, memo: Any) -> contextlib.AbstractAsyncContextManager[Any]:
        """One more operator process (in its own thread) on the backend, with these settings."""
        connection = self.backend.connection

        def login(**_: Any) -> kopf.ConnectionInfo:
            return connection

        return running_operator(
            connection,
            lambda registry: register(registry, self.settings, login=login),
            namespaces=self.settings.watch_namespaces,
            memo=memo,
        )

    async def start_operator(self) -> None:
        stack = contextlib.AsyncExitStack()
        self.memo = kopf.Memo()
        await stack.enter_async_context(self.running_operator(self.memo))
        self._operator = stack

    def record_schedules(self, name: str) -> list[float | None]:
        """From now on, every delay (Aura seconds; None: the drift period) the running operator
        decides before its next look at `name`: its decisions, free of this machine's timing."""
        engine = self.memo.engine
        schedule = engine.schedule
        delays: list[float | None] = []

        def recording(key: tuple[str, str], delay: float | None) -> None:
            if key == (self.namespace, name):
                delays.append(delay)
            schedule(key, delay)

        engine.schedule = recording
        return delays

    async def scrape_metrics(self) -> str:
        """One scrape of the running operator's /metrics, as Prometheus reads it."""
        async with httpx.AsyncClient() as http:
            response = await http.get(f"http://127.0.0.1:{self.memo.metrics_port}/metrics")
        response.raise_for_status()
        return response.text

    async def stop_operator(self) -> None:
        if self._operator is not None:
            stack, self._operator = self._operator, None
            await stack.aclose()

    # Kubernetes side

    async def add_namespace(self, name: str) -> None:
        try:
            await self.kube.create(NAMESPACES, {"metadata": {"name": name}})
        except KubernetesApiError as error:
            if error.status != 409:
                raise

    async def create_credentials(
        self, name: str = "aura-credentials", *, namespace: str | None = None
    ) -> None:
        await self.kube.create(
            SECRETS,
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": {"name": name},
                "data": {
                    "clientId": b64("demo-client"),
                    "clientSecret": b64("demo-secret"),
                    "tenantId": b64(TENANT),
                },
            },
            namespace=namespace or self.namespace,
        )

    async def apply(
        self,
        name: str,
        spec: dict[str, Any] | None = None,
        *,
        namespace: str | None = None,
        **metadata: Any,
    ) -> dict[str, Any]:
        body = {
            "apiVersion": API_VERSION,
            "kind": KIND,
            "metadata": {"name": name, **metadata},
            "spec": {**BASE_SPEC, **(spec or {})},
        }
        return await self.kube.create(AURA_INSTANCES, body, namespace=namespace or self.namespace)

    async def patch_spec(self, name: str, spec: dict[str, Any]) -> dict[str, Any]:
        return await self.kube.patch(AURA_INSTANCES, name, {"spec": spec}, namespace=self.namespace)

    async def annotate(self, name: str, annotations: dict[str, str]) -> dict[str, Any]:
        return await self.kube.patch(
            AURA_INSTANCES,
            name,
            {"metadata": {"annotations": annotations}},
            namespace=self.namespace,
        )

    async def get(self, name: str, *, namespace: str | None = None) -> dict[str, Any]:
        return await self.kube.get(AURA_INSTANCES, name, namespace=namespace or self.namespace)

    async def wait(
        self,
        name: str,
        predicate: Callable[[dict[str, Any]], bool],
        within: float = 15.0,
        *,
        namespace: str | None = None,
    ) -> dict[str, Any]:
        return await self.kube.wait_for(
            AURA_INSTANCES, name, predicate, namespace=namespace or self.namespace, within=within
        )

    async def wait_ready(
        self, name: str, within: float = 15.0, *, namespace: str | None = None
    ) -> dict[str, Any]:
        return await self.wait(name, is_ready, within, namespace=namespace)

    async def wait_stalled(
        self, name: str, reason: str, within: float = 15.0, *, namespace: str | None = None
    ) -> dict[str, Any]:
        def stalled(obj: dict[str, Any]) -> bool:
            found = condition(obj, "Stalled")
            return found.get("status") == "True" and found.get("reason") == reason

        return await self.wait(name, stalled, within, namespace=namespace)

    async def secret(self, name: str, *, namespace: str | None = None) -> dict[str, str] | None:
        found = await self.kube.find(SECRETS, name, namespace=namespace or self.namespace)
        if found is None:
            return None
        return {k: unb64(v) for k, v in (found.get("data") or {}).items()}

    async def events(self, name: str, *, namespace: str | None = None) -> list[dict[str, Any]]:
        events = await self.kube.list(EVENTS, namespace=namespace or self.namespace)
        return [e for e in events if e.get("involvedObject", {}).get("name") == name]

    async def wait_event(self, name: str, reason: str, within: float = 10.0) -> dict[str, Any]:
        async def found() -> dict[str, Any] | None:
            return next((e for e in await self.events(name) if e.get("reason") == reason), None)

        return await self.poll(found, within)

    @staticmethod
    async def poll(probe: Callable[[], Awaitable[T | None]], within: float = 10.0) -> T:
        """Call `probe` until it returns something truthy (state outside the emulator)."""
        async with asyncio.timeout(within):
            while not (result := await probe()):  # noqa: ASYNC110 - nothing to wait on
                await asyncio.sleep(0.05)
            return result

    # Aura side (through the simulator's /_sim control API)

    async def sim_get(self, path: str) -> Any:
        response = await self.sim_http.get(path)
        response.raise_for_status()
        return response.json()["data"]

    async def sim_post(self, path: str, body: Any) -> Any:
        response = await self.sim_http.request(
            "PUT" if path == "/_sim/faults" else "POST", path, json=body
        )
        response.raise_for_status()
        return response.json().get("data")

    async def faults(self, **faults: Any) -> None:
        response = await self.sim_http.patch("/_sim/faults", json=faults)
        response.raise_for_status()

    async def aura_instances(self) -> list[dict[str, Any]]:
        return [i for i in await self.sim_get("/_sim/instances") if not i.get("deleted")]

    async def aura_requests(self, method: str | None = None, path: str | None = None) -> list[Any]:
        log = await self.sim_get("/_sim/requests")
        return [
            r
            for r in log
            if (method is None or r["method"] == method) and (path is None or r["path"] == path)
        ]

    async def aura_token(self) -> str:
        response = await self.sim_http.post(
            "/oauth/token",
            auth=("demo-client", "demo-secret"),
            data={"grant_type": "client_credentials"},
        )
        return str(response.json()["access_token"])

    async def aura_call(self, method: str, path: str, body: Any = None) -> httpx.Response:
        """A call to Aura made by someone else (the console): drift, deletes behind our back."""
        token = await self.aura_token()
        return await self.sim_http.request(
            method,
            "/v1" + path,
            json=body,
            headers={"Authorization": f"Bearer {token}"},
        )

    async def wait_aura(
        self, instance_id: str, predicate: Callable[[dict[str, Any]], bool], within: float = 10.0
    ) -> dict[str, Any]:
        async def matching() -> dict[str, Any] | None:
            items = await self.sim_get("/_sim/instances")
            return next((i for i in items if i["id"] == instance_id and predicate(i)), None)

        return await self.poll(matching, within)
