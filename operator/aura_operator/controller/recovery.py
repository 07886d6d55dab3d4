"""Finding the outcome of a create whose answer was lost (design 3.1, step 4)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from aura_operator.api import Phase
from aura_operator.aura import AuraClient, AuraError, InstanceSummary, Lane
from aura_operator.controller.connection import ConnectionSecrets
from aura_operator.controller.desired import Desired
from aura_operator.controller.failures import unsynced
from aura_operator.controller.publishing import Publisher
from aura_operator.controller.reporting import Report
from aura_operator.controller.schedule import next_read_delay
from aura_operator.controller.secrets import ConnectionDetails
from aura_operator.controller.tracking import Fleet, Tracked

CLOCK_SKEW = timedelta(minutes=2)
"""How far Aura's `created_at` may lag our `requestedAt` and still match the intent."""
EMPTY_LISTINGS_APART = 30.0
"""Aura seconds between the two empty listings that prove a create did not happen."""
RETRY_LISTING = 60.0


def matching_instances(
    listing: list[InstanceSummary],
    *,
    name: str,
    requested_at: datetime,
    claimed: set[str],
) -> list[InstanceSummary]:
    """Instances that may be the outcome of our create: the intended name, created at or after
    the intent (less clock skew), and not already another AuraInstance's."""
    earliest = requested_at - CLOCK_SKEW
    return [
        item
        for item in listing
        if item.name == name
        and item.id not in claimed
        and (item.created_at is None or item.created_at >= earliest)
    ]


def parse_time(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class Recovery:
    def __init__(
        self,
        publisher: Publisher,
        fleet: Fleet,
        secrets: ConnectionSecrets,
        *,
        time_scale: float,
        watched_namespaces: tuple[str, ...] = (),
    ) -> None:
        self.publish = publisher
        self.fleet = fleet
        self.secrets = secrets
        self.time_scale = time_scale
        self.watched_namespaces = watched_namespaces

    async def recover(self, tracked: Tracked, desired: Desired, client: AuraClient) -> float | None:
        """Resolve an open create intent; returns Aura seconds until the next look (None: the
        drift period). The intent stays open until an instance is adopted or two listings
        30 s apart prove the create did not happen."""
        tracked.begin_write()
        intent = tracked.status["createIntent"]
        report = Report(phase=Phase.CREATING)
        if await self._adopt_own_answer(tracked, desired, report):
            return next_read_delay("creating", 0.0)
        try:
            listing = await client.list_instances(tenant_id=intent["tenantId"], lane=Lane.CREATE)
        except AuraError as error:
            report.synced = unsynced(error)
            report.fields = {"lastRequestId": error.request_id}
            await self.publish.status(tracked, report)
            return RETRY_LISTING
        report.fields = {"lastRequestId": listing.request_id}
        candidates = matching_instances(
            listing.value,
            name=intent["name"],
            requested_at=parse_time(intent["requestedAt"]),
            claimed=await self._claimed_by_others(tracked),
        )
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
            await self._adopt_listed(tracked, desired, candidates[0], report)
            return next_read_delay("creating", 0.0)
        return await self._nothing_listed(tracked, intent, report)

    async def _adopt_own_answer(self, tracked: Tracked, desired: Desired, report: Report) -> bool:
        """The 202 was read and its Secret written, but the status write was lost (a crash or
        an API-server failure): the Secret names the instance and holds its password."""
        instance_id = tracked.created_id or await self.secrets.instance_in_secret(tracked, desired)
        if instance_id is None:
            return False
        report.fields.update({"instanceId": instance_id, "createIntent": None})
        report.fields["connectionSecretName"] = self.secrets.name(tracked, desired)
        report.credentials_available(True, "PasswordStored", "from the create answer")
        report.not_stalled()
        report.synced_ok("Recovered")
        report.observed_generation = tracked.generation
        await self.publish.status(tracked, report)
        return True

    async def _claimed_by_others(self, tracked: Tracked) -> set[str]:
        """Ids other AuraInstances hold, from the API server (the in-memory fleet may not have
        seen every object yet at start-up) and from memory (writes not yet watched)."""
        claimed = {t.instance_id for t in self.fleet.all() if t is not tracked and t.instance_id}
        listed = await self.publish.kube.instance_ids(self.watched_namespaces)
        claimed |= {instance_id for key, instance_id in listed.items() if key != tracked.key}
        return {c for c in claimed if c}

    async def _adopt_listed(
        self, tracked: Tracked, desired: Desired, found: InstanceSummary, report: Report
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
        report.observed_generation = tracked.generation
        await self.publish.status(tracked, report)
        await self.publish.event(
            tracked,
            "AdoptedAfterLostAnswer",
            f"Found Aura instance {found.id} created by the interrupted request; adopted it"
            + ("" if has_password else " without its password: reset it in the Aura console"),
            warning=not has_password,
        )

    async def _nothing_listed(
        self, tracked: Tracked, intent: dict[str, str], report: Report
    ) -> float:
        now = time.monotonic()
        if tracked.first_empty_listing is None:
            tracked.first_empty_listing = now
            report.ready_if(False, "ConfirmingCreate", "No instance found yet; listing again")
            await self.publish.status(tracked, report)
            return EMPTY_LISTINGS_APART
        waited = (now - tracked.first_empty_listing) * self.time_scale
        if waited < EMPTY_LISTINGS_APART:
            await self.publish.status(tracked, report)
            return EMPTY_LISTINGS_APART - waited
        # Two listings 30 s apart saw nothing: the create did not happen. The intent is
        # cleared; the next reconcile creates afresh with a new intent.
        tracked.first_empty_listing = None
        report.fields["createIntent"] = None
        report.ready_if(False, "CreatePending", "The earlier create did not happen; creating")
        await self.publish.status(tracked, report)
        await self.publish.event(
            tracked,
            "CreateNotFound",
            f"No instance named {intent['name']!r} appeared after the interrupted create; "
            "creating it again",
        )
        return 0.0
