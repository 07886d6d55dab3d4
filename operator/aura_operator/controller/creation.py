"""Create exactly once (design 3.1): persist the intent, POST once, deliver the password first,
and recover from an ambiguous outcome by listing the tenant instead of POSTing again."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from aura_operator.api import Phase
from aura_operator.aura import (
    AuraClient,
    AuraError,
    AuraValidationError,
    CreateInstanceRequest,
    CreateOutcomeUnknown,
    InstanceSummary,
    Lane,
)
from aura_operator.aura.errors import AuraClientError
from aura_operator.controller.conditions import SYNCED, ConditionUpdate
from aura_operator.controller.connection import ConnectionSecrets
from aura_operator.controller.desired import Desired
from aura_operator.controller.kube import now_rfc3339
from aura_operator.controller.publishing import Publisher
from aura_operator.controller.reporting import Report
from aura_operator.controller.schedule import next_read_delay
from aura_operator.controller.secrets import ConnectionDetails
from aura_operator.controller.tracking import Fleet, Tracked

logger = logging.getLogger("aura_operator.controller")

CLOCK_SKEW = timedelta(minutes=2)
"""How far Aura's `created_at` may lag our `requestedAt` and still match the intent."""
EMPTY_LISTINGS_APART = 30.0
"""Aura seconds between the two empty listings that prove a create did not happen."""


@dataclass(frozen=True)
class CreateResult:
    next_look: float | None  # Aura seconds until the next look; None: the regular drift period


def aura_reason(error: AuraError) -> str:
    """Aura's kebab-case reason as a Kubernetes condition reason (CamelCase)."""
    words = (error.reason or type(error).__name__).replace("_", "-").split("-")
    return "".join(w[:1].upper() + w[1:] for w in words if w) or "AuraError"


def describe(error: AuraError) -> str:
    """A one-line account of an Aura error for status and Events (never holds a secret)."""
    parts = [error.message or "error"]
    if error.reason:
        parts.append(f"reason {error.reason}")
    if error.field:
        parts.append(f"field {error.field}")
    parts.append(f"HTTP {error.status}" if error.status else "no response")
    parts.append(f"request id {error.request_id or 'none'}")
    return "; ".join(parts)


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


class Creator:
    def __init__(
        self,
        publisher: Publisher,
        fleet: Fleet,
        *,
        time_scale: float,
        secrets: ConnectionSecrets | None = None,
    ) -> None:
        self.publish = publisher
        self.fleet = fleet
        self.time_scale = time_scale
        self.secrets = secrets or ConnectionSecrets(publisher)

    async def create(
        self, tracked: Tracked, desired: Desired, client: AuraClient, tenant_id: str
    ) -> CreateResult:
        tracked.begin_write()
        intent = {"name": desired.name, "tenantId": tenant_id, "requestedAt": now_rfc3339()}
        # The intent must be durable before the POST: a crash after it leaves a trace to recover.
        await self.publish.raw_status(tracked, {"createIntent": intent, "phase": "Creating"})
        tracked.first_empty_listing = None
        request = CreateInstanceRequest(**desired.create_body(tenant_id))
        report = Report()
        try:
            result = await client.create_instance(request, lane=Lane.CREATE)
        except CreateOutcomeUnknown as error:
            await self.publish.event(
                tracked,
                "CreateOutcomeUnknown",
                f"Create of {desired.name!r} may or may not have happened ({describe(error)}); "
                "looking for it in the tenant before trying again",
                warning=True,
            )
            await self.publish.raw_status(tracked, {"lastRequestId": error.request_id})
            return await self.recover(tracked, desired, client)
        except (AuraValidationError, AuraClientError) as error:
            await reject(self.publish, tracked, report, error, clear_intent=True)
            return CreateResult(None)
        except AuraError as error:
            # Not sent, or refused before Aura acted (429 after retries, connection refused).
            report.fields = {"createIntent": None, "lastRequestId": error.request_id}
            report.synced = _unsynced(error)
            report.ready_if(False, "CreatePending", describe(error))
            await self.publish.status(tracked, report)
            return CreateResult(60.0)
        created = result.value
        details = ConnectionDetails(
            instance_id=created.id,
            instance_name=created.name or desired.name,
            connection_url=created.connection_url,
            username=created.username,
            password=created.password.get_secret_value(),
        )
        secret_name = await self.secrets.write_with_password(
            tracked, desired, details, result.request_id
        )
        report.fields = {
            "instanceId": created.id,
            "createIntent": None,
            "connectionUrl": created.connection_url,
            "connectionSecretName": secret_name,
            "auraStatus": "creating",
            "lastRequestId": result.request_id,
        }
        report.phase = Phase.CREATING
        report.synced_ok("Created")
        report.not_stalled()
        report.ready_if(False, "Creating", "Aura is provisioning the instance")
        report.credentials_available(True, "PasswordStored", f"Secret {secret_name}")
        report.observed_generation = tracked.generation
        await self.publish.status(tracked, report)
        tracked.note_aura_status("creating")
        await self.publish.event(
            tracked,
            "Created",
            f"Created Aura instance {created.id} ({details.instance_name}); "
            f"request id {result.request_id}",
        )
        return CreateResult(_first_look_after_create())

    async def recover(self, tracked: Tracked, desired: Desired, client: AuraClient) -> CreateResult:
        """Find the outcome of a create whose answer was lost (or interrupted by a restart)."""
        tracked.begin_write()
        intent = tracked.status["createIntent"]
        report = Report(phase=Phase.CREATING)
        try:
            listing = await client.list_instances(tenant_id=intent["tenantId"], lane=Lane.CREATE)
        except AuraError as error:
            report.synced = _unsynced(error)
            report.fields = {"lastRequestId": error.request_id}
            await self.publish.status(tracked, report)
            return CreateResult(60.0)
        report.fields = {"lastRequestId": listing.request_id}
        claimed = {t.instance_id for t in self.fleet.all() if t is not tracked and t.instance_id}
        candidates = matching_instances(
            listing.value,
            name=intent["name"],
            requested_at=parse_time(intent["requestedAt"]),
            claimed={c for c in claimed if c},
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
            return CreateResult(None)
        if len(candidates) == 1:
            await self._adopt_after_lost_answer(tracked, desired, candidates[0], report)
            return CreateResult(_first_look_after_create())
        now = time.monotonic()
        if tracked.first_empty_listing is None:
            tracked.first_empty_listing = now
            report.ready_if(False, "ConfirmingCreate", "No instance found yet; listing again")
            await self.publish.status(tracked, report)
            return CreateResult(EMPTY_LISTINGS_APART)
        waited = (now - tracked.first_empty_listing) * self.time_scale
        if waited < EMPTY_LISTINGS_APART:
            await self.publish.status(tracked, report)
            return CreateResult(EMPTY_LISTINGS_APART - waited)
        # Two listings 30 s apart saw nothing: the create did not happen. Intent is cleared,
        # the next reconcile creates afresh with a new intent.
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
        return CreateResult(0.0)

    async def _adopt_after_lost_answer(
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
            f"Found Aura instance {found.id} created by the interrupted request; adopted it "
            + ("" if has_password else "without its password: reset it in the Aura console"),
            warning=not has_password,
        )


async def reject(
    publish: Publisher, tracked: Tracked, report: Report, error: AuraError, *, clear_intent: bool
) -> None:
    """Aura refused the spec (4xx): report it and do not retry until the spec changes."""
    message = describe(error)
    report.stall("AuraRejected", message)
    report.synced = _unsynced(error)
    report.observed_generation = tracked.generation
    report.fields = {**report.fields, "lastRequestId": error.request_id}
    if clear_intent:
        report.fields["createIntent"] = None
    await publish.status(tracked, report)
    await publish.event(tracked, "AuraRejected", message, warning=True)


def _unsynced(error: AuraError) -> ConditionUpdate:
    return ConditionUpdate(SYNCED, False, aura_reason(error), describe(error))


def _first_look_after_create() -> float:
    return next_read_delay("creating", 0.0)
