"""Aura calls as the benchmark counts them: the simulator's log of each request (simulated time,
method, path, status) joined by request id with the operator's log line for it (lane, limiter
wait), and sorted into lifecycle steps."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from aura_devtools.simulator.requestlog import LoggedRequest

AURA_LOGGER = "aura_operator.aura"
INSTANCE_PREFIX = "/v1/instances/"


@dataclass(frozen=True)
class OperatorCall:
    """The operator's own account of one exchange (from its JSON log)."""

    lane: str
    limiter_wait: float  # real seconds
    endpoint: str
    process: str  # which operator process sent it: "operator-1", "operator-2", ...


@dataclass(frozen=True)
class Call:
    time: float  # simulated epoch seconds, when the simulator received it
    method: str
    path: str
    status: int | None
    request_id: str
    client_id: str | None
    lane: str  # intent, create, background; "unknown" when no operator log line matched
    limiter_wait: float | None  # real seconds
    process: str = "unknown"

    @property
    def instance_id(self) -> str | None:
        """The instance a per-instance call is about (GET, PATCH, DELETE, actions)."""
        if not self.path.startswith(INSTANCE_PREFIX):
            return None
        return self.path[len(INSTANCE_PREFIX) :].split("/")[0] or None

    @property
    def kind(self) -> str:
        """A short label: token, list, create, get, patch, delete, pause, resume, other."""
        if self.path == "/oauth/token":
            return "token"
        if self.path == "/v1/instances":
            return "create" if self.method == "POST" else "list"
        if self.instance_id is None:
            return "other"
        tail = self.path[len(INSTANCE_PREFIX) :].split("/")[1:]
        if tail:
            return tail[0]
        return {"GET": "get", "PATCH": "patch", "DELETE": "delete"}.get(self.method, "other")


def read_operator_log(paths: Iterable[Path]) -> dict[str, OperatorCall]:
    """request id -> the operator's record of that call, from `AURA_LOG_FORMAT=json` lines."""
    found: dict[str, OperatorCall] = {}
    for path in paths:
        if not path.exists():
            continue
        process = path.name.rsplit(".", 2)[-2]  # <label>.operator-<n>.log
        for line in path.read_text(errors="replace").splitlines():
            if not line.startswith("{"):
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            request_id = entry.get("request_id")
            if entry.get("logger") != AURA_LOGGER or not request_id:
                continue
            found[str(request_id)] = OperatorCall(
                lane=str(entry.get("lane", "unknown")),
                limiter_wait=float(entry.get("limiter_wait_ms") or 0.0) / 1000,
                endpoint=str(entry.get("endpoint", "")),
                process=process,
            )
    return found


def join(requests: Iterable[LoggedRequest], operator: dict[str, OperatorCall]) -> list[Call]:
    calls = []
    for entry in requests:
        mine = operator.get(entry.request_id)
        calls.append(
            Call(
                time=entry.time,
                method=entry.method,
                path=entry.path,
                status=entry.status,
                request_id=entry.request_id,
                client_id=entry.client_id,
                lane=mine.lane if mine else "unknown",
                limiter_wait=mine.limiter_wait if mine else None,
                process=mine.process if mine else "unknown",
            )
        )
    return calls


def between(calls: Iterable[Call], start: float, end: float) -> Iterator[Call]:
    return (c for c in calls if start <= c.time < end)


def count_by_kind(calls: Iterable[Call]) -> dict[str, int]:
    return dict(sorted(Counter(c.kind for c in calls).items()))


def rejected(calls: Iterable[Call]) -> int:
    return sum(1 for c in calls if c.status == 429)
