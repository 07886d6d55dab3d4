"""The next-step rules of the reconcile, on Aura's real Instance model."""

from __future__ import annotations

from typing import Any

import pytest

from aura_operator.api import Phase
from aura_operator.aura import Instance
from aura_operator.controller.instance.decisions import StepKind, instance_patch, next_step
from aura_operator.controller.instance.desired import desired_from_spec

SPEC = {
    "cloudProvider": "gcp",
    "region": "europe-west1",
    "type": "professional-db",
    "memory": "8GB",
}


def desired(**spec: Any) -> Any:
    return desired_from_spec(
        {**SPEC, **spec}, metadata_name="orders", default_deletion_policy="Retain"
    )


def instance(**fields: Any) -> Instance:
    base = {
        "id": "0a1b2c3d",
        "name": "orders",
        "status": "running",
        "memory": "8GB",
        "storage": "16GB",
        "vector_optimized": False,
        "graph_analytics_plugin": False,
    }
    return Instance.model_validate({**base, **fields})


def test_a_running_instance_that_matches_the_spec_is_ready() -> None:
    step = next_step(desired(), instance())
    assert (step.kind, step.phase) == (StepKind.READY, Phase.READY)


def test_a_memory_change_becomes_a_patch_of_memory_only() -> None:
    step = next_step(desired(memory="16GB"), instance())
    assert step.kind is StepKind.PATCH
    assert step.patch == {"memory": "16GB"}


def test_a_storage_change_sends_memory_along() -> None:
    assert instance_patch(desired(storage="32GB"), instance()) == {
        "storage": "32GB",
        "memory": "8GB",
    }


def test_a_new_display_name_is_a_rename() -> None:
    assert instance_patch(desired(name="orders-eu"), instance()) == {"name": "orders-eu"}


def test_the_display_name_defaults_to_the_resource_name() -> None:
    assert instance_patch(desired(), instance(name="renamed-in-console")) == {"name": "orders"}


def test_fields_the_spec_leaves_open_are_not_fought_over() -> None:
    observed = instance(storage="64GB", vector_optimized=True, secondaries_count=None)
    assert instance_patch(desired(), observed) == {}


@pytest.mark.parametrize(
    ("field", "value", "aura_field"),
    [
        ("secondariesCount", 0, "secondaries_count"),
        ("cdcEnrichmentMode", "OFF", "cdc_enrichment_mode"),
    ],
)
def test_a_feature_aura_leaves_out_equals_its_off_value(
    field: str, value: Any, aura_field: str
) -> None:
    assert instance_patch(desired(**{field: value}), instance(**{aura_field: None})) == {}


def test_secondaries_and_cdc_are_patched_when_they_differ() -> None:
    observed = instance(secondaries_count=0, cdc_enrichment_mode="OFF")
    patch = instance_patch(desired(secondariesCount=2, cdcEnrichmentMode="DIFF"), observed)
    assert patch == {"secondaries_count": 2, "cdc_enrichment_mode": "DIFF"}


@pytest.mark.parametrize(
    ("status", "phase"),
    [
        ("creating", Phase.CREATING),
        ("updating", Phase.UPDATING),
        ("pausing", Phase.PAUSING),
        ("resuming", Phase.RESUMING),
        ("destroying", Phase.DELETING),
        ("resizing", Phase.UPDATING),  # outside the enum: kept, waited out
    ],
)
def test_transitional_statuses_are_waited_out_even_with_changes_pending(
    status: str, phase: Phase
) -> None:
    step = next_step(desired(memory="16GB"), instance(status=status))
    assert (step.kind, step.phase) == (StepKind.WAIT, phase)


def test_loading_failed_needs_a_person() -> None:
    step = next_step(desired(), instance(status="loading failed"))
    assert (step.kind, step.phase, step.reason) == (StepKind.BLOCKED, Phase.FAILED, "LoadingFailed")


def test_spec_paused_pauses_a_running_instance_after_pending_patches() -> None:
    assert next_step(desired(paused=True, memory="16GB"), instance()).kind is StepKind.PATCH
    assert next_step(desired(paused=True), instance()).kind is StepKind.PAUSE


def test_a_paused_instance_is_resumed_when_spec_says_running() -> None:
    step = next_step(desired(), instance(status="paused"))
    assert (step.kind, step.phase) == (StepKind.RESUME, Phase.RESUMING)


def test_a_paused_instance_wanted_paused_is_ready_and_changes_wait_for_resume() -> None:
    assert next_step(desired(paused=True), instance(status="paused")).phase is Phase.PAUSED
    step = next_step(desired(paused=True, memory="16GB"), instance(status="paused"))
    assert (step.kind, step.reason) == (StepKind.READY, "PausedWithPendingChanges")


def test_observe_only_never_writes() -> None:
    step = next_step(
        desired(managementPolicy="ObserveOnly", instanceId="0a1b2c3d", memory="64GB", paused=True),
        instance(),
    )
    assert step.kind is StepKind.READY
