"""kopf wiring of AuraSnapshot: every cause runs the engine's step now; the step's answer sets
the object's next wake-up. No finalizer: deleting an AuraSnapshot only forgets it (Aura cannot
delete snapshots)."""

from __future__ import annotations

from typing import Any

import kopf

from aura_operator.api import GROUP, VERSION
from aura_operator.api.snapshot import SNAPSHOT_KIND, SNAPSHOT_PLURAL
from aura_operator.controller.access import Accounts
from aura_operator.controller.oneshot import Timers, ref_of
from aura_operator.controller.publishing import Publisher
from aura_operator.controller.settings import OperatorSettings
from aura_operator.controller.snapshot.engine import SnapshotEngine

RESOURCE = (GROUP, VERSION, SNAPSHOT_PLURAL)


def timers_of(memo: kopf.Memo, settings: OperatorSettings) -> Timers:
    """The AuraSnapshot timers, built on first use from the clients the startup handler made
    (one Aura API and limiter per process, shared with every kind)."""
    timers: Timers | None = getattr(memo, "snapshot_timers", None)
    if timers is None:
        metrics = memo.metrics
        engine = SnapshotEngine(
            settings=settings,
            kube=memo.kube,
            accounts=Accounts(settings, memo.aura, memo.kube),
            publish=Publisher(memo.kube, lambda r: metrics.reconcile_errors.labels(r).inc()),
        )
        timers = Timers(engine.step, time_scale=settings.time_scale)
        memo.snapshot_timers = timers
    return timers


def register_snapshot_handlers(registry: kopf.OperatorRegistry, settings: OperatorSettings) -> None:
    async def run(body: kopf.Body, memo: kopf.Memo) -> None:
        await timers_of(memo, settings).run_now(ref_of(dict(body), SNAPSHOT_PLURAL, SNAPSHOT_KIND))

    @kopf.on.create(*RESOURCE, registry=registry)
    async def snapshot_created(body: kopf.Body, memo: kopf.Memo, **_: Any) -> None:
        await run(body, memo)

    @kopf.on.resume(*RESOURCE, registry=registry)
    async def snapshot_resumed(body: kopf.Body, memo: kopf.Memo, **_: Any) -> None:
        await run(body, memo)

    @kopf.on.event(*RESOURCE, registry=registry)
    async def snapshot_watched(event: kopf.RawEvent, memo: kopf.Memo, **_: Any) -> None:
        if event["type"] == "DELETED":
            metadata = event["object"]["metadata"]
            timers_of(memo, settings).forget((metadata.get("namespace", ""), metadata["name"]))

    @kopf.on.cleanup(registry=registry)
    async def snapshot_cleanup(memo: kopf.Memo, **_: Any) -> None:
        timers: Timers | None = getattr(memo, "snapshot_timers", None)
        if timers is not None:
            await timers.close()
