"""The display-name pattern on a real API server (Go's RE2): it takes exactly the names the
operator's model takes (tests/api/test_patterns.py checks the same offline with google-re2)."""

from __future__ import annotations

import pytest

from api.test_patterns import DISPLAY_NAMES, model_accepts
from api.test_validation_rules import PLAIN_SPEC, instance
from aura_operator.api.spec import AURA_NAME_PATTERN

from .kubectl import Kubectl


@pytest.mark.parametrize(
    ("index", "value", "accepted"),
    [(index, value, accepted) for index, (value, accepted) in enumerate(DISPLAY_NAMES)],
    ids=[ascii(value) for value, _ in DISPLAY_NAMES],
)
def test_the_api_server_takes_the_display_names_the_operator_reads(
    kubectl: Kubectl, namespace: str, crd: None, index: int, value: str, accepted: bool
) -> None:
    obj = instance({**PLAIN_SPEC, "name": value}, f"edge-{index}")
    obj["metadata"].pop("namespace")

    created = kubectl.create(obj, namespace)

    assert (created.returncode == 0) is accepted, created.stderr
    assert model_accepts(AURA_NAME_PATTERN, value) is accepted
    if accepted:
        stored = kubectl.get("aurainstance", f"edge-{index}", namespace)
        assert stored is not None and stored["spec"]["name"] == value
    else:
        assert "spec.name" in created.stderr
