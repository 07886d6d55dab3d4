"""Fencing without leader election (issue 13): two operator processes both active on the same
objects, as after a partition or with `aura-operator run` from a laptop. The create intent is a
compare-and-swap, so exactly one of them creates each instance."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import kopf
import pytest
from e2e_harness import Harness, condition

pytestmark = pytest.mark.e2e

NAMES = [f"db-{i}" for i in range(4)]


def second_operator(harness: Harness) -> contextlib.AbstractAsyncContextManager[Any]:
    return harness.running_operator(kopf.Memo())


async def settled_without_duplicates(harness: Harness, names: list[str]) -> None:
    for name in names:
        await harness.wait_ready(name, within=60)
    await asyncio.sleep(1.0)  # ten Aura minutes: a late second create would show by now
    instances = await harness.aura_instances()
    assert sorted(i["name"] for i in instances) == sorted(names)  # one each, no duplicate
    by_name = {i["name"]: i for i in instances}
    for name in names:
        obj = await harness.get(name)
        assert obj["status"]["instanceId"] == by_name[name]["id"]
        secret = await harness.secret(f"{name}-connection")
        assert secret is not None
        assert secret["NEO4J_PASSWORD"] == by_name[name]["password"]  # no lost password
        # Two active processes each write status from their own copy, so one may drop the
        # other's condition (election prevents that); never may it say the password is lost.
        assert condition(obj, "CredentialsAvailable").get("status") != "False"


async def test_two_active_operators_create_each_instance_once(operator: Harness) -> None:
    async with second_operator(operator):
        await asyncio.gather(*(operator.apply(name) for name in NAMES))

        await settled_without_duplicates(operator, NAMES)


async def test_a_rejected_spec_fixed_under_two_active_operators_is_created_once(
    operator: Harness,
) -> None:
    async with second_operator(operator):
        await asyncio.gather(*(operator.apply(name, {"memory": "3GB"}) for name in NAMES))
        for name in NAMES:
            await operator.wait(
                name, lambda o: condition(o, "Stalled").get("reason") == "AuraRejected", 60
            )

        await asyncio.gather(*(operator.patch_spec(name, {"memory": "4GB"}) for name in NAMES))

        await settled_without_duplicates(operator, NAMES)
