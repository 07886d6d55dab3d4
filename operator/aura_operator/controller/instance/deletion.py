"""Deleting an AuraInstance: carry out its deletion policy (design 3.3), never more."""

from __future__ import annotations

import functools
import time
from datetime import timedelta

from aura_operator.api import DeletionPolicy, Phase
from aura_operator.aura import (
    AuraConflict,
    AuraError,
    AuraNotFound,
    Lane,
    request_id_text,
)
from aura_operator.controller import conditions
from aura_operator.controller.access import Access, Accounts
from aura_operator.controller.credentials import CredentialsNotAllowed, CredentialsProblem
from aura_operator.controller.failures import describe, write_failed
from aura_operator.controller.instance.claiming import ClaimKeeper
from aura_operator.controller.instance.connection import ConnectionSecrets
from aura_operator.controller.instance.desired import Desired
from aura_operator.controller.instance.not_found import DeleteAction, after_delete_404
from aura_operator.controller.instance.recovery import SHARE_SLACK, Recovery
from aura_operator.controller.instance.tenant_listings import TenantListings
from aura_operator.controller.publishing import Publisher
from aura_operator.controller.reporting import Report
from aura_operator.controller.schedule import next_read_delay
from aura_operator.controller.tracking import Tracked

RETRY_LATER = 60.0
RECHECK_SECRET = 30.0


class Deleter:
    def __init__(
        self,
        publisher: Publisher,
        accounts: Accounts,
        secrets: ConnectionSecrets,
        recovery: Recovery,
        claims: ClaimKeeper,
        listings: TenantListings,
        time_scale: float = 1.0,
    ) -> None:
        self.claims = claims
        self.listings = listings
        self.time_scale = time_scale
        self.publish = publisher
        self.accounts = accounts
        self.secrets = secrets
        self.recovery = recovery

    async def finalize(self, tracked: Tracked, desired: Desired) -> float | None:
        """None when the finalizer may be released, else Aura seconds until the next try."""
        instance_id = tracked.status.get("instanceId")
        if not instance_id and not tracked.status.get("createIntent"):
            # Never created nor took an instance: nothing to carry out but an unused reservation.
            await self.secrets.release_reservation(tracked, desired)
            return None
        if instance_id:
            verdict = await self.claims.settle(tracked, instance_id)
            if not verdict.mine:  # another object's instance: never deleted, never touched
                assert verdict.owner is not None
                await self.publish.event(
                    tracked,
                    "Retained",
                    f"Aura instance {instance_id} left in place: it belongs to AuraInstance "
                    f"{verdict.owner.owner}",
                )
                return None
        keep = (
            desired.deletion_policy is not DeletionPolicy.DELETE
            or desired.observe_only
            or tracked.writes_disabled
        )
        if keep:
            await self._retain(tracked, desired)
            return None
        delay = await self._carry_out_delete(tracked, desired)
        if delay is None:
            self.secrets.pending.drop(tracked)  # the instance is gone with its password
        return delay

    async def _carry_out_delete(self, tracked: Tracked, desired: Desired) -> float | None:
        await self.secrets.set_owned(tracked, desired, owned=True)
        try:
            access = await self._access(tracked, desired)
        except CredentialsProblem as problem:
            report = Report()
            report.stall(problem.reason, f"cannot delete the Aura instance: {problem}")
            await self.publish.status(tracked, report)
            return RECHECK_SECRET
        instance_id = tracked.instance_id
        if instance_id is None:
            if not tracked.status.get("createIntent"):
                return None
            # A create may have happened: find it first, or a billed instance is orphaned.
            next_look = await self.recovery.recover(tracked, desired, access.client)
            instance_id = tracked.instance_id
            if instance_id is None:
                if tracked.status.get("createIntent"):
                    return next_look if next_look is not None else RETRY_LATER
                return None
        return await self._delete(tracked, desired, access, instance_id)

    async def _retain(self, tracked: Tracked, desired: Desired) -> None:
        instance_id = tracked.instance_id
        self.secrets.pending.keep_after_delete(tracked)
        if instance_id:
            # The Secrets may carry an owner reference from an earlier Delete policy (the one
            # the spec names now and the one the password went to, if it was renamed); free
            # them, or the garbage collector takes the only copy of the password.
            names = {
                self.secrets.name(tracked, desired),
                tracked.status.get("connectionSecretName"),
            }
            for name in sorted(n for n in names if n):
                await self.secrets.set_owned(tracked, desired, owned=False, name=name)
            why = "writes are disabled" if tracked.writes_disabled else "its deletion policy"
            await self.publish.event(
                tracked,
                "Retained",
                f"Aura instance {instance_id} kept ({why}); the connection Secret stays",
            )

    async def _access(self, tracked: Tracked, desired: Desired) -> Access:
        """This object's credentials; the last ones that worked if its Secret is gone (its
        namespace may be being deleted with it)."""
        try:
            return await self.accounts.for_object(tracked, desired.spec.credentials_secret_ref)
        except CredentialsNotAllowed:
            raise  # the administrator withdrew them: not to be used from memory either
        except CredentialsProblem:
            if isinstance(tracked.access, Access):
                return tracked.access
            raise

    async def _delete(
        self, tracked: Tracked, desired: Desired, access: Access, instance_id: str
    ) -> float | None:
        """Send the DELETE unless Aura is already destroying the instance; then wait for 404.
        Only a 202 marks the resource Deleting: a refused DELETE (busy) is sent again."""
        client = access.client
        if tracked.status.get("phase") == Phase.DELETING.value:
            try:
                observed = await client.get_instance(instance_id, lane=Lane.BACKGROUND)
            except AuraNotFound:
                return None
            except AuraError as error:
                await self.publish.status(
                    tracked, Report(fields={"lastRequestId": error.request_id})
                )
                return RETRY_LATER
            status = observed.value.status
            if status == "destroying":
                report = Report(fields={"auraStatus": status, "lastRequestId": observed.request_id})
                await self.publish.status(tracked, report)
                elapsed = tracked.note_aura_status(status) * self.time_scale
                return next_read_delay(status, elapsed)
        return await self._send_delete(tracked, desired, access, instance_id)

    async def _send_delete(
        self, tracked: Tracked, desired: Desired, access: Access, instance_id: str
    ) -> float | None:
        tracked.begin_write()
        report = Report()
        try:
            result = await access.client.delete_instance(instance_id, lane=Lane.INTENT)
        except AuraNotFound as error:
            return await self._confirm_deleted(tracked, desired, access, instance_id, error)
        except AuraConflict as error:  # busy (creating, updating): try again when it is done
            report.fields["lastRequestId"] = error.request_id
            report.ready_if(False, "AuraBusy", f"deletion waits: {describe(error)}")
            await self.publish.status(tracked, report)
            return next_read_delay(tracked.aura_status or "updating", 0.0)
        except AuraError as error:
            await write_failed(self.publish, tracked, report, error, "Delete")
            return RETRY_LATER
        tracked.not_found_since = None
        report.phase = Phase.DELETING
        report.fields.update({"lastRequestId": result.request_id, "auraStatus": "destroying"})
        report.ready_if(False, "Deleting", "Aura is destroying the instance")
        await self.publish.status(tracked, report)
        tracked.note_aura_status("destroying")
        await self.publish.event(
            tracked,
            "Deleted",
            f"Deleting Aura instance {instance_id} (deletionPolicy Delete); "
            f"{request_id_text(result.request_id)}",
        )
        return next_read_delay("destroying", 0.0)

    async def _confirm_deleted(
        self,
        tracked: Tracked,
        desired: Desired,
        access: Access,
        instance_id: str,
        error: AuraNotFound,
    ) -> float | None:
        """A DELETE's 404 is not proof either: right after a create Aura can answer it for an
        instance that exists (and then deletes nothing). The finalizer stays and the DELETE is
        sent again until Aura accepts it, or the 404s outlast the confirmation window and the
        tenant listing does not show the instance."""
        now = time.monotonic()
        if tracked.not_found_since is None:
            tracked.not_found_since = now
        elapsed = (now - tracked.not_found_since) * self.time_scale
        stalled = conditions.find(tracked.status.get("conditions"), conditions.STALLED)
        confirmed_gone = bool(
            stalled
            and stalled.get("status") == "True"
            and stalled.get("reason") == "InstanceNotFound"
        )
        tenant = desired.tenant_id or access.credentials.tenant_id
        decide = functools.partial(
            after_delete_404,
            confirmed_gone=confirmed_gone,
            elapsed=elapsed,
            tenant_known=bool(tenant),
        )
        decision = decide(listed=None)
        report = Report(fields={"lastRequestId": error.request_id})
        if decision.action is DeleteAction.LIST:
            assert tenant
            try:
                aura_now = await access.client.aura_time(lane=Lane.BACKGROUND)
                listing = await self.listings.get(
                    access.client, tenant, aura_now - timedelta(seconds=SHARE_SLACK)
                )
            except AuraError as failure:
                report.fields["lastRequestId"] = failure.request_id
                report.ready_if(False, "ConfirmingNotFound", f"deletion waits: {describe(failure)}")
                await self.publish.status(tracked, report)
                return RETRY_LATER
            decision = decide(listed=any(item.id == instance_id for item in listing.items))
        if decision.action is DeleteAction.GONE:
            return None
        answered = (
            f"Aura answered 404 to the DELETE of instance {instance_id} "
            f"({request_id_text(error.request_id)})"
        )
        report.ready_if(
            False,
            "ConfirmingNotFound",
            f"{answered}; a new instance can be missing from Aura's answers for a while, so the "
            "DELETE is sent again (the finalizer stays) until Aura accepts it or the instance is "
            "confirmed gone",
        )
        await self.publish.status(tracked, report)
        assert decision.pause is not None
        return decision.pause
