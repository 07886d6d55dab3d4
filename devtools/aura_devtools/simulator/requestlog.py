"""The log of every Aura request the simulator answered (never `/_sim` calls)."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class LoggedRequest:
    seq: int
    method: str
    path: str
    query: str
    # None when the connection was dropped on purpose before a response was sent.
    status: int | None
    # None when the answer carried no X-Request-Id (a gateway page).
    request_id: str | None
    client_id: str | None
    time: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


Listener = Callable[[LoggedRequest], None]


class RequestLog:
    def __init__(self, limit: int) -> None:
        self._entries: deque[LoggedRequest] = deque(maxlen=limit)
        self._seq = 0
        self._listeners: list[Listener] = []

    def add_listener(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def append(
        self,
        *,
        method: str,
        path: str,
        query: str,
        status: int | None,
        request_id: str | None,
        client_id: str | None,
        time: float,
    ) -> LoggedRequest:
        self._seq += 1
        entry = LoggedRequest(self._seq, method, path, query, status, request_id, client_id, time)
        self._entries.append(entry)
        for listener in self._listeners:
            listener(entry)
        return entry

    def since(self, seq: int) -> list[LoggedRequest]:
        return [entry for entry in self._entries if entry.seq > seq]

    @property
    def last_seq(self) -> int:
        return self._seq

    def clear(self) -> None:
        # Sequence numbers keep growing so a reader's `since` cursor stays valid across resets.
        self._entries.clear()
