"""The AuraSnapshot engine: one level-based step per wake-up (see controller/oneshot.py).

Exactly once: the intent (`status.snapshotIntent`) is written, fenced on the object's
resourceVersion, before the POST; Aura's answer replaces it with `status.snapshotId`. An intent
without an id (a lost answer, a crash after the POST) is resolved from Aura's snapshot list:
an on-demand snapshot of the instance taken after the intent (both by Aura's clock) is ours;
none listed until Aura could no longer commit it late (10 min after the intent, two listings
at least) means the request never took effect, and it is sent again.
"""

from __future__ import annotations

import logging
from datetime import UTC
from typing import Any

from aura_operator.api.snapshot import SNAPSHOT_KIND, SNAPSHOT_PLURAL
from aura_operator.aura import (
    AuraAuthError,
    AuraClient,
    AuraClientError,
    AuraConflict,
    AuraError,
    AuraNotFound,
    AuraRateLimited,
    Lane,
    Snapshot,
)
from aura_operator.controller.conditions import (
    READY,
    STALLED,
    SYNCED,
    ConditionUpdate,
    find,
    is_true,
)
from aura_operator.controller.failures import (
    call_failed,
    credentials_refused,
    describe,
    reject,
)
from aura_operator.controller.kube import KubeError, ObjectRef
from aura_operator.controller.oneshot import (
    OneShotEngine,
    Reached,
    read_tracked,
)
from aura_operator.controller.reporting import Report
from aura_operator.controller.snapshot.decisions import (
    Progress,
    days_to_list,
    matching_snapshots,
    next_listing_in,
    progress,
)
from aura_operator.controller.timestamps import parse_time, rfc3339
from aura_operator.controller.tracking import Tracked

logger = logging.getLogger("aura_operator.controller")

RECHECK_CREDENTIALS = 300.0
NOT_ALLOWED_WAIT = 60.0
"""After a 409 (the scheduled snapshot after a create, or another operation): ask again then."""
IDLE_WAIT = 300.0
"""After a 409 for an instance that is not running (paused): it may stay so for days."""
CONFLICTS = {
    "snapshot-not-allowed": ("SnapshotNotAllowed", NOT_ALLOWED_WAIT),
    "ongoing-database-operation": ("AuraBusy", NOT_ALLOWED_WAIT),
}
RETRY_LATER = 60.0
FIRST_READ = 45.0
"""A snapshot usually completes within a minute or two; the first read comes after this."""
READ_INTERVAL = 30.0


class SnapshotEngine(OneShotEngine):
    kind = SNAPSHOT_KIND

    def __init__(self, **clients: Any) -> None:
        super().__init__(**clients)
        self._empty_listings: dict[str, int] = {}
        """By object uid: listings that showed no snapshot for the open intent."""

    async def step(self, ref: ObjectRef) -> float | None:
        tracked = await read_tracked(self.kube, ref)
        if tracked is None:
            return None
        status = tracked.status
        if settled(status):
            return None  # a Completed or Failed snapshot never changes
        reached = await self.reach(
            tracked,
            requested=bool(status.get("snapshotId") or status.get("snapshotIntent")),
            committed=status.get("instanceId"),
        )
        if not isinstance(reached, Reached):
            return reached
        client, instance_id = reached.client, reached.instance_id
        try:
            if status.get("snapshotId"):
                return await self._follow(tracked, client, instance_id, status["snapshotId"])
            if status.get("snapshotIntent"):
                return await self._recover(tracked, client, instance_id)
            return await self._take(tracked, client, instance_id)
        except AuraAuthError as error:
            await credentials_refused(self.publish, tracked, Report(), error)
            return RECHECK_CREDENTIALS

    # take ---------------------------------------------------------------------------------

    async def _take(self, tracked: Tracked, client: AuraClient, instance_id: str) -> float | None:
        if tracked.writes_disabled:
            report = Report()
            report.ready_if(False, "ReconcileDisabled", "annotation aura.neo4j.io/reconcile")
            await self.publish.status(tracked, report)
            return None
        try:
            # Aura's clock, not the pod's: the recovery compares it with Aura's timestamps.
            requested_at = await client.aura_time(lane=Lane.INTENT)
        except AuraAuthError:
            raise
        except AuraError as error:
            await call_failed(self.publish, tracked, Report(), error)
            return RETRY_LATER
        intent = {"instanceId": instance_id, "requestedAt": rfc3339(requested_at)}
        try:
            # Durable before the POST, and fenced: of two writers (two operator processes, or
            # a step racing a restart) that read the same version, only one sends.
            updated = await self.kube.patch_status_fenced(
                tracked.ref,
                {"snapshotIntent": intent, "instanceId": instance_id},
                str(tracked.metadata.get("resourceVersion", "")),
            )
        except KubeError as error:
            if error.status == 409:
                return 0.0  # the object changed since it was read: read it again
            raise
        tracked.status = dict(updated.get("status") or {})
        self._empty_listings.pop(tracked.ref.uid, None)
        try:
            result = await client.create_snapshot(instance_id, lane=Lane.INTENT)
        except AuraConflict as error:
            # Aura refused (the scheduled snapshot right after a create, another operation on
            # the instance, or an instance that is not running): nothing was taken. Ask again
            # later; for a paused instance, rarely.
            reason, delay = CONFLICTS.get(error.reason or "", ("InstanceNotRunning", IDLE_WAIT))
            report = Report(fields={"snapshotIntent": None, "lastRequestId": error.request_id})
            report.ready_if(False, reason, f"waiting, Aura said: {describe(error)}")
            report.not_stalled()
            await self.publish.status(tracked, report)
            return delay
        except AuraNotFound as error:
            report = Report(fields={"snapshotIntent": None, "lastRequestId": error.request_id})
            report.stall(
                "InstanceNotFound",
                f"Aura has no instance {instance_id} (request id {error.request_id})",
            )
            await self.publish.status(tracked, report)
            return None
        except AuraRateLimited as error:
            await call_failed(self.publish, tracked, Report(fields={"snapshotIntent": None}), error)
            return RETRY_LATER
        except AuraClientError as error:
            # 400, 402 (no snapshots on this plan), 420...: Aura answered and took nothing.
            report = Report(fields={"snapshotIntent": None})
            await reject(self.publish, tracked, report, error, clear_intent=False)
            return None
        except AuraAuthError as error:
            report = Report(fields={"snapshotIntent": None})
            await credentials_refused(self.publish, tracked, report, error)
            return RECHECK_CREDENTIALS
        except AuraError as error:
            # A 5xx, a timeout, an answer that never came: Aura may have taken it.
            await self.publish.event(
                tracked,
                "SnapshotOutcomeUnknown",
                f"Snapshot request for instance {instance_id} may or may not have taken effect "
                f"({describe(error)}); looking for it in Aura's snapshot list",
                warning=True,
            )
            await call_failed(self.publish, tracked, Report(), error)
            return await self._recover(tracked, client, instance_id)
        snapshot_id = result.value.snapshot_id
        report = Report(
            fields={
                "snapshotId": snapshot_id,
                "snapshotIntent": None,
                "snapshotStatus": "Pending",
                "lastRequestId": result.request_id,
            },
            observed_generation=tracked.generation,
        )
        report.synced_ok("SnapshotRequested")
        report.not_stalled()
        report.ready_if(False, "InProgress", f"Aura is taking snapshot {snapshot_id}")
        await self.publish.status(tracked, report)
        await self.publish.event(
            tracked,
            "SnapshotRequested",
            f"Requested snapshot {snapshot_id} of Aura instance {instance_id}; "
            f"request id {result.request_id}",
        )
        return FIRST_READ

    # follow -------------------------------------------------------------------------------

    async def _follow(
        self, tracked: Tracked, client: AuraClient, instance_id: str, snapshot_id: str
    ) -> float | None:
        report = Report()
        try:
            result = await client.get_snapshot(instance_id, snapshot_id, lane=Lane.BACKGROUND)
        except AuraNotFound as error:
            report.fields["lastRequestId"] = error.request_id
            report.stall(
                "SnapshotNotFound",
                f"Aura has no snapshot {snapshot_id} of instance {instance_id} (request id "
                f"{error.request_id})",
            )
            await self.publish.status(tracked, report)
            return None
        except AuraAuthError:
            raise
        except AuraError as error:
            report.fields["lastRequestId"] = error.request_id
            report.synced = ConditionUpdate(SYNCED, False, "AuraUnavailable", describe(error))
            await self.publish.status(tracked, report)
            return RETRY_LATER
        snapshot = result.value
        report.fields.update(snapshot_fields(snapshot, result.request_id))
        report.observed_generation = tracked.generation
        state = progress(snapshot.status)
        if state is Progress.RUNNING:
            report.ready_if(False, "InProgress", f"snapshot {snapshot_id} is {snapshot.status}")
            await self.publish.status(tracked, report)
            return READ_INTERVAL
        if state is Progress.DONE:
            report.ready_if(True, "Completed", f"snapshot {snapshot_id} is completed")
            report.synced_ok()
            report.not_stalled()
            await self.publish.status(tracked, report)
            await self.publish.event(
                tracked,
                "SnapshotCompleted",
                f"Snapshot {snapshot_id} of Aura instance {instance_id} completed; "
                f"request id {result.request_id}",
            )
            return None
        report.stall(
            "SnapshotFailed",
            f"Aura reports snapshot {snapshot_id} as {snapshot.status} (request id "
            f"{result.request_id}); create a new AuraSnapshot to try again",
        )
        await self.publish.status(tracked, report)
        await self.publish.event(
            tracked,
            "SnapshotFailed",
            f"Snapshot {snapshot_id} of Aura instance {instance_id} is {snapshot.status}; "
            f"request id {result.request_id}",
            warning=True,
        )
        return None

    # recover ------------------------------------------------------------------------------

    async def _recover(self, tracked: Tracked, client: AuraClient, instance_id: str) -> float:
        intent = tracked.status["snapshotIntent"]
        requested_at = parse_time(intent["requestedAt"])
        report = Report()
        listing: list[Snapshot] = []
        try:
            now = await client.aura_time(lane=Lane.INTENT)
            for day in days_to_list(requested_at, now):
                result = await client.list_snapshots(instance_id, date=day, lane=Lane.INTENT)
                listing.extend(result.value)
                report.fields["lastRequestId"] = result.request_id
        except AuraNotFound as error:
            report.fields.update({"lastRequestId": error.request_id, "snapshotIntent": None})
            report.stall("InstanceNotFound", f"Aura has no instance {instance_id}: {error}")
            await self.publish.status(tracked, report)
            return RETRY_LATER * 10
        except AuraAuthError:
            raise
        except AuraError as error:
            await call_failed(self.publish, tracked, report, error)
            return RETRY_LATER
        candidates = matching_snapshots(
            listing,
            instance_id=instance_id,
            requested_at=requested_at,
            claimed=await self._claimed_by_others(tracked),
        )
        if candidates:
            return await self._adopt(tracked, candidates, report)
        age = (now - requested_at).total_seconds()
        return await self._nothing_listed(tracked, instance_id, report, age)

    async def _adopt(self, tracked: Tracked, candidates: list[Snapshot], report: Report) -> float:
        found = candidates[0]
        self._empty_listings.pop(tracked.ref.uid, None)
        report.fields.update(snapshot_fields(found, report.fields.get("lastRequestId")))
        report.fields["snapshotIntent"] = None
        report.observed_generation = tracked.generation
        report.synced_ok("Recovered")
        report.not_stalled()
        report.ready_if(False, "InProgress", f"snapshot {found.snapshot_id} is {found.status}")
        await self.publish.status(tracked, report)
        others = ", ".join(c.snapshot_id for c in candidates[1:])
        await self.publish.event(
            tracked,
            "AdoptedAfterLostAnswer",
            f"Found snapshot {found.snapshot_id}, taken after the interrupted request; "
            "recorded it"
            + (f" (later on-demand snapshots of the same instance: {others})" if others else ""),
            warning=bool(others),
        )
        return 0.0

    async def _nothing_listed(
        self, tracked: Tracked, instance_id: str, report: Report, age: float
    ) -> float:
        uid = tracked.ref.uid
        listings = self._empty_listings[uid] = self._empty_listings.get(uid, 0) + 1
        wait = next_listing_in(age, listings)
        if wait is not None:
            report.ready_if(
                False,
                "ConfirmingSnapshot",
                f"the answer to the snapshot request was lost and no snapshot is listed yet "
                f"(Aura may still take it); listing again in {int(wait)} s",
            )
            await self.publish.status(tracked, report)
            return wait
        # Nothing listed past the late-commit window: the request did not take effect.
        del self._empty_listings[uid]
        report.fields["snapshotIntent"] = None
        report.ready_if(False, "SnapshotPending", "the earlier request did not take effect")
        await self.publish.status(tracked, report)
        await self.publish.event(
            tracked,
            "SnapshotNotFound",
            f"No snapshot of instance {instance_id} appeared in {int(age)} s after the "
            "interrupted request; asking again",
        )
        return 0.0

    async def _claimed_by_others(self, tracked: Tracked) -> set[str]:
        """Snapshot ids other AuraSnapshots already hold."""
        items = await self.kube.list_objects(SNAPSHOT_PLURAL, self.settings.watch_namespaces)
        return {
            str(status["snapshotId"])
            for item in items
            if (item.get("metadata") or {}).get("uid") != tracked.ref.uid
            and (status := item.get("status") or {}).get("snapshotId")
        }


FINAL_STALLS = ("SnapshotFailed", "SnapshotNotFound")


def settled(status: dict[str, Any]) -> bool:
    """Nothing more to do: the snapshot is reported Ready (Completed) or for good Stalled."""
    if not status.get("snapshotId"):
        return False
    stalled = find(status.get("conditions"), STALLED)
    return is_true(status.get("conditions"), READY) or bool(
        stalled and stalled.get("status") == "True" and stalled.get("reason") in FINAL_STALLS
    )


def snapshot_fields(snapshot: Snapshot, request_id: str | None) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "snapshotId": snapshot.snapshot_id,
        "snapshotStatus": snapshot.status,
        "lastRequestId": request_id,
    }
    if snapshot.exportable is not None:
        fields["exportable"] = snapshot.exportable
    if snapshot.timestamp is not None:
        fields["timestamp"] = snapshot.timestamp.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return fields
