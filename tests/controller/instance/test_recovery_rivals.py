"""A lost create answer is resolved from a tenant listing, by display name and time. Two
AuraInstances of one display name (`movies` in two teams' namespaces) creating at the same
moment must not take each other's instance: one whose answer is lost must never adopt the
instance another object of this process has just been answered with (its status not yet
written), nor one it is still waiting to be answered with."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

from aura_operator.aura import InstanceSummary, Result
from aura_operator.controller.instance.claiming import ClaimKeeper
from aura_operator.controller.instance.connection_secret import ConnectionDetails
from aura_operator.controller.instance.desired import Desired, desired_from_spec
from aura_operator.controller.instance.recovery import Recovery
from aura_operator.controller.instance.tenant_listings import TenantListings
from aura_operator.controller.kube import ObjectRef
from aura_operator.controller.publishing import Publisher
from aura_operator.controller.reporting import Report
from aura_operator.controller.timestamps import rfc3339
from aura_operator.controller.tracking import Fleet, Tracked

TENANT = "8c2a7e4e-5f0b-4d8e-9a51-1f3c6b2d7e01"
INTENT_AT = datetime(2026, 12, 2, 10, 0, 0, tzinfo=UTC)
THEIRS = "bbbbbbbb"
SPEC = {"cloudProvider": "gcp", "region": "europe-west1", "type": "professional-db"}


def body(namespace: str, uid: str) -> dict[str, Any]:
    intent = {"name": "movies", "tenantId": TENANT, "requestedAt": rfc3339(INTENT_AT)}
    return {
        "metadata": {
            "namespace": namespace,
            "name": "movies",
            "uid": uid,
            "creationTimestamp": rfc3339(INTENT_AT),
        },
        "spec": {**SPEC, "memory": "1GB"},
        "status": {"createIntent": intent, "phase": "Creating"},
    }


class Kube:
    """Lists the fleet's objects as last written; takes every status write."""

    def __init__(self, fleet: Fleet) -> None:
        self.fleet = fleet
        self.events: list[str] = []

    async def list_objects(self, plural: str, namespaces: tuple[str, ...]) -> list[dict[str, Any]]:
        return [
            copy.deepcopy({"metadata": t.metadata, "spec": t.spec, "status": t.status})
            for t in self.fleet.all()
        ]

    async def patch_status(self, ref: ObjectRef, patch: dict[str, Any]) -> dict[str, Any]:
        return {}

    async def patch_status_json(self, ref: ObjectRef, ops: list[dict[str, Any]]) -> dict[str, Any]:
        tracked = self.fleet.get((ref.namespace, ref.name))
        assert tracked is not None
        status = {k: v for k, v in tracked.status.items() if k != "createIntent"}
        return {"status": status}

    async def post_event(self, ref: ObjectRef, *, type_: str, reason: str, message: str) -> None:
        self.events.append(reason)


class Secrets:
    """No Secret holds a password; adopting writes one without it."""

    def name(self, tracked: Tracked, desired: Desired) -> str:
        return f"{tracked.ref.name}-connection"

    async def instance_in_secret(self, tracked: Tracked, desired: Desired) -> str | None:
        return None

    async def write_without_password(
        self, tracked: Tracked, desired: Desired, details: ConnectionDetails, report: Report
    ) -> bool:
        report.fields["connectionSecretName"] = self.name(tracked, desired)
        return False


class Client:
    """Aura: one instance named `movies`, created a second after the intents."""

    client_id = "demo-client"

    async def aura_time(self, *, lane: Any = None) -> datetime:
        return INTENT_AT + timedelta(seconds=40)

    async def list_instances(
        self, tenant_id: str | None = None, *, lane: Any = None
    ) -> Result[list[InstanceSummary]]:
        item = InstanceSummary(
            id=THEIRS,
            name="movies",
            tenant_id=TENANT,
            cloud_provider="gcp",
            created_at=INTENT_AT + timedelta(seconds=1),
        )
        return Result([item], "request-1", 200)


def setup() -> tuple[Fleet, Recovery, Tracked, Tracked]:
    fleet = Fleet()
    kube = Kube(fleet)
    publisher = Publisher(kube)  # type: ignore[arg-type]
    claims = ClaimKeeper(publisher, fleet, ())
    recovery = Recovery(publisher, claims, Secrets(), TenantListings())  # type: ignore[arg-type]
    lost = fleet.track(body("team-a", "uid-a"))  # its create's answer was lost
    rival = fleet.track(body("team-b", "uid-b"))  # created at the same moment
    return fleet, recovery, lost, rival


def desired() -> Desired:
    return desired_from_spec(
        {**SPEC, "memory": "1GB"}, metadata_name="movies", default_deletion_policy="Retain"
    )


async def test_the_only_same_named_instance_is_adopted_when_no_other_create_is_open() -> None:
    _, recovery, lost, rival = setup()
    rival.status = {"instanceId": "cccccccc", "claimedAt": rfc3339(INTENT_AT)}

    await recovery.recover(lost, desired(), Client())  # type: ignore[arg-type]

    assert lost.status.get("instanceId") == THEIRS


async def test_an_instance_another_object_was_answered_with_is_not_adopted() -> None:
    _, recovery, lost, rival = setup()
    rival.created_id = THEIRS  # its 202 is read; its status write is still on its way

    await recovery.recover(lost, desired(), Client())  # type: ignore[arg-type]

    assert lost.status.get("instanceId") is None
    assert lost.status.get("createIntent")  # still open: its own instance may yet appear


async def test_no_instance_is_adopted_while_a_same_named_create_awaits_its_answer() -> None:
    _, recovery, lost, rival = setup()
    rival.create_sending = True  # Aura has committed it; the 202 is on its way

    delay = await recovery.recover(lost, desired(), Client())  # type: ignore[arg-type]

    assert lost.status.get("instanceId") is None
    assert lost.status.get("createIntent")
    assert delay is not None and delay > 0
