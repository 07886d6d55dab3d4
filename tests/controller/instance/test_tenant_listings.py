"""Open create intents of a tenant share tenant listings."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from aura_operator.aura import InstanceSummary, Lane, Result
from aura_operator.controller.instance.tenant_listings import TenantListings

T0 = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


class FakeClient:
    client_id = "client-a"

    def __init__(self) -> None:
        self.now = T0
        self.calls: list[str] = []
        self.release = asyncio.Event()

    async def aura_time(self, *, lane: Lane = Lane.CREATE) -> datetime:
        return self.now

    async def list_instances(self, tenant_id: str, *, lane: Lane) -> Result[list[Any]]:
        self.calls.append(tenant_id)
        await self.release.wait()
        return Result([InstanceSummary(id="0000000a", name="x")], f"rid-{len(self.calls)}", 200)


async def test_lookers_at_the_same_time_share_one_listing() -> None:
    client = FakeClient()
    listings = TenantListings()

    waiters = [
        asyncio.create_task(listings.get(client, "t-1", T0 - timedelta(seconds=15)))  # type: ignore[arg-type]
        for _ in range(5)
    ]
    await asyncio.sleep(0)
    client.release.set()
    results = await asyncio.gather(*waiters)

    assert client.calls == ["t-1"]
    assert {r.request_id for r in results} == {"rid-1"}
    assert results[0].as_of == T0


async def test_a_listing_older_than_needed_is_not_reused_and_tenants_are_apart() -> None:
    client = FakeClient()
    client.release.set()
    listings = TenantListings()
    await listings.get(client, "t-1", T0)  # type: ignore[arg-type]

    client.now = T0 + timedelta(seconds=60)
    again = await listings.get(client, "t-1", T0 + timedelta(seconds=30))  # type: ignore[arg-type]
    reused = await listings.get(client, "t-1", T0 + timedelta(seconds=45))  # type: ignore[arg-type]
    other = await listings.get(client, "t-2", T0)  # type: ignore[arg-type]

    assert client.calls == ["t-1", "t-1", "t-2"]
    assert again is reused
    assert again.as_of == T0 + timedelta(seconds=60)
    assert other.request_id == "rid-3"


async def test_a_failed_listing_fails_every_waiter_and_the_next_look_lists_again() -> None:
    client = FakeClient()
    listings = TenantListings()

    async def failing(tenant_id: str, *, lane: Lane) -> Result[list[Any]]:
        client.calls.append(tenant_id)
        raise RuntimeError("Aura down")

    client.list_instances = failing  # type: ignore[method-assign,assignment]
    outcomes = await asyncio.gather(
        *(listings.get(client, "t-1", T0) for _ in range(3)),  # type: ignore[arg-type]
        return_exceptions=True,
    )

    assert all(isinstance(o, RuntimeError) for o in outcomes)
    assert client.calls == ["t-1"]
    with_retry = await asyncio.gather(listings.get(client, "t-1", T0), return_exceptions=True)  # type: ignore[arg-type]
    assert isinstance(with_retry[0], RuntimeError)
    assert client.calls == ["t-1", "t-1"]
