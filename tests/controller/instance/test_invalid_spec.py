"""A spec the models refuse: named field by field, and salvaged for a deletion only where no
guess is needed."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from pydantic import Field

from aura_operator.api import AuraInstanceSpec, DeletionPolicy
from aura_operator.controller.instance import desired as desired_module
from aura_operator.controller.instance.desired import (
    InvalidSpec,
    desired_from_spec,
    parse_spec,
    salvaged_spec,
)
from aura_operator.controller.instance.listing import confirm_by_listing
from aura_operator.controller.tracking import Fleet

GOOD = {"name": "movies", "memory": "2GB", "deletionPolicy": "Delete"}


class StricterSpec(AuraInstanceSpec):
    """The operator reading more strictly than the CRD (what a pattern mismatch would do)."""

    name: str | None = Field(None, pattern="^[a-z]+$")


@pytest.fixture(autouse=True)
def stricter_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(desired_module, "AuraInstanceSpec", StricterSpec)


def test_each_refused_field_is_named_with_its_spec_path() -> None:
    with pytest.raises(InvalidSpec) as raised:
        parse_spec({**GOOD, "name": "Movies", "credentialsSecretRef": {"name": "A B"}})
    assert set(raised.value.problems) == {"spec.name", "spec.credentialsSecretRef.name"}
    assert "spec.name: String should match pattern" in str(raised.value)
    assert raised.value.top_level_fields == {"name", "credentialsSecretRef"}


def test_an_unreadable_field_is_taken_from_the_last_good_spec() -> None:
    spec = {**GOOD, "name": "Movies"}
    with pytest.raises(InvalidSpec) as raised:
        desired_from_spec(spec, metadata_name="movies", default_deletion_policy="Retain")
    salvaged = salvaged_spec(spec, GOOD, raised.value)
    assert salvaged["name"] == "movies"
    desired = desired_from_spec(salvaged, metadata_name="m", default_deletion_policy="Retain")
    assert desired.deletion_policy is DeletionPolicy.DELETE


def test_without_a_last_good_spec_a_field_deletion_does_not_read_is_left_out() -> None:
    spec = {**GOOD, "name": "Movies"}
    with pytest.raises(InvalidSpec) as raised:
        parse_spec(spec)
    salvaged = salvaged_spec(spec, None, raised.value)
    assert "name" not in salvaged
    assert salvaged["deletionPolicy"] == "Delete"


def test_a_field_the_deletion_reads_is_never_guessed() -> None:
    spec = {**GOOD, "credentialsSecretRef": {"name": "A B"}}
    with pytest.raises(InvalidSpec) as raised:
        parse_spec(spec)
    with pytest.raises(InvalidSpec):  # the operator default could be another Aura account
        salvaged_spec(spec, None, raised.value)
    last_good = {**GOOD, "credentialsSecretRef": {"name": "team-aura"}}
    assert salvaged_spec(spec, last_good, raised.value)["credentialsSecretRef"] == {
        "name": "team-aura"
    }


async def test_an_unreadable_spec_leaves_only_its_object_out_of_a_tenant_listing() -> None:
    class Client:
        async def list_instances(self, *, tenant_id: str, lane: Any) -> Any:
            return SimpleNamespace(value=[SimpleNamespace(id="0000000a")])

    class Accounts:
        def location(self, tracked: Any, desired: Any) -> tuple[str, str]:
            return ("ops", "aura-credentials")

        async def at(self, location: tuple[str, str]) -> Any:
            return SimpleNamespace(client=Client(), credentials=SimpleNamespace(tenant_id="t"))

    fleet = Fleet()
    for name, instance_id in (("good", "0000000a"), ("broken", "0000000b")):
        fleet.track(
            {"metadata": {"namespace": "ns", "name": name}, "status": {"instanceId": instance_id}}
        )

    def desired_of(tracked: Any) -> Any:
        if tracked.ref.name == "broken":
            return None
        return desired_from_spec(GOOD, metadata_name="good", default_deletion_policy="Retain")

    found = await confirm_by_listing(
        fleet,
        Accounts(),
        [("ns", "good"), ("ns", "broken")],
        desired_of,  # type: ignore[arg-type]
    )

    assert (found.present, found.absent, found.unconfirmed) == (
        [("ns", "good")],
        [],
        [("ns", "broken")],
    )
