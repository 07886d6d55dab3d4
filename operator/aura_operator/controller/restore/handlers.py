"""kopf wiring of AuraRestore (see oneshot_handlers.register_kind); a spec change (only
confirmInstanceId may change) wakes it, so confirming goes ahead at once."""

from __future__ import annotations

import kopf

from aura_operator.api.restore import RESTORE_PLURAL
from aura_operator.controller.oneshot_handlers import register_kind
from aura_operator.controller.restore.engine import RestoreEngine
from aura_operator.controller.settings import OperatorSettings


def register_restore_handlers(registry: kopf.OperatorRegistry, settings: OperatorSettings) -> None:
    register_kind(
        registry,
        settings,
        plural=RESTORE_PLURAL,
        engine=RestoreEngine,
        on_spec_change=True,
    )
