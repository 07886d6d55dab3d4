"""A fresh emulated API server per test, served over HTTP, and a check that nothing leaks."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator

import httpx
import pytest

from aura_devtools.kube_emulator.api import KubernetesApi


@pytest.fixture
async def no_leaked_tasks() -> AsyncIterator[None]:
    before = asyncio.all_tasks()
    yield
    started = asyncio.all_tasks() - before - {asyncio.current_task()}
    # Closing a stream mid-way leaves async generators to the loop's finalizer, which closes
    # them in tasks of its own on the next iterations: those must end, not linger.
    if started:
        await asyncio.wait(started, timeout=1)
    lingering = {task for task in started if not task.done()}
    assert not lingering, f"tasks left running: {lingering}"
    assert not [thread for thread in threading.enumerate() if thread.name == "kopf-operator"]


@pytest.fixture
async def kube(no_leaked_tasks: None) -> AsyncIterator[KubernetesApi]:
    async with KubernetesApi() as api:
        yield api


@pytest.fixture
def http(kube: KubernetesApi) -> httpx.AsyncClient:
    return kube.http
