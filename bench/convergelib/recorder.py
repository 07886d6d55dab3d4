"""What the benchmark records inside the simulator's process: every Aura request it answered,
and the duration it drew for every operation that began (provisioning, resize, destroy)."""

from __future__ import annotations

from dataclasses import dataclass

from aura_devtools.simulator import Simulator
from aura_devtools.simulator.requestlog import LoggedRequest

WRITE_METHODS = frozenset({"POST", "PATCH", "DELETE"})


@dataclass(frozen=True)
class Operation:
    """One transition the simulator started: `status` from `started_at` to `ends_at`."""

    instance_id: str
    name: str
    status: str
    started_at: float
    ends_at: float

    @property
    def duration(self) -> float:
        return self.ends_at - self.started_at


class SimRecorder:
    """Listens to the simulator's request log in-process (no polling, nothing missed)."""

    def __init__(self, sim: Simulator) -> None:
        self._sim = sim
        self.requests: list[LoggedRequest] = []
        self.operations: list[Operation] = []
        self._seen: set[tuple[str, str, float]] = set()
        sim.state.requests.add_listener(self._on_request)

    def _on_request(self, entry: LoggedRequest) -> None:
        self.requests.append(entry)
        if entry.method in WRITE_METHODS:
            self._note_operations()

    def _note_operations(self) -> None:
        # An operation is drawn while its write is answered and only ends on a later request,
        # so looking right after each write sees every one.
        for instance in self._sim.state.inventory.instances.values():
            operation = instance.operation
            if operation is None:
                continue
            key = (instance.id, operation.status, operation.started_at)
            if key in self._seen:
                continue
            self._seen.add(key)
            self.operations.append(
                Operation(
                    instance.id,
                    instance.name,
                    operation.status,
                    operation.started_at,
                    operation.ends_at,
                )
            )

    def names_by_id(self) -> dict[str, str]:
        return {i.id: i.name for i in self._sim.state.inventory.instances.values()}

    def instances_by_name(self) -> dict[str, list[str]]:
        """Every instance the simulator ever held (deleted ones too), by name."""
        found: dict[str, list[str]] = {}
        for instance in self._sim.state.inventory.instances.values():
            found.setdefault(instance.name, []).append(instance.id)
        return found
