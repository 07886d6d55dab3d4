"""KEP-1623 status conditions: pure functions over the list kept in `status.conditions`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aura_operator.api import ConditionType
from aura_operator.api.status import CONDITION_MESSAGE_MAX_LENGTH, CONDITION_REASON_MAX_LENGTH

Condition = dict[str, Any]

ELISION = " [...] "
KEPT_TAIL = 200
"""Characters kept from the end of a cut message: messages end with the request id."""

READY = ConditionType.READY.value
SYNCED = ConditionType.SYNCED.value
STALLED = ConditionType.STALLED.value
CREDENTIALS_AVAILABLE = ConditionType.CREDENTIALS_AVAILABLE.value


@dataclass(frozen=True)
class ConditionUpdate:
    type: str
    status: bool | None  # None is "Unknown"
    reason: str
    message: str = ""

    @property
    def status_text(self) -> str:
        return {True: "True", False: "False", None: "Unknown"}[self.status]


def set_conditions(
    conditions: list[Condition] | None,
    updates: list[ConditionUpdate],
    *,
    generation: int,
    now: str,
) -> list[Condition]:
    """Return a new list with `updates` applied.

    `lastTransitionTime` changes only when a condition's status changes, as kstatus and
    `kubectl wait` expect; reason, message and observedGeneration always follow the update.
    """
    by_type = {c["type"]: dict(c) for c in conditions or []}
    for update in updates:
        previous = by_type.get(update.type)
        transitioned = previous is None or previous.get("status") != update.status_text
        by_type[update.type] = {
            "type": update.type,
            "status": update.status_text,
            "reason": update.reason[:CONDITION_REASON_MAX_LENGTH],
            "message": bounded(update.message),
            "observedGeneration": generation,
            "lastTransitionTime": (
                now if transitioned or previous is None else previous["lastTransitionTime"]
            ),
        }
    order = {READY: 0, SYNCED: 1, STALLED: 2, CREDENTIALS_AVAILABLE: 3}
    return sorted(by_type.values(), key=lambda c: (order.get(c["type"], 99), c["type"]))


def bounded(message: str, limit: int = CONDITION_MESSAGE_MAX_LENGTH) -> str:
    """`message` within `limit` characters, which the CRD (and so the API server) enforces: a
    longer one would make every status write fail. Keeps the start and the request id."""
    if len(message) <= limit:
        return message
    tail = message[-min(KEPT_TAIL, limit // 4) :]
    return message[: limit - len(ELISION) - len(tail)] + ELISION + tail


def find(conditions: list[Condition] | None, type_: str) -> Condition | None:
    return next((c for c in conditions or [] if c.get("type") == type_), None)


def is_true(conditions: list[Condition] | None, type_: str) -> bool:
    condition = find(conditions, type_)
    return condition is not None and condition.get("status") == "True"
