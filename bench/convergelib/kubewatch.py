"""Follows the Kubernetes emulator's change log in-process: when each AuraInstance became Ready
(per generation) and when it was gone, and how many writes the API server took, by resource."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from aura_devtools.kube_emulator import KubernetesApiEmulator
from aura_devtools.simulator.clock import SimClock

AURA_PLURAL = "aurainstances"


def is_ready(obj: Mapping[str, Any]) -> bool:
    """Ready=True for the current generation (what `kubectl wait` plus Argo CD look for)."""
    generation = obj.get("metadata", {}).get("generation")
    for condition in (obj.get("status") or {}).get("conditions") or []:
        if condition.get("type") == "Ready":
            return bool(
                condition.get("status") == "True"
                and condition.get("observedGeneration") == generation
            )
    return False


class KubeWatch:
    def __init__(self, emulator: KubernetesApiEmulator, clock: SimClock) -> None:
        self._changes = emulator.changes
        self._clock = clock
        self.ready_at: dict[tuple[str, int], float] = {}
        """(name, generation) -> simulated time it was first Ready at that generation."""
        self.gone_at: dict[str, float] = {}
        self.writes: Counter[str] = Counter()
        self._ready_now: set[str] = set()
        self._updated = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._follow(self._changes.revision))

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _follow(self, revision: int) -> None:
        while True:
            await self._changes.wait_after(revision)
            now = self._clock.now()
            for change in self._changes.changes_after(revision):
                revision = change.revision
                self.writes[change.resource.plural or "?"] += 1
                if change.resource.plural == AURA_PLURAL:
                    self._note(change.type, change.object, now)
            self._updated.set()
            self._updated = asyncio.Event()

    def _note(self, change_type: str, obj: Mapping[str, Any], now: float) -> None:
        name = obj["metadata"]["name"]
        if change_type == "DELETED":
            self.gone_at[name] = now
            self._ready_now.discard(name)
            return
        if is_ready(obj):
            self._ready_now.add(name)
            self.ready_at.setdefault((name, int(obj["metadata"]["generation"])), now)
        else:
            self._ready_now.discard(name)

    def ready_names(self) -> set[str]:
        return set(self._ready_now)

    def first_ready(self, name: str) -> float | None:
        return self.ready_at.get((name, 1))

    async def wait(self, condition: Callable[[], bool], *, within: float) -> None:
        """Until `condition()` is true; re-checked after every batch of changes."""
        async with asyncio.timeout(within):
            while not condition():
                await self._updated.wait()
