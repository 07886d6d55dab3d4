"""The pure rules of AuraSnapshot and AuraRestore."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from aura_operator.api.restore import Operation
from aura_operator.aura import Snapshot
from aura_operator.controller.restore.decisions import (
    LATE_COMMIT,
    MAX_GAP,
    WATCH_INTERVAL,
    Call,
    Outcome,
    Source,
    choose_call,
    confirmation_problem,
    is_clone_too_small,
    lost_answer_outcome,
)
from aura_operator.controller.snapshot.decisions import (
    LATE_COMMIT as SNAPSHOT_LATE_COMMIT,
)
from aura_operator.controller.snapshot.decisions import (
    Progress,
    days_to_list,
    matching_snapshots,
    next_listing_in,
    progress,
)

RECOVERY_START = MAX_GAP + 1  # first looked at more than a gap after the intent

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


def test_a_snapshot_stamped_before_the_intent_is_not_ours_but_rounding_is_allowed() -> None:
    listing = [snap("older", at=T0 - timedelta(seconds=5)), snap("same", at=T0)]
    found = matching_snapshots(listing, instance_id="0a1b2c3d", requested_at=T0, claimed=set())
    assert [s.snapshot_id for s in found] == ["same"]


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
    ("operation", "status", "age", "last_read_age", "expected"),
    [
        (Operation.RESTORE, "restoring", 900.0, None, Outcome.SENT),  # seen: sent, however late
        (Operation.OVERWRITE, "overwriting", 5.0, None, Outcome.SENT),
        (Operation.OVERWRITE, "loading", 5.0, None, Outcome.SENT),
        (Operation.RESTORE, "overwriting", 5.0, None, Outcome.WAIT),  # someone else's
        (Operation.RESTORE, "running", 5.0, None, Outcome.WAIT),  # watching from the start
        (Operation.RESTORE, "updating", 300.0, 270.0, Outcome.WAIT),
        (Operation.RESTORE, "running", LATE_COMMIT, LATE_COMMIT - 30, Outcome.NOT_SENT),
        (Operation.RESTORE, "running", RECOVERY_START, None, Outcome.UNKNOWN),  # a restart
        (Operation.OVERWRITE, "running", 300.0, 300.0 - MAX_GAP - 1, Outcome.UNKNOWN),  # a gap
    ],
)
def test_a_lost_answer_is_judged_by_watching_the_target_without_a_break(
    operation: Operation,
    status: str,
    age: float,
    last_read_age: float | None,
    expected: Outcome,
) -> None:
    outcome = lost_answer_outcome(operation, status, age=age, last_read_age=last_read_age)
    assert outcome is expected


def test_watching_from_the_intent_past_the_late_commit_window_proves_nothing_happened() -> None:
    age, last, outcomes = 2.0, None, []
    while True:
        outcome = lost_answer_outcome(Operation.RESTORE, "running", age=age, last_read_age=last)
        outcomes.append(outcome)
        if outcome is not Outcome.WAIT:
            break
        last, age = age, age + WATCH_INTERVAL
    assert outcomes[-1] is Outcome.NOT_SENT
    assert age >= LATE_COMMIT


@pytest.mark.parametrize(
    ("age", "listings", "expected"),
    [
        (0.0, 1, 30.0),
        (60.0, 1, 60.0),
        (240.0, 2, 240.0),
        (480.0, 3, 120.0),
        (590.0, 4, 30.0),
        (SNAPSHOT_LATE_COMMIT, 5, None),
        (SNAPSHOT_LATE_COMMIT + 3600, 1, 30.0),  # after a restart: one more listing
        (SNAPSHOT_LATE_COMMIT + 3600, 2, None),
    ],
)
def test_a_lost_snapshot_answer_is_listed_until_past_the_late_commit_window(
    age: float, listings: int, expected: float | None
) -> None:
    assert next_listing_in(age, listings) == expected


def test_the_500_for_a_smaller_target_is_a_refusal() -> None:
    assert is_clone_too_small("Cannot clone database 0a1b2c3d into smaller database ffffffff.")
    assert not is_clone_too_small("Internal server error")
