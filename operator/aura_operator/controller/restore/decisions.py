"""Pure rules of the AuraRestore engine: which call, whether it is confirmed, and what the
target's status says about a request whose answer was lost."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from aura_operator.api.restore import Operation

OPERATION_STATUSES: dict[Operation, frozenset[str]] = {
    Operation.RESTORE: frozenset({"restoring"}),
    Operation.OVERWRITE: frozenset({"overwriting", "loading"}),
}
"""Target statuses that show the operation under way."""
LATE_COMMIT = 600.0
"""Aura seconds after the intent that a request whose answer was lost may still take effect
(Aura can commit long after the client gave up)."""
WATCH_INTERVAL = 30.0
"""Aura seconds between reads of the target while a lost answer is resolved."""
MAX_GAP = 60.0
"""Longest gap between two such reads that still counts as watching without a break: a
restore or an overwrite lasts minutes, so it cannot start and end unseen within it."""


@dataclass(frozen=True)
class Source:
    """Where the data comes from, as resolved from the spec."""

    instance_id: str | None = None
    snapshot_id: str | None = None


@dataclass(frozen=True)
class Call:
    operation: Operation
    source_instance_id: str | None = None
    source_snapshot_id: str | None = None


def choose_call(target_id: str, source: Source, *, snapshot_of_target: bool | None) -> Call:
    """A snapshot of the target itself is restored in place; anything else overwrites.
    `snapshot_of_target` answers for a bare snapshot id whose instance is unknown."""
    if source.snapshot_id is not None:
        own = source.instance_id == target_id if source.instance_id else bool(snapshot_of_target)
        if own:
            return Call(Operation.RESTORE, target_id, source.snapshot_id)
        return Call(Operation.OVERWRITE, source.instance_id, source.snapshot_id)
    return Call(Operation.OVERWRITE, source.instance_id, None)


def confirmation_problem(confirm: str | None, target_id: str) -> str | None:
    """Why nothing may be sent yet (None: confirmed)."""
    if confirm == target_id:
        return None
    given = f"it is {confirm!r}" if confirm else "it is not set"
    return (
        f"this replaces all data of Aura instance {target_id}: set spec.confirmInstanceId: "
        f"{target_id} to go ahead ({given})"
    )


class Outcome(enum.Enum):
    SENT = "sent"  # the target shows the operation: it took effect
    NOT_SENT = "not-sent"  # watched without a break past the late-commit window: it did not
    WAIT = "wait"  # read again in WATCH_INTERVAL
    UNKNOWN = "unknown"  # a break in the watch: it may have come and gone; a person decides


def lost_answer_outcome(
    operation: Operation, target_status: str, *, age: float, last_read_age: float | None
) -> Outcome:
    """What the target's status says about a request whose answer was lost.

    `age` is the intent's age now and `last_read_age` its age at the previous read of this
    resolution (None: this is the first), in Aura seconds. The request took effect if the
    target shows the operation; it did not if the target was read at most MAX_GAP apart from
    the intent's first minute until LATE_COMMIT after it and never showed it.
    """
    if target_status in OPERATION_STATUSES[operation]:
        return Outcome.SENT
    previous = 0.0 if last_read_age is None else last_read_age
    if age - previous > MAX_GAP:
        return Outcome.UNKNOWN
    if age >= LATE_COMMIT:
        return Outcome.NOT_SENT
    return Outcome.WAIT


def is_clone_too_small(message: str) -> bool:
    """Aura's 500 for an overwrite into a smaller instance is a refusal, not a lost answer."""
    return "into smaller database" in message
