"""Settling an object's claim on its Aura instance id before any call that could change it.

Decisions are claims.py's; this module reads the objects from the API server (every namespace
the operator watches) and records a won claim in status. Deciding and recording happen under
one process-wide lock, so two objects of this process can never both record a claim on the
same id; a recorded claim is then settled from memory, without another listing.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from aura_operator.api import PLURAL
from aura_operator.controller.claims import (
    Claim,
    claim_of,
    claimed_by_others,
    foreign_owner,
    merge,
    owner_of,
)
from aura_operator.controller.kube import now_rfc3339
from aura_operator.controller.publishing import Publisher
from aura_operator.controller.tracking import Fleet, Tracked


@dataclass(frozen=True)
class Verdict:
    owner: Claim | None
    """The owning claim; None when this object names no instance."""
    mine: bool

    def message(self, instance_id: str) -> str:
        assert self.owner is not None
        return (
            f"Aura instance {instance_id} is managed by AuraInstance {self.owner.owner}, which "
            "claimed it first. This resource makes no change to it, and deleting this resource "
            "leaves it in place whatever its deletionPolicy. Delete this resource; to manage "
            "another instance, apply it again naming that one in spec.instanceId."
        )


def body_of(tracked: Tracked) -> dict[str, Any]:
    """The object as this process knows it. An instance it was answered with (a 202 whose
    status write is on its way) is already its claim: no other object may take it meanwhile."""
    status = tracked.status
    if tracked.created_id and not status.get("instanceId"):
        status = {**status, "instanceId": tracked.created_id, "claimedAt": now_rfc3339()}
    return {"metadata": tracked.metadata, "spec": tracked.spec, "status": status}


class ClaimKeeper:
    def __init__(
        self, publisher: Publisher, fleet: Fleet, watched_namespaces: tuple[str, ...]
    ) -> None:
        self.publish = publisher
        self.fleet = fleet
        self.watched_namespaces = watched_namespaces
        self.lock = asyncio.Lock()
        """Held while a claim is decided and recorded (never across an Aura call)."""

    async def settle(self, tracked: Tracked, instance_id: str) -> Verdict:
        """Whether `tracked` owns `instance_id`; a won claim is recorded in its status before
        this returns, so every later decision sees it."""
        if self._recorded(tracked, instance_id):
            owner = owner_of(instance_id, self._claims_in_memory())
            if owner is None or owner.uid == tracked.ref.uid:
                return Verdict(owner, mine=True)
        async with self.lock:
            claims = await self.listed_claims()
            owner = owner_of(instance_id, claims)
            mine = owner is None or owner.uid == tracked.ref.uid
            if mine and not self._recorded(tracked, instance_id):
                await self.record(tracked, instance_id, keep_time=owner)
            return Verdict(owner, mine)

    async def foreign_owner(self, tracked: Tracked, instance_id: str) -> Claim | None:
        """The AuraInstance of another namespace that owns `instance_id` (None: nobody, or one
        of `tracked`'s own namespace): its data is not `tracked`'s to copy (a clone)."""
        return foreign_owner(tracked.ref.namespace, instance_id, await self.listed_claims())

    async def taken(self, tracked: Tracked) -> set[str]:
        """Ids other objects claim; call under `lock` when the answer leads to a record."""
        return claimed_by_others(await self.listed_claims(), tracked.ref.uid)

    def create_awaiting_answer(self, tracked: Tracked, name: str, tenant_id: str) -> str | None:
        """Another object of this process whose create of an instance named `name` in
        `tenant_id` awaits Aura's answer (`namespace/name`), or None: a same-named instance
        that appears now may be that create's."""
        for other in self.fleet.all():
            intent = other.status.get("createIntent") or {}
            if (
                other.ref.uid != tracked.ref.uid
                and other.create_sending
                and intent.get("name") == name
                and intent.get("tenantId") == tenant_id
            ):
                return f"{other.ref.namespace}/{other.ref.name}"
        return None

    async def record(
        self,
        tracked: Tracked,
        instance_id: str,
        *,
        keep_time: Claim | None = None,
        clear_intent: bool = False,
    ) -> None:
        """Write `status.instanceId` and `status.claimedAt`. A claim already in force (an object
        from before claims were recorded, or an adoption named in the spec) keeps its place in
        the order: its time is kept, not moved to now."""
        claimed_at = now_rfc3339()
        if keep_time is not None and keep_time.recorded_at is not None:
            claimed_at = keep_time.recorded_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        patch: dict[str, Any] = {"instanceId": instance_id, "claimedAt": claimed_at}
        if clear_intent:  # the intent is resolved: this is the instance it created
            patch["createIntent"] = None
        await self.publish.raw_status(tracked, patch)

    async def listed_claims(self) -> list[Claim]:
        listed = await self.publish.kube.list_objects(PLURAL, self.watched_namespaces)
        return merge(listed, (body_of(t) for t in self.fleet.all()))

    @staticmethod
    def _recorded(tracked: Tracked, instance_id: str) -> bool:
        status = tracked.status
        return status.get("instanceId") == instance_id and bool(status.get("claimedAt"))

    def _claims_in_memory(self) -> list[Claim]:
        return [c for t in self.fleet.all() if (c := claim_of(body_of(t))) is not None]
