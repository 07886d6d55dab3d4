"""The Aura budget carried across a restart or a handover, on the leader Lease.

The limiter alone starts empty, so a process that takes over right after its predecessor spent
the window could send a second window's worth. The leader therefore publishes, with every
renewal, how many Aura seconds ago each request still holding a slot of each budget was made
(annotation `aura.neo4j.io/budget`, ~4 bytes a request). A new leader starts its budgets from
the predecessor's last record, aged by the time since this process saw it, plus an allowance
for what the predecessor may have sent after it (none when it released the Lease with a final
record); with no record at all it assumes a whole window was just spent.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from aura_operator.controller.election import Predecessor
from aura_operator.controller.lease import BUDGET_ANNOTATION

FORMAT = 1
WINDOW = 60.0  # Aura seconds: the budget window


def encode(recent: Mapping[str, list[float]], *, final: bool) -> dict[str, str]:
    """The annotation for `recent` (budget key -> Aura seconds since each request)."""
    budgets = {key: sorted(math.floor(age) for age in ages) for key, ages in recent.items() if ages}
    record = {"v": FORMAT, "final": final, "budgets": budgets}
    return {BUDGET_ANNOTATION: json.dumps(record, separators=(",", ":"), sort_keys=True)}


@dataclass(frozen=True)
class Record:
    final: bool
    budgets: dict[str, list[float]]


def decode(annotations: Mapping[str, str]) -> Record | None:
    """The record in these annotations; None when there is none or it is unreadable."""
    raw = annotations.get(BUDGET_ANNOTATION)
    if not raw:
        return None
    try:
        data = json.loads(raw)
        if data.get("v") != FORMAT:
            return None
        budgets = {
            str(key): [float(age) for age in ages] for key, ages in dict(data["budgets"]).items()
        }
        return Record(final=bool(data.get("final")), budgets=budgets)
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


@dataclass(frozen=True)
class Seed:
    """Aura seconds ago (from now) of requests each budget starts with."""

    budgets: dict[str, list[float]] = field(default_factory=dict)
    other: list[float] = field(default_factory=list)
    """For budgets the record does not name."""

    @property
    def total(self) -> int:
        return sum(len(ages) for ages in self.budgets.values()) + len(self.other)


def carried_over(
    predecessor: Predecessor | None,
    *,
    now: float,
    time_scale: float,
    capacity: int,
    burst: int,
    unseen: float,
) -> Seed:
    """The starting point of this process's budgets. `now` and `predecessor.seen_at` are this
    process's monotonic seconds; `unseen` is how many real seconds the predecessor may have kept
    sending after its last record (renew deadline plus retry period)."""
    if predecessor is None or not predecessor.existed:
        return Seed()  # the first operator here: nobody spent anything
    record = decode(predecessor.annotations)
    if record is None:
        return Seed(other=[0.0] * capacity)  # unknown: as if a whole window was just spent
    aged = max(0.0, now - predecessor.seen_at) * time_scale
    budgets = {
        key: [age + aged for age in ages if age + aged < WINDOW]
        for key, ages in record.budgets.items()
    }
    if record.final or predecessor.released:
        return Seed(budgets=budgets)
    # Requests sent after the record: at most a burst plus the paced rate, and never more than
    # the window had room for. Counted as sent just now, the latest they could have been.
    paced = burst + math.ceil(unseen * time_scale / (WINDOW / capacity))
    for key, ages in budgets.items():
        room = capacity - len(record.budgets.get(key, []))
        ages.extend([0.0] * max(0, min(paced, room)))
    return Seed(budgets=budgets, other=[0.0] * min(paced, capacity))
