"""Which Stalled conditions a successful read of the instance clears, and which user changes
keep the user's lane."""

from __future__ import annotations

from typing import Any

import pytest

from aura_operator.controller.conditions import STALLED, SYNCED, set_conditions
from aura_operator.controller.instance.engine import clear_resolved_stall
from aura_operator.controller.kube import ObjectRef
from aura_operator.controller.reporting import Report
from aura_operator.controller.tracking import Fleet, Tracked


def tracked_with(stall_reason: str, generation: int = 2) -> Tracked:
    report = Report()
    report.stall(stall_reason, "a person must act")
    conditions = set_conditions(
        None,
        [c for c in (report.ready, report.synced, report.stalled) if c],
        generation=generation,
        now="t",
    )
    return Tracked(
        ref=ObjectRef("default", "movies"),
        spec={},
        metadata={"generation": generation},
        status={"instanceId": "0a1b2c3d", "conditions": conditions},
    )


@pytest.mark.parametrize(
    "reason", ["InstanceNotFound", "CredentialsInvalid", "CredentialsMissing", "TenantIdMissing"]
)
def test_a_read_clears_a_stall_it_disproves_and_its_synced(reason: str) -> None:
    report = Report()

    clear_resolved_stall(tracked_with(reason), report)

    assert report.stalled is not None and report.stalled.status is False
    assert report.synced is not None and report.synced.status is True


@pytest.mark.parametrize("reason", ["AuraRejected", "LoadingFailed"])
def test_a_read_leaves_a_stall_it_does_not_disprove(reason: str) -> None:
    report = Report()

    clear_resolved_stall(tracked_with(reason), report)

    assert report.stalled is None and report.synced is None


def test_nothing_to_clear_without_a_stall() -> None:
    tracked = tracked_with("InstanceNotFound")
    tracked.status["conditions"] = [
        {**c, "status": "False"} if c["type"] in (STALLED, SYNCED) else c
        for c in tracked.status["conditions"]
    ]
    report = Report()

    clear_resolved_stall(tracked, report)

    assert report.stalled is None


def body(ready: dict[str, Any] | None, generation: int) -> dict[str, Any]:
    conditions = [] if ready is None else [{"type": "Ready", **ready}]
    return {
        "metadata": {"name": "movies", "namespace": "default", "generation": generation},
        "spec": {},
        "status": {"conditions": conditions},
    }


def test_a_spec_seen_carried_out_before_a_restart_still_counts_as_confirmed() -> None:
    ready_now = Fleet().track(body({"status": "True", "observedGeneration": 3}, 3))
    ready_before_edit = Fleet().track(body({"status": "True", "observedGeneration": 2}, 3))
    not_ready = Fleet().track(body({"status": "False", "observedGeneration": 3}, 3))

    assert ready_now.confirmed_generation == 3  # a difference found now is drift
    assert ready_before_edit.confirmed_generation is None  # the edit is the user's
    assert not_ready.confirmed_generation is None
