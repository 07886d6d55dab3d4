"""Finding the outcome of a create whose answer was lost (design 3.1, step 4).

Aura may commit a create long after the client gave up on it, and its listing may lag behind
its commits, so an empty listing soon after the create proves nothing. The intent stays open
(Ready=False, CreateOutcomeUnknown) and the tenant is listed at growing intervals; only a
listing taken CONFIRM_WINDOW after the intent (on Aura's clock) without the instance proves
the create did not happen. Every time is Aura's (the Date of its answers): the intent's, the
listings' and `created_at`, so the pod's clock plays no part. The progress is kept in the
intent in status: a restart continues the schedule instead of starting it again.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from aura_operator.api import Phase
from aura_operator.aura import AuraClient, AuraError, InstanceSummary, request_id_text
from aura_operator.controller.failures import unsynced
from aura_operator.controller.instance.claiming import ClaimKeeper
from aura_operator.controller.instance.connection import ConnectionSecrets
from aura_operator.controller.instance.connection_secret import ConnectionDetails
from aura_operator.controller.instance.desired import Desired
from aura_operator.controller.instance.tenant_listings import TenantListings
from aura_operator.controller.publishing import Publisher
from aura_operator.controller.reporting import Report
from aura_operator.controller.timestamps import parse_time, rfc3339
from aura_operator.controller.tracking import Tracked

SEND_WINDOW = 120.0
"""Aura seconds after its intent within which a create is sent, or not at all (the limiter's
permit must come by then)."""
LATE_COMMIT = 600.0
"""Aura seconds after it was sent that a create may still commit."""
LISTING_LAG = 600.0
"""Aura seconds a commit may take to show in the tenant listing."""
CONFIRM_WINDOW = SEND_WINDOW + LATE_COMMIT + LISTING_LAG
"""From this many Aura seconds after the intent, a listing without the instance proves the
create did not happen: what a create that really failed costs before it is sent again."""
LISTING_SCHEDULE: tuple[float, ...] = (30.0, 60.0, 120.0, 240.0, 480.0, 960.0, CONFIRM_WINDOW)
"""When (Aura seconds after the intent) the tenant is listed while the outcome is open."""
SHARE_SLACK = 15.0
"""Aura seconds a tenant listing may be older than a look that needs one and still serve it
(the open intents of a tenant share listings); never for the listing that decides."""
CREATED_AT_RESOLUTION = timedelta(seconds=1)
"""Aura's `created_at` is whole seconds: one taken in the intent's second may read earlier."""
RETRY_LISTING = 60.0
RIVAL_ANSWER_WAIT = 10.0
"""Aura seconds before looking again when a same-named create of another object awaits its
answer."""


def matching_instances(
    listing: list[InstanceSummary],
    *,
    name: str,
    requested_at: datetime,
    claimed: set[str],
) -> list[InstanceSummary]:
    """Instances that may be the outcome of our create: the intended name, created (on Aura's
    clock) at or after the intent, and not already another AuraInstance's. An older namesake
    is never ours, however close."""
    earliest = requested_at - CREATED_AT_RESOLUTION
    return [
        item
        for item in listing
        if item.name == name
        and item.id not in claimed
        and (item.created_at is None or item.created_at >= earliest)
    ]


def next_listing_at(listed_at: float) -> float:
    """When (Aura seconds after the intent) the listing after one taken at `listed_at` is due."""
    return next((point for point in LISTING_SCHEDULE if point > listed_at), CONFIRM_WINDOW)


class Recovery:
    def __init__(
        self,
        publisher: Publisher,
        claims: ClaimKeeper,
        secrets: ConnectionSecrets,
        listings: TenantListings,
    ) -> None:
        self.publish = publisher
        self.claims = claims
        self.secrets = secrets
        self.listings = listings

    async def recover(self, tracked: Tracked, desired: Desired, client: AuraClient) -> float | None:
        """Resolve an open create intent; returns Aura seconds until the next look (None: the
        drift period). The intent stays open until an instance is adopted or a listing taken
        CONFIRM_WINDOW after the intent proves the create did not happen."""
        tracked.begin_write()
        intent: dict[str, Any] = dict(tracked.status["createIntent"])
        report = Report(phase=Phase.CREATING)
        if await self._adopt_own_answer(tracked, desired, report):
            return 0.0  # read it at once: Ready follows from Aura's answer
        requested_at = parse_time(intent["requestedAt"])
        conclusive_at = requested_at + timedelta(seconds=CONFIRM_WINDOW)
        try:
            now = await client.aura_time()
            elapsed = (now - requested_at).total_seconds()
            last = intent.get("lastListedAt")
            if last is not None and now < conclusive_at:
                # A restart or an early look: keep to the schedule the status records.
                due_in = (
                    next_listing_at((parse_time(last) - requested_at).total_seconds()) - elapsed
                )
                if due_in > 0:
                    self._still_open(intent, report, conclusive_at)
                    await self.publish.status(tracked, report)
                    return due_in
            need = conclusive_at if now >= conclusive_at else now - timedelta(seconds=SHARE_SLACK)
            listing = await self.listings.get(client, intent["tenantId"], need)
        except AuraError as error:
            report.synced = unsynced(error)
            report.fields = {"lastRequestId": error.request_id}
            await self.publish.status(tracked, report)
            return RETRY_LISTING
        report.fields = {"lastRequestId": listing.request_id}
        async with self.claims.lock:  # no other object may take the same instance meanwhile
            candidates = matching_instances(
                listing.items,
                name=intent["name"],
                requested_at=requested_at,
                claimed=await self.claims.taken(tracked),
            )
            rival = self.claims.create_awaiting_answer(tracked, intent["name"], intent["tenantId"])
            if len(candidates) == 1 and rival is None:
                await self.claims.record(tracked, candidates[0].id, clear_intent=True)
        if candidates and rival is not None:
            # The instance may be the rival's, answered any moment: decide once it is.
            self._still_open(intent, report, conclusive_at)
            await self.publish.status(tracked, report)
            return RIVAL_ANSWER_WAIT
        if len(candidates) > 1:
            ids = ", ".join(sorted(c.id for c in candidates))
            report.stall(
                "AmbiguousInstances",
                f"Several Aura instances named {intent['name']!r} appeared after the create "
                f"intent: {ids}. Delete the extra ones in the Aura console; the operator then "
                "adopts the one left.",
            )
            await self.publish.status(tracked, report)
            return RETRY_LISTING * 10
        if len(candidates) == 1:
            await self._adopt_listed(tracked, desired, candidates[0], report, listing.request_id)
            return 0.0  # read it at once: Ready follows from Aura's answer
        if listing.as_of >= conclusive_at:
            return await self._did_not_happen(tracked, intent, report, listing.request_id)
        intent.update(
            listings=int(intent.get("listings") or 0) + 1,
            lastListedAt=rfc3339(listing.as_of),
            conclusiveAt=rfc3339(conclusive_at),
        )
        report.fields["createIntent"] = intent
        self._still_open(intent, report, conclusive_at)
        await self.publish.status(tracked, report)
        listed_at = (listing.as_of - requested_at).total_seconds()
        return max(1.0, next_listing_at(listed_at) - elapsed)

    @staticmethod
    def _still_open(intent: dict[str, Any], report: Report, conclusive_at: datetime) -> None:
        listings = int(intent.get("listings") or 0)
        report.ready_if(
            False,
            "CreateOutcomeUnknown",
            f"The create of {intent['name']!r} (requested at {intent['requestedAt']}, Aura's "
            f"clock) may still appear at Aura; {listings} tenant listing(s) have not shown it "
            f"yet. If none shows it by {rfc3339(conclusive_at)}, it is sent again.",
        )

    async def _did_not_happen(
        self, tracked: Tracked, intent: dict[str, Any], report: Report, request_id: str | None
    ) -> float:
        # Listed CONFIRM_WINDOW after the intent and not there: the create did not happen.
        # The intent is cleared; the next reconcile creates afresh with a new intent.
        report.fields["createIntent"] = None
        report.ready_if(False, "CreatePending", "The earlier create did not happen; creating")
        await self.publish.status(tracked, report)
        await self.publish.event(
            tracked,
            "CreateNotFound",
            f"No instance named {intent['name']!r} appeared within "
            f"{CONFIRM_WINDOW / 60:.0f} minutes of the interrupted create (requested at "
            f"{intent['requestedAt']}, Aura's clock); creating it again. Should Aura still "
            "commit the interrupted create, a second instance of that name created after that "
            "time appears in the tenant, billed and managed by nothing: delete it in the Aura "
            f"console. Deciding listing: {request_id_text(request_id)}",
            warning=True,
        )
        return 0.0

    async def _adopt_own_answer(self, tracked: Tracked, desired: Desired, report: Report) -> bool:
        """The 202 was read and its Secret written, but the status write was lost (a crash or
        an API-server failure): the Secret names the instance and holds its password."""
        instance_id = tracked.created_id or await self.secrets.instance_in_secret(tracked, desired)
        if instance_id is None:
            return False
        await self.claims.record(tracked, instance_id, clear_intent=True)
        report.fields.update({"instanceId": instance_id, "createIntent": None})
        report.fields["connectionSecretName"] = self.secrets.name(tracked, desired)
        report.credentials_available(True, "PasswordStored", "from the create answer")
        report.not_stalled()
        report.synced_ok("Recovered")
        report.ready_if(False, "Creating", f"Aura instance {instance_id}: reading its status")
        report.observed_generation = tracked.generation
        await self.publish.status(tracked, report)
        return True

    async def _adopt_listed(
        self,
        tracked: Tracked,
        desired: Desired,
        found: InstanceSummary,
        report: Report,
        request_id: str | None,
    ) -> None:
        details = ConnectionDetails(
            instance_id=found.id,
            instance_name=found.name,
            connection_url=f"neo4j+s://{found.id}.databases.neo4j.io",
        )
        has_password = await self.secrets.write_without_password(tracked, desired, details, report)
        report.fields.update({"instanceId": found.id, "createIntent": None})
        report.not_stalled()
        report.synced_ok("Recovered")
        report.ready_if(False, "Creating", f"Adopted Aura instance {found.id}: reading its status")
        report.observed_generation = tracked.generation
        await self.publish.status(tracked, report)
        await self.publish.event(
            tracked,
            "AdoptedAfterLostAnswer",
            f"Found Aura instance {found.id} created by the interrupted request; adopted it"
            + ("" if has_password else " without its password: reset it in the Aura console")
            + f"; listing {request_id_text(request_id)}",
            warning=not has_password,
        )
