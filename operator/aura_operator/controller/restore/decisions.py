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
RECOVERY_WINDOW = 60.0
"""Aura seconds after the intent within which a target seen `running` proves the request did
not take effect (a restore or overwrite lasts minutes: it cannot have come and gone)."""
RUNNING_READS_APART = 30.0


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
    NOT_SENT = "not-sent"  # seen running twice, early enough: it did not
    WAIT = "wait"  # look again
    UNKNOWN = "unknown"  # running again, too late to tell: a person decides


def lost_answer_outcome(
    operation: Operation,
    target_status: str,
    *,
    age_at_first_running: float | None,
    running_for: float,
) -> Outcome:
    """What the target's status says about a request whose answer was lost.

    `age_at_first_running` is the intent's age (Aura seconds) when the target was first seen
    running since (None: not yet seen running); `running_for` how long it has been seen running.
    """
    if target_status in OPERATION_STATUSES[operation]:
        return Outcome.SENT
    if target_status != "running":
        return Outcome.WAIT
    if age_at_first_running is None:
        return Outcome.WAIT
    if age_at_first_running > RECOVERY_WINDOW:
        return Outcome.UNKNOWN
    return Outcome.NOT_SENT if running_for >= RUNNING_READS_APART else Outcome.WAIT


def is_clone_too_small(message: str) -> bool:
    """Aura's 500 for an overwrite into a smaller instance is a refusal, not a lost answer."""
    return "into smaller database" in message
