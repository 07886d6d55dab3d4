"""HTTP helpers for the emulator tests: paths, bodies, and reading watch streams."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncGenerator, Mapping
from typing import Any, cast

import httpx

AURA_INSTANCES = "/apis/aura.neo4j.io/v1alpha1/namespaces/default/aurainstances"
SECRETS = "/api/v1/namespaces/default/secrets"
EVENTS = "/api/v1/namespaces/default/events"
MERGE_PATCH = {"Content-Type": "application/merge-patch+json"}
JSON_PATCH = {"Content-Type": "application/json-patch+json"}


VALID_SPEC = {
    "cloudProvider": "gcp",
    "region": "europe-west1",
    "type": "professional-db",
    "memory": "8GB",
}
# What the CRD's defaults add to every spec.
SPEC_DEFAULTS = {"version": "5", "paused": False, "managementPolicy": "Manage"}


def aura_instance(name: str = "db", /, **spec: Any) -> dict[str, Any]:
    """An AuraInstance the CRD accepts; `spec` adds or overrides fields."""
    return {
        "apiVersion": "aura.neo4j.io/v1alpha1",
        "kind": "AuraInstance",
        "metadata": {"name": name},
        "spec": {**VALID_SPEC, **spec},
    }


def lines_of(response: httpx.Response) -> AsyncGenerator[str, None]:
    """The response's lines as a generator that `contextlib.aclosing` can close early."""
    return cast(AsyncGenerator[str, None], response.aiter_lines())


async def create(http: httpx.AsyncClient, path: str, body: Mapping[str, Any]) -> dict[str, Any]:
    response = await http.post(path, json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def patch(
    http: httpx.AsyncClient, path: str, body: Any, headers: Mapping[str, str] = MERGE_PATCH
) -> httpx.Response:
    return await http.patch(path, content=json.dumps(body), headers=dict(headers))


async def watch(
    http: httpx.AsyncClient, path: str, count: int | None = None, **params: str
) -> list[dict[str, Any]]:
    """Watch events: the first `count` of them, or all until the server ends the stream."""
    events: list[dict[str, Any]] = []
    async with (
        asyncio.timeout(5),
        http.stream("GET", path, params={"watch": "true", **params}) as response,
        contextlib.aclosing(lines_of(response)) as lines,
    ):
        assert response.status_code == 200
        async for line in lines:
            if line.strip():
                events.append(json.loads(line))
            if count is not None and len(events) == count:
                break
    return events
