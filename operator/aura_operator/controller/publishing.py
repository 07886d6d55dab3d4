"""Writes the operator makes about an object of any kind: status patches and Events.

The AuraInstance create intent is the one status key written as a compare-and-swap: it is set
only on the object version read just before (a JSON patch testing `resourceVersion`), and
cleared only if it is still the intent this process read (a JSON patch testing it). Two
processes acting on the same object (a deposed leader that has not noticed yet, or election
switched off) therefore cannot both hold an intent, and only the holder sends the create."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from aura_operator.controller.kube import KubeClient, KubeError, ObjectGone, now_rfc3339
from aura_operator.controller.reporting import Report
from aura_operator.controller.tracking import Tracked

logger = logging.getLogger("aura_operator.controller")

CLAIM_ATTEMPTS = 3
"""Re-reads after a lost compare-and-swap whose winner left no intent (an unrelated write)."""
LOST_RACE = (409, 422)
"""How the API server refuses a JSON patch whose `test` fails (422) or whose object changed
while it applied it (409)."""


class Publisher:
    def __init__(self, kube: KubeClient, on_error: Callable[[str], None] | None = None) -> None:
        self.kube = kube
        self._on_error = on_error or (lambda reason: None)

    async def status(self, tracked: Tracked, report: Report, *, fenced: bool = True) -> None:
        """Patch the status keys the report changes and remember the result. A patch that
        clears the create intent is dropped if the intent is no longer the one read (unless
        not `fenced`: the write that records an instance this process created)."""
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
        await self.raw_status(tracked, patch, fenced=fenced)
        if stall is not None:  # after the write: a stall retried every few seconds posts once
            await self.event(tracked, stall.reason, stall.message, warning=True)

    async def status_until_written(
        self, tracked: Tracked, report: Report, *, fenced: bool = True
    ) -> None:
        """Like `status`, retried until the API server takes it: the write that records a new
        instance id must not be lost to a passing API-server failure. Ends with ObjectGone
        when the object no longer exists."""
        delay = 1.0
        while True:
            try:
                await self.status(tracked, report, fenced=fenced)
                return
            except ObjectGone:
                raise
            except Exception as error:
                logger.warning("%s: status write failed, retrying: %s", tracked.ref, error)
                await asyncio.sleep(delay)
                delay = min(30.0, delay * 2)

    async def raw_status(
        self, tracked: Tracked, patch: dict[str, Any], *, fenced: bool = True
    ) -> None:
        tracked.begin_write()  # a status write in flight must not be cancelled half-way
        intent = tracked.status.get("createIntent")
        if fenced and intent and "createIntent" in patch and patch["createIntent"] is None:
            if not await self._clear_intent(tracked, intent):
                logger.info(
                    "%s: the create intent changed under this process; its status write was "
                    "dropped and the object re-read",
                    tracked.ref,
                )
                return
            patch = {k: v for k, v in patch.items() if k != "createIntent"}
            if not patch:
                return
        updated = await self.kube.patch_status(tracked.ref, patch)
        if updated.get("status") is not None:
            tracked.status = dict(updated["status"])
        else:
            merged = {**tracked.status, **patch}
            tracked.status = {k: v for k, v in merged.items() if v is not None}

    async def claim_intent(self, tracked: Tracked, intent: dict[str, Any]) -> bool:
        """Record the create intent on the object as read now, as a compare-and-swap on its
        resourceVersion. False (and `tracked.status` re-read) when the object already has an
        intent or an instance id, is being deleted or is gone: the caller must not create."""
        tracked.begin_write()
        for _ in range(CLAIM_ATTEMPTS):
            fresh = await self._read(tracked)
            if fresh is None or not _may_claim(fresh):
                return False
            version = fresh["metadata"]["resourceVersion"]
            operations: list[dict[str, Any]] = [
                {"op": "test", "path": "/metadata/resourceVersion", "value": version}
            ]
            fields = {"createIntent": intent, "phase": "Creating"}
            if isinstance(fresh.get("status"), dict):
                operations += [
                    {"op": "add", "path": f"/status/{key}", "value": value}
                    for key, value in fields.items()
                ]
            else:
                operations.append({"op": "add", "path": "/status", "value": fields})
            try:
                updated = await self.kube.patch_status_json(tracked.ref, operations)
            except KubeError as error:
                if error.status not in LOST_RACE:
                    raise
                now = await self._read(tracked)
                if now is not None and now["metadata"]["resourceVersion"] == version:
                    raise  # refused for another reason than a newer version
                continue
            tracked.status = dict(updated.get("status") or {})
            return True
        return False

    async def _clear_intent(self, tracked: Tracked, intent: dict[str, Any]) -> bool:
        """Remove the create intent if it is still `intent`; False (and the object re-read)
        when another process has replaced or removed it."""
        operations: list[dict[str, Any]] = [
            {"op": "test", "path": "/status/createIntent", "value": intent},
            {"op": "remove", "path": "/status/createIntent"},
        ]
        try:
            updated = await self.kube.patch_status_json(tracked.ref, operations)
        except KubeError as error:
            if error.status not in LOST_RACE:
                raise
            fresh = await self._read(tracked)
            if fresh is not None and (fresh.get("status") or {}).get("createIntent") == intent:
                raise  # refused for another reason than a changed intent
            return False
        tracked.status = dict(updated.get("status") or {})
        return True

    async def _read(self, tracked: Tracked) -> dict[str, Any] | None:
        """The object from the API server (None if gone or replaced); refreshes the status."""
        fresh = await self.kube.get_instance(tracked.ref)
        if fresh is None or (tracked.ref.uid and fresh["metadata"].get("uid") != tracked.ref.uid):
            return None
        tracked.status = dict(fresh.get("status") or {})
        return fresh

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


def _may_claim(obj: dict[str, Any]) -> bool:
    status = obj.get("status") or {}
    return not (
        status.get("instanceId")
        or status.get("createIntent")
        or obj["metadata"].get("deletionTimestamp")
    )
