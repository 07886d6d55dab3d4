"""Who owns an Aura instance id, decided from the objects alone (claims.py)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from aura_operator.controller.claims import claimed_by_others, claims_of, merge, owner_of

ID = "0a1b2c3d"


def obj(
    namespace: str,
    name: str,
    *,
    uid: str | None = None,
    created: str = "2026-12-01T10:00:00Z",
    spec_id: str | None = None,
    status_id: str | None = None,
    claimed_at: str | None = None,
) -> dict[str, Any]:
    status: dict[str, Any] = {}
    if status_id:
        status["instanceId"] = status_id
    if claimed_at:
        status["claimedAt"] = claimed_at
    return {
        "metadata": {
            "namespace": namespace,
            "name": name,
            "uid": uid or f"uid-{namespace}-{name}",
            "creationTimestamp": created,
        },
        "spec": {"instanceId": spec_id} if spec_id else {},
        "status": status,
    }


def owner(*objects: dict[str, Any]) -> str | None:
    found = owner_of(ID, claims_of(objects))
    return found.owner if found else None


def test_a_recorded_claim_beats_an_older_object_that_only_names_the_id() -> None:
    creator = obj("team-a", "movies", created="2026-12-01T11:00:00Z", status_id=ID,
                  claimed_at="2026-12-01T11:05:00Z")  # fmt: skip
    older = obj("team-b", "thief", created="2026-12-01T09:00:00Z", spec_id=ID)

    assert owner(older, creator) == "team-a/movies"


def test_recorded_claims_are_ordered_by_claim_time_then_creation_then_uid() -> None:
    early = obj("a", "x", created="2026-12-01T10:00:09Z", status_id=ID,
                claimed_at="2026-12-01T10:00:10Z")  # fmt: skip
    late = obj("b", "y", created="2026-12-01T10:00:00Z", status_id=ID,
               claimed_at="2026-12-01T10:00:11Z")  # fmt: skip
    assert owner(late, early) == "a/x"

    same_a = obj("a", "x", uid="u2", created="2026-12-01T10:00:00Z", status_id=ID,
                 claimed_at="2026-12-01T10:00:10Z")  # fmt: skip
    same_b = obj("b", "y", uid="u1", created="2026-12-01T10:00:00Z", status_id=ID,
                 claimed_at="2026-12-01T10:00:10Z")  # fmt: skip
    assert owner(same_a, same_b) == "b/y"  # full tie: the smaller uid
    older_b = obj("b", "y", uid="u9", created="2026-12-01T09:59:59Z", status_id=ID,
                  claimed_at="2026-12-01T10:00:10Z")  # fmt: skip
    assert owner(same_a, older_b) == "b/y"  # same claim time: the older object


def test_a_claim_recorded_before_claim_times_existed_counts_from_its_creation() -> None:
    legacy_old = obj("a", "x", created="2026-11-01T00:00:00Z", status_id=ID)
    legacy_new = obj("b", "y", created="2026-11-02T00:00:00Z", status_id=ID)
    recent = obj("c", "z", created="2026-11-03T00:00:00Z", status_id=ID,
                 claimed_at="2026-11-03T00:00:01Z")  # fmt: skip

    assert owner(recent, legacy_new, legacy_old) == "a/x"


def test_objects_only_naming_the_id_are_ordered_by_creation_then_uid() -> None:
    first = obj("a", "x", uid="u9", created="2026-12-01T10:00:00Z", spec_id=ID)
    second = obj("b", "y", uid="u1", created="2026-12-01T10:00:01Z", spec_id=ID)
    tie = obj("c", "z", uid="u0", created="2026-12-01T10:00:00Z", spec_id=ID)

    assert owner(second, first) == "a/x"
    assert owner(second, first, tie) == "c/z"


def test_objects_naming_other_ids_or_none_do_not_count() -> None:
    assert owner(obj("a", "x", spec_id="ffffffff"), obj("b", "y")) is None
    assert owner(obj("a", "x", spec_id="ffffffff"), obj("b", "y", spec_id=ID)) == "b/y"


def test_ids_claimed_by_others_include_recorded_and_spec_claims_but_not_ones_own() -> None:
    claims = claims_of(
        [
            obj("a", "x", uid="me", status_id="00000001"),
            obj("b", "y", spec_id="00000002"),
            obj("c", "z", status_id="00000003"),
        ]
    )
    assert claimed_by_others(claims, "me") == {"00000002", "00000003"}


def test_memory_is_newer_than_the_listing_but_cannot_revive_a_deleted_object() -> None:
    listed = [obj("a", "x", spec_id=ID)]
    known = [
        obj("a", "x", spec_id=ID, status_id=ID, claimed_at="2026-12-01T10:00:00Z"),
        obj("b", "gone", status_id=ID, claimed_at="2026-11-01T10:00:00Z"),
    ]

    [claim] = merge(listed, known)
    assert (claim.owner, claim.recorded_at is not None) == ("a/x", True)


CASES = [  # (creation second, uid, claim second or None: named in the spec only)
    [(0, "u3", None), (0, "u1", None), (1, "u0", None)],
    [(2, "u1", 3), (0, "u2", None), (1, "u3", 1)],
    [(1, "u1", 1), (0, "u2", 2), (0, "u3", 2), (0, "u0", None)],
    [(0, "u2", None), (0, "u1", 0), (0, "u0", 0)],
]


@pytest.mark.parametrize("records", CASES)
def test_the_owner_does_not_depend_on_the_order_objects_are_listed_in(
    records: list[tuple[int, str, int | None]],
) -> None:
    objects = [
        obj(
            f"ns-{uid}",
            "db",
            uid=uid,
            created=f"2026-12-01T10:00:0{created}Z",
            spec_id=None if claimed is not None else ID,
            status_id=ID if claimed is not None else None,
            claimed_at=f"2026-12-01T10:00:0{claimed}Z" if claimed is not None else None,
        )
        for created, uid, claimed in records
    ]
    owners = {owner(*order) for order in itertools.permutations(objects)}

    assert len(owners) == 1
    recorded = {f"{o['metadata']['namespace']}/db" for o in objects if o["status"]}
    if recorded:  # a recorded claim is never overtaken by one only named in a spec
        assert owners <= recorded
