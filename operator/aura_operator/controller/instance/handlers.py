"""kopf wiring: thin handlers that hand every cause to the engine or the observer."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import kopf

from aura_operator.api import FINALIZER, GROUP, PLURAL, SYNC_NOW_ANNOTATION, VERSION, Phase
from aura_operator.aura import Lane
from aura_operator.controller.instance.engine import Engine
from aura_operator.controller.instance.observer import Observer

logger = logging.getLogger("aura_operator.controller")

STORAGE_PREFIX = GROUP
RESOURCE = (GROUP, VERSION, PLURAL)
SETTLED_PHASES = {Phase.READY.value, Phase.PAUSED.value}

Login = Callable[..., kopf.ConnectionInfo | None]


def configure_kopf(
    settings: kopf.OperatorSettings, *, instance: str, namespaced: bool, grace: float
) -> None:
    """Our own finalizer and annotation prefix from day one (changing them later would make
    kopf treat every object as new); quiet, bounded API calls."""
    settings.persistence.finalizer = FINALIZER
    settings.persistence.progress_storage = kopf.AnnotationsProgressStorage(
        prefix=STORAGE_PREFIX, v1=False
    )
    settings.persistence.diffbase_storage = kopf.AnnotationsDiffBaseStorage(
        prefix=STORAGE_PREFIX, key="last-handled-configuration", v1=False
    )
    settings.posting.reporting_component = "aura-operator"
    settings.posting.reporting_instance = instance
    settings.posting.level = logging.WARNING
    # On SIGTERM, let handlers finish storing a create answer (the password exists nowhere
    # else) before kopf cancels them; keep below the pod's terminationGracePeriodSeconds.
    settings.queueing.exit_timeout = grace
    # Watching listed namespaces, the operator gets no cluster-wide list on namespaces or CRDs.
    settings.scanning.disabled = namespaced


def needs_attention(body: kopf.Body) -> bool:
    """A resumed object the engine must look at now rather than confirm by listing."""
    status = body.get("status") or {}
    generation = body.get("metadata", {}).get("generation")
    return (
        not status.get("instanceId")
        or bool(status.get("createIntent"))
        or status.get("observedGeneration") != generation
        or status.get("phase") not in SETTLED_PHASES
    )


def register_handlers(registry: kopf.OperatorRegistry, *, login: Login) -> None:
    """Register the resource handlers on `registry`; `memo.engine` and `memo.observer` are set
    by the startup handler (runner.py). Explicit ids name them in kopf's logs and progress
    annotations (kopf's default is the function's dotted path)."""

    @kopf.on.login(registry=registry, id="login")
    def authenticate(**kwargs: Any) -> kopf.ConnectionInfo | None:
        return login(**kwargs)

    @kopf.on.create(*RESOURCE, registry=registry, id="aurainstance-created")
    async def created(body: kopf.Body, memo: kopf.Memo, **_: Any) -> None:
        engine: Engine = memo.engine
        await engine.reconcile(engine.fleet.track(dict(body)), lane=Lane.CREATE)

    @kopf.on.update(*RESOURCE, field="spec", registry=registry, id="aurainstance-changed")
    async def spec_changed(body: kopf.Body, memo: kopf.Memo, **_: Any) -> None:
        engine: Engine = memo.engine
        await engine.reconcile(engine.fleet.track(dict(body)), lane=Lane.INTENT)

    @kopf.on.resume(*RESOURCE, registry=registry, id="aurainstance-resumed")
    async def resumed(body: kopf.Body, memo: kopf.Memo, **_: Any) -> None:
        engine: Engine = memo.engine
        observer: Observer = memo.observer
        tracked = engine.fleet.track(dict(body))
        if needs_attention(body):
            await engine.reconcile(tracked, lane=Lane.BACKGROUND)
        else:
            observer.confirm_at_startup(tracked.key)

    @kopf.on.delete(*RESOURCE, registry=registry, id="aurainstance-deleted")
    async def deleted(body: kopf.Body, memo: kopf.Memo, **_: Any) -> None:
        engine: Engine = memo.engine
        observer: Observer = memo.observer
        tracked = engine.fleet.track(dict(body))
        delay = await engine.finalize(tracked)
        if delay is not None:
            raise kopf.TemporaryError(
                "waiting for Aura to delete the instance", delay=delay / engine.settings.time_scale
            )
        observer.forget(tracked.key)

    @kopf.on.event(*RESOURCE, registry=registry, id="aurainstance-watched")
    async def watched(event: kopf.RawEvent, memo: kopf.Memo, **_: Any) -> None:
        """Keep spec and annotations current; answer the sync-now annotation at once."""
        engine: Engine = memo.engine
        observer: Observer = memo.observer
        body = event["object"]
        if event["type"] == "DELETED":
            key = (body["metadata"].get("namespace", ""), body["metadata"]["name"])
            engine.fleet.forget(key)
            observer.forget(key)
            return
        if engine.fleet.get((body["metadata"].get("namespace", ""), body["metadata"]["name"])):
            tracked = engine.fleet.track(dict(body))
            sync_now = tracked.annotations.get(SYNC_NOW_ANNOTATION) not in (
                None,
                tracked.sync_now_seen,
            )
            if sync_now or engine.fleet.writes_enabled_again(tracked):
                observer.schedule(tracked.key, 0.0)
