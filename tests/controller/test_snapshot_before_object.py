"""The AuraSnapshot a restore with snapshotBefore creates is an object the API server takes for
every restore name it accepts (labels are at most 63 characters; names are not)."""

from __future__ import annotations

import re

import pytest

from aura_operator.controller.kube import ObjectRef
from aura_operator.controller.restore.engine import BEFORE_SUFFIX, snapshot_before
from aura_operator.controller.tracking import Tracked

LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
QUALIFIED_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")


@pytest.mark.parametrize(
    "name", ["rollback", "restore-orders-db-before-the-v2-migration-2026-12-01", "r" * 246]
)
def test_the_snapshot_before_has_valid_labels_for_any_restore_name(name: str) -> None:
    restore = Tracked(
        ref=ObjectRef("team-a", name, "uid-1", plural="aurarestores", kind="AuraRestore"),
        spec={"instanceId": "0a1b2c3d", "snapshotBefore": True},
        metadata={"name": name, "namespace": "team-a", "uid": "uid-1"},
        status={},
    )
    body = snapshot_before(restore, f"{name}{BEFORE_SUFFIX}", "0a1b2c3d")

    assert len(body["metadata"]["name"]) <= 253
    for key, value in (body["metadata"].get("labels") or {}).items():
        assert len(value) <= 63 and LABEL_VALUE.match(value), (key, value)
        assert QUALIFIED_NAME.match(key.rpartition("/")[2]), key
    assert name in body["metadata"]["annotations"].values()  # the way back to the restore
