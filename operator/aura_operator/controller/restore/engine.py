"""The AuraRestore engine: one level-based step per wake-up (see controller/oneshot.py).

Nothing is sent until spec.confirmInstanceId equals the target's id. Exactly once: the intent
(`status.operationIntent`, timed by Aura's clock) is written, fenced on the object's
resourceVersion, before the POST; Aura's answer replaces it with `status.startedAt`. An intent
without it (a lost answer, a crash after the POST) is resolved by watching the target: showing
restoring/overwriting means sent; read every 30 s without a break from the intent's first
minute until Aura could no longer commit it late (10 min), and never showing it, means not sent
(it is sent again); a break in that watch (a restart) while it runs again means nobody can tell,
and a person decides (Stalled OutcomeUnknown).
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import Any

from aura_operator.api import PLURAL, SYNC_NOW_ANNOTATION
from aura_operator.api.restore import (
    RESTORE_KIND,
    SNAPSHOT_BEFORE_SUFFIX,
    Operation,
    RestorePhase,
)
from aura_operator.api.snapshot import SNAPSHOT_KIND, SNAPSHOT_PLURAL
from aura_operator.aura import (
    AuraAuthError,
    AuraClient,
    AuraClientError,
    AuraConflict,
    AuraError,
    AuraNotFound,
    AuraRateLimited,
    AuraServerError,
    Instance,
    Lane,
    OverwriteRequest,
    Result,
    is_transitional,
)
from aura_operator.controller.conditions import READY, STALLED, find, is_true
from aura_operator.controller.failures import (
    call_failed,
    credentials_refused,
    describe,
    reject,
)
from aura_operator.controller.kube import KubeError, ObjectRef, now_rfc3339
from aura_operator.controller.oneshot import (
    Hold,
    OneShotEngine,
    Reached,
    Target,
    read_tracked,
    resolve_instance,
)
from aura_operator.controller.reporting import Report
from aura_operator.controller.restore.decisions import (
    LATE_COMMIT,
    OPERATION_STATUSES,
    WATCH_INTERVAL,
    Call,
    Outcome,
    Source,
    choose_call,
    confirmation_problem,
    is_clone_too_small,
    lost_answer_outcome,
)
from aura_operator.controller.schedule import next_read_delay
from aura_operator.controller.timestamps import parse_time, rfc3339
from aura_operator.controller.tracking import Tracked

logger = logging.getLogger("aura_operator.controller")

WAIT = 30.0  # Aura seconds between looks while waiting for something outside Aura
RECHECK_CREDENTIALS = 300.0
RETRY_LATER = 60.0
IDLE_WAIT = 300.0
BEFORE_SUFFIX = SNAPSHOT_BEFORE_SUFFIX
VERB = {Operation.RESTORE: "Restore", Operation.OVERWRITE: "Overwrite"}
STARTED = {Operation.RESTORE: "Restoring", Operation.OVERWRITE: "Overwriting"}
DONE = {Operation.RESTORE: "Restored", Operation.OVERWRITE: "Overwritten"}
FINAL_STALLS = (
    "AuraRejected",
    "LoadingFailed",
    "OutcomeUnknown",
    "SourceIsTarget",
    "SnapshotBeforeFailed",
    "SnapshotBeforeNameTaken",
    "InstanceNotFound",
)


class Waiting(Exception):
    """Something the restore needs is not there yet; the message says what."""

    def __init__(self, reason: str, message: str, delay: float = 30.0) -> None:
        super().__init__(message)
        self.reason = reason
        self.delay = delay


class RestoreEngine(OneShotEngine):
    kind = RESTORE_KIND

    def __init__(self, **clients: Any) -> None:
        super().__init__(**clients)
        self._last_read_age: dict[str, float] = {}
        """By uid: the intent's age (Aura seconds) at the last read of a lost answer's target."""

    async def step(self, ref: ObjectRef) -> float | None:
        tracked = await read_tracked(self.kube, ref)
        if tracked is None or settled(tracked.status):
            return None
        status = tracked.status
        intent = status.get("operationIntent")
        reached = await self.reach(
            tracked,
            requested=bool(status.get("startedAt") or intent),
            committed=intent["instanceId"] if intent else status.get("instanceId"),
        )
        if not isinstance(reached, Reached):
            return reached
        client, target_id, target = reached.client, reached.instance_id, reached.target
        try:
            if status.get("startedAt"):
                return await self._follow(tracked, client, target_id)
            if intent:
                return await self._recover(tracked, client, target_id)
            return await self._start(tracked, client, target_id, target)
        except AuraAuthError as error:
            await credentials_refused(self.publish, tracked, Report(), error)
            return RECHECK_CREDENTIALS
        except Waiting as waiting:
            await self._wait(tracked, waiting.reason, str(waiting))
            return waiting.delay
        except AuraNotFound as error:  # the target (or a source snapshot) is gone at Aura
            report = Report(
                fields={"phase": RestorePhase.FAILED, "lastRequestId": error.request_id}
            )
            report.stall("InstanceNotFound", describe(error))
            await self.publish.status(tracked, report)
            return None
        except AuraError as error:  # a read failed for a passing reason
            await call_failed(self.publish, tracked, Report(), error)
            return RETRY_LATER

    def held_fields(self, tracked: Tracked, hold: Hold, instance_id: str | None) -> dict[str, Any]:
        if hold is Hold.NO_INSTANCE:
            return {"phase": tracked.status.get("phase") or RestorePhase.PENDING}
        if hold is Hold.CREDENTIALS:
            return {"instanceId": instance_id}
        return {"instanceId": instance_id, "phase": RestorePhase.PENDING}

    async def _wait(self, tracked: Tracked, reason: str, message: str) -> float:
        report = Report(fields={"phase": tracked.status.get("phase") or RestorePhase.PENDING})
        report.ready_if(False, reason, message)
        await self.publish.status(tracked, report)
        return WAIT

    # start --------------------------------------------------------------------------------

    async def _start(
        self, tracked: Tracked, client: AuraClient, target_id: str, target: Target
    ) -> float | None:
        spec = tracked.spec
        problem = confirmation_problem(spec.get("confirmInstanceId"), target_id)
        if problem is not None:
            report = Report(fields={"instanceId": target_id, "phase": RestorePhase.PENDING})
            report.stall("ConfirmationMissing", problem)
            report.observed_generation = tracked.generation
            await self.publish.status(tracked, report)
            return None  # a change of spec.confirmInstanceId wakes it
        if tracked.writes_disabled:
            return await self._wait(
                tracked, "ReconcileDisabled", "annotation aura.neo4j.io/reconcile"
            )
        if spec.get("snapshotBefore") and not tracked.status.get("snapshotBeforeId"):
            return await self._snapshot_before(tracked, target_id)
        source = await self._source(tracked)
        if source.instance_id == target_id and source.snapshot_id is None:
            report = Report(fields={"instanceId": target_id, "phase": RestorePhase.FAILED})
            report.stall(
                "SourceIsTarget",
                f"the source instance is the target {target_id}: an instance cannot be "
                "overwritten from itself; restore one of its snapshots instead",
            )
            await self.publish.status(tracked, report)
            return None
        own_snapshot = None
        if source.snapshot_id is not None and source.instance_id is None:
            own_snapshot = await self._is_snapshot_of(client, target_id, source.snapshot_id)
        call = choose_call(target_id, source, snapshot_of_target=own_snapshot)
        observed = await client.get_instance(target_id, lane=Lane.INTENT)
        target_status = observed.value.status
        if target_status != "running":
            # A transition ends by itself; a paused instance may stay paused for days.
            busy = is_transitional(target_status)
            raise Waiting(
                "TargetBusy" if busy else "TargetNotRunning",
                f"target {target_id} is {target_status}; waiting for it to run",
                next_read_delay(target_status, 0.0) if busy else IDLE_WAIT,
            )
        # Aura's clock (the read above just dated it), as the recovery measures ages with it.
        requested_at = await client.aura_time(lane=Lane.INTENT)
        intent = {
            "operation": call.operation.value,
            "instanceId": target_id,
            "requestedAt": rfc3339(requested_at),
        }
        fields = {
            "operationIntent": intent,
            "instanceId": target_id,
            "operation": call.operation.value,
            "sourceInstanceId": call.source_instance_id,
            "sourceSnapshotId": call.source_snapshot_id,
            "lastRequestId": observed.request_id,
        }
        try:
            updated = await self.kube.patch_status_fenced(
                tracked.ref,
                {k: v for k, v in fields.items() if v is not None},
                str(tracked.metadata.get("resourceVersion", "")),
            )
        except KubeError as error:
            if error.status == 409:
                return 0.0  # changed since read (another process?): read it again
            raise
        tracked.status = dict(updated.get("status") or {})
        self._last_read_age.pop(tracked.ref.uid, None)
        return await self._send(tracked, client, target_id, call)

    async def _send(
        self, tracked: Tracked, client: AuraClient, target_id: str, call: Call
    ) -> float | None:
        operation = call.operation
        try:
            result = await self._post(client, target_id, call)
        except AuraConflict as error:
            report = Report(fields={"operationIntent": None, "lastRequestId": error.request_id})
            report.ready_if(False, "TargetBusy", f"waiting, Aura said: {describe(error)}")
            await self.publish.status(tracked, report)
            return RETRY_LATER
        except AuraRateLimited as error:
            await call_failed(
                self.publish, tracked, Report(fields={"operationIntent": None}), error
            )
            return RETRY_LATER
        except (AuraClientError, AuraNotFound) as error:
            await self._refused(tracked, error)
            return None
        except AuraAuthError as error:
            report = Report(fields={"operationIntent": None})
            await credentials_refused(self.publish, tracked, report, error)
            return RECHECK_CREDENTIALS
        except AuraServerError as error:
            if is_clone_too_small(error.message):
                await self._refused(tracked, error)
                return None
            return await self._outcome_unknown(tracked, client, target_id, operation, error)
        except AuraError as error:
            return await self._outcome_unknown(tracked, client, target_id, operation, error)
        status = result.value.status if result.value is not None else None
        await self._started(tracked, target_id, operation, result.request_id, status)
        return next_read_delay(next(iter(sorted(OPERATION_STATUSES[operation]))), 0.0)

    async def _post(
        self, client: AuraClient, target_id: str, call: Call
    ) -> Result[Instance | None]:
        if call.operation is Operation.RESTORE:
            assert call.source_snapshot_id is not None
            return await client.restore_snapshot(target_id, call.source_snapshot_id)
        request = OverwriteRequest(
            source_instance_id=call.source_instance_id,
            source_snapshot_id=call.source_snapshot_id,
        )
        return await client.overwrite_instance(target_id, request)

    async def _refused(self, tracked: Tracked, error: AuraError) -> None:
        report = Report(fields={"operationIntent": None, "phase": RestorePhase.FAILED})
        await reject(self.publish, tracked, report, error, clear_intent=False)

    async def _outcome_unknown(
        self,
        tracked: Tracked,
        client: AuraClient,
        target_id: str,
        operation: Operation,
        error: AuraError,
    ) -> float | None:
        await self.publish.event(
            tracked,
            "OutcomeUnknown",
            f"{VERB[operation]} of Aura instance {target_id} may or may not have taken effect "
            f"({describe(error)}); reading the instance before anything else",
            warning=True,
        )
        await call_failed(self.publish, tracked, Report(), error)
        return await self._recover(tracked, client, target_id)

    async def _started(
        self,
        tracked: Tracked,
        target_id: str,
        operation: Operation,
        request_id: str | None,
        target_status: str | None,
    ) -> None:
        report = Report(
            fields={
                "operationIntent": None,
                "startedAt": now_rfc3339(),
                "requestId": request_id,
                "lastRequestId": request_id,
                "phase": RestorePhase.RUNNING,
                "targetAuraStatus": target_status,
            },
            observed_generation=tracked.generation,
        )
        report.fields = {
            k: v for k, v in report.fields.items() if v is not None or k in ("operationIntent",)
        }
        report.synced_ok(STARTED[operation])
        report.not_stalled()
        report.ready_if(False, STARTED[operation], f"Aura is {operation.value}ing {target_id}")
        await self.publish.status(tracked, report)
        await self.publish.event(
            tracked,
            STARTED[operation],
            f"{VERB[operation]} of Aura instance {target_id} started; request id {request_id}",
        )
        await self._nudge_target(tracked)

    async def _nudge_target(self, tracked: Tracked) -> None:
        """Ask the target AuraInstance to read its instance now, so its status shows the
        operation (it then waits it out like any transition)."""
        name = (tracked.spec.get("instanceRef") or {}).get("name")
        if not name:
            return
        annotation = {SYNC_NOW_ANNOTATION: f"{tracked.ref.name}-{int(time.time())}"}
        try:
            await self.kube.patch_object(
                PLURAL, tracked.ref.namespace, name, {"metadata": {"annotations": annotation}}
            )
        except KubeError as error:
            logger.warning("%s: could not nudge AuraInstance %s: %s", tracked.ref, name, error)

    # recover ------------------------------------------------------------------------------

    async def _recover(self, tracked: Tracked, client: AuraClient, target_id: str) -> float | None:
        intent = tracked.status["operationIntent"]
        operation = Operation(intent["operation"])
        observed = await client.get_instance(target_id, lane=Lane.INTENT)
        status = observed.value.status
        now = await client.aura_time(lane=Lane.INTENT)  # the read just dated it: no call
        age = (now - parse_time(intent["requestedAt"])).total_seconds()
        uid = tracked.ref.uid
        outcome = lost_answer_outcome(
            operation, status, age=age, last_read_age=self._last_read_age.get(uid)
        )
        self._last_read_age[uid] = age
        if outcome is not Outcome.WAIT:
            self._last_read_age.pop(uid, None)
        if outcome is Outcome.SENT:
            await self._started(tracked, target_id, operation, observed.request_id, status)
            await self.publish.event(
                tracked,
                "AdoptedAfterLostAnswer",
                f"Aura instance {target_id} is {status}: the interrupted request took effect",
            )
            return next_read_delay(status, 0.0)
        if outcome is Outcome.NOT_SENT:
            report = Report(fields={"operationIntent": None, "lastRequestId": observed.request_id})
            report.ready_if(False, "Pending", "the interrupted request did not take effect")
            await self.publish.status(tracked, report)
            await self.publish.event(
                tracked,
                "RequestNotFound",
                f"Aura instance {target_id} never showed the interrupted {operation.value} "
                f"in {int(LATE_COMMIT)} s of watching: it did not take effect; sending it again",
            )
            return 0.0
        if outcome is Outcome.UNKNOWN:
            report = Report(
                fields={"phase": RestorePhase.FAILED, "lastRequestId": observed.request_id}
            )
            report.stall(
                "OutcomeUnknown",
                f"the {operation.value} of {target_id} requested at {intent['requestedAt']} "
                f"lost its answer, and the instance was not watched without a break since "
                f"(it is {status} now): whether it happened cannot be told. Check the "
                "instance's data; to run it (again), delete this AuraRestore and create a "
                "new one.",
            )
            await self.publish.status(tracked, report)
            return None
        report = Report(fields={"lastRequestId": observed.request_id, "targetAuraStatus": status})
        report.ready_if(
            False,
            "ConfirmingRequest",
            f"the answer to the {operation.value} request was lost; target is {status}, "
            "watching it",
        )
        await self.publish.status(tracked, report)
        return WATCH_INTERVAL

    # follow -------------------------------------------------------------------------------

    async def _follow(self, tracked: Tracked, client: AuraClient, target_id: str) -> float | None:
        operation = Operation(tracked.status.get("operation", Operation.OVERWRITE.value))
        try:
            observed = await client.get_instance(target_id, lane=Lane.BACKGROUND)
        except AuraNotFound as error:
            report = Report(
                fields={"phase": RestorePhase.FAILED, "lastRequestId": error.request_id}
            )
            report.stall("InstanceNotFound", f"Aura has no instance {target_id}: {describe(error)}")
            await self.publish.status(tracked, report)
            return None
        except AuraAuthError:
            raise
        except AuraError as error:
            await call_failed(self.publish, tracked, Report(), error)
            return RETRY_LATER
        status = observed.value.status
        report = Report(
            fields={"targetAuraStatus": status, "lastRequestId": observed.request_id},
            observed_generation=tracked.generation,
        )
        if status == "running":
            report.fields.update({"phase": RestorePhase.SUCCEEDED, "completedAt": now_rfc3339()})
            report.ready_if(True, DONE[operation], f"Aura instance {target_id} runs again")
            report.synced_ok()
            report.not_stalled()
            await self.publish.status(tracked, report)
            await self.publish.event(
                tracked,
                DONE[operation],
                f"Aura instance {target_id} runs again after the {operation.value}; request id "
                f"{observed.request_id}",
            )
            await self._nudge_target(tracked)
            return None
        if status == "loading failed":
            report.fields["phase"] = RestorePhase.FAILED
            report.stall("LoadingFailed", f"Aura instance {target_id} is in `loading failed`")
            await self.publish.status(tracked, report)
            return None
        report.ready_if(False, STARTED[operation], f"Aura instance {target_id} is {status}")
        await self.publish.status(tracked, report)
        elapsed = 0.0
        started = tracked.status.get("startedAt")
        if started:
            elapsed = (datetime.now(UTC) - parse_time(started)).total_seconds()
            elapsed *= self.settings.time_scale
        return next_read_delay(status, elapsed)

    # sources ------------------------------------------------------------------------------

    async def _source(self, tracked: Tracked) -> Source:
        spec, namespace = tracked.spec, tracked.ref.namespace
        if spec.get("snapshotId"):
            return Source(snapshot_id=str(spec["snapshotId"]))
        if spec.get("sourceInstanceId"):
            return Source(instance_id=str(spec["sourceInstanceId"]))
        if spec.get("sourceInstanceRef"):
            found = await self._source_instance(tracked)
            if found.instance_id is None:
                raise Waiting("WaitingForSource", found.waiting)
            return Source(instance_id=found.instance_id)
        name = str(spec["snapshotRef"]["name"])
        snapshot = await self.kube.get_object(SNAPSHOT_PLURAL, namespace, name)
        if snapshot is None:
            raise Waiting("WaitingForSource", f"AuraSnapshot {namespace}/{name} not found")
        status = snapshot.get("status") or {}
        if not is_true(status.get("conditions"), READY) or not status.get("snapshotId"):
            raise Waiting("WaitingForSource", f"AuraSnapshot {namespace}/{name} is not Ready")
        return Source(instance_id=status.get("instanceId"), snapshot_id=status["snapshotId"])

    async def _source_instance(self, tracked: Tracked) -> Target:
        """The AuraInstance of spec.sourceInstanceRef (its credentials are not used)."""
        return await resolve_instance(
            self.kube,
            self.settings,
            tracked.ref.namespace,
            instance_ref=tracked.spec["sourceInstanceRef"],
            instance_id=None,
            credentials_ref=None,
            field="spec.sourceInstanceRef",
        )

    async def other_uses(self, tracked: Tracked) -> dict[str, str | None]:
        return {"source": await self._source_instance_id(tracked)}

    async def _source_instance_id(self, tracked: Tracked) -> str | None:
        """The source's Aura instance id as far as the API server tells it (None: not known
        yet, or a bare snapshotId), read before anything is sent."""
        spec, namespace = tracked.spec, tracked.ref.namespace
        if spec.get("sourceInstanceId"):
            return str(spec["sourceInstanceId"])
        if spec.get("sourceInstanceRef"):
            return (await self._source_instance(tracked)).instance_id
        if spec.get("snapshotRef"):
            name = str(spec["snapshotRef"]["name"])
            snapshot = await self.kube.get_object(SNAPSHOT_PLURAL, namespace, name)
            instance_id = ((snapshot or {}).get("status") or {}).get("instanceId")
            return str(instance_id) if instance_id else None
        return None

    async def _is_snapshot_of(self, client: AuraClient, target_id: str, snapshot_id: str) -> bool:
        try:
            await client.get_snapshot(target_id, snapshot_id, lane=Lane.INTENT)
        except AuraNotFound:
            return False
        return True

    async def _snapshot_before(self, tracked: Tracked, target_id: str) -> float | None:
        name = f"{tracked.ref.name}{BEFORE_SUFFIX}"
        namespace = tracked.ref.namespace
        snapshot = await self.kube.get_object(SNAPSHOT_PLURAL, namespace, name)
        if snapshot is None:
            snapshot = await self.kube.create_object(
                SNAPSHOT_PLURAL, namespace, snapshot_before(tracked, name, target_id)
            )
        owners = (snapshot.get("metadata") or {}).get("ownerReferences") or []
        if not any(o.get("uid") == tracked.ref.uid for o in owners):
            report = Report(fields={"phase": RestorePhase.FAILED})
            report.stall(
                "SnapshotBeforeNameTaken",
                f"AuraSnapshot {namespace}/{name} exists and is not this restore's; nothing "
                "was sent",
            )
            await self.publish.status(tracked, report)
            return None
        status = snapshot.get("status") or {}
        report = Report(fields={"phase": RestorePhase.SNAPSHOTTING, "snapshotBeforeName": name})
        if is_true(status.get("conditions"), READY) and status.get("snapshotId"):
            report.fields["snapshotBeforeId"] = status["snapshotId"]
            report.ready_if(False, "SnapshotBeforeTaken", f"snapshot {status['snapshotId']}")
            await self.publish.status(tracked, report)
            return 0.0
        stalled = find(status.get("conditions"), STALLED)
        if stalled and stalled.get("status") == "True":
            report.fields["phase"] = RestorePhase.FAILED
            report.stall(
                "SnapshotBeforeFailed",
                f"AuraSnapshot {name}: {stalled.get('message', '')}; nothing was sent",
            )
            await self.publish.status(tracked, report)
            return None
        report.ready_if(False, "SnapshottingBefore", f"waiting for AuraSnapshot {name}")
        await self.publish.status(tracked, report)
        return WAIT / 2


def snapshot_before(tracked: Tracked, name: str, target_id: str) -> dict[str, Any]:
    """The AuraSnapshot a restore with snapshotBefore takes of its target, owned by it."""
    spec: dict[str, Any] = {"instanceId": target_id}
    if tracked.spec.get("credentialsSecretRef"):
        spec["credentialsSecretRef"] = tracked.spec["credentialsSecretRef"]
    return {
        "apiVersion": "aura.neo4j.io/v1alpha1",
        "kind": SNAPSHOT_KIND,
        "metadata": {
            "name": name,
            "namespace": tracked.ref.namespace,
            # An annotation: a label value is at most 63 characters, a restore name is not.
            "annotations": {"aura.neo4j.io/restore": tracked.ref.name},
            "ownerReferences": [
                {
                    "apiVersion": "aura.neo4j.io/v1alpha1",
                    "kind": tracked.ref.kind,
                    "name": tracked.ref.name,
                    "uid": tracked.ref.uid,
                }
            ],
        },
        "spec": spec,
    }


def settled(status: dict[str, Any]) -> bool:
    """Nothing more to do: done, or for good Stalled."""
    if status.get("phase") == RestorePhase.SUCCEEDED:
        return True
    stalled = find(status.get("conditions"), STALLED)
    return bool(
        stalled and stalled.get("status") == "True" and stalled.get("reason") in FINAL_STALLS
    )
