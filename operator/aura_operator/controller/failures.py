"""How Aura errors are reported: condition reasons, one-line descriptions, rejections."""

from __future__ import annotations

import re

from aura_operator.aura import AuraError, request_id_text
from aura_operator.controller.conditions import SYNCED, ConditionUpdate
from aura_operator.controller.publishing import Publisher
from aura_operator.controller.reporting import Report
from aura_operator.controller.tracking import Tracked


def aura_reason(error: AuraError) -> str:
    """Aura's reason (`invalid-memory-size`) as a Kubernetes condition reason
    (`InvalidMemorySize`): letters and digits only, starting with a letter, whatever Aura sent."""
    words = re.findall(r"[A-Za-z0-9]+", error.reason or "")
    reason = "".join(word[:1].upper() + word[1:] for word in words)
    if not reason:
        return type(error).__name__
    return reason if reason[0].isalpha() else f"Aura{reason}"


def describe(error: AuraError) -> str:
    """A one-line account of an Aura error for status and Events (never holds a secret)."""
    parts = [error.message or "error"]
    if error.reason:
        parts.append(f"reason {error.reason}")
    if error.field:
        parts.append(f"field {error.field}")
    parts.append(f"HTTP {error.status}" if error.status else "no response")
    parts.append(request_id_text(error.request_id))
    return "; ".join(parts)


def unsynced(error: AuraError) -> ConditionUpdate:
    return ConditionUpdate(SYNCED, False, aura_reason(error), describe(error))


async def reject(
    publish: Publisher, tracked: Tracked, report: Report, error: AuraError, *, clear_intent: bool
) -> None:
    """Aura refused the spec (4xx): report it and do not retry until the spec changes.
    The Event goes first: it reaches the user even if the status write fails."""
    message = describe(error)
    await publish.event(tracked, "AuraRejected", message, warning=True)
    report.stall("AuraRejected", message, event=False)
    report.synced = unsynced(error)
    report.observed_generation = tracked.generation
    report.fields = {**report.fields, "lastRequestId": error.request_id}
    if clear_intent:
        report.fields["createIntent"] = None
    await publish.status(tracked, report)


async def call_failed(
    publish: Publisher, tracked: Tracked, report: Report, error: AuraError
) -> None:
    """An Aura call that failed for a passing reason (429, 5xx, no answer): Synced=False with
    the request id, no Event; the caller looks again later."""
    report.fields = {**report.fields, "lastRequestId": error.request_id}
    report.synced = unsynced(error)
    await publish.status(tracked, report)


async def credentials_refused(
    publish: Publisher, tracked: Tracked, report: Report, error: AuraError
) -> None:
    """Aura refused the credentials (401, 403): Stalled until a person fixes the Secret; the
    caller looks again later."""
    report.fields = {**report.fields, "lastRequestId": error.request_id}
    report.stall("CredentialsInvalid", f"Aura refused the credentials: {describe(error)}")
    await publish.status(tracked, report)


async def write_failed(
    publish: Publisher, tracked: Tracked, report: Report, error: AuraError, action: str
) -> None:
    """A write Aura did not carry out for a passing reason (429s, 5xx, network): Synced=False
    and a Warning Event with the request id; the caller retries later."""
    message = f"{action} failed, will retry: {describe(error)}"
    await publish.event(tracked, "AuraWriteFailed", message, warning=True)
    report.synced = unsynced(error)
    report.fields = {**report.fields, "lastRequestId": error.request_id}
    await publish.status(tracked, report)
