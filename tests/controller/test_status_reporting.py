"""Conditions and the status patch: only what changes is written."""

from __future__ import annotations

from aura_operator.api import Phase
from aura_operator.controller.conditions import READY, ConditionUpdate, find, set_conditions
from aura_operator.controller.reporting import Report


def test_transition_time_moves_only_when_the_status_changes() -> None:
    first = set_conditions(
        None, [ConditionUpdate(READY, False, "Creating")], generation=1, now="t1"
    )
    same = set_conditions(
        first, [ConditionUpdate(READY, False, "AuraBusy")], generation=2, now="t2"
    )
    flipped = set_conditions(
        same, [ConditionUpdate(READY, True, "Running")], generation=2, now="t3"
    )
    assert find(same, READY) == {
        "type": READY,
        "status": "False",
        "reason": "AuraBusy",
        "message": "",
        "observedGeneration": 2,
        "lastTransitionTime": "t1",
    }
    assert find(flipped, READY)["lastTransitionTime"] == "t3"  # type: ignore[index]


def test_a_report_patches_only_changed_keys() -> None:
    report = Report(phase=Phase.READY, fields={"instanceId": "0a1b2c3d", "memory": "8GB"})
    report.ready_if(True, "Running")
    current = {"instanceId": "0a1b2c3d", "memory": "4GB", "phase": "Ready"}
    patch = report.status_patch(current, generation=3, now="t")
    assert set(patch) == {"memory", "conditions"}


def test_stall_marks_not_ready_and_not_synced() -> None:
    report = Report()
    report.stall("InstanceNotFound", "gone")
    patch = report.status_patch({}, generation=1, now="t")
    statuses = {c["type"]: c["status"] for c in patch["conditions"]}
    assert statuses == {"Ready": "False", "Synced": "False", "Stalled": "True"}


def test_a_call_without_a_response_keeps_the_last_request_id() -> None:
    report = Report(fields={"lastRequestId": None, "createIntent": None})
    patch = report.status_patch(
        {"lastRequestId": "rid-1", "createIntent": {}}, generation=1, now="t"
    )
    assert patch == {"createIntent": None}
