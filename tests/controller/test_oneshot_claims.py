"""Which instances an AuraSnapshot or AuraRestore may use, decided from the AuraInstances alone
(claims.foreign_owner, claims.oneshot_refusal)."""

from __future__ import annotations

from test_claims import ID, obj

from aura_operator.controller.claims import claims_of, foreign_owner, oneshot_refusal

OTHER = "9f8e7d6c"


def test_an_instance_owned_in_another_namespace_is_foreign() -> None:
    claims = claims_of([obj("team-a", "movies", status_id=ID, claimed_at="2026-12-01T10:00:00Z")])

    owner = foreign_owner("team-b", ID, claims)

    assert owner is not None and owner.owner == "team-a/movies"


def test_an_instance_owned_in_the_same_namespace_or_by_nobody_is_not_foreign() -> None:
    claims = claims_of([obj("team-a", "movies", status_id=ID, claimed_at="2026-12-01T10:00:00Z")])

    assert foreign_owner("team-a", ID, claims) is None
    assert foreign_owner("team-b", OTHER, claims) is None


def test_the_owner_counts_not_a_loser_in_the_same_namespace() -> None:
    """team-b's own AuraInstance names the id but lost it to team-a: an instanceRef to it does
    not make the instance team-b's."""
    claims = claims_of(
        [
            obj("team-a", "movies", status_id=ID, claimed_at="2026-12-01T10:00:00Z"),
            obj("team-b", "thief", created="2026-12-01T09:00:00Z", spec_id=ID),
        ]
    )

    owner = foreign_owner("team-b", ID, claims)

    assert owner is not None and owner.owner == "team-a/movies"
    assert foreign_owner("team-a", ID, claims) is None


def test_a_refusal_names_the_instance_its_role_and_the_owner() -> None:
    claims = claims_of([obj("team-a", "movies", status_id=ID, claimed_at="2026-12-01T10:00:00Z")])

    message = oneshot_refusal("AuraRestore", "team-b", {"target": ID, "source": None}, claims)

    assert message is not None
    assert f"Aura instance {ID} (the target)" in message
    assert "team-a/movies" in message and "Nothing was sent" in message


def test_a_foreign_source_is_refused_like_a_foreign_target() -> None:
    """Overwriting one's own instance from another team's copies that team's data across."""
    claims = claims_of([obj("team-a", "movies", status_id=ID, claimed_at="2026-12-01T10:00:00Z")])

    message = oneshot_refusal("AuraRestore", "team-b", {"target": OTHER, "source": ID}, claims)

    assert message is not None and f"{ID} (the source)" in message


def test_instances_of_ones_own_namespace_or_of_nobody_are_allowed() -> None:
    claims = claims_of(
        [
            obj("team-b", "target", status_id=OTHER, claimed_at="2026-12-01T10:00:00Z"),
            obj("team-a", "movies", status_id=ID, claimed_at="2026-12-01T10:00:00Z"),
        ]
    )

    uses = {"target": OTHER, "source": "1234abcd"}
    assert oneshot_refusal("AuraRestore", "team-b", uses, claims) is None
    assert oneshot_refusal("AuraSnapshot", "team-a", {"target": ID}, claims) is None
    assert oneshot_refusal("AuraSnapshot", "team-b", {"target": None}, claims) is None
