"""kopf wiring of AuraSnapshot (see oneshot_handlers.register_kind). No finalizer: deleting an
AuraSnapshot only forgets it (Aura cannot delete snapshots)."""

from __future__ import annotations

import kopf

from aura_operator.api.snapshot import SNAPSHOT_PLURAL
from aura_operator.controller.oneshot_handlers import register_kind
from aura_operator.controller.settings import OperatorSettings
from aura_operator.controller.snapshot.engine import SnapshotEngine


def register_snapshot_handlers(registry: kopf.OperatorRegistry, settings: OperatorSettings) -> None:
    register_kind(
        registry,
        settings,
        plural=SNAPSHOT_PLURAL,
        engine=SnapshotEngine,
        on_spec_change=False,
    )
