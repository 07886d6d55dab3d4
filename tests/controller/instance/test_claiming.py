"""Settling claims in one process: a recorded claim holds even against a listing that lags."""

from __future__ import annotations

import copy
from typing import Any

from aura_operator.controller.instance.claiming import ClaimKeeper
from aura_operator.controller.kube import ObjectRef
from aura_operator.controller.publishing import Publisher
from aura_operator.controller.tracking import Fleet

ID = "0a1b2c3d"
SAME_SECOND = "2026-12-01T10:00:00Z"


def body(namespace: str, uid: str) -> dict[str, Any]:
    metadata = {"namespace": namespace, "name": "db", "uid": uid, "creationTimestamp": SAME_SECOND}
    return {"metadata": metadata, "spec": {"instanceId": ID}, "status": {}}


class LaggingKube:
    """Lists what it is given, never the status writes made since (a stale cache)."""

    def __init__(self) -> None:
        self.listings: list[list[dict[str, Any]]] = []
        self.status_writes: list[tuple[str, dict[str, Any]]] = []

    async def list_objects(self, plural: str, namespaces: tuple[str, ...]) -> list[dict[str, Any]]:
        return copy.deepcopy(self.listings.pop(0))

    async def patch_status(self, ref: ObjectRef, status: dict[str, Any]) -> dict[str, Any]:
        self.status_writes.append((ref.namespace, status))
        return {}


async def test_a_claim_recorded_first_wins_over_a_smaller_uid_seen_in_a_lagging_listing() -> None:
    kube = LaggingKube()
    fleet = Fleet()
    first = fleet.track(body("team-a", "uid-9"))
    keeper = ClaimKeeper(Publisher(kube), fleet, ())  # type: ignore[arg-type]
    kube.listings.append([body("team-a", "uid-9")])  # team-b's object does not exist yet

    assert (await keeper.settle(first, ID)).mine
    assert kube.status_writes[0][1]["instanceId"] == ID  # the claim is recorded

    second = fleet.track(body("team-b", "uid-1"))  # same second, smaller uid
    kube.listings.append([body("team-a", "uid-9"), body("team-b", "uid-1")])  # no record yet
    verdict = await keeper.settle(second, ID)

    assert not verdict.mine
    assert verdict.owner is not None and verdict.owner.owner == "team-a/db"
    assert len(kube.status_writes) == 1  # the loser records nothing
    assert (await keeper.settle(first, ID)).mine  # from memory: no listing left to read
