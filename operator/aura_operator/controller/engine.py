"""The reconcile engine: one idempotent `ensure` per AuraInstance that observes Aura and takes
the next single step, shared by kopf's handlers and the observer (design 3.2, 3.3)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import SecretStr

from aura_operator.api import Phase
from aura_operator.aura import (
    AuraApi,
    AuraClient,
    AuraConflict,
    AuraError,
    AuraNotFound,
    AuraValidationError,
    Credentials,
    Instance,
    InstancePatch,
    InstanceSummary,
    Lane,
)
from aura_operator.aura.errors import AuraClientError
from aura_operator.controller import conditions
from aura_operator.controller.creation import (
    Creator,
    _unsynced,
    describe,
    reject,
)
from aura_operator.controller.decisions import Step, StepKind, next_step
from aura_operator.controller.desired import Desired, desired_from_spec
from aura_operator.controller.kube import KubeClient
from aura_operator.controller.publishing import Publisher
from aura_operator.controller.reporting import Report
from aura_operator.controller.schedule import next_read_delay
from aura_operator.controller.secrets import (
    AuraCredentials,
    ConnectionDetails,
    CredentialsProblem,
    credentials_from_secret,
)
from aura_operator.controller.settings import OperatorSettings
from aura_operator.controller.tracking import Fleet, Key, Tracked

logger = logging.getLogger("aura_operator.controller")

RETRY_LATER = 60.0  # Aura seconds before retrying after a transient failure
RECHECK_CREDENTIALS = 30.0
ACTION_VERB = {
    StepKind.PATCH: "Updated",
    StepKind.PAUSE: "Paused",
    StepKind.RESUME: "Resumed",
}
ACTION_STATUS = {StepKind.PATCH: "updating", StepKind.PAUSE: "pausing", StepKind.RESUME: "resuming"}

Schedule = Callable[[Key, float | None], None]
"""Ask the observer to look at an object again after some Aura seconds (None: drift period)."""


@dataclass(frozen=True)
class Access:
    client: AuraClient
    credentials: AuraCredentials
    secret_location: tuple[str, str]


class Engine:
    def __init__(
        self,
        *,
        settings: OperatorSettings,
        aura: AuraApi,
        kube: KubeClient,
        fleet: Fleet | None = None,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        self.settings = settings
        self.aura = aura
        self.kube = kube
        self.fleet = fleet or Fleet()
        self.publish = Publisher(kube, on_error)
        self.creator = Creator(self.publish, self.fleet, time_scale=settings.time_scale)
        self.schedule: Schedule = lambda key, delay: None

    # Entry points -------------------------------------------------------------------------

    async def reconcile(self, tracked: Tracked, *, lane: Lane) -> None:
        """Run `ensure` now for a user-driven cause, ahead of any background read."""
        await self.cancel_background_read(tracked)
        async with tracked.lock:
            delay = await self.ensure(tracked, lane)
        self.schedule(tracked.key, delay)

    async def observe(self, key: Key) -> None:
        """The observer's periodic look (background lane)."""
        tracked = self.fleet.get(key)
        if tracked is None or tracked.deleting:
            return
        lane = Lane.INTENT if tracked.sync_now_requested() else Lane.BACKGROUND
        async with tracked.lock:
            delay = await self.ensure(tracked, lane)
        self.schedule(key, delay)

    async def cancel_background_read(self, tracked: Tracked) -> None:
        task = tracked.background
        if task and not task.done() and tracked.background_cancellable:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    def desired(self, tracked: Tracked) -> Desired:
        return desired_from_spec(
            tracked.spec,
            metadata_name=tracked.ref.name,
            default_deletion_policy=self.settings.default_deletion_policy,
        )

    def credentials_location(self, tracked: Tracked, desired: Desired) -> tuple[str, str]:
        """(namespace, name) of the credentials Secret this object uses."""
        ref = desired.spec.credentials_secret_ref
        if ref is not None:
            return tracked.ref.namespace, ref.name
        return self.settings.default_credentials_location()

    async def access(self, tracked: Tracked, desired: Desired) -> Access:
        """The Aura client for this object's credentials Secret (raises CredentialsProblem)."""
        return await self.access_at(self.credentials_location(tracked, desired))

    async def access_at(self, location: tuple[str, str]) -> Access:
        namespace, name = location
        secret = await self.kube.get_secret(namespace, name)
        credentials = credentials_from_secret(secret, namespace=namespace, name=name)
        client = self.aura.client_for(
            Credentials(credentials.client_id, SecretStr(credentials.client_secret))
        )
        return Access(client, credentials, (namespace, name))

    # ensure -------------------------------------------------------------------------------

    async def ensure(self, tracked: Tracked, lane: Lane) -> float | None:
        """Observe and take the next step; returns Aura seconds until the next look
        (None: the regular drift-check period)."""
        desired = self.desired(tracked)
        try:
            access = await self.access(tracked, desired)
        except CredentialsProblem as problem:
            report = Report()
            report.stall("CredentialsMissing", str(problem))
            await self.publish.status(tracked, report)
            return RECHECK_CREDENTIALS
        instance_id = tracked.instance_id
        if instance_id is None:
            return await self._ensure_created(tracked, desired, access)
        return await self._ensure_matches(tracked, desired, access, instance_id, lane)

    async def _ensure_created(
        self, tracked: Tracked, desired: Desired, access: Access
    ) -> float | None:
        if tracked.status.get("createIntent"):
            return (await self.creator.recover(tracked, desired, access.client)).next_look
        report = Report(phase=Phase.PENDING)
        if desired.observe_only:
            report.stall(
                "NothingToObserve",
                "managementPolicy ObserveOnly needs spec.instanceId of an existing instance",
            )
        elif self._rejected_this_generation(tracked):
            return None
        elif tracked.writes_disabled:
            report.ready_if(False, "ReconcileDisabled", "annotation aura.neo4j.io/reconcile")
        else:
            tenant = desired.tenant_id or access.credentials.tenant_id
            if tenant:
                return (
                    await self.creator.create(tracked, desired, access.client, tenant)
                ).next_look
            namespace, name = access.secret_location
            report.stall(
                "TenantIdMissing",
                f"set spec.tenantId, or the tenantId key of credentials Secret {namespace}/{name}",
            )
        await self.publish.status(tracked, report)
        return None

    async def _ensure_matches(
        self, tracked: Tracked, desired: Desired, access: Access, instance_id: str, lane: Lane
    ) -> float | None:
        report = Report(fields={"instanceId": instance_id})
        try:
            result = await access.client.get_instance(instance_id, lane=lane)
        except AuraNotFound as error:
            report.fields["lastRequestId"] = error.request_id
            report.phase = Phase.FAILED
            report.stall(
                "InstanceNotFound",
                f"Aura has no instance {instance_id} (request id {error.request_id}): it was "
                "deleted outside the operator, which will not re-create it. Delete this "
                "resource, or create a new one to get a new instance.",
            )
            await self.publish.status(tracked, report)
            return None
        except AuraError as error:
            report.fields["lastRequestId"] = error.request_id
            report.synced = _unsynced(error)
            await self.publish.status(tracked, report)
            return RETRY_LATER
        observed = result.value
        report.fields.update(observed_fields(observed, result.request_id))
        if not tracked.status.get("connectionSecretName"):
            await self._write_connection_secret_without_password(tracked, desired, observed, report)
        elapsed = tracked.note_aura_status(observed.status)
        step = next_step(desired, observed)
        report.phase = step.phase
        if step.kind is StepKind.WAIT:
            report.ready_if(False, step.reason, step.message)
            await self.publish.status(tracked, report)
            return next_read_delay(observed.status, elapsed)
        if step.kind is StepKind.BLOCKED:
            report.stall(step.reason, step.message)
            await self.publish.status(tracked, report)
            return None
        if step.kind is StepKind.READY:
            report.ready_if(True, step.reason, step.message)
            report.not_stalled()
            if not self._rejected_this_generation(tracked):
                report.synced_ok()
            report.observed_generation = tracked.generation
            await self.publish.status(tracked, report)
            return None
        if tracked.writes_disabled:
            report.ready_if(False, "ReconcileDisabled", f"{step.reason} skipped: writes disabled")
            await self.publish.status(tracked, report)
            return None
        if self._rejected_this_generation(tracked):
            report.ready_if(False, "AuraRejected", "waiting for a spec change")
            await self.publish.status(tracked, report)
            return None
        return await self._act(tracked, access.client, instance_id, step, report)

    async def _act(
        self, tracked: Tracked, client: AuraClient, instance_id: str, step: Step, report: Report
    ) -> float | None:
        drift = step.kind is StepKind.PATCH and tracked.status.get("observedGeneration") == (
            tracked.generation
        )
        lane = Lane.BACKGROUND if drift else Lane.INTENT
        tracked.begin_write()
        try:
            if step.kind is StepKind.PATCH:
                result = await client.patch_instance(
                    instance_id, InstancePatch(**step.patch), lane=lane
                )
            elif step.kind is StepKind.PAUSE:
                result = await client.pause_instance(instance_id, lane=lane)
            else:
                result = await client.resume_instance(instance_id, lane=lane)
        except AuraConflict as error:
            report.fields["lastRequestId"] = error.request_id
            if not error.is_busy:
                await reject(self.publish, tracked, report, error, clear_intent=False)
                return None
            report.ready_if(False, "AuraBusy", describe(error))
            await self.publish.status(tracked, report)
            return next_read_delay("updating", 0.0)
        except (AuraValidationError, AuraClientError) as error:
            await reject(self.publish, tracked, report, error, clear_intent=False)
            return None
        except AuraError as error:
            report.fields["lastRequestId"] = error.request_id
            report.synced = _unsynced(error)
            await self.publish.status(tracked, report)
            return RETRY_LATER
        rename_only = step.kind is StepKind.PATCH and set(step.patch) == {"name"}
        report.fields["lastRequestId"] = result.request_id
        if result.value is not None and getattr(result.value, "status", None):
            report.fields.update(observed_fields(result.value, result.request_id))
        report.synced_ok(ACTION_VERB[step.kind])
        report.not_stalled()
        report.ready_if(False, step.reason, step.message)
        report.observed_generation = tracked.generation
        await self.publish.status(tracked, report)
        changes = ", ".join(f"{k}={v}" for k, v in sorted(step.patch.items()))
        if drift:
            await self.publish.event(
                tracked,
                "DriftReverted",
                f"Aura instance {instance_id} differed from spec ({', '.join(sorted(step.patch))}"
                f" changed outside the operator); reverted with {changes}; request id "
                f"{result.request_id}",
                warning=True,
            )
        else:
            detail = f" ({changes})" if changes else ""
            await self.publish.event(
                tracked,
                ACTION_VERB[step.kind],
                f"{ACTION_VERB[step.kind]} Aura instance {instance_id}{detail}; request id "
                f"{result.request_id}",
            )
        if rename_only:
            return 0.0
        return next_read_delay(ACTION_STATUS[step.kind], 0.0)

    def _rejected_this_generation(self, tracked: Tracked) -> bool:
        stalled = conditions.find(tracked.status.get("conditions"), conditions.STALLED)
        return bool(
            stalled
            and stalled.get("status") == "True"
            and stalled.get("reason") == "AuraRejected"
            and stalled.get("observedGeneration") == tracked.generation
        )

    async def _write_connection_secret_without_password(
        self, tracked: Tracked, desired: Desired, observed: Instance, report: Report
    ) -> None:
        details = ConnectionDetails(
            instance_id=observed.id,
            instance_name=observed.name,
            connection_url=observed.connection_url,
        )
        await self.creator.secrets.write_without_password(tracked, desired, details, report)

    # delete -------------------------------------------------------------------------------

    async def finalize(self, tracked: Tracked) -> float | None:
        """Carry out the deletion policy; None when the finalizer may be released, else Aura
        seconds until the next attempt."""
        tracked.deleting = True
        await self.cancel_background_read(tracked)
        async with tracked.lock:
            delay = await self._finalize(tracked)
        if delay is None:
            self.fleet.forget(tracked.key)
        return delay

    async def _finalize(self, tracked: Tracked) -> float | None:
        desired = self.desired(tracked)
        instance_id = tracked.instance_id
        keep = desired.deletion_policy != "Delete" or desired.observe_only
        if keep or tracked.writes_disabled:
            if instance_id:
                why = "writes are disabled" if tracked.writes_disabled else "deletionPolicy"
                await self.publish.event(
                    tracked,
                    "Retained",
                    f"Aura instance {instance_id} kept ({why}); the connection Secret stays",
                )
            return None
        try:
            access = await self.access(tracked, desired)
        except CredentialsProblem as problem:
            report = Report()
            report.stall("CredentialsMissing", f"cannot delete the Aura instance: {problem}")
            await self.publish.status(tracked, report)
            return RECHECK_CREDENTIALS
        if instance_id is None:
            if not tracked.status.get("createIntent"):
                return None
            # A create may have happened: find it before letting go, or an instance is orphaned.
            recovery = await self.creator.recover(tracked, desired, access.client)
            instance_id = tracked.instance_id
            if instance_id is None:
                return recovery.next_look if tracked.status.get("createIntent") else None
        return await self._delete(tracked, access.client, instance_id)

    async def _delete(self, tracked: Tracked, client: AuraClient, instance_id: str) -> float | None:
        report = Report(phase=Phase.DELETING)
        if tracked.status.get("phase") != Phase.DELETING.value:
            try:
                result = await client.delete_instance(instance_id, lane=Lane.INTENT)
            except AuraNotFound:
                return None
            except AuraConflict as error:
                report.fields["lastRequestId"] = error.request_id
                report.ready_if(False, "AuraBusy", describe(error))
                await self.publish.status(tracked, report)
                return next_read_delay(tracked.aura_status or "updating", 0.0)
            except AuraError as error:
                report.fields["lastRequestId"] = error.request_id
                report.synced = _unsynced(error)
                await self.publish.status(tracked, report)
                return RETRY_LATER
            report.fields.update({"lastRequestId": result.request_id, "auraStatus": "destroying"})
            report.ready_if(False, "Deleting", "Aura is destroying the instance")
            await self.publish.status(tracked, report)
            tracked.note_aura_status("destroying")
            await self.publish.event(
                tracked,
                "Deleted",
                f"Deleting Aura instance {instance_id} (deletionPolicy Delete); request id "
                f"{result.request_id}",
            )
            return next_read_delay("destroying", 0.0)
        try:
            observed = await client.get_instance(instance_id, lane=Lane.BACKGROUND)
        except AuraNotFound:
            return None
        except AuraError:
            return RETRY_LATER
        report.fields.update(observed_fields(observed.value, observed.request_id))
        await self.publish.status(tracked, report)
        elapsed = tracked.note_aura_status(observed.value.status)
        return next_read_delay(observed.value.status, elapsed)

    # start-up listing ----------------------------------------------------------------------

    async def confirm_by_listing(self, keys: list[Key]) -> tuple[list[Key], list[Key]]:
        """One list call per (credentials, tenant) for these objects; returns (present, absent
        or unknown). An object whose group cannot be listed counts as unknown."""
        groups: dict[tuple[tuple[str, str], str], list[Tracked]] = {}
        accesses: dict[tuple[str, str], Access | None] = {}  # each Secret is read once
        unknown: list[Key] = []
        for key in keys:
            tracked = self.fleet.get(key)
            if tracked is None or tracked.instance_id is None:
                continue
            desired = self.desired(tracked)
            location = self.credentials_location(tracked, desired)
            if location not in accesses:
                try:
                    accesses[location] = await self.access_at(location)
                except CredentialsProblem:
                    accesses[location] = None
            access = accesses[location]
            tenant = desired.tenant_id or (access.credentials.tenant_id if access else None)
            if access is None or not tenant:
                unknown.append(key)
                continue
            groups.setdefault((location, tenant), []).append(tracked)
        present: list[Key] = []
        for (location, tenant), members in groups.items():
            access = accesses[location]
            assert access is not None
            try:
                listing = await access.client.list_instances(tenant_id=tenant, lane=Lane.BACKGROUND)
            except AuraError as error:
                logger.warning("listing tenant %s failed: %s", tenant, error)
                unknown.extend(t.key for t in members)
                continue
            ids = {item.id for item in listing.value}
            for tracked in members:
                (present if tracked.instance_id in ids else unknown).append(tracked.key)
        return present, unknown


def observed_fields(observed: Instance, request_id: str | None) -> dict[str, object]:
    """Status fields from an Aura answer; fields Aura leaves out (the connection URL while
    resuming, storage on free-db) keep their last known value."""
    fields: dict[str, object] = {
        "instanceId": observed.id,
        "auraStatus": observed.status,
        "lastRequestId": request_id,
    }
    optional = {
        "connectionUrl": observed.connection_url,
        "memory": observed.memory,
        "storage": observed.storage,
    }
    fields.update({k: v for k, v in optional.items() if v is not None})
    return fields


__all__ = ["Engine", "InstanceSummary", "observed_fields"]
