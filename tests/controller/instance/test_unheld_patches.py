"""A change Aura accepts but never shows (business-critical's cdc_enrichment_mode reads null
even after a PATCH) is sent twice per generation, then held for a person: never a PATCH every
few minutes for ever."""

from __future__ import annotations

from types import SimpleNamespace

from aura_operator.controller.instance.decisions import spec_field, unheld_patch_message
from aura_operator.controller.kube import ObjectRef
from aura_operator.controller.tracking import PATCH_ATTEMPTS, Tracked

CDC = {"cdc_enrichment_mode": "DIFF"}


def tracked(generation: int = 1) -> Tracked:
    metadata = {"name": "orders", "namespace": "default", "generation": generation}
    return Tracked(ObjectRef("default", "orders", "uid-1"), {}, metadata, {})


def test_the_same_change_is_held_once_accepted_as_often_as_allowed_in_one_generation() -> None:
    orders = tracked()
    for attempt in range(PATCH_ATTEMPTS):
        assert orders.unheld_patch(CDC) is None, attempt
        orders.note_patch_accepted(dict(CDC), f"request-{attempt}")
    held = orders.unheld_patch(CDC)
    assert held is not None and held.request_id == f"request-{PATCH_ATTEMPTS - 1}"
    assert orders.unheld_patch({"cdc_enrichment_mode": "FULL"}) is None  # another change

    orders.metadata["generation"] = 2  # the spec changed: sent again
    assert orders.unheld_patch(CDC) is None


def test_the_message_names_the_spec_field_what_aura_shows_and_the_request_id() -> None:
    orders = tracked()
    for _ in range(PATCH_ATTEMPTS):
        orders.note_patch_accepted(dict(CDC), "req-7")
    held = orders.unheld_patch(CDC)
    assert held is not None

    message = unheld_patch_message(held, SimpleNamespace(cdc_enrichment_mode=None))  # type: ignore[arg-type]

    assert "spec.cdcEnrichmentMode: DIFF" in message
    assert "cdc_enrichment_mode None" in message
    assert "request id req-7" in message
    assert spec_field("secondaries_count") == "spec.secondariesCount"
