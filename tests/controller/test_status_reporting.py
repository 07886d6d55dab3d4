"""Conditions and the status patch: only what changes is written."""

from __future__ import annotations

from aura_operator.api import Phase
from aura_operator.api.status import CONDITION_MESSAGE_MAX_LENGTH
from aura_operator.controller.conditions import (
    READY,
    ConditionUpdate,
    bounded,
    find,
    set_conditions,
)
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


def test_a_stall_carries_the_generation_it_evaluated() -> None:
    report = Report()
    report.stall("CredentialsMissing", "no Secret")
    patch = report.status_patch({"observedGeneration": 1}, generation=2, now="t")
    assert patch["observedGeneration"] == 2


def test_a_stall_is_new_once_per_reason_and_generation() -> None:
    report = Report()
    report.stall("CredentialsMissing", "no Secret")
    assert report.new_stall({}, generation=1) == report.stalled
    written = {"conditions": report.status_patch({}, generation=1, now="t")["conditions"]}
    assert report.new_stall(written, generation=1) is None
    assert report.new_stall(written, generation=2) == report.stalled
    other = Report()
    other.stall("TenantIdMissing", "no tenant")
    assert other.new_stall(written, generation=1) == other.stalled
    posted_by_caller = Report()
    posted_by_caller.stall("AuraRejected", "refused", event=False)
    assert posted_by_caller.new_stall({}, generation=1) is None


def test_a_condition_message_over_the_crd_bound_keeps_its_start_and_request_id() -> None:
    message = "memory not offered: " + "x" * 50_000 + "; HTTP 400; request id req-7"
    [condition] = set_conditions(
        None, [ConditionUpdate(READY, False, "AuraRejected", message)], generation=1, now="t"
    )
    assert len(condition["message"]) == CONDITION_MESSAGE_MAX_LENGTH
    assert condition["message"].startswith("memory not offered: xxx")
    assert condition["message"].endswith("; HTTP 400; request id req-7")
    assert bounded("short") == "short"
    assert len(bounded("y" * 100, limit=50)) == 50
