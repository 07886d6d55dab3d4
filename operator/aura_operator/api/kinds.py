"""Every kind of the group and its CRD: AuraInstance, AuraSnapshot and AuraRestore."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aura_operator.api.crd import (
    INSTANCE_NAMES,
    KindNames,
    build_crd,
    custom_resource_definition,
    render_yaml,
)
from aura_operator.api.restore import (
    RESTORE_KIND,
    RESTORE_PLURAL,
    RESTORE_SHORT_NAMES,
    RESTORE_SINGULAR,
    AuraRestore,
)
from aura_operator.api.snapshot import (
    SNAPSHOT_KIND,
    SNAPSHOT_PLURAL,
    SNAPSHOT_SHORT_NAMES,
    SNAPSHOT_SINGULAR,
    AuraSnapshot,
)

SNAPSHOT_NAMES = KindNames(SNAPSHOT_KIND, SNAPSHOT_PLURAL, SNAPSHOT_SINGULAR, SNAPSHOT_SHORT_NAMES)
RESTORE_NAMES = KindNames(RESTORE_KIND, RESTORE_PLURAL, RESTORE_SINGULAR, RESTORE_SHORT_NAMES)


def _condition_column(type_: str, description: str) -> dict[str, Any]:
    return {
        "name": type_,
        "type": "string",
        "jsonPath": f'.status.conditions[?(@.type=="{type_}")].status',
        "description": description,
    }


def _column(name: str, path: str, description: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": "string", "jsonPath": path, "description": description, **extra}


AGE_COLUMN: dict[str, Any] = {
    "name": "Age",
    "type": "date",
    "jsonPath": ".metadata.creationTimestamp",
}

SNAPSHOT_COLUMNS: tuple[dict[str, Any], ...] = (
    _column("Aura ID", ".status.instanceId", "Id of the snapshotted Aura instance."),
    _column("Snapshot ID", ".status.snapshotId", "Id of the Aura snapshot."),
    _column("Status", ".status.snapshotStatus", "Snapshot status as Aura reports it."),
    _column(
        "Exportable", ".status.exportable", "Whether it can seed another instance.", type="boolean"
    ),
    _condition_column("Ready", "Whether the snapshot is completed."),
    AGE_COLUMN,
    {
        "name": "Taken",
        "type": "date",
        "jsonPath": ".status.timestamp",
        "description": "When Aura took the snapshot.",
        "priority": 1,
    },
)

RESTORE_COLUMNS: tuple[dict[str, Any], ...] = (
    _column("Target", ".status.instanceId", "Aura id of the instance whose data is replaced."),
    _column("Operation", ".status.operation", "restore or overwrite."),
    _column("Phase", ".status.phase", "Where the restore is."),
    _condition_column("Ready", "Whether the restore is done."),
    AGE_COLUMN,
    _column("Source", ".status.sourceInstanceId", "Instance the data comes from.", priority=1),
    _column("Snapshot", ".status.sourceSnapshotId", "Snapshot the data comes from.", priority=1),
)


def build_snapshot_crd() -> dict[str, Any]:
    return custom_resource_definition(SNAPSHOT_NAMES, AuraSnapshot, SNAPSHOT_COLUMNS)


def build_restore_crd() -> dict[str, Any]:
    return custom_resource_definition(RESTORE_NAMES, AuraRestore, RESTORE_COLUMNS)


@dataclass(frozen=True)
class CrdFile:
    names: KindNames
    build: Callable[[], dict[str, Any]]

    @property
    def filename(self) -> str:
        return self.names.filename

    def render(self) -> str:
        return render_yaml(self.build())


CRD_FILES: tuple[CrdFile, ...] = (
    CrdFile(INSTANCE_NAMES, build_crd),
    CrdFile(SNAPSHOT_NAMES, build_snapshot_crd),
    CrdFile(RESTORE_NAMES, build_restore_crd),
)
"""Every CRD `aura-operator crds` writes, one file each."""
