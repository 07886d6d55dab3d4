"""Create exactly once (design 3.1): persist the intent, POST once, store the password and the
instance id before anything else, and hand lost answers to the recovery."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable

from aura_operator.api import Phase
from aura_operator.aura import (
    AuraAuthError,
    AuraClient,
    AuraClientError,
    AuraConflict,
    AuraError,
    AuraNotFound,
    CreatedInstance,
    CreateInstanceRequest,
    CreateOutcomeUnknown,
    Lane,
    Result,
    request_id_text,
)
from aura_operator.controller.failures import credentials_refused, describe, reject, write_failed
from aura_operator.controller.instance.connection import (
    ConnectionSecrets,
    SecretConflict,
    SecretRefused,
)
from aura_operator.controller.instance.connection_secret import ConnectionDetails
from aura_operator.controller.instance.desired import Desired
from aura_operator.controller.instance.recovery import SEND_WINDOW, Recovery
from aura_operator.controller.kube import KubeError, ObjectGone, now_rfc3339
from aura_operator.controller.publishing import Publisher
from aura_operator.controller.reporting import Report
from aura_operator.controller.schedule import next_read_delay
from aura_operator.controller.timestamps import rfc3339
from aura_operator.controller.tracking import Tracked

logger = logging.getLogger("aura_operator.controller")

RETRY_CREATE = 60.0  # Aura seconds after a create Aura refused for a passing reason
RECHECK_CREDENTIALS = 300.0
RECHECK_SECRET_CONFLICT = 300.0  # Aura seconds; nothing is sent to Aura meanwhile
CLAIM_LOST_RECHECK = 30.0
"""Aura seconds before looking again at an object whose intent another process wrote."""


class Creator:
    def __init__(
        self,
        publisher: Publisher,
        secrets: ConnectionSecrets,
        recovery: Recovery,
        read_spacing: Callable[[AuraClient], float] = lambda client: math.inf,
        *,
        time_scale: float = 1.0,
    ) -> None:
        self.time_scale = time_scale
        self.publish = publisher
        self.read_spacing = read_spacing
        """Seconds between reads of an instance in transition the budget allows (engine)."""
        self.secrets = secrets
        self.recovery = recovery
        self.storing: set[asyncio.Task[float]] = set()
        """Answers being stored; shielded from cancellation and awaited at shutdown."""

    async def create(
        self, tracked: Tracked, desired: Desired, client: AuraClient, tenant_id: str
    ) -> float | None:
        """Returns Aura seconds until the next look (None: the drift period). The engine lets
        only a few objects at a time in here (admission.py)."""
        tracked.begin_write()
        # The Secret first: a name that is taken or refused stops the create here, before
        # anything is billed.
        problem = await self._reserve_secret(tracked, desired)
        if problem is not None:
            return problem
        outcome = await self._create(tracked, desired, client, tenant_id)
        if isinstance(outcome, asyncio.Task):
            # Aura answered: the admission place is free for others while the answer is
            # stored, which may take retries (an API server refusing the status write) that
            # block nobody.
            if tracked.admission is not None:
                tracked.admission.leave()
            return await asyncio.shield(outcome)
        return outcome

    async def _reserve_secret(self, tracked: Tracked, desired: Desired) -> float | None:
        """None when the connection Secret is reserved for this object; else the report is
        published and the Aura seconds until the next try are returned."""
        report = Report(phase=Phase.PENDING)
        try:
            await self.secrets.reserve(tracked, desired)
            return None
        except SecretConflict as error:
            report.stall(error.reason, str(error))
            delay = RECHECK_SECRET_CONFLICT
        except SecretRefused as error:
            report.stall("ConnectionSecretRefused", f"{error}. Nothing was sent to Aura.")
            delay = RECHECK_SECRET_CONFLICT
        except KubeError as error:  # a failing API server: not for a person to fix
            report.ready_if(False, "ConnectionSecretPending", f"reserving the Secret: {error}")
            delay = RETRY_CREATE
        await self.publish.status(tracked, report)
        return delay

    async def _create(
        self, tracked: Tracked, desired: Desired, client: AuraClient, tenant_id: str
    ) -> float | asyncio.Task[float] | None:
        """Aura seconds until the next look, or the task storing Aura's answer."""
        try:
            # Aura's clock, not the pod's: the recovery compares it with Aura's `created_at`.
            requested_at = await client.aura_time(lane=Lane.CREATE)
        except AuraAuthError:
            raise  # reported as CredentialsInvalid by the engine
        except AuraError as error:
            report = Report()
            report.ready_if(False, "CreatePending", describe(error))
            await write_failed(self.publish, tracked, report, error, "Create")
            return RETRY_CREATE
        send_by = time.monotonic() + SEND_WINDOW / self.time_scale
        intent = {"name": desired.name, "tenantId": tenant_id, "requestedAt": rfc3339(requested_at)}
        # The intent must be durable before the POST (a crash after it leaves a trace to
        # recover), and ours alone: a process whose compare-and-swap loses sends nothing.
        if not await self.publish.claim_intent(tracked, intent):
            logger.info(
                "%s: not creating: the object already has a create intent or an instance "
                "(another operator process?)",
                tracked.ref,
            )
            return CLAIM_LOST_RECHECK
        request = CreateInstanceRequest(**desired.create_body(tenant_id))
        try:
            result = await self._send(tracked, client, request, send_by)
        except CreateOutcomeUnknown as error:
            await self.publish.event(
                tracked,
                "CreateOutcomeUnknown",
                f"Create of {desired.name!r} may or may not have happened ({describe(error)}); "
                "looking for it in the tenant before trying again",
                warning=True,
            )
            await self.publish.status(tracked, Report(fields={"lastRequestId": error.request_id}))
            return await self.recovery.recover(tracked, desired, client)
        # Refused creates go back to Pending: nothing exists in Aura, and a Stalled object
        # must not be counted (or shown) as Creating.
        except AuraAuthError as error:
            report = Report(phase=Phase.PENDING, fields={"createIntent": None})
            await credentials_refused(self.publish, tracked, report, error)
            return RECHECK_CREDENTIALS
        except (AuraClientError, AuraNotFound, AuraConflict) as error:
            # Aura answered and did not create: a spec it refuses (unknown tenant included).
            await reject(
                self.publish, tracked, Report(phase=Phase.PENDING), error, clear_intent=True
            )
            return None
        except AuraError as error:
            # Not sent, or refused before Aura acted (429 after retries, connection refused,
            # no permit within SEND_WINDOW of the intent).
            report = Report(fields={"createIntent": None})
            report.ready_if(False, "CreatePending", describe(error))
            await write_failed(self.publish, tracked, report, error, "Create")
            return RETRY_CREATE
        # From here the password exists only in this process: finish even if the handler is
        # cancelled (operator shutdown); the engine awaits `storing` before it stops.
        task = asyncio.create_task(self._store(tracked, desired, result, client))
        self.storing.add(task)
        task.add_done_callback(self.storing.discard)
        return task

    @staticmethod
    async def _send(
        tracked: Tracked, client: AuraClient, request: CreateInstanceRequest, send_by: float
    ) -> Result[CreatedInstance]:
        """The POST; while it awaits its answer, and once answered, the instance it creates
        counts as this object's for every other object's recovery (claiming.py)."""
        tracked.create_sending = True
        try:
            result = await client.create_instance(request, lane=Lane.CREATE, send_by=send_by)
            tracked.created_id = result.value.id  # before any other task runs
            return result
        finally:
            tracked.create_sending = False

    async def _store(
        self,
        tracked: Tracked,
        desired: Desired,
        result: Result[CreatedInstance],
        client: AuraClient,
    ) -> float:
        created = result.value
        details = ConnectionDetails(
            instance_id=created.id,
            instance_name=created.name or desired.name,
            connection_url=created.connection_url,
            username=created.username,
            password=created.password.get_secret_value(),
        )
        secret_name = await self.secrets.write_with_password(tracked, desired, details)
        report = Report(
            phase=Phase.CREATING,
            fields={
                "instanceId": created.id,
                "claimedAt": now_rfc3339(),
                "createIntent": None,
                "connectionUrl": created.connection_url,
                "auraStatus": "creating",
                "lastRequestId": result.request_id,
            },
            observed_generation=tracked.generation,
        )
        report.synced_ok("Created")
        report.not_stalled()
        report.ready_if(False, "Creating", "Aura is provisioning the instance")
        if secret_name is not None:
            report.fields["connectionSecretName"] = secret_name
            report.credentials_available(True, "PasswordStored", f"Secret {secret_name}")
        else:
            self.secrets.pending.report(tracked, report, self.secrets.name(tracked, desired))
        # Not fenced: this process created the instance and holds its password; record it even
        # if another process has meanwhile touched the intent.
        try:
            await self.publish.status_until_written(tracked, report, fenced=False)
        except ObjectGone:
            if secret_name is not None:
                await self.secrets.keep_after_owner_vanished(tracked, desired, details)
            else:
                self.secrets.pending.keep_after_delete(tracked)
            raise
        finally:
            self.secrets.pending.recorded(tracked)
        tracked.note_aura_status("creating")
        await self.publish.event(
            tracked,
            "Created",
            f"Created Aura instance {created.id} ({details.instance_name}); "
            f"{request_id_text(result.request_id)}",
        )
        return next_read_delay("creating", 0.0, self.read_spacing(client))

    async def drain(self, limit: float) -> None:
        """Wait (up to `limit` seconds) for answers still being stored."""
        if self.storing:
            await asyncio.wait(set(self.storing), timeout=limit)
