"""kopf wiring of AuraRestore (see oneshot.register_kind); a spec change (only
confirmInstanceId may change) wakes it, so confirming goes ahead at once."""

from __future__ import annotations

import kopf

from aura_operator.api.restore import RESTORE_KIND, RESTORE_PLURAL
from aura_operator.controller.access import Accounts
from aura_operator.controller.oneshot import OneShotPublisher, Step, register_kind
from aura_operator.controller.restore.engine import RestoreEngine
from aura_operator.controller.settings import OperatorSettings


def register_restore_handlers(registry: kopf.OperatorRegistry, settings: OperatorSettings) -> None:
    def build(memo: kopf.Memo) -> Step:
        metrics = memo.metrics
        engine = RestoreEngine(
            settings=settings,
            kube=memo.kube,
            accounts=Accounts(settings, memo.aura, memo.kube),
            publish=OneShotPublisher(memo.kube, lambda r: metrics.reconcile_errors.labels(r).inc()),
        )
        return engine.step

    register_kind(
        registry,
        settings,
        plural=RESTORE_PLURAL,
        kind=RESTORE_KIND,
        build=build,
        on_spec_change=True,
    )
