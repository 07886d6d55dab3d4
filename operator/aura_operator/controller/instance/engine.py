"""The reconcile engine: one idempotent `ensure` per AuraInstance that observes Aura and takes
the next single step, shared by kopf's handlers and the observer (design 3.2)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

from aura_operator.api import DeletionPolicy, Phase
from aura_operator.aura import (
    AuraApi,
    AuraAuthError,
    AuraClient,
    AuraClientError,
    AuraConflict,
    AuraError,
    AuraNotFound,
    Instance,
    InstancePatch,
    Lane,
    request_id_text,
)
from aura_operator.controller import conditions
from aura_operator.controller.access import Access, Accounts
from aura_operator.controller.claims import RECHECK_CLAIM
from aura_operator.controller.credentials import CredentialsProblem
from aura_operator.controller.failures import (
    credentials_refused,
    describe,
    reject,
    unsynced,
    write_failed,
)
from aura_operator.controller.instance.admission import Admission, admission_key, awaits_create
from aura_operator.controller.instance.claiming import ClaimKeeper
from aura_operator.controller.instance.connection import ConnectionSecrets, SecretConflict
from aura_operator.controller.instance.connection_secret import ConnectionDetails
from aura_operator.controller.instance.creation import (
    RECHECK_CREDENTIALS,
    RECHECK_SECRET_CONFLICT,
    Creator,
)
from aura_operator.controller.instance.decisions import (
    Step,
    StepKind,
    next_step,
    unheld_patch_message,
)
from aura_operator.controller.instance.deletion import Deleter
from aura_operator.controller.instance.desired import (
    Desired,
    InvalidSpec,
    desired_from_spec,
    salvaged_spec,
)
from aura_operator.controller.instance.holds import CREDENTIALS_FINALIZER, CredentialsHolds
from aura_operator.controller.instance.listing import Confirmation, confirm_by_listing
from aura_operator.controller.instance.not_found import confirming_pause
from aura_operator.controller.instance.recovery import SHARE_SLACK, Recovery
from aura_operator.controller.instance.tenant_listings import TenantListings
from aura_operator.controller.kube import KubeClient, KubeError, ObjectGone
from aura_operator.controller.publishing import Publisher
from aura_operator.controller.reporting import Report
from aura_operator.controller.schedule import MAX_INTERVAL, next_read_delay, read_spacing
from aura_operator.controller.settings import OperatorSettings
from aura_operator.controller.tracking import Fleet, Key, Tracked

logger = logging.getLogger("aura_operator.controller")

RETRY_LATER = 60.0  # Aura seconds before retrying after a transient failure
RECHECK_SECRET = 30.0
RECHECK_SPEC = 300.0
ACTION_VERB = {
    StepKind.PATCH: "Updated",
    StepKind.PAUSE: "Paused",
    StepKind.RESUME: "Resumed",
}
PENDING_RESUME = "PausedWithPendingChanges"
"""Ready (paused) but not yet matching: the changes are applied after a resume."""
ACTION_STATUS = {StepKind.PATCH: "updating", StepKind.PAUSE: "pausing", StepKind.RESUME: "resuming"}

Schedule = Callable[[Key, float | None], None]
"""Ask the observer to look at an object again after some Aura seconds (None: drift period)."""


class Engine:
    def __init__(
        self,
        *,
        settings: OperatorSettings,
        aura: AuraApi,
        kube: KubeClient,
        fleet: Fleet | None = None,
        on_error: Callable[[str], None] | None = None,
        on_reconciled: Callable[[Lane, float], None] | None = None,
    ) -> None:
        self.settings = settings
        self.on_reconciled = on_reconciled
        self.kube = kube
        self.fleet = fleet or Fleet()
        self.accounts = Accounts(settings, aura, kube)
        self.publish = Publisher(kube, on_error)
        self.secrets = ConnectionSecrets(self.publish)
        self.listings = TenantListings()
        self.claims = ClaimKeeper(self.publish, self.fleet, settings.watch_namespaces)
        self.recovery = Recovery(self.publish, self.claims, self.secrets, self.listings)
        self.creator = Creator(
            self.publish,
            self.secrets,
            self.recovery,
            self.read_spacing,
            time_scale=settings.time_scale,
        )
        self.deleter = Deleter(
            self.publish,
            self.accounts,
            self.secrets,
            self.recovery,
            self.claims,
            self.listings,
            settings.time_scale,
        )
        self.holds = CredentialsHolds(
            kube, default_deletion_policy=settings.default_deletion_policy
        )
        self.admission = Admission()
        self.schedule: Schedule = lambda key, delay: None

    # Entry points -------------------------------------------------------------------------

    async def reconcile(self, tracked: Tracked, *, lane: Lane) -> None:
        """Run `ensure` now for a user-driven cause, ahead of any background read."""
        await self.cancel_background_read(tracked)
        await self._ensure_and_schedule(tracked, lane)

    async def observe(self, key: Key) -> None:
        """The observer's periodic look (background lane)."""
        tracked = self.fleet.get(key)
        if tracked is None or tracked.deleting:
            return
        sync_now = tracked.sync_now_requested()
        # A user's change not carried out yet (a write that failed, Aura busy) keeps the
        # user's lane when it is retried from here.
        lane = Lane.INTENT if sync_now or self._user_change_pending(tracked) else Lane.BACKGROUND
        await self._ensure_and_schedule(tracked, lane)

    async def _ensure_and_schedule(self, tracked: Tracked, lane: Lane) -> None:
        try:
            async with self._admitted(tracked), tracked.lock:
                delay = await self._timed_ensure(tracked, lane)
        except ObjectGone:
            self._vanished(tracked)
            return
        except Exception:
            # kopf retries a failed handler only if it can record that on the object; when
            # that write fails too (the API server down, or this process's write gate closed
            # for a moment under load), the observer must look again or the object is stuck.
            self.schedule(tracked.key, RETRY_LATER)
            raise
        self.schedule(tracked.key, delay)

    @contextlib.asynccontextmanager
    async def _admitted(self, tracked: Tracked) -> AsyncIterator[None]:
        """A reconcile that would create waits for its turn (admission.py), outside the object's
        lock so a deletion meanwhile is not held up; other reconciles go straight on."""
        if not awaits_create(tracked):
            yield
            return
        async with self.admission.turn(admission_key(tracked.metadata)) as ticket:
            tracked.admission = ticket
            try:
                yield
            finally:
                tracked.admission = None

    def _vanished(self, tracked: Tracked) -> None:
        """The object is gone from the API server: nothing more to do for it (a newer object
        of the same name is tracked on its own)."""
        logger.info("%s no longer exists; its work ends", tracked.ref)
        if self.fleet.get(tracked.key) is tracked:
            self.fleet.forget(tracked.key)

    async def _timed_ensure(self, tracked: Tracked, lane: Lane) -> float | None:
        started = time.monotonic()
        try:
            return await self.ensure(tracked, lane)
        finally:
            if self.on_reconciled is not None:
                self.on_reconciled(lane, time.monotonic() - started)

    async def cancel_background_read(self, tracked: Tracked) -> None:
        task = tracked.background
        if task and not task.done() and tracked.background_cancellable:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def finalize(self, tracked: Tracked) -> float | None:
        """Carry out the deletion policy; None when the finalizer may be released, else Aura
        seconds until the next attempt."""
        tracked.deleting = True
        await self.cancel_background_read(tracked)
        try:
            async with tracked.lock:
                delay = await self._finalize(tracked)
        except ObjectGone:  # its finalizer was removed by hand: the instance is left alone
            delay = None
        if delay is None:
            await self._release_credentials(tracked)
        if delay is None:
            self.fleet.forget(tracked.key)
        return delay

    async def _finalize(self, tracked: Tracked) -> float | None:
        try:
            desired = self.desired_for_deletion(tracked)
        except InvalidSpec as invalid:
            report = Report()
            report.stall(
                "InvalidSpec",
                f"cannot carry out the deletion policy: {invalid}. Fix the field (the resource "
                "can be edited while it is being deleted), or remove the finalizer to leave "
                "the Aura instance alone.",
            )
            await self.publish.status(tracked, report)
            return RECHECK_SPEC
        return await self.deleter.finalize(tracked, desired)

    async def _hold_credentials(self, tracked: Tracked, desired: Desired, access: Access) -> None:
        """Keep the credentials Secret while a deletion under Delete will need it (holds.py)."""
        ref = desired.spec.credentials_secret_ref
        needed = (
            desired.deletion_policy is DeletionPolicy.DELETE
            and not desired.observe_only
            and not tracked.writes_disabled
        )
        wanted = ref.name if ref is not None and needed else None
        namespace = tracked.ref.namespace
        if tracked.held_secret and tracked.held_secret != wanted:
            try:
                await self.holds.release_unless_used(namespace, tracked.held_secret)
            except KubeError as error:
                logger.warning(
                    "%s: releasing Secret %s failed: %s", tracked.ref, tracked.held_secret, error
                )
                return
        if wanted and CREDENTIALS_FINALIZER not in access.secret_finalizers:
            await self.holds.hold(namespace, wanted)
        tracked.held_secret = wanted

    async def _release_credentials(self, tracked: Tracked) -> None:
        """The object is finalized: its credentials Secret is free unless others need it.
        Raw spec: an unreadable spec still names its Secret."""
        names = {tracked.held_secret, (tracked.spec.get("credentialsSecretRef") or {}).get("name")}
        for name in sorted(n for n in names if n):
            await self.holds.release_unless_used(
                tracked.ref.namespace, name, leaving=tracked.ref.uid
            )

    async def confirm_by_listing(self, keys: list[Key]) -> Confirmation:
        return await confirm_by_listing(self.fleet, self.accounts, keys, self.desired_or_none)

    async def drain(self, limit: float) -> None:
        """At shutdown: let create answers being stored reach their Secret and status."""
        await self.creator.drain(limit)
        await self.secrets.pending.drain(limit)

    def read_spacing(self, client: AuraClient) -> float:
        """Aura seconds between reads of one instance in transition: every such instance read
        that often stays within the background share of the credential's learned rate."""
        return read_spacing(
            self.fleet.in_transition(),
            requests_per_minute=client.requests_per_minute(),
            share=self.settings.background_share,
        )

    def desired(self, tracked: Tracked) -> Desired:
        """What the spec asks for; raises InvalidSpec when the models refuse it."""
        desired = self._desired_from(tracked.spec, tracked)
        tracked.last_good_spec = tracked.spec
        return desired

    def desired_for_deletion(self, tracked: Tracked) -> Desired:
        """The spec, or what the last good spec says for the fields it cannot read (raises
        InvalidSpec when a field the deletion reads has no known good value)."""
        try:
            return self.desired(tracked)
        except InvalidSpec as invalid:
            salvaged = salvaged_spec(tracked.spec, tracked.last_good_spec, invalid)
            return self._desired_from(salvaged, tracked)

    def desired_or_none(self, tracked: Tracked) -> Desired | None:
        try:
            return self.desired_for_deletion(tracked)
        except InvalidSpec:
            return None

    def _desired_from(self, spec: dict[str, Any], tracked: Tracked) -> Desired:
        return desired_from_spec(
            spec,
            metadata_name=tracked.ref.name,
            default_deletion_policy=self.settings.default_deletion_policy,
        )

    # ensure -------------------------------------------------------------------------------

    async def ensure(self, tracked: Tracked, lane: Lane) -> float | None:
        """Observe and take the next step; returns Aura seconds until the next look
        (None: the regular drift-check period)."""
        report = Report()
        try:
            desired = self.desired(tracked)
        except InvalidSpec as invalid:
            report.stall(
                "InvalidSpec",
                f"the operator cannot read this spec: {invalid}. Correct the field; nothing is "
                "changed at Aura meanwhile.",
            )
            await self.publish.status(tracked, report)
            return None
        try:
            access = await self.accounts.for_object(tracked, desired.spec.credentials_secret_ref)
        except CredentialsProblem as problem:
            report.stall(problem.reason, str(problem))
            await self.publish.status(tracked, report)
            return RECHECK_SECRET
        instance_id = tracked.instance_id
        if instance_id is not None:
            verdict = await self.claims.settle(tracked, instance_id)
            if not verdict.mine:
                report = Report(phase=Phase.FAILED)
                report.stall("InstanceClaimed", verdict.message(instance_id))
                await self.publish.status(tracked, report)
                return RECHECK_CLAIM
        await self._hold_credentials(tracked, desired, access)
        try:
            if instance_id is None:
                return await self._ensure_created(tracked, desired, access)
            return await self._ensure_matches(tracked, desired, access, instance_id, lane)
        except AuraAuthError as error:
            await credentials_refused(self.publish, tracked, report, error)
            return RECHECK_CREDENTIALS

    async def _ensure_created(
        self, tracked: Tracked, desired: Desired, access: Access
    ) -> float | None:
        if tracked.status.get("createIntent"):
            return await self.recovery.recover(tracked, desired, access.client)
        report = Report(phase=Phase.PENDING)
        if desired.observe_only:
            report.stall("NothingToObserve", NOTHING_TO_OBSERVE)
        elif self._rejected_this_generation(tracked):
            return None
        elif tracked.writes_disabled:
            report.ready_if(False, "ReconcileDisabled", "annotation aura.neo4j.io/reconcile")
        elif (refusal := await self._foreign_clone_source(tracked, desired)) is not None:
            report.stall("InstanceClaimed", refusal)
            await self.publish.status(tracked, report)
            return RECHECK_CLAIM
        else:
            tenant = desired.tenant_id or access.credentials.tenant_id
            if tenant:
                return await self.creator.create(tracked, desired, access.client, tenant)
            namespace, name = access.secret_location
            report.stall("TenantIdMissing", tenant_missing(namespace, name))
        await self.publish.status(tracked, report)
        return None

    async def _foreign_clone_source(self, tracked: Tracked, desired: Desired) -> str | None:
        """Why the clone spec.source asks for may not be made (None: it may): a clone copies
        the source's data, so an instance another namespace manages is no source, as it is no
        source of an AuraRestore."""
        source = desired.spec.source
        if source is None:
            return None
        owner = await self.claims.foreign_owner(tracked, source.instance_id)
        if owner is None:
            return None
        return (
            f"spec.source.instanceId {source.instance_id} is managed by AuraInstance "
            f"{owner.owner} in another namespace; a clone would copy its data into this "
            f"namespace ({tracked.ref.namespace}). Nothing was sent to Aura. Clone an instance "
            "managed in this namespace or by no AuraInstance, or delete this resource."
        )

    async def _ensure_matches(
        self, tracked: Tracked, desired: Desired, access: Access, instance_id: str, lane: Lane
    ) -> float | None:
        report = Report(fields={"instanceId": instance_id})
        try:
            result = await access.client.get_instance(instance_id, lane=lane)
        except AuraNotFound as error:
            return await self._confirm_gone(tracked, desired, access, instance_id, error, report)
        except AuraAuthError:
            raise
        except AuraError as error:
            report.fields["lastRequestId"] = error.request_id
            report.synced = conditions.ConditionUpdate(
                conditions.SYNCED, False, "AuraUnavailable", describe(error)
            )
            await self.publish.status(tracked, report)
            return RETRY_LATER
        observed = result.value
        tracked.not_found_since = None
        clear_resolved_stall(tracked, report)
        report.fields.update(observed_fields(observed, result.request_id))
        try:
            await self._deliver_connection(tracked, desired, observed, report)
        except SecretConflict as error:
            report.stall(error.reason, str(error))
            await self.publish.status(tracked, report)
            return RECHECK_SECRET_CONFLICT
        elapsed = tracked.note_aura_status(observed.status) * self.settings.time_scale
        step = next_step(desired, observed)
        report.phase = step.phase
        if step.kind is StepKind.WAIT:
            report.ready_if(False, step.reason, step.message)
            await self.publish.status(tracked, report)
            return next_read_delay(observed.status, elapsed, self.read_spacing(access.client))
        if step.kind is StepKind.BLOCKED:
            report.stall(step.reason, step.message)
            await self.publish.status(tracked, report)
            return None
        if step.kind is StepKind.READY:
            if step.reason != PENDING_RESUME:  # changes held for a resume are not yet applied
                tracked.confirmed_generation = tracked.generation
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
        if held := self._held_reason(tracked):
            report.ready_if(False, held, "waiting for a spec change")
            await self.publish.status(tracked, report)
            return None
        if step.kind is StepKind.PATCH and tracked.confirmed_generation != tracked.generation:
            unheld = tracked.unheld_patch(step.patch)
            if unheld is not None:
                # Accepted again and again, never shown: another PATCH would change nothing.
                report.stall("PatchNotApplied", unheld_patch_message(unheld, observed))
                report.observed_generation = tracked.generation
                await self.publish.status(tracked, report)
                return None
        return await self._act(tracked, access.client, instance_id, step, report)

    async def _act(
        self, tracked: Tracked, client: AuraClient, instance_id: str, step: Step, report: Report
    ) -> float | None:
        # Drift: the spec was seen carried out and has not changed since; otherwise this
        # write is (still) the user's, even after a write of it was accepted and then undone.
        drift = step.kind is StepKind.PATCH and tracked.confirmed_generation == tracked.generation
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
            return next_read_delay("updating", 0.0, self.read_spacing(client))
        except (AuraClientError, AuraNotFound) as error:
            await reject(self.publish, tracked, report, error, clear_intent=False)
            return None
        except AuraAuthError:
            raise
        except AuraError as error:
            await write_failed(self.publish, tracked, report, error, ACTION_VERB[step.kind])
            return RETRY_LATER
        if step.kind is StepKind.PATCH and not drift:
            tracked.note_patch_accepted(step.patch, result.request_id)
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
                f" changed outside the operator); reverted with {changes}; "
                f"{request_id_text(result.request_id)}",
                warning=True,
            )
        else:
            detail = f" ({changes})" if changes else ""
            await self.publish.event(
                tracked,
                ACTION_VERB[step.kind],
                f"{ACTION_VERB[step.kind]} Aura instance {instance_id}{detail}; "
                f"{request_id_text(result.request_id)}",
            )
        if rename_only:
            return 0.0
        return next_read_delay(ACTION_STATUS[step.kind], 0.0, self.read_spacing(client))

    async def _confirm_gone(
        self,
        tracked: Tracked,
        desired: Desired,
        access: Access,
        instance_id: str,
        error: AuraNotFound,
        report: Report,
    ) -> float | None:
        """A 404 is not proof: Aura can miss a new instance for a while (eventual consistency).
        Read again with growing pauses for NOT_FOUND_CONFIRM Aura seconds, then list the tenant;
        only an instance missing from both is reported gone."""
        report.fields["lastRequestId"] = error.request_id
        now = time.monotonic()
        if tracked.not_found_since is None:
            tracked.not_found_since = now
        elapsed = (now - tracked.not_found_since) * self.settings.time_scale
        answered = (
            f"Aura answered 404 for instance {instance_id} ({request_id_text(error.request_id)})"
        )
        pause = confirming_pause(elapsed)
        if pause is not None:
            report.ready_if(
                False,
                "ConfirmingNotFound",
                f"{answered}; a new instance can be missing from Aura's answers for a while, "
                "so it is read again before it is reported gone",
            )
            await self.publish.status(tracked, report)
            return pause
        tenant = desired.tenant_id or access.credentials.tenant_id
        if tenant:
            try:
                aura_now = await access.client.aura_time(lane=Lane.BACKGROUND)
                listing = await self.listings.get(
                    access.client, tenant, aura_now - timedelta(seconds=SHARE_SLACK)
                )
            except AuraError as failure:
                report.synced = unsynced(failure)
                await self.publish.status(tracked, report)
                return RETRY_LATER
            if any(item.id == instance_id for item in listing.items):
                report.ready_if(
                    False,
                    "ConfirmingNotFound",
                    f"{answered}, but the tenant listing shows it; reading it again",
                )
                await self.publish.status(tracked, report)
                return MAX_INTERVAL
        report.phase = Phase.FAILED
        report.stall(
            "InstanceNotFound",
            f"{answered} for {elapsed / 60:.0f} minutes and the tenant listing does not show "
            "it: it was deleted outside the operator, which will not re-create it. Delete this "
            "resource, or create a new one to get a new instance.",
        )
        await self.publish.status(tracked, report)
        return None

    def _user_change_pending(self, tracked: Tracked) -> bool:
        """The spec changed and the operator has not carried the change out (nor had it
        refused): the next write for it is user intent."""
        return (
            tracked.instance_id is not None
            and tracked.status.get("observedGeneration") != tracked.generation
            and not self._rejected_this_generation(tracked)
        )

    def _rejected_this_generation(self, tracked: Tracked) -> bool:
        return self._held_reason(tracked) is not None

    @staticmethod
    def _held_reason(tracked: Tracked) -> str | None:
        """Why nothing is sent for this generation until the spec changes: Aura refused it
        (AuraRejected), or accepted a change of it that never showed (PatchNotApplied)."""
        stalled = conditions.find(tracked.status.get("conditions"), conditions.STALLED)
        if (
            stalled
            and stalled.get("status") == "True"
            and stalled.get("reason") in HELD_REASONS
            and stalled.get("observedGeneration") == tracked.generation
        ):
            return str(stalled["reason"])
        return None

    async def _deliver_connection(
        self, tracked: Tracked, desired: Desired, observed: Instance, report: Report
    ) -> None:
        """An adopted instance's first connection Secret, or the move to a renamed one."""
        if self.secrets.pending.holds(tracked):
            return  # the create's password is still on its way to the Secret
        details = ConnectionDetails(
            instance_id=observed.id,
            instance_name=observed.name,
            connection_url=observed.connection_url,
        )
        written = tracked.status.get("connectionSecretName")
        if not written:
            await self.secrets.write_without_password(tracked, desired, details, report)
        elif written != self.secrets.name(tracked, desired):
            await self.secrets.move(tracked, desired, written, details, report)


NOTHING_TO_OBSERVE = (
    "managementPolicy ObserveOnly needs spec.instanceId of an existing instance, which is fixed "
    "at creation: delete this resource and apply it again with spec.instanceId, or set "
    "managementPolicy: Manage to create a new instance"
)


def tenant_missing(namespace: str, name: str) -> str:
    """The fix for a create that knows no tenant (spec.tenantId is fixed at creation)."""
    return (
        f"add the tenantId key to credentials Secret {namespace}/{name}, or delete this resource "
        "and apply it again with spec.tenantId (fixed at creation)"
    )


HELD_REASONS = ("AuraRejected", "PatchNotApplied")

RESOLVED_BY_A_READ = frozenset(
    {
        "InstanceNotFound",
        "CredentialsMissing",
        "CredentialsNotAllowed",
        "CredentialsInvalid",
        "InstanceClaimed",
        "TenantIdMissing",
        "AmbiguousInstances",
        "ConnectionSecretInUse",
        "ConnectionSecretConflict",
        "NothingToObserve",
    }
)
"""Stalled reasons an answer from Aura about the instance proves over."""


def clear_resolved_stall(tracked: Tracked, report: Report) -> None:
    """Aura just answered for the instance: a Stalled condition for a reason that answer
    disproves (the instance gone, credentials refused) no longer holds."""
    current = tracked.status.get("conditions")
    stalled = conditions.find(current, conditions.STALLED)
    if not stalled or stalled.get("status") != "True":
        return
    reason = stalled.get("reason")
    if reason not in RESOLVED_BY_A_READ:
        return
    report.not_stalled()
    synced = conditions.find(current, conditions.SYNCED)
    if synced and synced.get("status") == "False" and synced.get("reason") == reason:
        report.synced_ok("Recovered", f"{reason} no longer holds: Aura answered for the instance")


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
