"""kopf wiring of the one-shot kinds (AuraSnapshot, AuraRestore): every cause runs the
object's engine step now, and the step's answer sets a wake-up timer for the next one."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import kopf

from aura_operator.api import GROUP, VERSION
from aura_operator.controller.access import Accounts
from aura_operator.controller.kube import ObjectRef
from aura_operator.controller.oneshot import OneShotEngine, OneShotPublisher, ref_of
from aura_operator.controller.settings import OperatorSettings
from aura_operator.controller.tracking import Key

logger = logging.getLogger("aura_operator.controller")

RETRY_AFTER_ERROR = 60.0  # Aura seconds after a step failed unexpectedly (API server down...)

Step = Callable[[ObjectRef], Awaitable[float | None]]


class Timers:
    """Runs `step` for an object now or after a delay; one step at a time per object. A step
    under way is never cancelled (it may be between an intent and its POST); only a timer
    still sleeping is replaced."""

    def __init__(self, step: Step, *, time_scale: float) -> None:
        self._step = step
        self._time_scale = time_scale
        self._sleeping: dict[Key, asyncio.Task[None]] = {}
        self._locks: dict[Key, asyncio.Lock] = {}
        self._running: set[asyncio.Task[None]] = set()

    async def run_now(self, ref: ObjectRef) -> None:
        self._cancel_sleeping((ref.namespace, ref.name))
        await self._run(ref)

    def schedule(self, ref: ObjectRef, aura_seconds: float | None) -> None:
        key = (ref.namespace, ref.name)
        self._cancel_sleeping(key)
        if aura_seconds is None:
            return
        task = asyncio.create_task(self._wake(ref, max(0.0, aura_seconds) / self._time_scale))
        self._sleeping[key] = task

    def due(self, key: Key) -> bool:
        """Whether a timer is set for the object (for tests)."""
        return key in self._sleeping

    def forget(self, key: Key) -> None:
        self._cancel_sleeping(key)
        self._locks.pop(key, None)

    async def close(self) -> None:
        for key in list(self._sleeping):
            self._cancel_sleeping(key)
        if self._running:
            await asyncio.wait(set(self._running), timeout=5.0)

    def _cancel_sleeping(self, key: Key) -> None:
        task = self._sleeping.pop(key, None)
        if task is not None and not task.done():
            task.cancel()

    async def _wake(self, ref: ObjectRef, seconds: float) -> None:
        await asyncio.sleep(seconds)
        key = (ref.namespace, ref.name)
        if self._sleeping.get(key) is asyncio.current_task():
            del self._sleeping[key]  # from here on a step runs: not cancellable
        task = asyncio.create_task(self._run(ref))
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def _run(self, ref: ObjectRef) -> None:
        key = (ref.namespace, ref.name)
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            try:
                delay = await self._step(ref)
            except Exception:
                logger.exception("%s %s: step failed; retrying later", ref.kind, ref)
                delay = RETRY_AFTER_ERROR
        self.schedule(ref, delay)


def register_kind(
    registry: kopf.OperatorRegistry,
    settings: OperatorSettings,
    *,
    plural: str,
    engine: type[OneShotEngine],
    on_spec_change: bool,
) -> None:
    """kopf wiring of a one-shot kind: every cause runs the step now; the step's answer sets
    the next wake-up. No finalizer: deleting the object only forgets it."""
    resource = (GROUP, VERSION, plural)
    kind = engine.kind
    memo_key = f"{plural}_timers"
    name = kind.lower()

    def build(memo: kopf.Memo) -> Step:
        metrics = memo.metrics
        return engine(
            settings=settings,
            kube=memo.kube,
            accounts=Accounts(settings, memo.aura, memo.kube),
            publish=OneShotPublisher(memo.kube, lambda r: metrics.reconcile_errors.labels(r).inc()),
        ).step

    def timers_of(memo: kopf.Memo) -> Timers:
        timers: Timers | None = getattr(memo, memo_key, None)
        if timers is None:
            timers = Timers(build(memo), time_scale=settings.time_scale)
            setattr(memo, memo_key, timers)
        return timers

    async def run(body: kopf.Body, memo: kopf.Memo, **_: Any) -> None:
        await timers_of(memo).run_now(ref_of(dict(body), plural, kind))

    kopf.on.create(*resource, registry=registry, id=f"{name}-created")(run)
    kopf.on.resume(*resource, registry=registry, id=f"{name}-resumed")(run)
    if on_spec_change:
        kopf.on.update(*resource, field="spec", registry=registry, id=f"{name}-changed")(run)

    async def watched(event: kopf.RawEvent, memo: kopf.Memo, **_: Any) -> None:
        if event["type"] == "DELETED":
            metadata = event["object"]["metadata"]
            timers_of(memo).forget((metadata.get("namespace", ""), metadata["name"]))

    kopf.on.event(*resource, registry=registry, id=f"{name}-watched")(watched)

    async def cleanup(memo: kopf.Memo, **_: Any) -> None:
        timers: Timers | None = getattr(memo, memo_key, None)
        if timers is not None:
            await timers.close()

    kopf.on.cleanup(registry=registry, id=f"{name}-cleanup")(cleanup)
