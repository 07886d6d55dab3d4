"""The request history kmock routes by stays bounded, so a long run does not slow down."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import kmock
import pytest

from aura_devtools.kube_emulator import KubernetesApiEmulator
from aura_devtools.kube_emulator.api import KubernetesApi
from kube_emulator.helpers import SECRETS


class CountingHistory(list[Any]):
    """kmock's request log, counting the entries read while routing requests."""

    examined = 0

    def __iter__(self) -> Iterator[Any]:
        for request in super().__iter__():
            self.examined += 1
            yield request


async def history_read_per_request(kube: KubernetesApi, requests: int) -> float:
    history = kube.emulator._requests
    assert isinstance(history, CountingHistory)
    before = history.examined
    for _ in range(requests):
        response = await kube.http.get(SECRETS)
        assert response.status_code == 200
    return (history.examined - before) / requests


async def early_and_late_cost(history_size: int | None) -> tuple[float, float]:
    """History entries read per request just after the first 20 requests, and after 200."""
    emulator = KubernetesApiEmulator(request_history=history_size)
    emulator._requests = CountingHistory()
    async with KubernetesApi(emulator) as kube:
        await history_read_per_request(kube, 20)
        early = await history_read_per_request(kube, 10)
        await history_read_per_request(kube, 170)
        late = await history_read_per_request(kube, 10)
    return early, late


async def test_the_routing_cost_of_a_request_stays_flat_over_a_long_run() -> None:
    early, late = await early_and_late_cost(history_size=10)

    assert early > 0
    assert late == early


async def test_without_a_bound_the_routing_cost_grows_with_the_history() -> None:
    early, late = await early_and_late_cost(history_size=None)

    assert late > 4 * early


async def test_the_latest_requests_stay_visible_to_assertions() -> None:
    async with KubernetesApi(KubernetesApiEmulator(request_history=5)) as kube:
        for name in ("a", "b", "c", "d", "e", "f", "g"):
            await kube.http.get(f"{SECRETS}/{name}")
        seen = [request.name for request in kube.emulator]
        fetched = [request.name for request in kube.emulator[kmock.action.FETCH]]

    assert seen == ["c", "d", "e", "f", "g"]
    assert fetched == seen


@pytest.mark.parametrize("history_size", [1, 64])
async def test_every_request_is_routed_with_a_short_history(history_size: int) -> None:
    async with KubernetesApi(KubernetesApiEmulator(request_history=history_size)) as kube:
        for _ in range(3):
            assert (await kube.http.get(SECRETS)).status_code == 200
