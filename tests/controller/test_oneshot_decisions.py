"""The pure rules of AuraSnapshot and AuraRestore."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from aura_operator.api.restore import Operation
from aura_operator.aura import Snapshot
from aura_operator.controller.restore.decisions import (
    RECOVERY_WINDOW,
    RUNNING_READS_APART,
    Call,
    Outcome,
    Source,
    choose_call,
    confirmation_problem,
    is_clone_too_small,
    lost_answer_outcome,
)
from aura_operator.controller.snapshot.decisions import (
    Progress,
    days_to_list,
    matching_snapshots,
    progress,
)

T0 = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def snap(sid: str, *, at: datetime, profile: str = "AdHoc", instance: str = "0a1b2c3d") -> Snapshot:
    return Snapshot(
        snapshot_id=sid, instance_id=instance, profile=profile, status="Pending", timestamp=at
    )


def test_only_ad_hoc_snapshots_of_the_instance_after_the_intent_match_earliest_first() -> None:
    listing = [
        snap("late", at=T0 + timedelta(seconds=20)),
        snap("early", at=T0 + timedelta(seconds=5)),
        snap("scheduled", at=T0 + timedelta(seconds=1), profile="Scheduled"),
        snap("before", at=T0 - timedelta(minutes=10)),
        snap("other", at=T0 + timedelta(seconds=2), instance="ffffffff"),
        snap("claimed", at=T0 + timedelta(seconds=3)),
    ]

    found = matching_snapshots(
        listing, instance_id="0a1b2c3d", requested_at=T0, claimed={"claimed"}
    )

    assert [s.snapshot_id for s in found] == ["early", "late"]


def test_a_snapshot_stamped_slightly_before_the_intent_still_matches_clock_skew() -> None:
    listing = [snap("skewed", at=T0 - timedelta(seconds=90))]
    assert matching_snapshots(listing, instance_id="0a1b2c3d", requested_at=T0, claimed=set())


def test_days_to_list_cover_midnight_and_stay_bounded() -> None:
    just_before_midnight = datetime(2026, 12, 1, 23, 59, tzinfo=UTC)
    assert days_to_list(just_before_midnight, T0) == [date(2026, 12, 1), date(2026, 12, 2)]
    assert days_to_list(T0, T0) == [date(2026, 12, 2)]
    assert len(days_to_list(T0 - timedelta(days=30), T0)) == 3


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("Completed", Progress.DONE),
        ("Failed", Progress.FAILED),
        ("Cancelled", Progress.FAILED),
        ("Pending", Progress.RUNNING),
        ("InProgress", Progress.RUNNING),
        ("Archiving", Progress.RUNNING),  # unknown: not final
        (None, Progress.RUNNING),
    ],
)
def test_snapshot_progress(status: str | None, expected: Progress) -> None:
    assert progress(status) is expected


def test_a_snapshot_of_the_target_is_restored_anything_else_overwrites() -> None:
    own = Source(instance_id="0a1b2c3d", snapshot_id="s1")
    other = Source(instance_id="ffffffff", snapshot_id="s2")
    bare = Source(snapshot_id="s3")
    instance = Source(instance_id="ffffffff")

    assert choose_call("0a1b2c3d", own, snapshot_of_target=None).operation is Operation.RESTORE
    assert choose_call("0a1b2c3d", other, snapshot_of_target=None) == Call(
        Operation.OVERWRITE, "ffffffff", "s2"
    )
    assert choose_call("0a1b2c3d", bare, snapshot_of_target=True).operation is Operation.RESTORE
    assert choose_call("0a1b2c3d", bare, snapshot_of_target=False) == Call(
        Operation.OVERWRITE, None, "s3"
    )
    assert choose_call("0a1b2c3d", instance, snapshot_of_target=None) == Call(
        Operation.OVERWRITE, "ffffffff", None
    )


def test_only_the_exact_target_id_confirms_and_the_message_names_it() -> None:
    assert confirmation_problem("0a1b2c3d", "0a1b2c3d") is None
    missing = confirmation_problem(None, "0a1b2c3d")
    wrong = confirmation_problem("ffffffff", "0a1b2c3d")
    assert missing is not None and "spec.confirmInstanceId: 0a1b2c3d" in missing
    assert wrong is not None and "'ffffffff'" in wrong


@pytest.mark.parametrize(
    ("operation", "status", "age", "running_for", "expected"),
    [
        (Operation.RESTORE, "restoring", None, 0.0, Outcome.SENT),
        (Operation.OVERWRITE, "overwriting", None, 0.0, Outcome.SENT),
        (Operation.OVERWRITE, "loading", None, 0.0, Outcome.SENT),
        (Operation.RESTORE, "overwriting", None, 0.0, Outcome.WAIT),  # someone else's
        (Operation.RESTORE, "updating", None, 0.0, Outcome.WAIT),
        (Operation.RESTORE, "running", 5.0, 0.0, Outcome.WAIT),  # seen once: look again
        (Operation.RESTORE, "running", 5.0, RUNNING_READS_APART, Outcome.NOT_SENT),
        (Operation.RESTORE, "running", RECOVERY_WINDOW + 1, 0.0, Outcome.UNKNOWN),
        (Operation.OVERWRITE, "running", RECOVERY_WINDOW + 1, 100.0, Outcome.UNKNOWN),
    ],
)
def test_a_lost_answer_is_judged_by_the_target_status_and_timing(
    operation: Operation, status: str, age: float | None, running_for: float, expected: Outcome
) -> None:
    outcome = lost_answer_outcome(
        operation, status, age_at_first_running=age, running_for=running_for
    )
    assert outcome is expected


def test_the_500_for_a_smaller_target_is_a_refusal() -> None:
    assert is_clone_too_small("Cannot clone database 0a1b2c3d into smaller database ffffffff.")
    assert not is_clone_too_small("Internal server error")
