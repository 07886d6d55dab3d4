"""A spec the CRD accepts but the operator cannot read is reported, never wedges the object:
deleting it still carries out its deletion policy.

The CRD and the models agree by construction (tests/api/test_patterns.py); to have a spec only
the CRD accepts, these tests give the operator a stricter model of the display name.
"""

from __future__ import annotations

from typing import Any

import pytest
from e2e_harness import Harness, condition, is_ready
from pydantic import Field

from aura_devtools.kube_emulator import AURA_INSTANCES
from aura_operator.api import AuraInstanceSpec
from aura_operator.controller.instance import desired as desired_module

pytestmark = pytest.mark.e2e


class StricterSpec(AuraInstanceSpec):
    name: str | None = Field(None, pattern="^[a-z]+$")


@pytest.fixture
def stricter_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(desired_module, "AuraInstanceSpec", StricterSpec)


def invalid_spec(obj: dict[str, Any]) -> bool:
    stalled = condition(obj, "Stalled")
    return stalled.get("status") == "True" and stalled.get("reason") == "InvalidSpec"


@pytest.mark.usefixtures("stricter_model")
async def test_an_unreadable_spec_is_stalled_naming_the_field(operator: Harness) -> None:
    await operator.apply("movies", {"name": "movies"})
    ready = await operator.wait_ready("movies")
    instance_id = ready["status"]["instanceId"]

    await operator.patch_spec("movies", {"name": "Movies 2", "memory": "4GB"})

    obj = await operator.wait("movies", invalid_spec)
    assert "spec.name" in condition(obj, "Stalled")["message"]
    assert obj["status"]["observedGeneration"] == 2
    assert not await operator.aura_requests("PATCH", f"/v1/instances/{instance_id}")
    warning = await operator.wait_event("movies", "InvalidSpec")  # posted after the status
    assert warning["type"] == "Warning"

    await operator.patch_spec("movies", {"name": "movies"})  # corrected: carried out
    await operator.wait("movies", lambda o: is_ready(o) and o["status"]["memory"] == "4GB", 20)


@pytest.mark.usefixtures("stricter_model")
@pytest.mark.parametrize("restart", [False, True], ids=["running", "after-restart"])
async def test_an_unreadable_spec_still_deletes_under_delete(
    operator: Harness, restart: bool
) -> None:
    await operator.apply("movies", {"name": "movies", "deletionPolicy": "Delete"})
    await operator.wait_ready("movies")
    await operator.patch_spec("movies", {"name": "Movies 2"})
    await operator.wait("movies", invalid_spec)
    if restart:  # the last good spec is known only to the stopped process
        await operator.stop_operator()
        await operator.start_operator()

    await operator.kube.delete(AURA_INSTANCES, "movies", namespace=operator.namespace)

    await operator.kube.wait_gone(AURA_INSTANCES, "movies", namespace=operator.namespace, within=20)
    assert await operator.aura_instances() == []
