"""Writes the operator makes about an AuraInstance: status patches and Events."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from aura_operator.controller.kube import KubeClient, ObjectGone, now_rfc3339
from aura_operator.controller.reporting import Report
from aura_operator.controller.tracking import Tracked

logger = logging.getLogger("aura_operator.controller")


class Publisher:
    def __init__(self, kube: KubeClient, on_error: Callable[[str], None] | None = None) -> None:
        self.kube = kube
        self._on_error = on_error or (lambda reason: None)

    async def status(self, tracked: Tracked, report: Report) -> None:
        """Patch the status keys the report changes and remember the result."""
        if report.synced is not None and report.synced.status is False:
            self._on_error(report.synced.reason)
        fields = dict(report.fields)
        if report.fields or report.phase or report.ready or report.synced:
            fields.setdefault("lastSyncTime", now_rfc3339())
        report.fields = fields
        stall = report.new_stall(tracked.status, generation=tracked.generation)
        patch = report.status_patch(
            tracked.status, generation=tracked.generation, now=now_rfc3339()
        )
        if set(patch) <= {"lastSyncTime"}:
            return
        await self.raw_status(tracked, patch)
        if stall is not None:  # after the write: a stall retried every few seconds posts once
            await self.event(tracked, stall.reason, stall.message, warning=True)

    async def status_until_written(self, tracked: Tracked, report: Report) -> None:
        """Like `status`, retried until the API server takes it: the write that records a new
        instance id must not be lost to a passing API-server failure. Ends with ObjectGone
        when the object no longer exists."""
        delay = 1.0
        while True:
            try:
                await self.status(tracked, report)
                return
            except ObjectGone:
                raise
            except Exception as error:
                logger.warning("%s: status write failed, retrying: %s", tracked.ref, error)
                await asyncio.sleep(delay)
                delay = min(30.0, delay * 2)

    async def raw_status(self, tracked: Tracked, patch: dict[str, Any]) -> None:
        tracked.begin_write()  # a status write in flight must not be cancelled half-way
        updated = await self.kube.patch_status(tracked.ref, patch)
        if updated.get("status") is not None:
            tracked.status = dict(updated["status"])
        else:
            merged = {**tracked.status, **patch}
            tracked.status = {k: v for k, v in merged.items() if v is not None}

    async def event(
        self, tracked: Tracked, reason: str, message: str, *, warning: bool = False
    ) -> None:
        """Post an Event; an Event that cannot be posted is logged, never fatal."""
        log = logger.warning if warning else logger.info
        log("%s %s: %s", tracked.ref, reason, message, extra={"object": str(tracked.ref)})
        try:
            await self.kube.post_event(
                tracked.ref,
                type_="Warning" if warning else "Normal",
                reason=reason,
                message=message,
            )
        except Exception as error:  # an Event is informative; the reconcile goes on
            logger.warning("could not post Event %s for %s: %s", reason, tracked.ref, error)
