"""Tenant listings shared by everything that needs one at about the same time: the open create
intents of a tenant (and 404 confirmations) wait for one listing instead of each sending its
own."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from aura_operator.aura import AuraClient, InstanceSummary, Lane


@dataclass(frozen=True)
class Listing:
    items: list[InstanceSummary]
    request_id: str | None
    as_of: datetime
    """Aura's time (a lower bound) when the listing was asked for: it shows every instance
    Aura had listed by then."""


ListingKey = tuple[str, str]  # (client id, tenant id)


class TenantListings:
    def __init__(self) -> None:
        self._latest: dict[ListingKey, Listing] = {}
        self._inflight: dict[ListingKey, tuple[datetime, asyncio.Future[Listing]]] = {}

    async def get(self, client: AuraClient, tenant_id: str, not_before: datetime) -> Listing:
        """A listing of the tenant taken at or after `not_before` (Aura time): the latest one,
        the one under way, or a new one. Raises the `AuraError` of a failed listing."""
        key = (client.client_id, tenant_id)
        latest = self._latest.get(key)
        if latest is not None and latest.as_of >= not_before:
            return latest
        inflight = self._inflight.get(key)
        if inflight is None or inflight[0] < not_before:
            as_of = await client.aura_time()
            future = asyncio.ensure_future(self._list(key, client, tenant_id, as_of))
            future.add_done_callback(_consume_exception)
            inflight = (as_of, future)
            self._inflight[key] = inflight
        # Shielded: one waiter giving up must not cancel the listing the others wait for.
        return await asyncio.shield(inflight[1])

    async def _list(
        self, key: ListingKey, client: AuraClient, tenant_id: str, as_of: datetime
    ) -> Listing:
        try:
            result = await client.list_instances(tenant_id=tenant_id, lane=Lane.CREATE)
            listing = Listing(result.value, result.request_id, as_of)
            latest = self._latest.get(key)
            if latest is None or latest.as_of <= as_of:
                self._latest[key] = listing
            return listing
        finally:
            current = self._inflight.get(key)
            if current is not None and current[1] is asyncio.current_task():
                del self._inflight[key]


def _consume_exception(future: asyncio.Future[Listing]) -> None:
    if not future.cancelled():
        future.exception()
