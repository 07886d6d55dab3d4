"""The budget carried across a handover on the Lease (issue 13)."""

from __future__ import annotations

from aura_operator.controller.budget_record import carried_over, decode, encode
from aura_operator.controller.election import Predecessor
from aura_operator.controller.lease import BUDGET_ANNOTATION

CAPACITY = 123


def predecessor(
    annotations: dict[str, str], *, seen_at: float = 100.0, **kw: object
) -> Predecessor:
    return Predecessor(existed=True, holder="a", annotations=annotations, seen_at=seen_at, **kw)  # type: ignore[arg-type]


def carry(pred: Predecessor | None, now: float = 100.0) -> object:
    return carried_over(pred, now=now, time_scale=1.0, capacity=CAPACITY, burst=10, unseen=12.0)


def test_the_record_is_compact_and_reads_back() -> None:
    annotations = encode({"client-a": [0.4, 12.9, 59.5], "idle": []}, final=False)

    assert len(annotations[BUDGET_ANNOTATION]) < 80
    record = decode(annotations)
    assert record is not None
    assert record.budgets == {"client-a": [0.0, 12.0, 59.0]}  # rounded down: younger is safer
    assert not record.final


def test_a_full_window_is_about_4_bytes_a_request() -> None:
    annotations = encode({"client-a": [i * 0.48 for i in range(CAPACITY)]}, final=False)

    assert len(annotations[BUDGET_ANNOTATION]) < 4 * CAPACITY + 60


def test_unreadable_records_are_none() -> None:
    assert decode({}) is None
    assert decode({BUDGET_ANNOTATION: "{not json"}) is None
    assert decode({BUDGET_ANNOTATION: '{"v": 99, "budgets": {}}'}) is None


def test_the_first_operator_ever_starts_empty() -> None:
    seed = carry(Predecessor(existed=False, holder=""))

    assert seed.total == 0


def test_a_lease_without_a_record_counts_a_whole_window_as_just_spent() -> None:
    seed = carry(predecessor({}))

    assert seed.other == [0.0] * CAPACITY


def test_a_record_is_aged_by_the_time_since_it_was_seen_here_plus_an_allowance() -> None:
    annotations = encode({"client-a": [1.0] * 100 + [50.0] * 10}, final=False)

    seed = carry(predecessor(annotations, seen_at=100.0), now=115.0)

    ages = seed.budgets["client-a"]
    assert ages.count(16.0) == 100  # 1 s old when seen, seen 15 s ago
    assert 65.0 not in ages  # 50 + 15: out of the window, dropped
    # what the predecessor may have sent after its record: the room its window had left
    assert ages.count(0.0) == CAPACITY - 110
    assert seed.other and all(age == 0.0 for age in seed.other)


def test_the_allowance_is_bounded_by_the_pace_when_the_window_had_room() -> None:
    seed = carry(predecessor(encode({"client-a": [1.0]}, final=False)))

    ages = seed.budgets["client-a"]
    assert ages.count(0.0) == 10 + 25  # a burst, plus 12 s at one request per 60/123 s


def test_a_final_record_from_a_graceful_release_needs_no_allowance() -> None:
    seed = carry(predecessor(encode({"client-a": [5.0] * 40}, final=True)))

    assert seed.budgets == {"client-a": [5.0] * 40}
    assert seed.other == []
